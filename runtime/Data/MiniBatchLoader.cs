namespace GmCodegen;

/// <summary>
/// Seeded, shuffling mini-batches over (images [n, features], labels [n]) into caller-owned buffers, so a training loop
/// allocates nothing per step. Epoch e's order is a permutation drawn from (seed, e) alone: reproducible, independent of
/// how earlier epochs were consumed, and resumable at any epoch with <see cref="StartEpoch"/>.
/// <code>
/// var loader = new MiniBatchLoader(train, batchSize: 128, seed: 42);
/// for (int epoch = 0; epoch &lt; epochs; epoch++)
///     for (int n; (n = loader.NextBatch(x, y)) &gt; 0;) Step(x.AsSpan(0, n * loader.Features), y.AsSpan(0, n));
/// </code>
/// Not thread-safe: one loader feeds one loop.
/// </summary>
public sealed class MiniBatchLoader
{
    readonly float[] _images;
    readonly int[] _labels;
    readonly int[] _order;
    readonly int _seed;
    int _position;

    /// <summary>
    /// <paramref name="shuffle"/> false keeps the stored order (evaluation); <paramref name="dropLast"/> true skips a
    /// final batch smaller than <paramref name="batchSize"/>. The arrays are read, never copied or changed.
    /// </summary>
    public MiniBatchLoader(float[] images, int[] labels, int features, int batchSize, int seed, bool shuffle = true, bool dropLast = false)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        if (features <= 0) throw new ArgumentOutOfRangeException(nameof(features), features, "Features must be > 0.");
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "Batch size must be > 0.");
        if ((long)labels.Length * features != images.Length)
            throw new ArgumentException($"images has length {images.Length}; expected {labels.Length} labels × {features} features.", nameof(images));
        if (dropLast && labels.Length < batchSize)
            throw new ArgumentException($"With dropLast, {labels.Length} samples make no batch of {batchSize}.", nameof(dropLast));
        (_images, _labels, Features, BatchSize, _seed, Shuffle, DropLast) = (images, labels, features, batchSize, seed, shuffle, dropLast);
        _order = new int[labels.Length];
        StartEpoch(0);
    }

    public MiniBatchLoader(ImageSet data, int batchSize, int seed, bool shuffle = true, bool dropLast = false)
        : this(data.Validated().Images, data.Labels, data.Features, batchSize, seed, shuffle, dropLast) { }

    public int Count => _labels.Length;
    public int Features { get; }
    public int BatchSize { get; }
    public bool Shuffle { get; }
    public bool DropLast { get; }
    /// <summary>The epoch being served (the next batch comes from it; a new one starts as the last one ends).</summary>
    public int Epoch { get; private set; }
    public int BatchesPerEpoch => DropLast ? Count / BatchSize : (Count + BatchSize - 1) / BatchSize;
    /// <summary>Samples per epoch actually served (fewer than <see cref="Count"/> when the last batch is dropped).</summary>
    public int SamplesPerEpoch => DropLast ? Count / BatchSize * BatchSize : Count;
    /// <summary>The current epoch's sample order (indices into the data), fixed before its first batch is served.</summary>
    public ReadOnlySpan<int> Order => _order;

    /// <summary>Rewinds to the start of <paramref name="epoch"/>, with that epoch's order.</summary>
    public void StartEpoch(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        for (int i = 0; i < _order.Length; i++) _order[i] = i;
        if (Shuffle) DataRng.For(_seed, (ulong)epoch).Shuffle(_order);
        (Epoch, _position) = (epoch, 0);
    }

    /// <summary>
    /// Copies the next batch into the first n·<see cref="Features"/> floats of <paramref name="x"/> and the first n ints of
    /// <paramref name="y"/>, and returns n. Returns 0 once at the end of an epoch, which also moves on to the next epoch
    /// (reshuffled), so <c>while ((n = NextBatch(x, y)) &gt; 0)</c> is exactly one epoch.
    /// </summary>
    public int NextBatch(Span<float> x, Span<int> y)
    {
        if (x.Length < (long)BatchSize * Features)
            throw new ArgumentException($"x has length {x.Length}; a batch needs {BatchSize} × {Features} = {BatchSize * Features}.", nameof(x));
        if (y.Length < BatchSize)
            throw new ArgumentException($"y has length {y.Length}; a batch needs {BatchSize}.", nameof(y));
        int n = Math.Min(BatchSize, Count - _position);
        if (n <= 0 || (DropLast && n < BatchSize))
        {
            StartEpoch(Epoch + 1);
            return 0;
        }
        for (int i = 0; i < n; i++)
        {
            int s = _order[_position + i];
            _images.AsSpan(s * Features, Features).CopyTo(x.Slice(i * Features, Features));
            y[i] = _labels[s];
        }
        _position += n;
        return n;
    }

    /// <summary>
    /// The rest of the current epoch as an enumeration of batch sizes, each time filling <paramref name="x"/> and
    /// <paramref name="y"/> (for <c>foreach</c> loops; arrays because iterators cannot hold spans). The next epoch
    /// starts afterwards, as with <see cref="NextBatch"/>.
    /// </summary>
    public IEnumerable<int> Batches(float[] x, int[] y)
    {
        for (int n; (n = NextBatch(x, y)) > 0;) yield return n;
    }
}
