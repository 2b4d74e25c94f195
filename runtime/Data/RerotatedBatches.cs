namespace GmCodegen;

/// <summary>
/// Rotation augmentation for a rotated-MNIST split: epoch e serves the split's training digits, each rotated from its
/// upright original by a fresh uniform angle in [0, 2π) drawn from (seed, e), in a shuffled order. Epoch 0 uses the
/// split's own angles, so it is the unaugmented training set bit for bit; later epochs are new draws from the same
/// distribution the test images come from (one bilinear rotation of an upright digit, never a rotation of a rotated
/// one, which would blur). A network invariant to a finite rotation group still sees other angles this way.
/// Not thread-safe: one source feeds one loop.
/// </summary>
public sealed class RerotatedBatches : IBatchSource
{
    const ulong AngleStream = 0xA46_1E5;

    readonly ImageSet _digits;
    readonly int[] _sources;
    readonly double[] _firstAngles;
    readonly float[] _images;
    readonly int _seed;
    readonly MiniBatchLoader _loader;
    readonly float[] _x;
    readonly int[] _y;

    /// <param name="digits">The upright digits the split was made from.</param>
    /// <param name="split">A split of <paramref name="digits"/> (<see cref="Datasets.RotatedMnist"/>): its training digits and angles.</param>
    /// <param name="batchSize">Samples per batch (the last batch of an epoch may be smaller).</param>
    /// <param name="seed">Seeds the shuffles (as <see cref="MiniBatchLoader"/>'s) and the angles of epochs 1, 2, ….</param>
    public RerotatedBatches(ImageSet digits, RotatedSplit split, int batchSize, int seed)
    {
        ArgumentNullException.ThrowIfNull(digits);
        ArgumentNullException.ThrowIfNull(split);
        digits.Validated();
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "Batch size must be > 0.");
        if (split.TrainSource.Length != split.Train.Count || split.TrainAngles.Length != split.Train.Count)
            throw new ArgumentException($"split has {split.Train.Count} training images but {split.TrainSource.Length} sources and {split.TrainAngles.Length} angles.", nameof(split));
        if (split.Train.Rows != digits.Rows || split.Train.Cols != digits.Cols)
            throw new ArgumentException($"split's images are {split.Train.Rows}×{split.Train.Cols}, digits' {digits.Rows}×{digits.Cols}.", nameof(split));
        foreach (int s in split.TrainSource)
            if ((uint)s >= (uint)digits.Count)
                throw new ArgumentException($"split names digit {s}; digits has {digits.Count}.", nameof(split));
        (_digits, _sources, _firstAngles, _seed) = (digits, split.TrainSource, split.TrainAngles, seed);
        _images = new float[(long)_sources.Length * digits.Features];
        var labels = _sources.Select(s => digits.Labels[s]).ToArray();
        _loader = new MiniBatchLoader(_images, labels, digits.Features, batchSize, seed);
        _x = new float[batchSize * digits.Features];
        _y = new int[batchSize];
    }

    public int SampleCount => _loader.SamplesPerEpoch;
    public int MaxBatchSize => Math.Min(_loader.BatchSize, _loader.Count);

    /// <summary>The angle (radians) of training image <paramref name="i"/> in <paramref name="epoch"/>.</summary>
    public double Angle(int epoch, int i)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        if ((uint)i >= (uint)_sources.Length) throw new ArgumentOutOfRangeException(nameof(i), i, $"There are {_sources.Length} training images.");
        return Angles(epoch)[i];
    }

    double[] Angles(int epoch)
    {
        if (epoch == 0) return _firstAngles;
        var rng = DataRng.For(_seed, AngleStream + (ulong)epoch);
        var angles = new double[_sources.Length];
        for (int i = 0; i < angles.Length; i++) angles[i] = 2 * Math.PI * rng.NextDouble();
        return angles;
    }

    public IEnumerable<Batch> Batches(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        return Serve(epoch);
    }

    IEnumerable<Batch> Serve(int epoch)
    {
        var angles = Angles(epoch);
        int f = _digits.Features;
        Parallel.For(0, _sources.Length, i =>
            ImageRotation.Rotate(_digits.Image(_sources[i]), _images.AsSpan(i * f, f), _digits.Rows, _digits.Cols, angles[i]));
        _loader.StartEpoch(epoch);
        for (int n; (n = _loader.NextBatch(_x, _y)) > 0;) yield return new Batch(_x, _y, n);
    }
}
