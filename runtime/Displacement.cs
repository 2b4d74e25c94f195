using System.Globalization;
using MathNet.Numerics.LinearAlgebra;

namespace GmCodegen;

/// <summary>
/// What <see cref="Displacement.Describe{TGroup}(IGroupMatrixLayer, int, int)"/> measures of one layer's matrix M.
/// </summary>
/// <param name="Rank">Displacement rank: singular values of D(M) above 1e-4 · σ_max(F(M)).</param>
/// <param name="TopSingularValues">The largest singular values of D(M), descending (at most five).</param>
/// <param name="DistanceToNearestGroupMatrix">‖M − P(M)‖_F / ‖M‖_F, P the Frobenius projection onto group matrices.</param>
/// <param name="EquivarianceError">max_u ‖L_u·M − M·L_u‖_F / ‖M‖_F over the tested group elements u.</param>
public sealed record LayerDisplacement(int Rank, double[] TopSingularValues, double DistanceToNearestGroupMatrix, double EquivarianceError)
{
    /// <summary>The per-layer line the samples print.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture,
            $"displacement rank {Rank}, top σ [{string.Join(", ", TopSingularValues.Select(s => s.ToString("E2", CultureInfo.InvariantCulture)))}], " +
            $"‖M − GM‖/‖M‖ {DistanceToNearestGroupMatrix:E2}, equivariance error {EquivarianceError:E2}");
}

/// <summary>
/// Displacement structure of dense |G|×|G| matrices relative to group matrices over <c>TGroup</c>
/// (docs/approximate-equivariance.md). m is row-major with y = m·x. The group diagonals are
/// F[h, a] = M[a, idx(g_a·h⁻¹)]; M is a group matrix exactly when every row of F is constant; the displacement
/// D(M) is F with each row's mean removed. Matrices above |G| = <see cref="GroupMatrices.MaxDenseOrder"/>, of the wrong
/// length or with a NaN or infinite entry are refused with an <see cref="ArgumentException"/> naming <c>m</c>.
/// The singular values come from MathNet.Numerics' SVD (in double).
/// </summary>
public static class Displacement
{
    /// <summary>Group elements tried by <see cref="EquivarianceError{TGroup}"/> when |G| is above this: all others below.</summary>
    public const int AllElementsUpTo = 256;
    /// <summary>How many (evenly spaced) non-identity elements are tried on larger groups.</summary>
    public const int SampledElements = 64;

    /// <summary>F[h·|G| + a] = M[a, idx(g_a·h⁻¹)].</summary>
    public static float[] GroupDiagonals<TGroup>(ReadOnlySpan<float> m) where TGroup : IGroupKernel
    {
        Check<TGroup>(m);
        int n = TGroup.Order;
        var f = new float[n * n];
        for (int h = 0; h < n; h++)
        {
            int hInv = TGroup.Inverse(h);
            for (int a = 0; a < n; a++) f[h * n + a] = m[a * n + TGroup.Multiply(a, hInv)];
        }
        return f;
    }

    /// <summary>Singular values of D(M), descending.</summary>
    public static double[] SingularValues<TGroup>(ReadOnlySpan<float> m) where TGroup : IGroupKernel =>
        Svd(Centred<TGroup>(GroupDiagonals<TGroup>(m)));

    /// <summary>The number of singular values of D(M) above <paramref name="relativeTolerance"/> · σ_max(F(M)); 0 for M = 0.</summary>
    public static int Rank<TGroup>(ReadOnlySpan<float> m, double relativeTolerance = 1e-4) where TGroup : IGroupKernel
    {
        CheckTolerance(relativeTolerance);
        var f = GroupDiagonals<TGroup>(m);
        return Rank(Svd(Centred<TGroup>(f)), Svd(ToMatrix<TGroup>(f))[0], relativeTolerance);
    }

    /// <summary>The Frobenius-nearest group matrix: each group diagonal replaced by its mean.</summary>
    public static float[] NearestGroupMatrix<TGroup>(ReadOnlySpan<float> m) where TGroup : IGroupKernel
    {
        var f = GroupDiagonals<TGroup>(m);
        int n = TGroup.Order;
        var nearest = new float[n * n];
        for (int h = 0; h < n; h++)
        {
            double sum = 0;
            for (int a = 0; a < n; a++) sum += f[h * n + a];
            float mean = (float)(sum / n);
            int hInv = TGroup.Inverse(h);
            for (int a = 0; a < n; a++) nearest[a * n + TGroup.Multiply(a, hInv)] = mean;
        }
        return nearest;
    }

    /// <summary>
    /// max_u ‖L_u·M − M·L_u‖_F / ‖M‖_F, (L_u x)(a) = x(u⁻¹·g_a), over every u when |G| ≤ <see cref="AllElementsUpTo"/>,
    /// else over <see cref="SampledElements"/> evenly spaced non-identity u. 0 for a group matrix (and for M = 0).
    /// Computed on F: conjugating M by L_u moves F's positions, F[h, a] → F[h, u⁻¹·a].
    /// </summary>
    public static double EquivarianceError<TGroup>(ReadOnlySpan<float> m) where TGroup : IGroupKernel =>
        EquivarianceErrorOf<TGroup>(GroupDiagonals<TGroup>(m));

