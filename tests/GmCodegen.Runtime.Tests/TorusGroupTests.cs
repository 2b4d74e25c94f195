namespace GmCodegen.Runtime.Tests;

// The translation kernels the hand-made wallpaper groups lift and run their filter banks through.
[GroupMatrix("C5 x C5")] public partial struct Torus5;
[GroupMatrix("C4 x C4")] public partial struct Torus4;

// Generated wallpaper groups (the generator's law and lift) and the pools of a lifted network on 8×8 images.
[GroupMatrix("p4m(4)")] public partial struct GenP4m4;
[GroupMatrix("p4(5)", Radius = 1, LiftRadius = 2)] public partial struct GenP4r5;
[GroupMatrix("p4m(8)")] public partial struct GenP4m8;
#pragma warning disable GM0010 // radius 1 wraps around on C2 x C2: repeats dropped, as intended
[GroupMatrix("p4m(2)")] public partial struct GenP4m2;
#pragma warning restore GM0010
// p4m(4) in p4m(8), centred: (2, 0), (0, 2), the rotation ((7, 0), r) and the mirror ((0, 7), f) about the centre (3.5, 3.5).
[GroupPool(typeof(GenP4m8), typeof(GenP4m4), Embedding = "16, 2, 120, 263")] public partial struct PoolCentred8to4;
// p4m(2) in p4m(4): the automatic (t, m) ↦ (2t, m), which keeps the centred rotation in the composite ...
[GroupPool(typeof(GenP4m4), typeof(GenP4m2))] public partial struct PoolAuto4to2;
// ... and centred again ((3, 0), r), ((0, 3), f), which loses it: the composite sends p4m(2)'s r to ((5, 0), r) in p4m(8).
[GroupPool(typeof(GenP4m4), typeof(GenP4m2), Embedding = "8, 2, 28, 67")] public partial struct PoolCentred4to2;

/// <summary>
/// p4(n) and p4m(n) by formula, independent of the generator: element (t, m) ↔ m·n² + t1·n + t2, m = k + 4f in D4
/// (the project's Dn law), (t, m)·(t', m') = (t + A(m)·t', m·m'), A(k, f) = F^f·R^k with R(t1, t2) = (−t2, t1),
/// F(t1, t2) = (t1, −t2). Neighbourhood: the radius-1 square of translations (in C5 x C5's order) times every point element.
/// </summary>
public static class Wallpaper
{
    public static int PointMul(int a, int b, bool mirrors)
    {
        if (!mirrors) return (a + b) % 4;
        int r1 = a % 4, f1 = a / 4, r2 = b % 4, f2 = b / 4;
        return f2 == 0 ? (r1 + r2) % 4 + f1 * 4 : ((r2 - r1) % 4 + 4) % 4 + (1 - f1) * 4;
    }

    public static (int, int) Act(int m, int t1, int t2, int n)
    {
        for (int k = 0; k < m % 4; k++) (t1, t2) = (-t2, t1);
        if (m >= 4) t2 = -t2;
        return (((t1 % n) + n) % n, ((t2 % n) + n) % n);
    }

    public static FiniteGroup Make(int n, bool mirrors, ReadOnlySpan<int> translations)
    {
        int n2 = n * n, p = mirrors ? 8 : 4;
        int Mul(int a, int b)
        {
            int m1 = a / n2, m2 = b / n2;
            var (s1, s2) = Act(m1, b % n2 / n, b % n, n);
            int t1 = (a % n2 / n + s1) % n, t2 = (a % n + s2) % n;
            return PointMul(m1, m2, mirrors) * n2 + t1 * n + t2;
        }
        int inverseOf(int a)
        {
            for (int b = 0; b < n2 * p; b++) if (Mul(a, b) == 0) return b;
            throw new InvalidOperationException();
        }
        var inverses = Enumerable.Range(0, n2 * p).Select(inverseOf).ToArray();
        var u = translations.ToArray();
        return new(mirrors ? $"p4m({n})" : $"p4({n})", n2 * p, Mul, a => inverses[a],
            [.. Enumerable.Range(0, p).SelectMany(m => u.Select(t => m * n2 + t))]);
    }

    /// <summary>[m·K + k] = c with u_c = m·u_k·m⁻¹.</summary>
    public static int[] Conjugates(FiniteGroup g, int n, int p, ReadOnlySpan<int> translations)
    {
        var u = translations.ToArray();
        return [.. Enumerable.Range(0, p).SelectMany(m => u.Select(t => Array.IndexOf(u, g.Mul(g.Mul(m * n * n, t), g.Inv(m * n * n)))))];
    }
}

