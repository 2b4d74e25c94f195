namespace GmCodegen.Runtime.Tests;

// Generated groups and pools for the layer tests (the runtime project compiles them with the generator).
[GroupMatrix("C8 x C8")] public partial struct PoolGrid8;
[GroupMatrix("C4 x C4")] public partial struct PoolGrid4;
[GroupPool(typeof(PoolGrid8), typeof(PoolGrid4))] public partial struct PoolGrid8to4;
[GroupMatrix("D4 x D4")] public partial struct PoolDih4x4;
[GroupMatrix("D2 x D2")] public partial struct PoolDih2x2;
[GroupPool(typeof(PoolDih4x4), typeof(PoolDih2x2))] public partial struct PoolDih4to2;

/// <summary>GMPool and GMTransposePool: routing, gradients, equivariance under H, and networks that put a layer on the wrong group.</summary>
public class PoolLayerTests
{
    [Fact]
    public void Max_pool_backward_routes_each_gradient_to_the_first_arg_max()
    {
        var rng = new Random(3);
        const int batch = 2, channels = 3;
        var layer = new GMPool<PoolGrid8to4>("pool", channels, PoolKind.Max);
        // Few distinct values, so many windows have ties.
        var x = Enumerable.Range(0, batch * layer.Input.Size).Select(_ => (float)rng.Next(3)).ToArray();
        var z = layer.Forward(x, batch, training: false).AsSpan(0, batch * layer.Output.Size).ToArray();
        var dz = GradCheck.RandomArray(rng, z.Length);
        var dx = layer.Backward(dz, batch);
        var cosets = PoolGrid8to4.Cosets.ToArray();
        int m = PoolGrid8to4.Index, n = PoolGrid8to4.SubgroupOrder, l = PoolGrid8to4.Order;
        var expected = new float[x.Length];
        for (int r = 0; r < batch * channels; r++)
            for (int s = 0; s < n; s++)
            {
                int first = 0;
                for (int j = 1; j < m; j++) if (x[r * l + cosets[s * m + j]] > x[r * l + cosets[s * m + first]]) first = j;
                Assert.Equal(x[r * l + cosets[s * m + first]], z[r * n + s]);
                expected[r * l + cosets[s * m + first]] = dz[r * n + s];
            }
        Assert.Equal(expected, dx.AsSpan(0, x.Length).ToArray());
    }

    // Max pooling is checked by its routing above: finite differences straddle near-ties in its windows.
    [Fact]
    public void Mean_pool_gradients_match_finite_differences() =>
        GradCheck.AssertClose(GradCheck.Check(new GMPool<PoolDih4to2>("pool", 2, PoolKind.Mean), batch: 2, seed: 11));

    [Fact]
    public void Transpose_pool_gradients_match_finite_differences() =>
        GradCheck.AssertClose(GradCheck.Check(new GMTransposePool<PoolGrid8to4>("unpool", 3, 2, new Random(5)), batch: 2, seed: 4));

    /// <summary>(L_u v)(s) = v(u⁻¹·s) on rows of |H| or |G| values.</summary>
    static float[] Act(Func<int, int, int> mul, Func<int, int> inv, int order, int u, float[] v)
    {
        var result = new float[v.Length];
        for (int r = 0; r < v.Length / order; r++)
            for (int a = 0; a < order; a++) result[r * order + a] = v[r * order + mul(inv(u), a)];
        return result;
    }

    static void CheckExactlyEquivariantUnderH<TPool, TG, TH>() where TPool : IGroupPool where TG : IGroupKernel where TH : IGroupKernel
    {
        var rng = new Random(9);
        const int batch = 2;
        var unpool = new GMTransposePool<TPool>("unpool", 3, 2, rng);
        var pool = new GMPool<TPool>("pool", 2, PoolKind.Max);
        var z = GradCheck.RandomArray(rng, batch * unpool.Input.Size);
        var y = unpool.Forward(z, batch, false).AsSpan(0, batch * unpool.Output.Size).ToArray();
        var p = pool.Forward(y, batch, false).AsSpan(0, batch * pool.Output.Size).ToArray();
        for (int u = 0; u < TH.Order; u++)
        {
            int gu = TPool.Embedding[u];
            // Upsampling: T(L_u z) = L_emb(u) T(z), bit for bit (the same sums, moved).
            var yu = unpool.Forward(Act(TH.Multiply, TH.Inverse, TH.Order, u, z), batch, false).AsSpan(0, y.Length).ToArray();
            Assert.Equal(Act(TG.Multiply, TG.Inverse, TG.Order, gu, y), yu);
            // Pooling: P(L_emb(u) x) = L_u P(x).
            var pu = pool.Forward(Act(TG.Multiply, TG.Inverse, TG.Order, gu, y), batch, false).AsSpan(0, p.Length).ToArray();
            Assert.Equal(Act(TH.Multiply, TH.Inverse, TH.Order, u, p), pu);
        }
    }

