namespace GmCodegen.Runtime.Tests;

[CollectionDefinition(nameof(GlobalSettings), DisableParallelization = true)]
public class GlobalSettings;

/// <summary>Training gives the same weights on one thread as on two: every reduction has a fixed order.</summary>
[Collection(nameof(GlobalSettings))]
public class ThreadCountTests
{
    static float[] Train<TGroup>(int threads) where TGroup : IGroupKernel
    {
        int saved = KernelParallelism.MaxDegree;
        KernelParallelism.MaxDegree = threads;
        try
        {
            var (x, y) = Synthetic.Make(160, seed: 30);
            var net = Network.Build(Architectures.GmCnn<TGroup>(Synthetic.Classes, channels: 8, dropout: 0.1), new Shape(1, 64), seed: 31);
            var trainer = new Trainer(net, new CrossEntropyLoss(), new AdamW(net.Parameters, 0.01, 0.0153)) { Quiet = true };
            trainer.Fit(new InMemoryBatches(x, y, 64, shuffle: true, seed: 32), null, epochs: 2);
            return [.. net.Parameters.SelectMany(p => p.Value)];
        }
        finally { KernelParallelism.MaxDegree = saved; }
    }

    // With the naive kernel, so this checks the layers, the loss and the optimiser. (The generated kernels reduce the
    // weight gradient over a fixed number of batch chunks, so they too give the same bits on any thread count; the
    // generator's KernelTests.Results_do_not_depend_on_the_thread_count checks that.)
    [Fact]
    public void Layers_give_the_same_weights_on_one_and_on_two_threads() =>
        Assert.Equal(Train<C8xC8>(threads: 1), Train<C8xC8>(threads: 2));
}
