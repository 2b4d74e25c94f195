namespace GmCodegen;

/// <summary>
/// One mini-batch: <see cref="Count"/> samples, inputs [Count, sample size] in the first Count·size entries of
/// <see cref="Inputs"/> (the array may be a larger, reused buffer), class labels for classification and
/// optional float targets [Count, output size] for regression.
/// </summary>
public readonly record struct Batch(float[] Inputs, int[] Labels, int Count)
{
    public float[]? Targets { get; init; }
}

/// <summary>
/// A data set seen as mini-batches — what a loader implements for the <see cref="Trainer"/>. The batches of
/// one epoch are consumed one at a time, so an implementation may reuse its buffers between them; the
/// order may depend on the epoch (seeded shuffling), which keeps runs reproducible.
/// </summary>
public interface IBatchSource
{
    /// <summary>Samples per epoch.</summary>
    int SampleCount { get; }
    /// <summary>The largest <see cref="Batch.Count"/> this source yields (to size buffers once).</summary>
    int MaxBatchSize { get; }
    IEnumerable<Batch> Batches(int epoch);
}

/// <summary>
/// Small in-memory data (tests, synthetic tasks): inputs [n, size] with class labels [n] and/or float targets
/// [n, width], cut into batches in a seeded per-epoch order (or in order when <c>shuffle</c> is false).
/// A real loader lives in runtime/Data.
/// </summary>
public sealed class InMemoryBatches : IBatchSource
{
    readonly float[] _inputs, _x;
    readonly int[] _labels, _y, _order;
    readonly float[]? _targets, _t;
    readonly int _size, _targetSize, _seed;
    readonly bool _shuffle;

    /// <summary>Classification data: the sample count is the number of labels.</summary>
    public InMemoryBatches(float[] inputs, int[] labels, int batchSize, bool shuffle = false, int seed = 0, float[]? targets = null)
        : this(inputs, labels, targets, labels.Length, batchSize, shuffle, seed) { }

    /// <summary>Regression data without labels: <paramref name="count"/> samples of inputs and targets.</summary>
    public InMemoryBatches(float[] inputs, float[] targets, int count, int batchSize, bool shuffle = false, int seed = 0)
        : this(inputs, [], targets, count, batchSize, shuffle, seed) { }

    InMemoryBatches(float[] inputs, int[] labels, float[]? targets, int count, int batchSize, bool shuffle, int seed)
    {
        if (count <= 0 || inputs.Length % count != 0)
            throw new ArgumentException($"{inputs.Length} input values do not split into {count} samples.");
        if (labels.Length is not 0 && labels.Length != count)
            throw new ArgumentException($"{labels.Length} labels for {count} samples.");
        if (targets is not null && targets.Length % count != 0)
            throw new ArgumentException($"{targets.Length} target values do not split into {count} samples.");
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize));
        (_inputs, _labels, _targets, _shuffle, _seed) = (inputs, labels, targets, shuffle, seed);
        _size = inputs.Length / count;
        _targetSize = targets is null ? 0 : targets.Length / count;
        MaxBatchSize = Math.Min(batchSize, count);
        _x = new float[MaxBatchSize * _size];
        _y = labels.Length == 0 ? [] : new int[MaxBatchSize];
        _t = targets is null ? null : new float[MaxBatchSize * _targetSize];
        _order = new int[count];
    }

    public int SampleCount => _order.Length;
    public int MaxBatchSize { get; }

    public IEnumerable<Batch> Batches(int epoch)
    {
        for (int j = 0; j < _order.Length; j++) _order[j] = j;
        if (_shuffle) new Random(unchecked(_seed * 1_000_003 + epoch)).Shuffle(_order);   // fixed per (seed, epoch)
        for (int start = 0; start < _order.Length; start += MaxBatchSize)
        {
            int count = Math.Min(MaxBatchSize, _order.Length - start);
            for (int j = 0; j < count; j++)
            {
                int s = _order[start + j];
                _inputs.AsSpan(s * _size, _size).CopyTo(_x.AsSpan(j * _size));
                if (_labels.Length > 0) _y[j] = _labels[s];
                if (_targets is not null && _t is not null) _targets.AsSpan(s * _targetSize, _targetSize).CopyTo(_t.AsSpan(j * _targetSize));
            }
            yield return new Batch(_x, _y, count) { Targets = _t };
        }
    }
}