    /// <summary>Rank, top singular values, distance to the nearest group matrix and equivariance error of one matrix.</summary>
    public static LayerDisplacement Describe<TGroup>(ReadOnlySpan<float> m, int top = 5) where TGroup : IGroupKernel
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        var f = GroupDiagonals<TGroup>(m);
        var sigma = Svd(Centred<TGroup>(f));
        double sigmaF = Svd(ToMatrix<TGroup>(f))[0];
        double normF = Math.Sqrt(f.Sum(v => (double)v * v));
        double normD = Math.Sqrt(sigma.Sum(s => s * s));   // ‖M − P(M)‖_F = ‖D(M)‖_F
        return new LayerDisplacement(Rank(sigma, sigmaF, 1e-4), sigma[..Math.Min(top, sigma.Length)],
            normF == 0 ? 0 : normD / normF, EquivarianceErrorOf<TGroup>(f));
    }

    /// <summary>One line per GM layer of a network: rank, top singular values, distance to the nearest GM, equivariance error.</summary>
    public static LayerDisplacement Describe<TGroup>(IGroupMatrixLayer layer, int outChannel = 0, int inChannel = 0) where TGroup : IGroupKernel
    {
        ArgumentNullException.ThrowIfNull(layer);
        return Describe<TGroup>(layer.DenseMatrix(outChannel, inChannel));
    }

    // ---- helpers ----

    static void Check<TGroup>(ReadOnlySpan<float> m) where TGroup : IGroupKernel
    {
        int n = TGroup.Order;
        if (n > GroupMatrices.MaxDenseOrder)
            throw new ArgumentException(
                $"{typeof(TGroup).Name} has {n} elements; the displacement tools take groups of at most {GroupMatrices.MaxDenseOrder} (a dense matrix of {(long)n * n:N0} entries is refused).", nameof(m));
        if (m.Length != (long)n * n)
            throw new ArgumentException($"m has length {m.Length}; a {n}×{n} matrix over {typeof(TGroup).Name} has {(long)n * n}.", nameof(m));
        for (int j = 0; j < m.Length; j++)
            if (!float.IsFinite(m[j]))
                throw new ArgumentException($"m[{j / n}, {j % n}] is {m[j].ToString(CultureInfo.InvariantCulture)}; the displacement of a matrix with NaN or infinite entries is undefined.", nameof(m));
    }

    static void CheckTolerance(double relativeTolerance)
    {
        if (!(relativeTolerance >= 0) || double.IsInfinity(relativeTolerance))
            throw new ArgumentOutOfRangeException(nameof(relativeTolerance), relativeTolerance, "The relative tolerance must be finite and ≥ 0.");
    }

    static int Rank(double[] sigmaD, double sigmaMaxF, double tolerance) =>
        sigmaMaxF == 0 ? 0 : sigmaD.Count(s => s > tolerance * sigmaMaxF);

    static Matrix<double> ToMatrix<TGroup>(float[] f) where TGroup : IGroupKernel
    {
        int n = TGroup.Order;
        return Matrix<double>.Build.Dense(n, n, (h, a) => f[h * n + a]);
    }

    /// <summary>D = F with each row's mean removed (rows of D are orthogonal to the constant vector).</summary>
    static Matrix<double> Centred<TGroup>(float[] f) where TGroup : IGroupKernel
    {
        int n = TGroup.Order;
        var mean = new double[n];
        for (int h = 0; h < n; h++)
        {
            double s = 0;
            for (int a = 0; a < n; a++) s += f[h * n + a];
            mean[h] = s / n;
        }
        return Matrix<double>.Build.Dense(n, n, (h, a) => f[h * n + a] - mean[h]);
    }

    // LAPACK-style SVDs may return −0 for a zero singular value.
    static double[] Svd(Matrix<double> matrix) => [.. matrix.Svd(computeVectors: false).S.Select(Math.Abs)];

    static double EquivarianceErrorOf<TGroup>(float[] f) where TGroup : IGroupKernel
    {
        int n = TGroup.Order;
        double norm = Math.Sqrt(f.Sum(v => (double)v * v));
        if (norm == 0) return 0;
        IEnumerable<int> elements = n <= AllElementsUpTo
            ? Enumerable.Range(1, n - 1)
            : Enumerable.Range(0, SampledElements).Select(j => 1 + (int)((long)j * (n - 1) / SampledElements)).Distinct();
        var source = new int[n];
        double worst = 0;
        foreach (int u in elements)
        {
            int uInv = TGroup.Inverse(u);
            for (int a = 0; a < n; a++) source[a] = TGroup.Multiply(uInv, a);
            double s = 0;
            for (int h = 0; h < n; h++)
            {
                int row = h * n;
                for (int a = 0; a < n; a++) { double d = (double)f[row + source[a]] - f[row + a]; s += d * d; }
            }
            worst = Math.Max(worst, Math.Sqrt(s) / norm);
        }
        return worst;
    }
}