#pragma warning disable CA1000
/// <summary>p4m(5) by formula: GM kernels by the naive reference, the lift by <see cref="LiftEngine{TLift, TTranslations}"/> on C5 x C5.</summary>
public struct HandP4m5 : IGroupLift
{
    internal static readonly FiniteGroup G = Wallpaper.Make(5, mirrors: true, Torus5.KernelElements);
    static readonly int[] Conj = Wallpaper.Conjugates(G, 5, 8, Torus5.KernelElements);
    public static int Order => G.Order;
    public static int KernelSize => G.Kernel.Length;
    public static string GroupName => "p4m(5)";
    public static ReadOnlySpan<int> KernelElements => G.Kernel;
    public static int Multiply(int a, int b) => G.Mul(a, b);
    public static int Inverse(int a) => G.Inv(a);
    public static void Forward(in GmShape s, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y) => NaiveGm<HandP4m5>.Forward(s, x, w, bias, y);
    public static void BackwardInput(in GmShape s, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx) => NaiveGm<HandP4m5>.BackwardInput(s, dy, w, dx);
    public static void BackwardWeights(in GmShape s, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw, Span<float> dbias) => NaiveGm<HandP4m5>.BackwardWeights(s, x, dy, dw, dbias);
    public static int ImageSide => 5;
    public static int ImageSize => 25;
    public static int PointOrder => 8;
    public static string ImageGroupName => "C5 x C5";
    public static int LiftKernelSize => Torus5.KernelSize;
    public static ReadOnlySpan<int> LiftTranslations => Torus5.KernelElements;
    public static ReadOnlySpan<int> LiftConjugates => Conj;
    public static void LiftForward(in GmShape s, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y) => LiftEngine<HandP4m5, Torus5>.Forward(s, x, w, bias, y);
    public static void LiftBackwardInput(in GmShape s, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx) => LiftEngine<HandP4m5, Torus5>.BackwardInput(s, dy, w, dx);
    public static void LiftBackwardWeights(in GmShape s, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw, Span<float> dbias) => LiftEngine<HandP4m5, Torus5>.BackwardWeights(s, x, dy, dw, dbias);
}

/// <summary>p4(4) by formula (an even side: no pixel is the centre of rotation).</summary>
public struct HandP4r4 : IGroupLift
{
    internal static readonly FiniteGroup G = Wallpaper.Make(4, mirrors: false, Torus4.KernelElements);
    static readonly int[] Conj = Wallpaper.Conjugates(G, 4, 4, Torus4.KernelElements);
    public static int Order => G.Order;
    public static int KernelSize => G.Kernel.Length;
    public static string GroupName => "p4(4)";
    public static ReadOnlySpan<int> KernelElements => G.Kernel;
    public static int Multiply(int a, int b) => G.Mul(a, b);
    public static int Inverse(int a) => G.Inv(a);
    public static void Forward(in GmShape s, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y) => NaiveGm<HandP4r4>.Forward(s, x, w, bias, y);
    public static void BackwardInput(in GmShape s, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx) => NaiveGm<HandP4r4>.BackwardInput(s, dy, w, dx);
    public static void BackwardWeights(in GmShape s, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw, Span<float> dbias) => NaiveGm<HandP4r4>.BackwardWeights(s, x, dy, dw, dbias);
    public static int ImageSide => 4;
    public static int ImageSize => 16;
    public static int PointOrder => 4;
    public static string ImageGroupName => "C4 x C4";
    public static int LiftKernelSize => Torus4.KernelSize;
    public static ReadOnlySpan<int> LiftTranslations => Torus4.KernelElements;
    public static ReadOnlySpan<int> LiftConjugates => Conj;
    public static void LiftForward(in GmShape s, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y) => LiftEngine<HandP4r4, Torus4>.Forward(s, x, w, bias, y);
    public static void LiftBackwardInput(in GmShape s, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx) => LiftEngine<HandP4r4, Torus4>.BackwardInput(s, dy, w, dx);
    public static void LiftBackwardWeights(in GmShape s, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw, Span<float> dbias) => LiftEngine<HandP4r4, Torus4>.BackwardWeights(s, x, dy, dw, dbias);
}
#pragma warning restore CA1000

