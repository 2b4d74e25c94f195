namespace GmCodegen.Data.Tests;

public class LoaderTests
{
    const int F = 3;

    /// <summary>Sample i has features (i, i + 0.25, i + 0.5) and label 7·i, so a batch row identifies its sample.</summary>
    static (float[] X, int[] Y) Data(int n) =>
        (Enumerable.Range(0, n).SelectMany(i => new[] { i, i + 0.25f, i + 0.5f }).ToArray(), Enumerable.Range(0, n).Select(i => 7 * i).ToArray());

    /// <summary>One epoch's samples in served order, with the batch sizes, checking every row against its label.</summary>
    static (List<int> Samples, List<int> Sizes) Epoch(MiniBatchLoader loader, float[] x, int[] y)
    {
        var samples = new List<int>();
        var sizes = new List<int>();
        for (int n; (n = loader.NextBatch(x, y)) > 0;)
        {
            sizes.Add(n);
            for (int i = 0; i < n; i++)
            {
                int s = y[i] / 7;
                Assert.Equal(new[] { s, s + 0.25f, s + 0.5f }, x.AsSpan(i * F, F).ToArray());
                samples.Add(s);
            }
        }
        return (samples, sizes);
    }

    [Fact]
    public void Each_epoch_serves_every_sample_once_in_a_fresh_order()
    {
        var (data, labels) = Data(103);
        var loader = new MiniBatchLoader(data, labels, F, batchSize: 10, seed: 5);
        var x = new float[10 * F];
        var y = new int[10];
        Assert.Equal(11, loader.BatchesPerEpoch);

        var orders = new List<List<int>>();
        for (int e = 0; e < 4; e++)
        {
            Assert.Equal(e, loader.Epoch);
            var order = loader.Order.ToArray();
            var (samples, sizes) = Epoch(loader, x, y);
            Assert.Equal(Enumerable.Range(0, 103), samples.Order());
            Assert.Equal(Enumerable.Repeat(10, 10).Append(3), sizes);
            Assert.NotEqual(Enumerable.Range(0, 103), samples); // shuffled
            Assert.Equal(order, samples);
            orders.Add(samples);
        }
        Assert.Equal(4, orders.Select(o => string.Join(",", o)).Distinct().Count()); // reshuffled every epoch
    }

    [Fact]
    public void The_order_depends_on_the_seed_and_epoch_only()
    {
        var (data, labels) = Data(50);
        var x = new float[8 * F];
        var y = new int[8];
        var a = new MiniBatchLoader(data, labels, F, 8, seed: 11);
        var b = new MiniBatchLoader(data, labels, F, 8, seed: 11);
        var c = new MiniBatchLoader(data, labels, F, 8, seed: 12);
        var epochsA = Enumerable.Range(0, 3).Select(_ => Epoch(a, x, y).Samples).ToList();
        var epochsB = Enumerable.Range(0, 3).Select(_ => Epoch(b, x, y).Samples).ToList();
        Assert.Equal(epochsA, epochsB);
        Assert.NotEqual(epochsA[0], Epoch(c, x, y).Samples);

        // Resuming at epoch 2 gives epoch 2's order, whatever was consumed before (here: half an epoch).
        var d = new MiniBatchLoader(data, labels, F, 8, seed: 11);
        d.NextBatch(x, y);
        d.NextBatch(x, y);
        d.StartEpoch(2);
        Assert.Equal(epochsA[2], Epoch(d, x, y).Samples);
    }

    [Fact]
    public void Drop_last_skips_the_short_batch()
    {
        var (data, labels) = Data(103);
        var loader = new MiniBatchLoader(data, labels, F, batchSize: 10, seed: 1, dropLast: true);
        var x = new float[10 * F];
        var y = new int[10];
        Assert.Equal((10, 100), (loader.BatchesPerEpoch, loader.SamplesPerEpoch));
        for (int e = 0; e < 2; e++)
        {
            var (samples, sizes) = Epoch(loader, x, y);
            Assert.Equal(Enumerable.Repeat(10, 10), sizes);
            Assert.Equal(100, samples.Distinct().Count());
        }
    }

