namespace GmCodegen.Runtime.Tests;

/// <summary>
/// The displacement tools on matrices whose structure is known by construction: group matrices (rank 0, fixed
/// points of the projection), GM + Σ_j diag(a_j)·GM(c_j) (rank exactly r), random dense matrices (rank |G| − 1), on
/// cyclic, dihedral-product, S4 and D3 x C4 groups; the projection and the equivariance error against direct
/// computations with explicit matrices; argument errors.
/// </summary>
public class DisplacementTests
{
    public static TheoryData<string> Groups => ["C4xC4", "D4", "D4xD4", "GeneratedS4", "GeneratedD3xC4"];

    static void On(string group, Action<IDisplacementCase> body)
    {
        switch (group)
        {
            case "C4xC4": body(new DisplacementCase<C4xC4>()); break;
            case "D4": body(new DisplacementCase<D4>()); break;
            case "D4xD4": body(new DisplacementCase<D4xD4>()); break;
            case "GeneratedS4": body(new DisplacementCase<GeneratedS4>()); break;
            case "GeneratedD3xC4": body(new DisplacementCase<GeneratedD3xC4>()); break;
            default: throw new ArgumentException(group);
        }
    }

    [Theory, MemberData(nameof(Groups))]
    public void Group_matrices_have_rank_zero_and_are_fixed_points(string group) => On(group, c => c.GroupMatrices());

    [Theory, MemberData(nameof(Groups))]
    public void The_projection_is_the_orthogonal_one_and_idempotent(string group) => On(group, c => c.Projection());

    [Theory, MemberData(nameof(Groups))]
    public void Ldr_matrices_have_rank_exactly_r(string group) => On(group, c => c.LowRank());

    [Theory, MemberData(nameof(Groups))]
    public void Random_dense_matrices_have_full_displacement_rank(string group) => On(group, c => c.Dense());

    [Theory, MemberData(nameof(Groups))]
    public void Equivariance_error_is_the_commutator_norm(string group) => On(group, c => c.Commutator());

    [Fact]
    public void A_dense_linear_layer_on_the_group_has_full_rank()
    {
        // The unstructured baseline: Linear(|G|) on a [1, |G|] input; its weight [out, in] is M.
        var dense = new Linear("dense", new Shape(1, D4xD4.Order), D4xD4.Order, new Random(1));
        var d = Displacement.Describe<D4xD4>(dense.Weight.Value);
        Assert.Equal(D4xD4.Order - 1, d.Rank);
        Assert.True(d.EquivarianceError > 0.5);
        Assert.True(d.DistanceToNearestGroupMatrix > 0.9);
    }

    [Fact]
    public void Bad_arguments_are_refused_with_their_names()
    {
        int n = D4.Order;
        Assert.Equal("m", Assert.Throws<ArgumentException>(() => Displacement.GroupDiagonals<D4>(new float[n * n - 1])).ParamName);
        Assert.Equal("m", Assert.Throws<ArgumentException>(() => Displacement.Rank<D4>(new float[n])).ParamName);
        var nan = new float[n * n];
        nan[3 * n + 5] = float.NaN;
        var e = Assert.Throws<ArgumentException>(() => Displacement.SingularValues<D4>(nan));
        Assert.Equal("m", e.ParamName);
        Assert.Contains("m[3, 5]", e.Message);
        nan[3 * n + 5] = float.NegativeInfinity;
        Assert.Throws<ArgumentException>(() => Displacement.NearestGroupMatrix<D4>(nan));
        Assert.Equal("relativeTolerance", Assert.Throws<ArgumentOutOfRangeException>(() => Displacement.Rank<D4>(new float[n * n], -1)).ParamName);
        Assert.Equal("relativeTolerance", Assert.Throws<ArgumentOutOfRangeException>(() => Displacement.Rank<D4>(new float[n * n], double.NaN)).ParamName);
        var big = Assert.Throws<ArgumentException>(() => Displacement.SingularValues<C5000>(new float[10]));
        Assert.Equal("m", big.ParamName);
        Assert.Contains("4096", big.Message);
        Assert.Throws<ArgumentNullException>(() => Displacement.Describe<D4>((IGroupMatrixLayer)null!));
    }

    [Fact]
    public void The_zero_matrix_is_a_group_matrix()
    {
        var zero = new float[D4.Order * D4.Order];
        var d = Displacement.Describe<D4>(zero);
        Assert.Equal((0, 0.0, 0.0), (d.Rank, d.DistanceToNearestGroupMatrix, d.EquivarianceError));
        Assert.Equal(zero, Displacement.NearestGroupMatrix<D4>(zero));
    }
}

public interface IDisplacementCase
{
    void GroupMatrices();
    void Projection();
    void LowRank();
    void Dense();
    void Commutator();
}

public sealed class DisplacementCase<TGroup> : IDisplacementCase where TGroup : IGroupKernel
{
    static int N => TGroup.Order;

    /// <summary>M = GM(w) + Σ_j diag(a_j)·GM(c_j) over the whole group: M[a, idx(g_a·h⁻¹)] = w[h] + Σ_j a_j[a]·c_j[h].</summary>
    static float[] Ldr(float[] w, float[][] a, float[][] c)
    {
        var m = new float[N * N];
        for (int h = 0; h < N; h++)
        {
            int hInv = TGroup.Inverse(h);
            for (int g = 0; g < N; g++)
            {
                double v = w[h];
                for (int j = 0; j < a.Length; j++) v += a[j][g] * c[j][h];
                m[g * N + TGroup.Multiply(g, hInv)] = (float)v;
            }
        }
        return m;
    }