/// <summary>
/// Image transforms with numpy's semantics, and the checks that lift → GM layers → projection commutes with them
/// (docs/design.md#lifting). Point element m = k + 4f acts on an image as fliplr^f ∘ rot90^k (rot90 counter-clockwise,
/// row 0 on top: out[i, j] = in[j, n−1−i]; fliplr: out[i, j] = in[i, n−1−j]); as a group element it is
/// (c − A(m)·c, m), c the image centre ((n−1)/2, (n−1)/2) — for the rotation, ((n−1, 0), r).
/// </summary>
public static class TorusSymmetry
{
    public static float[] Rot90(ReadOnlySpan<float> image, int n, int channels)
    {
        var o = new float[image.Length];
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    o[c * n * n + i * n + j] = image[c * n * n + j * n + (n - 1 - i)];
        return o;
    }

    public static float[] FlipLr(ReadOnlySpan<float> image, int n, int channels)
    {
        var o = new float[image.Length];
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    o[c * n * n + i * n + j] = image[c * n * n + i * n + (n - 1 - j)];
        return o;
    }

    /// <summary>fliplr^f ∘ rot90^k of every channel's image, m = k + 4f.</summary>
    public static float[] Numpy(ReadOnlySpan<float> image, int n, int channels, int m)
    {
        var o = image.ToArray();
        for (int k = 0; k < m % 4; k++) o = Rot90(o, n, channels);
        return m >= 4 ? FlipLr(o, n, channels) : o;
    }

    /// <summary>The group element (c − A(m)·c, m), found from the law: the (t, m) that maps the centre pixel block onto itself as numpy does.</summary>
    public static int Element<T>(int m) where T : IGroupLift
    {
        int n = T.ImageSide, n2 = n * n;
        // Translation part: for the rotation R, c − R·c = (n−1, 0); in general A(m) moves the corner pixel (0, 0) to where
        // numpy's transform moves it, so t = numpy-image of (0, 0) minus A(m)·(0, 0) = that pixel.
        var probe = new float[n2];
        probe[0] = 1;
        int moved = Array.IndexOf(Numpy(probe, n, 1, m), 1f);
        return T.Multiply(moved, m * n2);
    }

    /// <summary>(L_g x)(p) = x(g⁻¹·p) for images, computed from the law: pixel(g⁻¹·p) = (g⁻¹·p) mod n².</summary>
    public static float[] Act<T>(int g, ReadOnlySpan<float> image, int channels) where T : IGroupLift
    {
        int n2 = T.ImageSize, gi = T.Inverse(g);
        var o = new float[image.Length];
        for (int c = 0; c < channels; c++)
            for (int p = 0; p < n2; p++)
                o[c * n2 + p] = image[c * n2 + T.Multiply(gi, p) % n2];
        return o;
    }

    /// <summary>
    /// For every point element: the law's L_g on images is numpy's transform, and <paramref name="network"/> (images →
    /// images) commutes with it to <paramref name="tolerance"/> relative to the output's largest value.
    /// </summary>
    public static void AssertEquivariant<T>(Network network, int batch, int seed, double tolerance = 1e-5) where T : IGroupLift
    {
        int n = T.ImageSide, n2 = n * n, cin = network.Input.Channels, cout = network.Output.Channels;
        var x = GradCheck.RandomArray(new Random(seed), batch * cin * n2);
        var y = network.Forward(x, batch, training: false).AsSpan(0, batch * cout * n2).ToArray();
        double scale = y.Max(v => Math.Abs(v));
        Assert.True(scale > 1e-3, "the network's output is too small to test");
        for (int m = 0; m < T.PointOrder; m++)
        {
            int g = Element<T>(m);
            var gx = new float[x.Length];
            for (int b = 0; b < batch; b++)
            {
                var numpy = Numpy(x.AsSpan(b * cin * n2, cin * n2), n, cin, m);
                Assert.Equal(numpy, Act<T>(g, x.AsSpan(b * cin * n2, cin * n2), cin));
                numpy.CopyTo(gx, b * cin * n2);
            }
            var gy = network.Forward(gx, batch, training: false).AsSpan(0, batch * cout * n2).ToArray();
            for (int b = 0; b < batch; b++)
            {
                var expected = Numpy(y.AsSpan(b * cout * n2, cout * n2), n, cout, m);
                for (int j = 0; j < expected.Length; j++)
                    Assert.True(Math.Abs(expected[j] - gy[b * cout * n2 + j]) <= tolerance * scale,
                        $"point element {m}, sample {b}, value {j}: expected {expected[j]}, got {gy[b * cout * n2 + j]}");
            }
        }
    }
}

