namespace GmCodegen.Runtime.Tests;

/// <summary>Composition, naming, parameter counts, and an end-to-end gradient check through the loss.</summary>
public class NetworkTests
{
    /// <summary>The reference GM-CNN (docs/design.md#the-papers-networks): [GMConv(shared) → LayerNorm(no affine) → PReLU] + residual, ×2, max pool, dropout, linear.</summary>
    public static Spec PaperNetwork<TGroup>(int channels, int classes, double dropout = 0.3) where TGroup : IGroupKernel =>
        Architectures.GmCnn<TGroup>(classes, channels, blocks: 2, dropout: dropout);

    [Fact]
    public void The_paper_network_spelled_out_is_the_ready_made_one()
    {
        Spec Block() => Layers.Residual(
            Layers.GMConv<C4xC4>(5) >> Layers.LayerNorm(affine: false) >> Layers.PReLU(sharedAs: "act"));
        var spelled = Network.Build(Block() >> Block() >> Layers.GlobalMaxPool() >> Layers.Dropout(0.3) >> Layers.Linear(3).Named("head"),
            new Shape(1, 16), seed: 4);
        var ready = Network.Build(PaperNetwork<C4xC4>(5, 3), new Shape(1, 16), seed: 4);
        Assert.Equal(spelled.Parameters.Select(p => p.Name), ready.Parameters.Select(p => p.Name));
        Assert.Equal(spelled.Parameters.SelectMany(p => p.Value), ready.Parameters.SelectMany(p => p.Value));
        var x = GradCheck.RandomArray(new Random(5), 2 * 16);
        Assert.Equal(spelled.Forward(x, 2).AsSpan(0, 6).ToArray(), ready.Forward(x, 2).AsSpan(0, 6).ToArray());
    }

    [Fact]
    public void The_paper_network_has_the_reference_parameter_count_and_dotted_names()
    {
        var net = Network.Build(PaperNetwork<D14xD14>(120, 10), new Shape(1, D14xD14.Order), seed: 42);
        // 2·(120·196 + 120) conv + (120 + 120) 1×1 shortcut + 1 shared PReLU slope + 120·10 + 10 head.
        Assert.Equal(48_731, net.ParameterCount);
        Assert.Equal(
            ["block0.conv.weight", "block0.conv.bias", "act.weight", "block0.shortcut.weight", "block0.shortcut.bias",
             "block1.conv.weight", "block1.conv.bias", "head.weight", "head.bias"],
            net.Parameters.Select(p => p.Name));
        Assert.Equal([120, 196], net["block0.conv.weight"].Shape);
        Assert.False(net["act.weight"].Decay);
        Assert.False(net["block0.conv.bias"].Decay);
        Assert.True(net["head.weight"].Decay);

        var rows = Measure.ParameterCounts(net);
        Assert.Equal(net.ParameterCount, rows.Sum(r => r.Count));
        Assert.Equal(
            [("block0.conv", 23_640), ("block0.act", 1), ("block0.shortcut", 240), ("block1.conv", 23_640), ("block1.act", 0), ("head", 1_210)],
            rows.Select(r => (r.Layer, r.Count)));
        Assert.Equal("shares act.weight", rows.Single(r => r.Layer == "block1.act").Note);
    }

    [Theory]
    [InlineData(ChannelMode.Shared, 9)]       // fan_in = K
    [InlineData(ChannelMode.Full, 5 * 9)]     // fan_in = I·K
    public void GMConv_init_is_Kaiming_uniform_with_a_sqrt5(ChannelMode mode, int fanIn)
    {
        var conv = new GMConv<C4xC4>("conv", 5, 400, mode, new Random(1));
        double bound = 1 / Math.Sqrt(fanIn);
        foreach (var p in conv.Parameters)
        {
            Assert.All(p.Value, w => Assert.InRange(Math.Abs(w), 0, bound));
            Assert.InRange(p.Value.Max(w => Math.Abs(w)), 0.95 * bound, bound);   // the whole range is used
            Assert.InRange(p.Value.Average(w => (double)w), -0.1 * bound, 0.1 * bound);
        }
        var zero = new GMConv<C4xC4>("conv", 5, 4, mode, new Random(1), biasInit: BiasInit.Zero);
        Assert.All(zero.Bias!.Value, b => Assert.Equal(0f, b));
    }

