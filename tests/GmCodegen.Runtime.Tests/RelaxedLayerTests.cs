namespace GmCodegen.Runtime.Tests;

// Generated kernels for the relaxed layers: the stacked (r+1)·O-channel call must work through the real engine.
[GroupMatrix("S4", Radius = 1)] public partial struct GeneratedS4;
[GroupMatrix("D3 x C4", Radius = 1)] public partial struct GeneratedD3xC4;

/// <summary>
/// Relaxed GM layers against a naive double-precision reference of their definition (forward and central finite
/// differences of every parameter and the input), against their own <see cref="IGroupMatrixLayer.DenseMatrix"/>, and
/// their equivariance at initialisation and after training on a non-equivariant target.
/// </summary>
public class RelaxedLayerTests
{
    public static TheoryData<string, string, ChannelMode> Cases()
    {
        var data = new TheoryData<string, string, ChannelMode>();
        foreach (var mode in new[] { ChannelMode.Shared, ChannelMode.Full })
        {
            foreach (var r in new[] { "ldr:1", "ldr:2:per-channel", "ldr:3", "regression", "classification" })
            {
                data.Add("C4xC4", r, mode);
                data.Add("D4", r, mode);
                data.Add("GeneratedS4", r, mode);
            }
            foreach (var r in new[] { "ldr:2", "ldr:1:per-channel", "regression", "classification" })
            {
                data.Add("GeneratedD4xD4", r, mode);
                data.Add("GeneratedD3xC4", r, mode);
            }
        }
        return data;
    }

    static void On(string group, Action<IRelaxedCase> body)
    {
        switch (group)
        {
            case "C4xC4": body(new RelaxedCase<C4xC4>()); break;
            case "D4": body(new RelaxedCase<D4>()); break;
            case "GeneratedS4": body(new RelaxedCase<GeneratedS4>()); break;
            case "GeneratedD4xD4": body(new RelaxedCase<GeneratedD4xD4>()); break;
            case "GeneratedD3xC4": body(new RelaxedCase<GeneratedD3xC4>()); break;
            default: throw new ArgumentException(group);
        }
    }

    [Theory, MemberData(nameof(Cases))]
    public void Gradients_match_double_precision_finite_differences(string group, string relaxation, ChannelMode mode) =>
        On(group, c => c.CheckGradients(Relaxation.Parse(relaxation), mode));

    [Theory, MemberData(nameof(Cases))]
    public void Forward_matches_the_dense_matrices(string group, string relaxation, ChannelMode mode) =>
        On(group, c => c.CheckDense(Relaxation.Parse(relaxation), mode));

    [Theory]
    [InlineData("C4xC4", "ldr:1")]
    [InlineData("D4", "ldr:2:per-channel")]
    [InlineData("GeneratedS4", "ldr:3")]
    [InlineData("GeneratedD4xD4", "ldr:4")]
    [InlineData("GeneratedD4xD4", "regression")]
    [InlineData("GeneratedD4xD4", "classification")]
    [InlineData("GeneratedD3xC4", "ldr:2")]
    public void Starts_exactly_equivariant_and_departs_when_the_target_is_not(string group, string relaxation) =>
        On(group, c => c.CheckTrainingDeparts(Relaxation.Parse(relaxation)));

    [Theory]
    [InlineData(ChannelMode.Shared)]
    [InlineData(ChannelMode.Full)]
    public void Exact_GMConv_dense_matrix_is_its_forward(ChannelMode mode)
    {
        var conv = new GMConv<D4xD4>("conv", 2, 3, mode, new Random(3));
        int n = D4xD4.Order;
        var x = GradCheck.RandomArray(new Random(4), 2 * 2 * n);
        var y = conv.Forward(x, 2, false);
        for (int b = 0; b < 2; b++)
            for (int o = 0; o < 3; o++)
            {
                var expect = new double[n];
                for (int i = 0; i < 2; i++)
                {
                    var m = conv.DenseMatrix(o, i);
                    for (int a = 0; a < n; a++)
                        for (int c = 0; c < n; c++) expect[a] += m[a * n + c] * x[(b * 2 + i) * n + c];
                }
                for (int a = 0; a < n; a++) Assert.Equal(expect[a] + conv.Bias!.Value[o], y[(b * 3 + o) * n + a], 4);
            }
        Assert.Equal(0, Displacement.Rank<D4xD4>(conv.DenseMatrix(0, 0)));
    }