public class TorusGroupTests
{
    [Fact]
    public void Hand_made_wallpaper_groups_are_groups_whose_rotation_acts_as_rot90()
    {
        foreach (var (g, n) in new[] { (HandP4m5.G, 5), (HandP4r4.G, 4) })
        {
            var rng = new Random(1);
            for (int j = 0; j < 300; j++)
            {
                int a = rng.Next(g.Order), b = rng.Next(g.Order), c = rng.Next(g.Order);
                Assert.Equal(g.Mul(g.Mul(a, b), c), g.Mul(a, g.Mul(b, c)));
                Assert.Equal(0, g.Mul(a, g.Inv(a)));
            }
            // ((n−1, 0), r) is n·(n−1) + n²: index r·n² + t1·n + t2.
            Assert.Equal((n - 1) * n + n * n, n == 5 ? TorusSymmetry.Element<HandP4m5>(1) : TorusSymmetry.Element<HandP4r4>(1));
        }
        Assert.Equal(4 * 25 + 4, TorusSymmetry.Element<HandP4m5>(4));   // the mirror ((0, n−1), f)
    }

    [Theory]
    [InlineData(ChannelMode.Full)]
    [InlineData(ChannelMode.Shared)]
    public void Lift_onto_p4m_and_p4_matches_the_naive_lift(ChannelMode mode)
    {
        LiftChecks<HandP4m5>.AgainstNaive(mode);
        LiftChecks<HandP4r4>.AgainstNaive(mode);
    }

    [Fact]
    public void Lift_onto_p4m_gradients_match_finite_differences() => LiftChecks<HandP4m5>.FiniteDifferences(ChannelMode.Full);

    [Fact]
    public void Filter_bank_matches_the_naive_gm_convolution_on_p4m_and_p4()
    {
        BankAgainstNaive<HandP4m5, Torus5>();
        BankAgainstNaive<HandP4r4, Torus4>();
    }

    static void BankAgainstNaive<T, TT>() where T : IGroupLift where TT : IGroupKernel
    {
        var rng = new Random(3);
        var s = new GmShape(2, 3, 2, ChannelMode.Full);
        var x = GradCheck.RandomArray(rng, 2 * 3 * T.Order);
        var w = GradCheck.RandomArray(rng, 2 * 3 * T.KernelSize);
        var bias = GradCheck.RandomArray(rng, 2);
        var dy = GradCheck.RandomArray(rng, 2 * 2 * T.Order);
        var (y, yRef) = (new float[dy.Length], new float[dy.Length]);
        FilterBankEngine<T, TT>.Forward(s, x, w, bias, y);
        NaiveGm<T>.Forward(s, x, w, bias, yRef);
        AssertClose(yRef, y);
        var (dx, dxRef) = (new float[x.Length], new float[x.Length]);
        FilterBankEngine<T, TT>.BackwardInput(s, dy, w, dx);
        NaiveGm<T>.BackwardInput(s, dy, w, dxRef);
        AssertClose(dxRef, dx);
        var (dw, dwRef, db, dbRef) = (new float[w.Length], new float[w.Length], new float[2], new float[2]);
        FilterBankEngine<T, TT>.BackwardWeights(s, x, dy, dw, db);
        NaiveGm<T>.BackwardWeights(s, x, dy, dwRef, dbRef);
        AssertClose(dwRef, dw);
        AssertClose(dbRef, db);
        Assert.Equal("s", Assert.Throws<ArgumentException>(() => FilterBankEngine<T, TT>.Forward(s with { Mode = ChannelMode.Shared }, x, w.AsSpan(0, 2 * T.KernelSize), bias, y)).ParamName);
    }

    static void AssertClose(float[] expected, float[] actual)
    {
        double scale = Math.Max(1, expected.Max(v => Math.Abs(v)));
        for (int j = 0; j < expected.Length; j++)
            Assert.True(Math.Abs(expected[j] - actual[j]) <= 1e-5 * scale, $"[{j}]: expected {expected[j]}, got {actual[j]}");
    }

    [Theory]
    [InlineData(PoolKind.Max)]
    [InlineData(PoolKind.Mean)]
    public void Lift_then_gm_layers_then_projection_commute_with_rot90_and_mirrors(PoolKind kind)
    {
        // p4m(5): every rotation and mirror of the image; p4(4) (even side): every rotation.
        var p4m = Network.Build(Layers.GMLift<HandP4m5>(3) >> Layers.ReLU() >> Layers.GMConv<HandP4m5>(2, ChannelMode.Full)
            >> Layers.GMConv<FilterBank<HandP4m5, Torus5>>(2, ChannelMode.Full) >> Layers.GMProject<HandP4m5>(kind), new Shape(2, 25), seed: 3);
        TorusSymmetry.AssertEquivariant<HandP4m5>(p4m, batch: 2, seed: 4);
        var p4 = Network.Build(Layers.GMLift<HandP4r4>(3, ChannelMode.Shared) >> Layers.GMConv<HandP4r4>(2, ChannelMode.Full)
            >> Layers.GMProject<HandP4r4>(kind), new Shape(1, 16), seed: 5);
        TorusSymmetry.AssertEquivariant<HandP4r4>(p4, batch: 2, seed: 6);
    }

