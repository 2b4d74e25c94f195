namespace GmCodegen.Runtime.Tests;

/// <summary>Every layer's backward pass against central finite differences (input and parameter gradients).</summary>
public class LayerGradientTests
{
    static readonly Shape OnC4xC4 = new(3, 16);

    [Theory]
    [InlineData(ChannelMode.Shared, true)]
    [InlineData(ChannelMode.Shared, false)]
    [InlineData(ChannelMode.Full, true)]
    public void GMConv_on_an_abelian_group(ChannelMode mode, bool bias) =>
        GradCheck.AssertClose(GradCheck.Check(new GMConv<C4xC4>("conv", 3, 4, mode, new Random(1), bias), batch: 3));

    [Theory]
    [InlineData(ChannelMode.Shared)]
    [InlineData(ChannelMode.Full)]
    public void GMConv_on_a_non_abelian_group(ChannelMode mode) =>
        GradCheck.AssertClose(GradCheck.Check(new GMConv<D4>("conv", 2, 3, mode, new Random(2)), batch: 2));

    [Fact]
    public void ChannelMix() => GradCheck.AssertClose(GradCheck.Check(new ChannelMix("mix", 3, 5, 16, new Random(3)), batch: 3));

    [Fact]
    public void Linear_on_a_flattened_map() => GradCheck.AssertClose(GradCheck.Check(new Linear("fc", OnC4xC4, 7, new Random(4)), batch: 4));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LayerNorm(bool affine)
    {
        var norm = new LayerNorm("norm", OnC4xC4, affine);
        if (norm.Gamma is not null && norm.Beta is not null)
        {
            // Away from the (1, 0) init, so a γ/β mix-up cannot hide.
            GradCheck.RandomArray(new Random(5), norm.Gamma.Size, 0.5).CopyTo(norm.Gamma.Value, 0);
            GradCheck.RandomArray(new Random(6), norm.Beta.Size, 0.5).CopyTo(norm.Beta.Value, 0);
            for (int j = 0; j < norm.Gamma.Size; j++) norm.Gamma.Value[j] += 1f;
        }
        GradCheck.AssertClose(GradCheck.Check(norm, batch: 3, h: 1e-3), 5e-3);
    }

    [Fact]
    public void LayerNorm_normalises_each_sample()
    {
        var norm = new LayerNorm("norm", OnC4xC4, affine: false);
        var x = GradCheck.RandomArray(new Random(7), 2 * 48, scale: 3);
        for (int j = 48; j < 96; j++) x[j] += 10;   // a different mean in the second sample
        var y = norm.Forward(x, 2, false);
        for (int b = 0; b < 2; b++)
        {
            var s = y.AsSpan(b * 48, 48).ToArray();
            Assert.Equal(0, s.Average(), 5);
            Assert.Equal(1, Math.Sqrt(s.Select(v => (double)v * v).Average()), 4);
        }
    }

    [Fact]
    public void PReLU_input_and_slope()
    {
        var act = new PReLU("act", OnC4xC4);
        Assert.Equal(0.25f, act.Slope.Value[0]);
        // Keep inputs away from the kink at 0, where finite differences straddle both branches.
        GradCheck.AssertClose(GradCheck.Check(act, batch: 3, awayFromZero: 0.05));
    }

    [Fact]
    public void ReLU() => GradCheck.AssertClose(GradCheck.Check(new ReLU("act", OnC4xC4), batch: 3, awayFromZero: 0.05));

    [Fact]
    public void Global_max_pool()
    {
        // Distinct values per row (spaced well beyond h), so the arg-max is stable under the perturbation.
        var rng = new Random(8);
        var x = new float[3 * OnC4xC4.Size];
        for (int row = 0; row < 9; row++)
        {
            var perm = Enumerable.Range(0, 16).OrderBy(_ => rng.Next()).ToArray();
            for (int a = 0; a < 16; a++) x[row * 16 + a] = 0.1f * perm[a] - 0.8f;
        }
        GradCheck.AssertClose(GradCheck.Check(new GlobalPool("pool", OnC4xC4, PoolKind.Max), batch: 3, input: x));
    }