    [Fact] public void Cyclic_pool_and_transpose_are_exactly_equivariant_under_H() => CheckExactlyEquivariantUnderH<PoolGrid8to4, PoolGrid8, PoolGrid4>();
    [Fact] public void Dihedral_pool_and_transpose_are_exactly_equivariant_under_H() => CheckExactlyEquivariantUnderH<PoolDih4to2, PoolDih4x4, PoolDih2x2>();

    [Fact]
    public void Transpose_pool_matches_its_definition()
    {
        var rng = new Random(2);
        const int batch = 2, I = 3, O = 2;
        var layer = new GMTransposePool<PoolDih4to2>("unpool", I, O, rng);
        var z = GradCheck.RandomArray(rng, batch * layer.Input.Size);
        var y = layer.Forward(z, batch, false);
        int n = PoolDih4to2.SubgroupOrder, m = PoolDih4to2.Index, l = PoolDih4to2.Order;
        var emb = PoolDih4to2.Embedding.ToArray();
        var r = PoolDih4to2.Transversal.ToArray();
        for (int b = 0; b < batch; b++)
            for (int o = 0; o < O; o++)
                for (int s = 0; s < n; s++)
                    for (int j = 0; j < m; j++)
                    {
                        double sum = layer.Bias!.Value[o];
                        for (int i = 0; i < I; i++) sum += layer.Weight.Value[(i * O + o) * m + j] * z[(b * I + i) * n + s];
                        double actual = y[(b * O + o) * l + PoolDih4x4.Multiply(emb[s], r[j])];
                        Assert.True(Math.Abs(actual - sum) <= 1e-5 * (1 + Math.Abs(sum)), $"y[{b},{o},emb({s})·r_{j}] = {actual}, expected {sum}");
                    }
        Assert.Equal(["unpool.weight", "unpool.bias"], layer.Parameters.Select(p => p.Name));
    }

    [Fact]
    public void A_pooled_network_builds_and_its_features_are_equivariant_under_H()
    {
        var net = Network.Build(
            Layers.GMConv<PoolGrid8>(3, ChannelMode.Full) >> Layers.ReLU() >> Layers.GMPool<PoolGrid8to4>()
            >> Layers.GMConv<PoolGrid4>(2, ChannelMode.Full) >> Layers.LayerNorm(affine: false)
            >> Layers.GMTransposePool<PoolGrid8to4>(2) >> Layers.GMConv<PoolGrid8>(2),
            new Shape(1, 64), seed: 3);
        Assert.Equal(["conv0", "act", "pool", "conv1", "norm", "unpool", "conv2"], net.Root.Children.Select(c => c.Name));
        Assert.Equal("C4 x C4", net.Root.Children[3].Input.Group);
        Assert.Equal("C8 x C8", net.Output.Group);
        // Each GM layer describes its matrix over its own group: the one on C4 x C4 is 16 × 16, the others 64 × 64.
        foreach (var gm in net.Layers.OfType<IGroupMatrixLayer>())
            Assert.Equal(0, gm.Describe().Rank);
        Assert.Equal(16 * 16, ((IGroupMatrixLayer)net.Root.Children[3]).DenseMatrix(0, 0).Length);
        var rng = new Random(1);
        const int batch = 2;
        var x = GradCheck.RandomArray(rng, batch * 64);
        var y = net.Forward(x, batch, training: false).AsSpan(0, batch * net.Output.Size).ToArray();
        double norm = Math.Sqrt(y.Sum(v => (double)v * v));
        for (int u = 0; u < PoolGrid4.Order; u++)
        {
            int gu = PoolGrid8to4.Embedding[u];
            var yu = net.Forward(Act(PoolGrid8.Multiply, PoolGrid8.Inverse, 64, gu, x), batch, false).AsSpan(0, y.Length).ToArray();
            var ly = Act(PoolGrid8.Multiply, PoolGrid8.Inverse, 64, gu, y);
            double err = Math.Sqrt(yu.Zip(ly, (a, b) => ((double)a - b) * (a - b)).Sum()) / norm;
            Assert.True(err < 1e-5, $"u = {u}: relative error {err:E2}");
        }
    }

