namespace GmCodegen.Runtime.Tests;

// The one place these tests use the source generator: its kernels must plug into the layers unchanged.
// (The kernels themselves are checked against dense references in tests/GmCodegen.Generator.Tests.)
[GroupMatrix("D4 x D4", Radius = 1)] public partial struct GeneratedD4xD4;
[GroupMatrix("C8 x C8", Radius = 1)] public partial struct GeneratedC8xC8;

public class GeneratedKernelTests
{
    [Fact]
    public void The_generated_group_is_the_hand_made_one()
    {
        Assert.Equal(D4xD4.Order, GeneratedD4xD4.Order);
        Assert.Equal(D4xD4.KernelElements.ToArray(), GeneratedD4xD4.KernelElements.ToArray());
        for (int a = 0; a < D4xD4.Order; a++)
        for (int b = 0; b < D4xD4.Order; b++)
            Assert.Equal(D4xD4.Multiply(a, b), GeneratedD4xD4.Multiply(a, b));
    }

    [Theory]
    [InlineData(ChannelMode.Shared)]
    [InlineData(ChannelMode.Full)]
    public void A_network_on_the_generated_kernel_computes_what_the_naive_one_does(ChannelMode mode)
    {
        Network Make<TGroup>() where TGroup : IGroupKernel =>
            Network.Build(Architectures.GmCnn<TGroup>(classes: 3, channels: 6, mode: mode), new Shape(2, 64), seed: 1);
        var (naive, generated) = (Make<D4xD4>(), Make<GeneratedD4xD4>());
        var x = GradCheck.RandomArray(new Random(2), 5 * 128);
        var grad = GradCheck.RandomArray(new Random(3), 5 * 3);
        foreach (var net in new[] { naive, generated })
        {
            net.Forward(x, 5);
            net.ZeroGrad();
            net.Backward(grad, 5);
        }
        Assert.Equal(naive.Forward(x, 5).AsSpan(0, 15).ToArray(), generated.Forward(x, 5).AsSpan(0, 15).ToArray(), new Close(1e-4f));
        for (int k = 0; k < naive.Parameters.Count; k++)
            Assert.Equal(naive.Parameters[k].Grad, generated.Parameters[k].Grad, new Close(1e-3f));
    }

    [Fact]
    public void The_generated_kernel_keeps_training_reproducible_and_equivariant()
    {
        var (x, y) = Synthetic.Make(192, seed: 11);
        (Network, float[]) Train()
        {
            var net = Network.Build(Architectures.GmCnn<GeneratedC8xC8>(Synthetic.Classes, channels: 8, dropout: 0.1), new Shape(1, 64), seed: 12);
            var trainer = new Trainer(net, new CrossEntropyLoss(), new AdamW(net.Parameters, 0.01, 0.0153)) { Quiet = true };
            trainer.Fit(new InMemoryBatches(x, y, 64, shuffle: true, seed: 13), null, epochs: 2);
            return (net, [.. net.Parameters.SelectMany(p => p.Value)]);
        }
        var (net, first) = Train();
        Assert.Equal(first, Train().Item2);
        var report = Measure.Equivariance<GeneratedC8xC8>(net, x, 4);
        Assert.InRange(report.FeatureError, 0, 1e-5);
        Assert.InRange(report.InvarianceError, 0, 1e-5);
    }

    sealed class Close(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => Math.Abs(a - b) <= tolerance * Math.Max(1, Math.Abs(a));
        public int GetHashCode(float v) => 0;
    }
}