    [Fact]
    public void Dense_matrix_arguments_are_checked()
    {
        var conv = new RelaxedGMConv<D4>("c", 2, 3, ChannelMode.Full, new Relaxation.LowDisplacementRank(1), new Random(1));
        Assert.Equal("outChannel", Assert.Throws<ArgumentOutOfRangeException>(() => conv.DenseMatrix(3, 0)).ParamName);
        Assert.Equal("outChannel", Assert.Throws<ArgumentOutOfRangeException>(() => conv.DenseMatrix(-1, 0)).ParamName);
        Assert.Equal("inChannel", Assert.Throws<ArgumentOutOfRangeException>(() => conv.DenseMatrix(0, 2)).ParamName);
        var exact = new GMConv<D4>("e", 2, 3, ChannelMode.Shared, new Random(1));
        Assert.Equal("inChannel", Assert.Throws<ArgumentOutOfRangeException>(() => exact.DenseMatrix(0, 5)).ParamName);
        var huge = new GMConv<C5000>("big", 1, 1, ChannelMode.Shared, new Random(1));
        Assert.Contains("4096", Assert.Throws<InvalidOperationException>(() => huge.DenseMatrix(0, 0)).Message);
    }

    [Fact]
    public void Shared_mode_gives_the_same_matrix_for_every_input_channel()
    {
        var conv = new RelaxedGMConv<D4>("c", 3, 2, ChannelMode.Shared, new Relaxation.LowDisplacementRank(2), new Random(1));
        GradCheck.RandomArray(new Random(2), conv.A!.Size).CopyTo(conv.A.Value, 0);
        Assert.Equal(conv.DenseMatrix(1, 0), conv.DenseMatrix(1, 2));
        Assert.NotEqual(conv.DenseMatrix(0, 0), conv.DenseMatrix(1, 0));
    }

    [Theory]
    [InlineData("ldr:1", ChannelMode.Shared, 1 * (5 * 9 + 16))]
    [InlineData("ldr:3", ChannelMode.Shared, 3 * (5 * 9 + 16))]
    [InlineData("ldr:2:per-channel", ChannelMode.Shared, 2 * (5 * 9 + 5 * 16))]
    [InlineData("ldr:2", ChannelMode.Full, 2 * (5 * 2 * 9 + 16))]
    [InlineData("regression", ChannelMode.Full, 16)]
    [InlineData("classification", ChannelMode.Shared, 5 * 9)]
    public void Parameter_counts(string relaxation, ChannelMode mode, int extra)
    {
        var exact = new GMConv<C4xC4>("conv", 2, 5, mode, new Random(1));
        var relaxed = new RelaxedGMConv<C4xC4>("conv", 2, 5, mode, Relaxation.Parse(relaxation), new Random(1));
        Assert.Equal(exact.Parameters.Sum(p => p.Size) + extra, relaxed.Parameters.Sum(p => p.Size));
        string[] names = [.. relaxed.Parameters.Select(p => p.Name)];
        Assert.Equal("conv.weight", names[0]);
        Assert.Equal("conv.bias", names[^1]);
        Assert.Contains(Relaxation.Parse(relaxation) is Relaxation.Regression ? "conv.relax.e" : "conv.relax.c", names);
    }