    [Fact]
    public void Global_mean_pool() => GradCheck.AssertClose(GradCheck.Check(new GlobalPool("pool", OnC4xC4, PoolKind.Mean), batch: 3));

    [Fact]
    public void Residual_with_identity_and_with_channel_mix()
    {
        var rng = new Random(9);
        var same = new Residual("block", new Sequential("block", [new GMConv<C4xC4>("block.conv", 3, 3, ChannelMode.Shared, rng), new LayerNorm("block.norm", OnC4xC4, false)]));
        GradCheck.AssertClose(GradCheck.Check(same, batch: 2, h: 1e-3), 5e-3);
        var wider = new Residual("block",
            new GMConv<C4xC4>("block.conv", 3, 5, ChannelMode.Full, rng),
            new ChannelMix("block.shortcut", 3, 5, 16, rng));
        GradCheck.AssertClose(GradCheck.Check(wider, batch: 2));
    }

    [Fact]
    public void Dropout_masks_scales_and_routes_the_gradient_through_the_same_mask()
    {
        var drop = new Dropout("drop", new Shape(50, 16), p: 0.3, seed: 11);
        var x = GradCheck.RandomArray(new Random(12), 4 * 800, awayFromZero: 0.01);
        var y = drop.Forward(x, 4, training: true).ToArray();
        int zeros = 0;
        for (int j = 0; j < x.Length; j++)
        {
            if (y[j] == 0) zeros++;
            else Assert.Equal(x[j] / 0.7f, y[j], 1e-5f);
        }
        Assert.InRange(zeros / (double)x.Length, 0.27, 0.33);
        var dy = GradCheck.RandomArray(new Random(13), x.Length);
        var dx = drop.Backward(dy, 4);
        for (int j = 0; j < x.Length; j++) Assert.Equal(y[j] == 0 ? 0f : dy[j] / 0.7f, dx[j], 1e-5f);
        // Evaluation: the identity.
        Assert.Equal(x, drop.Forward(x, 4, training: false).AsSpan(0, x.Length).ToArray());
        var y2 = drop.Forward(x, 4, training: true).ToArray();
        Assert.NotEqual(y, y2);   // a fresh mask per step
    }

    [Fact]
    public void The_checker_catches_a_wrong_backward()
    {
        // Same forward as PReLU, but the backward forgets the slope on the negative side.
        var results = GradCheck.Check(new WrongBackward("bad", OnC4xC4), batch: 2, awayFromZero: 0.05);
        Assert.True(results[0].RelativeError > 0.1, $"the checker missed a wrong gradient (error {results[0].RelativeError:E2})");
    }

    sealed class WrongBackward(string name, Shape shape) : Layer(name, shape, shape)
    {
        readonly PReLU _inner = new(name, shape);
        public override float[] Forward(float[] x, int batch, bool training) => _inner.Forward(x, batch, training);
        public override float[] Backward(float[] dy, int batch) => dy;
    }

    [Fact]
    public void A_smaller_last_batch_reuses_the_buffers_and_gives_the_same_per_sample_results()
    {
        var rng = new Random(14);
        var net = Network.Build(
            Layers.GMConv<C4xC4>(4) >> Layers.LayerNorm(affine: false) >> Layers.PReLU() >> Layers.GlobalMaxPool() >> Layers.Linear(3),
            new Shape(2, 16), seed: 3);
        var x = GradCheck.RandomArray(rng, 5 * 32);
        var full = net.Forward(x, 5);
        var firstTwo = full.AsSpan(0, 6).ToArray();
        var again = net.Forward(x, 2);                      // batch 2 on the same buffers
        Assert.Same(full, again);
        Assert.Equal(firstTwo, again.AsSpan(0, 6).ToArray());
    }
}