    [Theory]
    [InlineData(ChannelMode.Full)]
    [InlineData(ChannelMode.Shared)]
    public void Generated_lifts_onto_p4m_and_p4_match_the_naive_lift_from_their_law(ChannelMode mode)
    {
        LiftChecks<GenP4m4>.AgainstNaive(mode);
        LiftChecks<GenP4r5>.AgainstNaive(mode);
        Assert.Equal((4, 8, 9), (GenP4m4.ImageSide, GenP4m4.PointOrder, GenP4m4.LiftKernelSize));
        Assert.Equal((5, 4, 25, "C5 x C5"), (GenP4r5.ImageSide, GenP4r5.PointOrder, GenP4r5.LiftKernelSize, GenP4r5.ImageGroupName));
    }

    [Fact]
    public void Generated_lift_gradients_match_finite_differences() => LiftChecks<GenP4m4>.FiniteDifferences(ChannelMode.Full);

    [Fact]
    public void Filter_bank_matches_the_generated_groups_naive_convolution() => BankAgainstNaive<GenP4m4, Torus4>();

    [Theory]
    [InlineData(PoolKind.Max)]
    [InlineData(PoolKind.Mean)]
    public void Generated_lift_gm_layers_and_projection_commute_with_rot90_and_mirrors(PoolKind kind)
    {
        var p4m = Network.Build(Layers.GMLift<GenP4m4>(3) >> Layers.PReLU() >> Layers.GMConv<GenP4m4>(2, ChannelMode.Full)
            >> Layers.LayerNorm(affine: false) >> Layers.GMConv<FilterBank<GenP4m4, Torus4>>(2, ChannelMode.Full) >> Layers.GMProject<GenP4m4>(kind),
            new Shape(2, 16), seed: 8);
        TorusSymmetry.AssertEquivariant<GenP4m4>(p4m, batch: 2, seed: 9);
        var p4 = Network.Build(Layers.GMLift<GenP4r5>(2) >> Layers.GMConv<GenP4r5>(2, ChannelMode.Full) >> Layers.GMProject<GenP4r5>(kind),
            new Shape(1, 25), seed: 10);
        TorusSymmetry.AssertEquivariant<GenP4r5>(p4, batch: 2, seed: 11);
    }

    /// <summary>The largest |logit difference| of a network on 8×8 images under a transform, relative to the largest logit.</summary>
    static double Invariance(Network network, Action<ReadOnlySpan<float>, Span<float>> transform)
    {
        const int batch = 4;
        var x = GradCheck.RandomArray(new Random(12), batch * 64);
        var plain = network.Forward(x, batch, training: false).AsSpan(0, batch * network.Output.Size).ToArray();
        var (worst, _) = Measure.ImageInvariance(network, x, batch, 8, transform);
        return worst / plain.Max(v => Math.Abs(v));
    }

    [Fact]
    public void Lifted_network_pooled_through_the_centred_embedding_is_invariant_to_rot90_and_fliplr_of_the_image()
    {
        Spec Net<TPool2>() where TPool2 : IGroupPool =>
            Architectures.LiftedGmCnn<GenP4m8, PoolCentred8to4, GenP4m4, TPool2, GenP4m2>(3, 2, [2], [3], [2], dropout: 0);
        var good = Network.Build(Net<PoolAuto4to2>(), new Shape(1, 64), seed: 13);
        double rot = Invariance(good, TorusImages.Rot90), flip = Invariance(good, TorusImages.FlipLr);
        Assert.True(rot < 1e-5 && flip < 1e-5, $"rot90 {rot:E2}, fliplr {flip:E2}");
        // Centring the second pool as well moves the innermost rotation off the image centre: no longer invariant. (The
        // block on p4m(2) matters: a max pool straight into the global max pool would be the global max over p4m(4).)
        var bad = Network.Build(Net<PoolCentred4to2>(), new Shape(1, 64), seed: 13);
        double badRot = Invariance(bad, TorusImages.Rot90);
        Assert.True(badRot > 1e-3, $"rot90 {badRot:E2}");
    }
}