    [Fact]
    public void Relaxation_texts_round_trip_and_bad_ones_are_refused()
    {
        foreach (var text in new[] { "ldr:1", "ldr:4", "ldr:2:per-channel", "regression", "classification" })
            Assert.Equal(text, Relaxation.Parse(text).ToString());
        Assert.Equal(new Relaxation.LowDisplacementRank(3, true), Relaxation.Parse(" LDR:3:Per-Channel "));
        foreach (var bad in new[] { "", "ldr", "ldr:0", "ldr:-1", "ldr:x", "ldr:2:shared", "exact", "regression:1" })
            Assert.Equal("text", Assert.Throws<ArgumentException>(() => Relaxation.Parse(bad)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Relaxation.LowDisplacementRank(0));
    }

    [Fact]
    public void The_central_mask_is_the_middle_half_of_each_image_axis()
    {
        var mask = Relaxation.Classification.CentralMask(784);
        Assert.Equal(14 * 14, mask.Sum());
        Assert.Equal(1f, mask[7 * 28 + 7]);
        Assert.Equal(1f, mask[20 * 28 + 20]);
        Assert.Equal(0f, mask[6 * 28 + 10]);
        Assert.Equal(0f, mask[10 * 28 + 21]);
        var line = Relaxation.Classification.CentralMask(24);   // not a square: the middle half of 0..23
        Assert.Equal([.. Enumerable.Range(0, 24).Select(a => a is >= 6 and < 18 ? 1f : 0f)], line);
    }

    [Fact]
    public void Relaxed_network_builds_with_the_same_names_as_the_exact_one()
    {
        var exact = Network.Build(Architectures.GmCnn<C4xC4>(3, channels: 4), new Shape(1, 16), 1);
        var relaxed = Network.Build(Architectures.GmCnn<C4xC4>(3, channels: 4, relaxation: new Relaxation.LowDisplacementRank(2)), new Shape(1, 16), 1);
        var extra = relaxed.Parameters.Select(p => p.Name).Except(exact.Parameters.Select(p => p.Name)).Order().ToArray();
        Assert.Equal(["block0.conv.relax.a", "block0.conv.relax.c", "block1.conv.relax.a", "block1.conv.relax.c"], extra);
        Assert.Empty(exact.Parameters.Select(p => p.Name).Except(relaxed.Parameters.Select(p => p.Name)));
    }
}

/// <summary>A cyclic group too large for dense matrices (|G| = 5000 > 4096).</summary>
#pragma warning disable CA1000
public struct C5000 : IGroupKernel
{
    internal static readonly FiniteGroup G = FiniteGroup.Cyclic(5000, 1);
    public static int Order => G.Order;
    public static int KernelSize => G.Kernel.Length;
    public static ReadOnlySpan<int> KernelElements => G.Kernel;
    public static int Multiply(int a, int b) => G.Mul(a, b);
    public static int Inverse(int a) => G.Inv(a);
    public static void Forward(in GmShape s, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y) => NaiveGm<C5000>.Forward(s, x, w, bias, y);
    public static void BackwardInput(in GmShape s, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx) => NaiveGm<C5000>.BackwardInput(s, dy, w, dx);
    public static void BackwardWeights(in GmShape s, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw, Span<float> dbias) => NaiveGm<C5000>.BackwardWeights(s, x, dy, dw, dbias);
}
#pragma warning restore CA1000

public interface IRelaxedCase
{
    void CheckGradients(Relaxation relaxation, ChannelMode mode);
    void CheckDense(Relaxation relaxation, ChannelMode mode);
    void CheckTrainingDeparts(Relaxation relaxation);
}

public sealed class RelaxedCase<TGroup> : IRelaxedCase where TGroup : IGroupKernel
{
    const int Batch = 2, In = 2, Out = 3;

    /// <summary>A relaxed layer with every parameter random (a_j = 0 or c = 0 would hide a gradient).</summary>
    static RelaxedGMConv<TGroup> Randomised(Relaxation relaxation, ChannelMode mode, int seed)
    {
        var layer = new RelaxedGMConv<TGroup>("conv", In, Out, mode, relaxation, new Random(seed));
        var rng = new Random(seed + 1);
        foreach (var p in layer.Parameters) GradCheck.RandomArray(rng, p.Size, 0.5).CopyTo(p.Value, 0);
        if (layer.E is not null) for (int a = 0; a < layer.E.Size; a++) layer.E.Value[a] += 1f;   // away from ‖e‖ = 0
        return layer;
    }

    /// <summary>y[b,o,a] by the definition, in double: Σ_i Σ_k coef(o,i,k,a)·x[b,i,g_a·h_k⁻¹] + bias[o].</summary>
    static double[] Reference(RelaxedGMConv<TGroup> layer, ChannelMode mode, Dictionary<string, double[]> p, double[] x)
    {
        int n = TGroup.Order, kSize = TGroup.KernelSize, r = layer.Relaxation.ExtraKernels;
        var h = TGroup.KernelElements.ToArray();
        var w = p["conv.weight"];
        var c = p.GetValueOrDefault("conv.relax.c");
        var aScale = p.GetValueOrDefault("conv.relax.a");
        var e = p.GetValueOrDefault("conv.relax.e");
        var bias = p.GetValueOrDefault("conv.bias");
        var mask = layer.Mask.ToArray();
        double eNorm = e is null ? 1 : Math.Sqrt(e.Sum(v => v * v));
        bool perChannel = layer.A is not null && layer.A.Shape.Count == 3;
        int W(int o, int i, int k) => mode == ChannelMode.Shared ? o * kSize + k : (o * In + i) * kSize + k;
        double S(int j, int o, int a) => aScale is null ? mask[a] : perChannel ? aScale[((j - 1) * Out + o) * n + a] : aScale[(j - 1) * n + a];

        var y = new double[Batch * Out * n];
        for (int b = 0; b < Batch; b++)
            for (int o = 0; o < Out; o++)
                for (int a = 0; a < n; a++)
                {
                    double sum = bias?[o] ?? 0;
                    for (int i = 0; i < In; i++)
                        for (int k = 0; k < kSize; k++)
                        {
                            double coef = w[W(o, i, k)];
                            if (e is not null) coef *= e[a] / eNorm;
                            for (int j = 1; j <= r; j++) coef += S(j, o, a) * c![(j - 1) * w.Length + W(o, i, k)];
                            sum += coef * x[(b * In + i) * n + TGroup.Multiply(a, TGroup.Inverse(h[k]))];
                        }
                    y[(b * Out + o) * n + a] = sum;
                }
        return y;
    }