    static float[] Random(int seed, int length) => GradCheck.RandomArray(new Random(seed), length);
    static float[] GroupMatrix(int seed) => Ldr(Random(seed, N), [], []);

    static double Norm(float[] v) => Math.Sqrt(v.Sum(x => (double)x * x));
    static double Distance(float[] u, float[] v) => Math.Sqrt(u.Zip(v, (x, y) => ((double)x - y) * (x - y)).Sum());

    public void GroupMatrices()
    {
        for (int seed = 1; seed <= 3; seed++)
        {
            var m = GroupMatrix(seed);
            var f = Displacement.GroupDiagonals<TGroup>(m);
            for (int h = 0; h < N; h++)
                for (int a = 1; a < N; a++) Assert.Equal(f[h * N], f[h * N + a]);   // each group diagonal constant
            Assert.Equal(0, Displacement.Rank<TGroup>(m));
            Assert.True(Displacement.SingularValues<TGroup>(m)[0] < 1e-5 * Norm(m));
            Assert.True(Distance(Displacement.NearestGroupMatrix<TGroup>(m), m) < 1e-6 * Norm(m));
            Assert.Equal(0, Displacement.EquivarianceError<TGroup>(m));
        }
        // The layer's own matrix is a group matrix, whatever the neighbourhood.
        var conv = new GMConv<TGroup>("conv", 1, 2, ChannelMode.Shared, new Random(5));
        Assert.Equal(0, Displacement.Describe<TGroup>(conv, 1).Rank);
    }

    public void Projection()
    {
        var x = Random(7, N * N);
        var p = Displacement.NearestGroupMatrix<TGroup>(x);
        Assert.Equal(0, Displacement.Rank<TGroup>(p));
        Assert.True(Distance(Displacement.NearestGroupMatrix<TGroup>(p), p) < 1e-6 * Norm(p), "not idempotent");
        // X − P(X) is orthogonal to every group matrix, so P is the Frobenius projection.
        for (int seed = 8; seed < 11; seed++)
        {
            var g = GroupMatrix(seed);
            double inner = 0;
            for (int j = 0; j < x.Length; j++) inner += ((double)x[j] - p[j]) * g[j];
            Assert.True(Math.Abs(inner) < 1e-5 * Norm(x) * Norm(g), $"⟨X − P(X), GM⟩ = {inner}");
        }
        var d = Displacement.Describe<TGroup>(x);
        Assert.Equal(Distance(x, p) / Norm(x), d.DistanceToNearestGroupMatrix, 1e-5);
    }

    public void LowRank()
    {
        int maxRank = Math.Min(4, N - 1);
        for (int r = 1; r <= maxRank; r++)
        {
            var a = Enumerable.Range(0, r).Select(j => Random(100 + j, N)).ToArray();
            var c = Enumerable.Range(0, r).Select(j => Random(200 + j, N)).ToArray();
            var m = Ldr(Random(99, N), a, c);
            Assert.Equal(r, Displacement.Rank<TGroup>(m));
            var sigma = Displacement.SingularValues<TGroup>(m);
            Assert.Equal([.. sigma.OrderByDescending(s => s)], sigma);
            Assert.True(sigma[r - 1] > 1e-2 * sigma[0] && sigma[r] < 1e-5 * sigma[0], $"r = {r}: σ = {string.Join(", ", sigma.Take(r + 1))}");
        }
        // Non-generic: c_2 = c_1 collapses LDR-2 to rank 1 (F = w·1ᵀ + c·(a_1 + a_2)ᵀ).
        var c1 = Random(300, N);
        Assert.Equal(1, Displacement.Rank<TGroup>(Ldr(Random(301, N), [Random(302, N), Random(303, N)], [c1, c1])));
    }

    public void Dense()
    {
        Assert.Equal(N - 1, Displacement.Rank<TGroup>(Random(400, N * N)));
        Assert.Equal(N, Displacement.SingularValues<TGroup>(Random(401, N * N)).Length);
    }

    public void Commutator()
    {
        // Direct: ‖L_u·M − M·L_u‖_F with L_u the permutation matrix of (L_u x)(a) = x(u⁻¹·a).
        double Direct(float[] m)
        {
            double worst = 0;
            for (int u = 1; u < N; u++)
            {
                int uInv = TGroup.Inverse(u);
                double s = 0;
                for (int a = 0; a < N; a++)
                    for (int b = 0; b < N; b++)
                    {
                        // (L_u M)[a, b] = M[u⁻¹a, b];  (M L_u)[a, b] = M[a, u·b]
                        double d = (double)m[TGroup.Multiply(uInv, a) * N + b] - m[a * N + TGroup.Multiply(u, b)];
                        s += d * d;
                    }
                worst = Math.Max(worst, Math.Sqrt(s) / Norm(m));
            }
            return worst;
        }
        foreach (var m in new[] { Random(500, N * N), Ldr(Random(501, N), [Random(502, N)], [Random(503, N)]) })
            Assert.Equal(Direct(m), Displacement.EquivarianceError<TGroup>(m), 1e-5);
    }
}