    [Fact]
    public void A_GM_layer_on_the_wrong_group_is_refused_naming_both_groups()
    {
        // D4 x D4 and C8 x C8 both have 64 elements.
        var sameSize = Assert.Throws<ArgumentException>(() =>
            Network.Build(Layers.GMConv<PoolDih4x4>(2) >> Layers.ReLU() >> Layers.GMConv<PoolGrid8>(2), new Shape(1, 64), seed: 1));
        Assert.Contains("C8 x C8", sameSize.Message);
        Assert.Contains("D4 x D4", sameSize.Message);
        // After a pool the features live on C4 x C4.
        var afterPool = Assert.Throws<ArgumentException>(() =>
            Network.Build(Layers.GMConv<PoolGrid8>(2) >> Layers.GMPool<PoolGrid8to4>() >> Layers.GMConv<PoolGrid8>(2), new Shape(1, 64), seed: 1));
        Assert.Contains("C8 x C8", afterPool.Message);
        Assert.Contains("C4 x C4", afterPool.Message);
        // A pool from another group of the same size, and a transpose fed from the wrong group.
        var wrongPool = Assert.Throws<ArgumentException>(() =>
            Network.Build(Layers.GMConv<PoolDih4x4>(2) >> Layers.GMPool<PoolGrid8to4>(), new Shape(1, 64), seed: 1));
        Assert.Contains("D4 x D4", wrongPool.Message);
        var wrongUnpool = Assert.Throws<ArgumentException>(() =>
            Network.Build(Layers.GMConv<PoolGrid8>(2) >> Layers.GMPool<PoolGrid8to4>() >> Layers.GMTransposePool<PoolDih4to2>(2), new Shape(1, 64), seed: 1));
        Assert.Contains("D2 x D2", wrongUnpool.Message);
        Assert.Contains("C4 x C4", wrongUnpool.Message);
        // Shape equality still compares sizes only.
        Assert.Equal(new Shape(2, 64), new Shape(2, 64) { Group = "C8 x C8" });
    }

    [Fact]
    public void Kernels_refuse_bad_arguments_by_name()
    {
        var x = new float[2 * 64];
        Assert.Equal("z", Assert.Throws<ArgumentException>(() => PoolGrid8to4.MeanForward(2, x, new float[31])).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => PoolGrid8to4.MaxForward(2, new float[64], new float[32], new int[32])).ParamName);
        Assert.Equal("rows", Assert.Throws<ArgumentException>(() => PoolGrid8to4.MeanBackward(-1, [], [])).ParamName);
        Assert.Equal("z", Assert.Throws<ArgumentException>(() => PoolGrid8to4.MeanForward(2, x, x.AsSpan(0, 32))).ParamName);
        Assert.Equal("u", Assert.Throws<ArgumentException>(() =>
            PoolGrid8to4.TransposeForward(new PoolShape(1, 2, 3), new float[32], new float[23], [], new float[192])).ParamName);
        var shared = new float[192];
        Assert.Equal("dz", Assert.Throws<ArgumentException>(() =>
            PoolGrid8to4.TransposeBackward(new PoolShape(1, 2, 3), new float[32], new float[24], shared, shared.AsSpan(0, 32), new float[24], [])).ParamName);
        Assert.Equal("argmax", Assert.Throws<ArgumentException>(() =>
            PoolGrid8to4.MaxBackward(1, new float[16], Enumerable.Repeat(64, 16).ToArray(), new float[64])).ParamName);
    }
}

[GroupMatrix("C2 x C2", Radius = 0)] public partial struct PoolGrid2;
[GroupPool(typeof(PoolGrid4), typeof(PoolGrid2))] public partial struct PoolGrid4to2;

public class PooledArchitectureTests
{
    static Network Build(int seed = 3) => Network.Build(
        Architectures.PooledGmCnn<PoolGrid8, PoolGrid8to4, PoolGrid4, PoolGrid4to2, PoolGrid2>(classes: 3, channels: [4, 6, 8], dropout: 0),
        new Shape(1, 64), seed);

    [Fact]
    public void Pooled_classifier_chains_its_groups_and_names_its_layers()
    {
        var net = Build();
        Assert.Equal(new Shape(3, 1), net.Output);
        Assert.Equal(["block0", "pool0", "block1", "pool1", "block2", "pool2", "dropout", "head"], net.Root.Children.Select(c => c.Name));
        Assert.Equal(["C8 x C8", "C4 x C4", "C4 x C4", "C2 x C2", "C2 x C2"], net.Root.Children.Take(5).Select(c => c.Output.Group));
        Assert.Contains("block1.conv.weight", net.Parameters.Select(p => p.Name));
        Assert.Throws<ArgumentException>(() => Network.Build(
            Architectures.PooledGmCnn<PoolGrid8, PoolGrid4to2, PoolGrid4, PoolGrid4to2, PoolGrid2>(3, [4, 6, 8]), new Shape(1, 64), 1));
    }

