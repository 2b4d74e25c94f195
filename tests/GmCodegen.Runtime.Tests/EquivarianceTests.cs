namespace GmCodegen.Runtime.Tests;

/// <summary>The equivariance measurement: exact GM networks measure at rounding level, a symmetry-breaking one does not.</summary>
public class EquivarianceTests
{
    static float[] Input(int batch, Shape shape, int seed) => GradCheck.RandomArray(new Random(seed), batch * shape.Size);

    [Fact]
    public void The_action_is_a_left_action_on_a_non_abelian_group()
    {
        var x = Input(1, new Shape(2, 64), 1);
        var (lv, luv, lulv) = (new float[128], new float[128], new float[128]);
        for (int u = 0; u < 64; u += 7)
        for (int v = 0; v < 64; v += 5)
        {
            Measure.Act<D4xD4>(v, x, lv, 2);
            Measure.Act<D4xD4>(u, lv, lulv, 2);
            Measure.Act<D4xD4>(D4xD4.Multiply(u, v), x, luv, 2);
            Assert.Equal(luv, lulv);   // L_u L_v = L_uv
        }
    }

    [Theory]
    [InlineData(ChannelMode.Shared)]
    [InlineData(ChannelMode.Full)]
    public void An_exact_GM_network_is_equivariant_to_float_rounding(ChannelMode mode)
    {
        // The paper's architecture on D4 x D4, with 2 input channels and a channel change (1×1 shortcut).
        Spec Block(int c) => Layers.Residual(Layers.GMConv<D4xD4>(c, mode) >> Layers.LayerNorm(affine: false) >> Layers.PReLU(sharedAs: "act"));
        var net = Network.Build(Block(6) >> Block(6) >> Layers.GlobalMaxPool() >> Layers.Dropout(0.3) >> Layers.Linear(5),
            new Shape(2, 64), seed: 2);
        var report = Measure.Equivariance<D4xD4>(net, Input(3, net.Input, 3), 3);
        Assert.Equal(64, report.ElementsTested);
        Assert.Equal("block1", report.FeatureLayer);
        Assert.InRange(report.FeatureError, 0, 1e-5);
        Assert.InRange(report.InvarianceError, 0, 1e-5);
    }

    [Fact]
    public void Translations_on_the_torus_with_mean_pooling_and_a_sample_of_elements()
    {
        var net = Network.Build(Layers.GMConv<C8xC8>(4, ChannelMode.Full) >> Layers.ReLU() >> Layers.GMConv<C8xC8>(4)
            >> Layers.GlobalMeanPool() >> Layers.Linear(3), new Shape(1, 64), seed: 4);
        var report = Measure.Equivariance<C8xC8>(net, Input(2, net.Input, 5), 2, sample: 10, seed: 6);
        Assert.Equal(10, report.ElementsTested);
        Assert.InRange(report.FeatureError, 0, 1e-5);
        Assert.InRange(report.InvarianceError, 0, 1e-5);
    }

    [Fact]
    public void A_position_dependent_layer_breaks_equivariance_and_the_measure_sees_it()
    {
        // LayerNorm with affine weights of shape [C, |G|] scales each group element differently.
        var net = Network.Build(Layers.GMConv<D4xD4>(4) >> Layers.LayerNorm(affine: true) >> Layers.GlobalMaxPool() >> Layers.Linear(3),
            new Shape(1, 64), seed: 7);
        var gamma = net["norm.weight"].Value;
        for (int j = 0; j < gamma.Length; j++) gamma[j] = 1 + 0.5f * MathF.Sin(j);
        var report = Measure.Equivariance<D4xD4>(net, Input(2, net.Input, 8), 2);
        Assert.True(report.FeatureError > 1e-2, $"feature error {report.FeatureError:E2}");
        Assert.True(report.InvarianceError > 1e-3, $"invariance error {report.InvarianceError:E2}");
        Assert.NotEqual(0, report.WorstElement);
    }

    [Fact]
    public void A_network_without_pooling_reports_features_only()
    {
        var net = Network.Build(Layers.GMConv<D4>(3) >> Layers.PReLU(), new Shape(1, 8), seed: 9);
        var report = Measure.Equivariance<D4>(net, Input(2, net.Input, 10), 2);
        Assert.InRange(report.FeatureError, 0, 1e-5);
        Assert.True(double.IsNaN(report.InvarianceError));
    }
}