    public void CheckGradients(Relaxation relaxation, ChannelMode mode)
    {
        var layer = Randomised(relaxation, mode, seed: 7);
        int n = TGroup.Order;
        var rng = new Random(11);
        var xf = GradCheck.RandomArray(rng, Batch * In * n);
        var rf = GradCheck.RandomArray(rng, Batch * Out * n);

        // Analytic gradients of L = Σ r ⊙ y from the layer (float), with dL/dy = r.
        var yf = layer.Forward(xf, Batch, training: false).AsSpan(0, Batch * Out * n).ToArray();
        foreach (var q in layer.Parameters) Array.Clear(q.Grad);
        layer.InputGradRequired = true;
        var dx = layer.Backward(rf, Batch).AsSpan(0, xf.Length).ToArray();

        // The same function in double, from the same (float) values.
        var p = layer.Parameters.ToDictionary(q => q.Name, q => q.Value.Select(v => (double)v).ToArray());
        var x = xf.Select(v => (double)v).ToArray();
        double Loss()
        {
            var y = Reference(layer, mode, p, x);
            double s = 0;
            for (int j = 0; j < y.Length; j++) s += rf[j] * y[j];
            return s;
        }
        var y0 = Reference(layer, mode, p, x);
        Assert.True(RelativeError(yf, y0) < 1e-5, $"forward differs from the definition: {RelativeError(yf, y0):E2}");

        const double h = 1e-5;
        double[] Numeric(double[] values)
        {
            var g = new double[values.Length];
            for (int j = 0; j < values.Length; j++)
            {
                double saved = values[j];
                values[j] = saved + h; double plus = Loss();
                values[j] = saved - h; double minus = Loss();
                values[j] = saved;
                g[j] = (plus - minus) / (2 * h);
            }
            return g;
        }
        Assert.True(RelativeError(dx, Numeric(x)) < 1e-4, $"input: {RelativeError(dx, Numeric(x)):E2}");
        foreach (var q in layer.Parameters)
        {
            var numeric = Numeric(p[q.Name]);
            Assert.True(numeric.Any(v => Math.Abs(v) > 1e-3), $"{q.Name}: the check would be empty");
            double err = RelativeError(q.Grad, numeric);
            Assert.True(err < 1e-4, $"{relaxation} {mode} {q.Name}: relative error {err:E2}");
        }
    }

    static double RelativeError(float[] actual, double[] expected)
    {
        double diff = 0, norm = 0;
        for (int j = 0; j < expected.Length; j++)
        {
            diff += (actual[j] - expected[j]) * (actual[j] - expected[j]);
            norm += expected[j] * expected[j];
        }
        return Math.Sqrt(diff / Math.Max(norm, 1e-30));
    }

    public void CheckDense(Relaxation relaxation, ChannelMode mode)
    {
        var layer = Randomised(relaxation, mode, seed: 5);
        int n = TGroup.Order;
        var x = GradCheck.RandomArray(new Random(6), Batch * In * n);
        var y = layer.Forward(x, Batch, false);
        var matrices = new float[Out, In][];
        for (int o = 0; o < Out; o++)
            for (int i = 0; i < In; i++) matrices[o, i] = layer.DenseMatrix(o, i);
        var expect = new double[Batch * Out * n];
        for (int b = 0; b < Batch; b++)
            for (int o = 0; o < Out; o++)
                for (int a = 0; a < n; a++)
                {
                    double s = layer.Bias!.Value[o];
                    for (int i = 0; i < In; i++)
                        for (int c = 0; c < n; c++) s += matrices[o, i][a * n + c] * x[(b * In + i) * n + c];
                    expect[(b * Out + o) * n + a] = s;
                }
        Assert.True(RelativeError(y.AsSpan(0, expect.Length).ToArray(), expect) < 1e-5);

        // Displacement rank of a generic relaxed layer: exactly the number of extra terms (1 for regression).
        int rank = Math.Max(relaxation.ExtraKernels, 1);
        Assert.Equal(rank, Displacement.Rank<TGroup>(matrices[1, In - 1]));
    }