    [Fact]
    public void Pooled_classifier_is_invariant_under_the_innermost_subgroup_and_not_under_G()
    {
        var net = Build();
        var x = GradCheck.RandomArray(new Random(8), 3 * 64);
        var subgroup = Measure.EmbeddedSubgroup<PoolGrid8to4, PoolGrid4to2>();
        Assert.Equal([0, 4, 32, 36], subgroup);   // shifts by multiples of 4 in each direction
        Assert.True(Measure.Invariance<PoolGrid8>(net, x, 3, subgroup) < 1e-5);
        // A one-pixel shift moves the pooling windows: the outputs change.
        Assert.True(Measure.Invariance<PoolGrid8>(net, x, 3, [1]) > 1e-3);
    }
}

public class OnePoolArchitectureTests
{
    [Fact]
    public void One_pool_classifier_on_a_dihedral_product_is_invariant_under_its_subgroup()
    {
        var net = Network.Build(
            Architectures.PooledGmCnn<PoolDih4x4, PoolDih4to2, PoolDih2x2>(classes: 2, channels: [3, 5], dropout: 0), new Shape(1, 64), seed: 2);
        Assert.Equal(["block0", "pool0", "block1", "pool1", "dropout", "head"], net.Root.Children.Select(c => c.Name));
        var x = GradCheck.RandomArray(new Random(4), 2 * 64);
        Assert.True(Measure.Invariance<PoolDih4x4>(net, x, 2, PoolDih4to2.Embedding.ToArray()) < 1e-5);
        Assert.Throws<ArgumentException>(() => Architectures.PooledGmCnn<PoolDih4x4, PoolDih4to2, PoolDih2x2>(2, [3]));
    }
}

public class PoolBatchSplitTests
{
    /// <summary>The layers split large batches over threads and chunks; the kernels on the whole batch are the reference.</summary>
    [Fact]
    public void Layers_on_a_large_batch_agree_with_one_kernel_call()
    {
        var rng = new Random(21);
        const int batch = 64, c = 8, o = 3;
        var x = GradCheck.RandomArray(rng, batch * c * 64);
        var pool = new GMPool<PoolGrid8to4>("pool", c, PoolKind.Max);
        var z = pool.Forward(x, batch, false).AsSpan(0, batch * c * 16).ToArray();
        var zRef = new float[z.Length];
        var argmax = new int[z.Length];
        PoolGrid8to4.MaxForward(batch * c, x, zRef, argmax);
        Assert.Equal(zRef, z);
        var dz = GradCheck.RandomArray(rng, z.Length);
        var dx = pool.Backward(dz, batch).AsSpan(0, x.Length).ToArray();
        var dxRef = new float[x.Length];
        PoolGrid8to4.MaxBackward(batch * c, dz, argmax, dxRef);
        Assert.Equal(dxRef, dx);

        var unpool = new GMTransposePool<PoolGrid8to4>("unpool", c, o, rng);
        var y = unpool.Forward(z, batch, false).AsSpan(0, batch * o * 64).ToArray();
        var yRef = new float[y.Length];
        var shape = new PoolShape(batch, c, o);
        PoolGrid8to4.TransposeForward(shape, z, unpool.Weight.Value, unpool.Bias!.Value, yRef);
        Assert.Equal(yRef, y);
        var dy = GradCheck.RandomArray(rng, y.Length);
        var dzLayer = unpool.Backward(dy, batch).AsSpan(0, z.Length).ToArray();
        var (dzRef, du, db) = (new float[z.Length], new float[unpool.Weight.Size], new float[o]);
        PoolGrid8to4.TransposeBackward(shape, z, unpool.Weight.Value, dy, dzRef, du, db);
        Assert.Equal(dzRef, dzLayer);
        // Batch sums in chunks: equal up to the order of float additions.
        for (int j = 0; j < du.Length; j++) Assert.True(Math.Abs(du[j] - unpool.Weight.Grad[j]) <= 1e-4 * (1 + Math.Abs(du[j])));
        for (int j = 0; j < o; j++) Assert.True(Math.Abs(db[j] - unpool.Bias.Grad[j]) <= 1e-4 * (1 + Math.Abs(db[j])));
    }
}