    [Fact]
    public void Without_shuffle_the_stored_order_is_kept()
    {
        var (data, labels) = Data(20);
        var loader = new MiniBatchLoader(data, labels, F, batchSize: 6, seed: 1, shuffle: false);
        var x = new float[6 * F];
        var y = new int[6];
        Assert.Equal(Enumerable.Range(0, 20), Epoch(loader, x, y).Samples);
        Assert.Equal(Enumerable.Range(0, 20), Epoch(loader, x, y).Samples);
    }

    [Fact]
    public void Batches_enumerates_the_same_epochs_as_NextBatch()
    {
        var (data, labels) = Data(45);
        var x = new float[16 * F];
        var y = new int[16];
        var viaNext = new MiniBatchLoader(data, labels, F, 16, seed: 3);
        var viaEnum = new MiniBatchLoader(data, labels, F, 16, seed: 3);
        for (int e = 0; e < 2; e++)
        {
            var expected = Epoch(viaNext, x, y);
            var samples = new List<int>();
            var sizes = new List<int>();
            foreach (int n in viaEnum.Batches(x, y))
            {
                sizes.Add(n);
                samples.AddRange(y.Take(n).Select(l => l / 7));
            }
            Assert.Equal(expected.Samples, samples);
            Assert.Equal(expected.Sizes, sizes);
        }
    }

    [Fact]
    public void Batches_reuse_the_callers_buffers_and_allocate_nothing()
    {
        var set = Datasets.RotatedMnist(Shipped.Mnist, seed: 1, trainCount: 1000, testCount: 0).Train;
        var loader = new MiniBatchLoader(set, batchSize: 128, seed: 9);
        var x = new float[128 * 784];
        var y = new int[128];
        while (loader.NextBatch(x, y) > 0) { } // warm up (JIT)

        long before = GC.GetAllocatedBytesForCurrentThread();
        int served = 0;
        for (int e = 0; e < 3; e++)
            for (int n; (n = loader.NextBatch(x, y)) > 0;) served += n;
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(3 * 1000, served);
        Assert.Equal(0, allocated);
        // The buffers still hold epoch 3's last, short batch (1000 = 7·128 + 104): its final row is that epoch's last sample.
        Assert.Equal(4, loader.Epoch);
        loader.StartEpoch(3);
        int lastSample = loader.Order[^1];
        Assert.Equal(set.Image(lastSample).ToArray(), x.AsSpan(103 * 784, 784).ToArray());
        Assert.Equal(set.Labels[lastSample], y[103]);
    }

    [Fact]
    public void Buffers_too_small_or_data_inconsistent_are_rejected()
    {
        var (data, labels) = Data(10);
        var loader = new MiniBatchLoader(data, labels, F, 4, seed: 1);
        Assert.Throws<ArgumentException>(() => loader.NextBatch(new float[4 * F - 1], new int[4]));
        Assert.Throws<ArgumentException>(() => loader.NextBatch(new float[4 * F], new int[3]));
        Assert.Throws<ArgumentException>(() => new MiniBatchLoader(data, labels[..9], F, 4, seed: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MiniBatchLoader(data, labels, F, 0, seed: 1));
        Assert.Throws<ArgumentException>(() => new MiniBatchLoader(data, labels, F, 11, seed: 1, dropLast: true));
    }
}

public class MiniBatchSourceTests
{
    [Fact]
    public void Epoch_e_of_the_batch_source_is_epoch_e_of_the_loader()
    {
        var x = Enumerable.Range(0, 40 * 2).Select(i => (float)i).ToArray();
        var y = Enumerable.Range(0, 40).ToArray();
        var source = new MiniBatchLoader(x, y, 2, batchSize: 16, seed: 8).AsBatchSource();
        var reference = new MiniBatchLoader(x, y, 2, batchSize: 16, seed: 8);
        Assert.Equal((40, 16), (source.SampleCount, source.MaxBatchSize));

        foreach (int epoch in new[] { 3, 0, 3 })
        {
            reference.StartEpoch(epoch);
            var expected = reference.Order.ToArray();
            var served = new List<int>();
            foreach (var batch in source.Batches(epoch))
                for (int i = 0; i < batch.Count; i++)
                {
                    Assert.Equal(2f * batch.Labels[i], batch.Inputs[2 * i]);
                    served.Add(batch.Labels[i]);
                }
            Assert.Equal(expected, served);
        }
    }
}
