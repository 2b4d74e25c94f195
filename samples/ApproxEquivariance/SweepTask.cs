using GmCodegen;

namespace ApproxEquivariance;

/// <summary>Samples of the task: inputs x [count, |G|] and unit-variance noise z [count, |G|], fixed for every ε.</summary>
public sealed record Samples(float[] Inputs, float[] Noise, int Count);

/// <summary>
/// The seeded regression task on <see cref="Torus"/> (C16 x C16, |G| = 256): y = (GM(w*) + ε·B)·x + noise.
/// <list type="bullet">
/// <item>w* ∈ ℝ^K (the 3×3 neighbourhood, K = 9): Gaussian, normalised to ‖w*‖ = 1, so ‖GM(w*)‖_F = √|G|·‖w*‖ = 16.</item>
/// <item>B: the 3×3 filter whose taps change smoothly with position: B[a, idx(g_a·h_k⁻¹)] = t_k(a), each tap t_k an
/// independent random smooth field on the torus (a sum of cosines of frequencies (p, q) ∈ {−2..2}², none
/// constant). In group-diagonal terms F(B) has rows t_0..t_8 on the neighbourhood and zero elsewhere; every row
/// has mean 0, so B's nearest group matrix is 0 (B is orthogonal to every group matrix) and its displacement
/// rank is 9, the most a map on a 9-element support can have, and above every relaxed model's rank.
/// B is scaled to ‖B‖_F = ‖GM(w*)‖_F.</item>
/// <item>Inputs are white Gaussian images, x(a) ~ N(0, 1); then E‖M·x‖² = ‖M‖_F², so the clean target's
/// per-pixel variance is ‖GM(w*) + ε·B‖_F² / |G| = 1 + ε² and a model with matrix M̂ has expected relative
/// error ‖M̂ − M‖_F² / ‖M‖_F² (plus the noise floor). The noise is Gaussian with standard deviation
/// <c>noise</c> × the clean target's.</item>
/// </list>
/// Every draw comes from <c>seed</c>: the task (w*, B) from one stream, train and test samples from two others,
/// so the same inputs and noise draws are used at every ε.
/// </summary>
public sealed class SweepTask
{
    public const int Side = 16;
    public static int Order => Torus.Order;
    public static int KernelSize => Torus.KernelSize;

    SweepTask(double[] wStar, double[] taps, double noise, int seed) => (WStar, Taps, NoiseLevel, Seed) = (wStar, taps, noise, seed);

    public int Seed { get; }
    /// <summary>w*[k], k over <see cref="Torus.KernelElements"/>.</summary>
    public double[] WStar { get; }
    /// <summary>t[k·|G| + a]: tap k of B at position a (already scaled).</summary>
    public double[] Taps { get; }
    public double NoiseLevel { get; }

    public static SweepTask Create(int seed, double noise = 0.01)
    {
        var rng = new Random(seed);
        int n = Order, k = KernelSize;
        var w = Enumerable.Range(0, k).Select(_ => Gaussian(rng)).ToArray();
        double wn = Math.Sqrt(w.Sum(v => v * v));
        for (int j = 0; j < k; j++) w[j] /= wn;

        var taps = new double[k * n];
        for (int j = 0; j < k; j++) SmoothField(rng, taps.AsSpan(j * n, n));
        // ‖B‖_F² = Σ t², the taps sit on distinct group diagonals; ‖GM(w*)‖_F² = |G|·‖w*‖² = |G|.
        double scale = Math.Sqrt(n / taps.Sum(v => v * v));
        for (int j = 0; j < taps.Length; j++) taps[j] *= scale;
        return new SweepTask(w, taps, noise, seed);
    }

    /// <summary>A zero-mean random field on the 16×16 torus from frequencies (p, q) ∈ {−2..2}² \ {(0,0)}, amplitude ∝ 1/(1 + p² + q²).</summary>
    static void SmoothField(Random rng, Span<double> field)
    {
        field.Clear();
        for (int p = -2; p <= 2; p++)
        for (int q = -2; q <= 2; q++)
        {
            if (p == 0 && q == 0) continue;
            double amplitude = Gaussian(rng) / (1 + p * p + q * q), phase = 2 * Math.PI * rng.NextDouble();
            for (int r = 0; r < Side; r++)
            for (int c = 0; c < Side; c++)
                field[r * Side + c] += amplitude * Math.Cos(2 * Math.PI * (p * r + q * c) / Side + phase);
        }
    }

    static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>idx(a, k) = index(g_a·h_k⁻¹): the column that weight k reads in row a of a group matrix.</summary>
    static int Column(int a, int k) => Torus.Multiply(a, Torus.Inverse(Torus.KernelElements[k]));

    /// <summary>GM(w*), dense |G|×|G| row-major (y = M·x).</summary>
    public double[] EquivariantMatrix()
    {
        int n = Order;
        var m = new double[n * n];
        for (int a = 0; a < n; a++)
        for (int k = 0; k < KernelSize; k++) m[a * n + Column(a, k)] += WStar[k];
        return m;
    }

    /// <summary>B, dense |G|×|G| row-major.</summary>
    public double[] BreakingMatrix()
    {
        int n = Order;
        var m = new double[n * n];
        for (int a = 0; a < n; a++)
        for (int k = 0; k < KernelSize; k++) m[a * n + Column(a, k)] += Taps[k * n + a];
        return m;
    }

    /// <summary>The target map GM(w*) + ε·B.</summary>
    public double[] Matrix(double epsilon)
    {
        var m = EquivariantMatrix();
        var b = BreakingMatrix();
        for (int j = 0; j < m.Length; j++) m[j] += epsilon * b[j];
        return m;
    }

    /// <summary><paramref name="count"/> samples from stream <paramref name="stream"/> (0 train, 1 test) of this task's seed.</summary>
    public Samples Draw(int count, int stream)
    {
        var rng = new Random(unchecked(Seed * 1_000_003 + 7919 * (stream + 1)));   // fixed per (seed, stream)
        var x = new float[count * Order];
        var z = new float[count * Order];
        for (int j = 0; j < x.Length; j++) x[j] = (float)Gaussian(rng);
        for (int j = 0; j < z.Length; j++) z[j] = (float)Gaussian(rng);
        return new Samples(x, z, count);
    }

    /// <summary>y = M(ε)·x + noise·σ·z with σ = ‖M(ε)‖_F/√|G| the clean target's standard deviation for white inputs.</summary>
    public float[] Targets(Samples s, double epsilon)
    {
        int n = Order;
        var m = Matrix(epsilon);
        double sigma = NoiseLevel * Math.Sqrt(m.Sum(v => v * v) / n);
        var y = new float[s.Count * n];
        for (int b = 0; b < s.Count; b++)
        for (int a = 0; a < n; a++)
        {
            double acc = 0;
            for (int j = 0; j < n; j++) acc += m[a * n + j] * s.Inputs[b * n + j];
            y[b * n + a] = (float)(acc + sigma * s.Noise[b * n + a]);
        }
        return y;
    }
}
