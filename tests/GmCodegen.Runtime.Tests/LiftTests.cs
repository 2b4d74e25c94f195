namespace GmCodegen.Runtime.Tests;

// Torus groups for the lift tests: C8 x C8 is its own translation group; C6 x C6 with LiftRadius = 2 gets a nested
// translation kernel with a 5×5 stencil.
[GroupMatrix("C8 x C8")] public partial struct LiftGrid8;
[GroupMatrix("C6 x C6", Radius = 1, LiftRadius = 2)] public partial struct LiftGrid6;

/// <summary>
/// The lift's definition evaluated directly from the group law (docs/design.md#lifting), the reference for the generated
/// lifts: y[b,o,g] = Σ_i Σ_k w[o,(i,)k]·x[b,i, pixel(g·u_k⁻¹·o)] + bias[o], pixel(a) = a mod n² (the origin o is element 0).
/// </summary>
public static class NaiveLift<T> where T : IGroupLift
{
    static int Source(int g, int k) => T.Multiply(g, T.Inverse(T.LiftTranslations[k])) % T.ImageSize;

    static int W(GmShape s, int o, int i, int k) =>
        s.Mode == ChannelMode.Shared ? o * T.LiftKernelSize + k : (o * s.InChannels + i) * T.LiftKernelSize + k;

    public static float[] Forward(GmShape s, float[] x, float[] w, float[] bias)
    {
        int l = T.Order, n2 = T.ImageSize, kk = T.LiftKernelSize;
        var y = new float[s.Batch * s.OutChannels * l];
        for (int b = 0; b < s.Batch; b++)
            for (int o = 0; o < s.OutChannels; o++)
                for (int g = 0; g < l; g++)
                {
                    double sum = bias.Length == 0 ? 0 : bias[o];
                    for (int i = 0; i < s.InChannels; i++)
                        for (int k = 0; k < kk; k++)
                            sum += (double)w[W(s, o, i, k)] * x[(b * s.InChannels + i) * n2 + Source(g, k)];
                    y[(b * s.OutChannels + o) * l + g] = (float)sum;
                }
        return y;
    }

    public static float[] BackwardInput(GmShape s, float[] dy, float[] w)
    {
        int l = T.Order, n2 = T.ImageSize, kk = T.LiftKernelSize;
        var dx = new double[s.Batch * s.InChannels * n2];
        for (int b = 0; b < s.Batch; b++)
            for (int o = 0; o < s.OutChannels; o++)
                for (int g = 0; g < l; g++)
                    for (int i = 0; i < s.InChannels; i++)
                        for (int k = 0; k < kk; k++)
                            dx[(b * s.InChannels + i) * n2 + Source(g, k)] += (double)w[W(s, o, i, k)] * dy[(b * s.OutChannels + o) * l + g];
        return [.. dx.Select(v => (float)v)];
    }

    public static (float[] Dw, float[] Dbias) BackwardWeights(GmShape s, float[] x, float[] dy)
    {
        int l = T.Order, n2 = T.ImageSize, kk = T.LiftKernelSize;
        var dw = new double[KernelChecks.WeightLength(s, kk)];
        var db = new double[s.OutChannels];
        for (int b = 0; b < s.Batch; b++)
            for (int o = 0; o < s.OutChannels; o++)
                for (int g = 0; g < l; g++)
                {
                    double d = dy[(b * s.OutChannels + o) * l + g];
                    db[o] += d;
                    for (int i = 0; i < s.InChannels; i++)
                        for (int k = 0; k < kk; k++)
                            dw[W(s, o, i, k)] += d * x[(b * s.InChannels + i) * n2 + Source(g, k)];
                }
        return ([.. dw.Select(v => (float)v)], [.. db.Select(v => (float)v)]);
    }
}

/// <summary>A generated lift against <see cref="NaiveLift{T}"/> and finite differences; reused for every torus group.</summary>
public static class LiftChecks<T> where T : IGroupLift
{
    static void Close(float[] expected, ReadOnlySpan<float> actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = Math.Max(1, expected.Max(v => Math.Abs(v)));
        for (int j = 0; j < expected.Length; j++)
            Assert.True(Math.Abs(expected[j] - actual[j]) <= tolerance * scale, $"{what}[{j}]: expected {expected[j]}, got {actual[j]}");
    }