    public void CheckTrainingDeparts(Relaxation relaxation)
    {
        int n = TGroup.Order;
        var net = Network.Build(Layers.RelaxedGMConv<TGroup>(Out, relaxation, ChannelMode.Full).Named("conv"), new Shape(In, n), seed: 3);
        var layer = (RelaxedGMConv<TGroup>)net.Root;
        var x = GradCheck.RandomArray(new Random(4), 8 * In * n);

        // Fresh: exactly a (scaled) group matrix in every channel pair, and equivariant as a network.
        for (int o = 0; o < Out; o++)
            for (int i = 0; i < In; i++)
            {
                var d = Displacement.Describe<TGroup>(layer, o, i);
                Assert.Equal(0, d.Rank);
                Assert.Equal(0, d.EquivarianceError);
                Assert.Equal(0, d.DistanceToNearestGroupMatrix);
            }
        Assert.InRange(Measure.Equivariance<TGroup>(net, x, 8).FeatureError, 0, 1e-5);

        // Target: the input scaled by a position-dependent ramp, which no group matrix can produce.
        var target = new float[8 * Out * n];
        for (int b = 0; b < 8; b++)
            for (int o = 0; o < Out; o++)
                for (int a = 0; a < n; a++) target[(b * Out + o) * n + a] = x[(b * In + o % In) * n + a] * (1f + 2f * a / n);
        var opt = new AdamW(net.Parameters, 0.02, 0);
        var grad = new float[target.Length];
        for (int step = 0; step < 30; step++)
        {
            var y = net.Forward(x, 8, training: true);
            for (int j = 0; j < grad.Length; j++) grad[j] = 2 * (y[j] - target[j]) / grad.Length;
            net.ZeroGrad();
            net.Backward(grad, 8);
            opt.Step();
        }
        var after = Displacement.Describe<TGroup>(layer, 0, 0);
        Assert.InRange(after.Rank, 1, Math.Max(relaxation.ExtraKernels, 1));
        Assert.True(after.EquivarianceError > 1e-3, $"equivariance error {after.EquivarianceError:E2} after training");
        Assert.True(after.DistanceToNearestGroupMatrix > 1e-3);
        Assert.True(Measure.Equivariance<TGroup>(net, x, 8).FeatureError > 1e-3);
    }
}

/// <summary>The relaxed layers' own reductions (da, de, dbias) have a fixed order: same weights on one and two threads.</summary>
[Collection(nameof(GlobalSettings))]
public class RelaxedThreadCountTests
{
    static float[] Train(Relaxation relaxation, int threads)
    {
        int saved = KernelParallelism.MaxDegree;
        KernelParallelism.MaxDegree = threads;
        try
        {
            var (x, y) = Synthetic.Make(160, seed: 30);
            var net = Network.Build(Architectures.GmCnn<C8xC8>(Synthetic.Classes, channels: 8, dropout: 0.1, relaxation: relaxation), new Shape(1, 64), seed: 31);
            var trainer = new Trainer(net, new CrossEntropyLoss(), new AdamW(net.Parameters, 0.01, 0.0153)) { Quiet = true };
            trainer.Fit(new InMemoryBatches(x, y, 64, shuffle: true, seed: 32), null, epochs: 2);
            return [.. net.Parameters.SelectMany(p => p.Value)];
        }
        finally { KernelParallelism.MaxDegree = saved; }
    }

    [Theory]
    [InlineData("ldr:2")]
    [InlineData("ldr:1:per-channel")]
    [InlineData("regression")]
    [InlineData("classification")]
    public void Relaxed_networks_give_the_same_weights_on_one_and_on_two_threads(string relaxation)
    {
        var one = Train(Relaxation.Parse(relaxation), 1);
        Assert.Equal(one, Train(Relaxation.Parse(relaxation), 2));
        var exactInit = Network.Build(Architectures.GmCnn<C8xC8>(Synthetic.Classes, channels: 8, dropout: 0.1, relaxation: Relaxation.Parse(relaxation)), new Shape(1, 64), seed: 31);
        Assert.NotEqual([.. exactInit.Parameters.SelectMany(p => p.Value)], one);   // it trained
    }
}
