namespace GmCodegen;

/// <summary>
/// <see cref="MiniBatchLoader"/> as the <see cref="Trainer"/>'s <see cref="IBatchSource"/>: epoch e's batches are the
/// loader's epoch e (its order from (seed, e) alone), served from two buffers allocated here once and reused.
/// </summary>
public sealed class MiniBatchSource(MiniBatchLoader loader) : IBatchSource
{
    readonly float[] _x = new float[loader.BatchSize * loader.Features];
    readonly int[] _y = new int[loader.BatchSize];

    public MiniBatchLoader Loader => loader;
    public int SampleCount => loader.SamplesPerEpoch;
    public int MaxBatchSize => Math.Min(loader.BatchSize, loader.Count);

    public IEnumerable<Batch> Batches(int epoch)
    {
        loader.StartEpoch(epoch);
        for (int n; (n = loader.NextBatch(_x, _y)) > 0;) yield return new Batch(_x, _y, n);
    }
}

public static class MiniBatchLoaderExtensions
{
    public static MiniBatchSource AsBatchSource(this MiniBatchLoader loader) => new(loader);
}