    public static void AgainstNaive(ChannelMode mode, int batch = 2, int inChannels = 2, int outChannels = 3, int seed = 1)
    {
        var rng = new Random(seed);
        var s = new GmShape(batch, inChannels, outChannels, mode);
        var x = GradCheck.RandomArray(rng, batch * inChannels * T.ImageSize);
        var w = GradCheck.RandomArray(rng, KernelChecks.WeightLength(s, T.LiftKernelSize));
        var bias = GradCheck.RandomArray(rng, outChannels);
        var dy = GradCheck.RandomArray(rng, batch * outChannels * T.Order);

        var y = new float[batch * outChannels * T.Order];
        T.LiftForward(s, x, w, bias, y);
        Close(NaiveLift<T>.Forward(s, x, w, bias), y, 1e-5, "y");
        T.LiftForward(s, x, w, [], y);
        Close(NaiveLift<T>.Forward(s, x, w, []), y, 1e-5, "y (no bias)");

        var dx = new float[x.Length];
        T.LiftBackwardInput(s, dy, w, dx);
        Close(NaiveLift<T>.BackwardInput(s, dy, w), dx, 1e-5, "dx");

        var dw = new float[w.Length];
        var db = new float[outChannels];
        T.LiftBackwardWeights(s, x, dy, dw, db);
        var (dwRef, dbRef) = NaiveLift<T>.BackwardWeights(s, x, dy);
        Close(dwRef, dw, 1e-5, "dw");
        Close(dbRef, db, 1e-5, "dbias");
    }

    public static void FiniteDifferences(ChannelMode mode)
    {
        var layer = new GMLift<T>("lift", 2, 2, mode, new Random(4));
        GradCheck.AssertClose(GradCheck.Check(layer, batch: 2, seed: 5));
    }
}

public class LiftTests
{
    [Theory]
    [InlineData(ChannelMode.Full)]
    [InlineData(ChannelMode.Shared)]
    public void Lift_on_its_own_translation_group_matches_the_naive_lift(ChannelMode mode) => LiftChecks<LiftGrid8>.AgainstNaive(mode);

    [Theory]
    [InlineData(ChannelMode.Full)]
    [InlineData(ChannelMode.Shared)]
    public void Lift_through_a_nested_translation_kernel_matches_the_naive_lift(ChannelMode mode) => LiftChecks<LiftGrid6>.AgainstNaive(mode);

    [Theory]
    [InlineData(ChannelMode.Full)]
    [InlineData(ChannelMode.Shared)]
    public void Lift_layer_gradients_match_finite_differences(ChannelMode mode)
    {
        LiftChecks<LiftGrid8>.FiniteDifferences(mode);
        LiftChecks<LiftGrid6>.FiniteDifferences(mode);
    }

    [Fact]
    public void Lift_tables_describe_the_torus()
    {
        Assert.Equal((8, 64, 1, 9, "C8 x C8"), (LiftGrid8.ImageSide, LiftGrid8.ImageSize, LiftGrid8.PointOrder, LiftGrid8.LiftKernelSize, LiftGrid8.ImageGroupName));
        Assert.Equal((6, 36, 1, 25), (LiftGrid6.ImageSide, LiftGrid6.ImageSize, LiftGrid6.PointOrder, LiftGrid6.LiftKernelSize));
        // On Cn x Cn the lift is the group's own GM convolution: the same translations, no conjugation.
        Assert.Equal(LiftGrid8.KernelElements.ToArray(), LiftGrid8.LiftTranslations.ToArray());
        Assert.Equal(Enumerable.Range(0, 25).ToArray(), LiftGrid6.LiftConjugates.ToArray());
        Assert.Equal(LiftGrid6.LiftTranslations.ToArray(), LiftGrid6.LiftTranslations.ToArray().Distinct().ToArray());
    }

    [Fact]
    public void Lift_on_Cn_x_Cn_is_a_circular_convolution_checked_by_hand()
    {
        // One 8×8 image with a single 1 at pixel (2, 5), one 3×3 kernel w[k] = k + 1 over u_k = (i, j), i, j ∈ {−1, 0, 1}
        // (first coordinate slowest): y(t) = Σ_k w[k]·x(t − u_k), so y(2 + i, 5 + j) = w[(i, j)].
        var s = new GmShape(1, 1, 1, ChannelMode.Full);
        var x = new float[64];
        x[2 * 8 + 5] = 1;
        var w = Enumerable.Range(1, 9).Select(v => (float)v).ToArray();
        var y = new float[64];
        LiftGrid8.LiftForward(s, x, w, [], y);
        for (int i = -1; i <= 1; i++)
            for (int j = -1; j <= 1; j++)
                Assert.Equal((i + 1) * 3 + (j + 1) + 1, y[(2 + i) * 8 + 5 + j]);
        Assert.Equal(45, y.Sum());
    }