    [Fact]
    public void Composition_flattens_names_children_by_kind_and_checks_shapes()
    {
        var net = Network.Build(
            Layers.GMConv<C4xC4>(3) >> Layers.ReLU() >> (Layers.GMConv<C4xC4>(3, ChannelMode.Full) >> Layers.ReLU())
            >> Layers.GlobalMeanPool() >> Layers.Linear(2),
            new Shape(1, 16), seed: 1);
        Assert.Equal(["conv0.weight", "conv0.bias", "conv1.weight", "conv1.bias", "linear.weight", "linear.bias"],
            net.Parameters.Select(p => p.Name));
        Assert.Equal(new Shape(2, 1), net.Output);
        Assert.Equal(["conv0", "act0", "conv1", "act1", "pool", "linear"], net.Root.Children.Select(l => l.Name));

        var wrongGroup = Assert.Throws<ArgumentException>(() =>
            Network.Build(Layers.GlobalMaxPool() >> Layers.GMConv<C4xC4>(3), new Shape(1, 16), seed: 1));
        Assert.Contains("receives [1]", wrongGroup.Message);
        var clash = Assert.Throws<ArgumentException>(() =>
            Network.Build(Layers.Linear(3).Named("fc") >> Layers.Linear(2).Named("fc"), new Shape(4, 1), seed: 1));
        Assert.Contains("fc.weight", clash.Message);
    }

    [Fact]
    public void Same_seed_same_init_different_seed_different_init()
    {
        float[] Init(int seed) => Network.Build(PaperNetwork<C4xC4>(4, 3), new Shape(1, 16), seed).Parameters.SelectMany(p => p.Value).ToArray();
        Assert.Equal(Init(5), Init(5));
        Assert.NotEqual(Init(5), Init(6));
    }

    [Theory]
    [InlineData(PoolKind.Max)]
    [InlineData(PoolKind.Mean)]
    public void Whole_network_gradient_through_cross_entropy_matches_finite_differences(PoolKind pool)
    {
        // Two residual blocks (shared then full mode, identity and 1×1 shortcut), LayerNorm with and without
        // affine, a PReLU slope shared by both blocks, pooling, dropout (eval), linear head, cross-entropy.
        var spec = Layers.Residual(Layers.GMConv<D4>(3) >> Layers.LayerNorm(affine: false) >> Layers.PReLU(sharedAs: "act"))
            >> Layers.Residual(Layers.GMConv<D4>(3, ChannelMode.Full) >> Layers.LayerNorm(affine: true) >> Layers.PReLU(sharedAs: "act"))
            >> (pool == PoolKind.Max ? Layers.GlobalMaxPool() : Layers.GlobalMeanPool()) >> Layers.Dropout(0.3) >> Layers.Linear(4);
        var net = Network.Build(spec, new Shape(2, D4.Order), seed: 7);
        Assert.Equal("block0.shortcut.weight", net.Parameters[3].Name);
        int batch = 3;
        var rng = new Random(8);
        var x = GradCheck.RandomArray(rng, batch * net.Input.Size);
        var labels = new[] { 0, 3, 1 };
        var loss = new CrossEntropyLoss();
        var grad = new float[batch * 4];

        double Loss()
        {
            var y = net.Forward(x, batch, training: false);
            return loss.Compute(y.AsSpan(0, batch * 4), 4, new Batch(x, labels, batch), grad);
        }

        Loss();
        net.ZeroGrad();
        net.ComputeInputGradient = true;
        var dx = net.Backward(grad, batch).AsSpan(0, x.Length).ToArray();
        var analytic = net.Parameters.Select(p => p.Grad.ToArray()).ToList();

        const double h = 1e-3;
        double[] Numeric(float[] v)
        {
            var g = new double[v.Length];
            for (int j = 0; j < v.Length; j++)
            {
                float saved = v[j];
                v[j] = (float)(saved + h); double plus = Loss();
                v[j] = (float)(saved - h); double minus = Loss();
                v[j] = saved;
                g[j] = (plus - minus) / (2 * h);
            }
            return g;
        }

        var results = net.Parameters.Select((p, k) => new GradCheck.Result(p.Name, GradCheck.Relative(analytic[k], Numeric(p.Value)), p.Size))
            .Prepend(new GradCheck.Result("input", GradCheck.Relative(dx, Numeric(x)), x.Length)).ToList();
        GradCheck.AssertClose(results, 1e-2);
        Assert.Contains(results, r => r.What == "act.weight");
    }
}