    [Fact]
    public void Lift_refuses_bad_arguments_naming_them()
    {
        var s = new GmShape(1, 1, 2, ChannelMode.Full);
        var x = new float[64];
        var w = new float[2 * 9];
        var y = new float[2 * 64];
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => LiftGrid8.LiftForward(s, new float[63], w, [], y)).ParamName);
        Assert.Equal("w", Assert.Throws<ArgumentException>(() => LiftGrid8.LiftForward(s, x, new float[9], [], y)).ParamName);
        Assert.Equal("bias", Assert.Throws<ArgumentException>(() => LiftGrid8.LiftForward(s, x, w, new float[1], y)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => LiftGrid8.LiftForward(s, x, w, [], new float[64])).ParamName);
        var buffer = new float[200];
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => LiftGrid8.LiftForward(s, buffer.AsSpan(0, 64), w, [], buffer.AsSpan(10, 128))).ParamName);
        Assert.Equal("dx", Assert.Throws<ArgumentException>(() => LiftGrid8.LiftBackwardInput(s, y, w, new float[65])).ParamName);
        Assert.Equal("dw", Assert.Throws<ArgumentException>(() => LiftGrid8.LiftBackwardWeights(s, x, y, new float[3], [])).ParamName);
        Assert.Equal("s", Assert.Throws<ArgumentException>(() => LiftGrid8.LiftForward(s with { OutChannels = 0 }, x, w, [], y)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => Layers.GMLift<LiftGrid8>(0));
    }

    [Fact]
    public void Projection_max_takes_the_first_arg_max_and_routes_the_gradient_there()
    {
        const int rows = 3, p = 4, n2 = 5;
        var rng = new Random(2);
        var x = Enumerable.Range(0, rows * p * n2).Select(_ => (float)rng.Next(3)).ToArray();   // many ties
        var y = new float[rows * n2];
        var arg = new int[rows * n2];
        PointProjection.MaxForward(rows, p, n2, x, y, arg);
        var dy = GradCheck.RandomArray(rng, y.Length);
        var dx = new float[x.Length];
        PointProjection.MaxBackward(rows, p, n2, dy, arg, dx);
        var expected = new float[x.Length];
        for (int r = 0; r < rows; r++)
            for (int q = 0; q < n2; q++)
            {
                int first = 0;
                for (int m = 1; m < p; m++) if (x[r * p * n2 + m * n2 + q] > x[r * p * n2 + first * n2 + q]) first = m;
                Assert.Equal(first, arg[r * n2 + q]);
                Assert.Equal(x[r * p * n2 + first * n2 + q], y[r * n2 + q]);
                expected[r * p * n2 + first * n2 + q] = dy[r * n2 + q];
            }
        Assert.Equal(expected, dx);
    }

    [Fact]
    public void Projection_mean_matches_the_definition_and_finite_differences()
    {
        const int rows = 2, p = 8, n2 = 9;
        var rng = new Random(6);
        var x = GradCheck.RandomArray(rng, rows * p * n2);
        var y = new float[rows * n2];
        PointProjection.MeanForward(rows, p, n2, x, y);
        for (int r = 0; r < rows; r++)
            for (int q = 0; q < n2; q++)
                Assert.Equal(Enumerable.Range(0, p).Average(m => x[r * p * n2 + m * n2 + q]), y[r * n2 + q], 5);
        var layer = new GMProject<LiftGrid8>("project", 2, PoolKind.Mean);
        GradCheck.AssertClose(GradCheck.Check(layer, batch: 2, seed: 7));
        // Max away from ties (values spread apart): finite differences agree too.
        var max = new GMProject<LiftGrid8>("project", 2, PoolKind.Max);
        GradCheck.AssertClose(GradCheck.Check(max, batch: 2, seed: 8));
    }

    [Fact]
    public void Projection_refuses_bad_arguments_naming_them()
    {
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => PointProjection.MaxForward(1, 2, 3, new float[5], new float[3], new int[3])).ParamName);
        Assert.Equal("argmax", Assert.Throws<ArgumentException>(() => PointProjection.MaxForward(1, 2, 3, new float[6], new float[3], new int[2])).ParamName);
        Assert.Equal("rows", Assert.Throws<ArgumentException>(() => PointProjection.MeanForward(-1, 2, 3, [], [])).ParamName);
        Assert.Equal("argmax", Assert.Throws<ArgumentException>(() => PointProjection.MaxBackward(1, 2, 3, new float[3], [0, 2, 0], new float[6])).ParamName);
        var buffer = new float[10];
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => PointProjection.MeanForward(1, 2, 3, buffer.AsSpan(0, 6), buffer.AsSpan(4, 3))).ParamName);
        Assert.Throws<ArgumentException>(() => Layers.GMProject<LiftGrid8>((PoolKind)7));
    }

    [Fact]
    public void Lift_and_projection_track_the_group_a_network_lives_on()
    {
        // Images on C6 x C6 lift onto it; a GM layer on C8 x C8 after it is refused, naming both groups.
        var ok = Network.Build(Layers.GMLift<LiftGrid6>(3) >> Layers.GMConv<LiftGrid6>(2, ChannelMode.Full) >> Layers.GMProject<LiftGrid6>(),
            new Shape(1, 36), seed: 1);
        Assert.Equal("C6 x C6", ok.Layers.Last().Output.Group);
        var e = Assert.Throws<ArgumentException>(() => Network.Build(Layers.GMLift<LiftGrid6>(3) >> Layers.GMConv<LiftGrid8>(2), new Shape(1, 36), seed: 1));
        Assert.Contains("C8 x C8", e.Message);
        Assert.Throws<ArgumentException>(() => Network.Build(Layers.GMLift<LiftGrid8>(3), new Shape(1, 36), seed: 1));
    }
}
