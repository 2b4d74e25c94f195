namespace GmCodegen;

public static partial class Measure
{
    /// <summary>
    /// The invariance error of a network's outputs under the given elements of <typeparamref name="TGroup"/> (its input
    /// group): max over u of ‖h(L_u x) − h(x)‖ / ‖h(x)‖, in evaluation mode. A pooled network (GM layers, coset pools,
    /// a final global pool) is invariant only under the subgroup its last features live on, embedded in G:
    /// <see cref="EmbeddedSubgroup{TPool1, TPool2}"/> lists it for two pools.
    /// </summary>
    public static double Invariance<TGroup>(Network network, float[] x, int batch, IReadOnlyList<int> elements) where TGroup : IGroupKernel
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(elements);
        if (batch <= 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "The batch must be positive.");
        if (network.Input.Positions != TGroup.Order)
            throw new ArgumentException($"The network takes {network.Input}, not a map on {typeof(TGroup).Name} ({TGroup.Order} elements).", nameof(network));
        if (x.Length < (long)batch * network.Input.Size)
            throw new ArgumentException($"x has {x.Length} values; a batch of {batch} × {network.Input.Size} needs {(long)batch * network.Input.Size}.", nameof(x));
        int n = batch * network.Output.Size;
        var hx = network.Forward(x, batch, training: false).AsSpan(0, n).ToArray();
        double norm = Norm(hx), worst = 0;
        var xu = new float[batch * network.Input.Size];
        foreach (int u in elements)
        {
            Act<TGroup>(u, x, xu, batch * network.Input.Channels);
            var hu = network.Forward(xu, batch, training: false).AsSpan(0, n).ToArray();
            worst = Math.Max(worst, Relative(Distance(hu, hx), norm));
        }
        return worst;
    }

    /// <summary>The innermost subgroup of two chained pools as elements of the outer group: emb1(emb2(s)) for s in it.</summary>
    public static int[] EmbeddedSubgroup<TPool1, TPool2>() where TPool1 : IGroupPool where TPool2 : IGroupPool
    {
        if (TPool1.SubgroupName != TPool2.GroupName)
            throw new ArgumentException($"{typeof(TPool1).Name} pools to {TPool1.SubgroupName} but {typeof(TPool2).Name} pools from {TPool2.GroupName}.");
        var outer = TPool1.Embedding;
        var inner = TPool2.Embedding;
        var result = new int[inner.Length];
        for (int s = 0; s < inner.Length; s++) result[s] = outer[inner[s]];
        return result;
    }

    /// <summary>
    /// How a classifier on n×n images reacts to one transform of every image (e.g. <see cref="TorusImages.Rot90"/>): the
    /// largest |logit difference| and the number of samples whose arg-max changes, over <paramref name="count"/> images,
    /// in evaluation mode and batches of <paramref name="batch"/>. Exactly invariant networks give rounding and 0.
    /// </summary>
    public static (double MaxLogitDifference, int ChangedPredictions) ImageInvariance(Network network, float[] images, int count, int side,
        Action<ReadOnlySpan<float>, Span<float>> transform, int batch = 500)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(transform);
        if (side <= 0) throw new ArgumentOutOfRangeException(nameof(side), side, "The image side must be positive.");
        if (batch <= 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "The batch must be positive.");
        int size = network.Input.Size;
        if (size != network.Input.Channels * side * side)
            throw new ArgumentException($"The network takes {network.Input}, not {side}×{side} images.", nameof(network));
        if (count < 0 || images.Length < (long)count * size)
            throw new ArgumentException($"images has {images.Length} values; {count} images need {(long)count * size}.", nameof(images));
        int classes = network.Output.Size;
        double worst = 0;
        int changed = 0;
        for (int b0 = 0; b0 < count; b0 += batch)
        {
            int n = Math.Min(batch, count - b0);
            var x = images.AsSpan(b0 * size, n * size).ToArray();
            var plain = network.Forward(x, n, training: false).AsSpan(0, n * classes).ToArray();
            var moved = new float[x.Length];
            for (int j = 0; j < n * network.Input.Channels; j++)
                transform(x.AsSpan(j * side * side, side * side), moved.AsSpan(j * side * side, side * side));
            var other = network.Forward(moved, n, training: false).AsSpan(0, n * classes);
            for (int j = 0; j < n; j++)
            {
                var a = plain.AsSpan(j * classes, classes);
                var c = other.Slice(j * classes, classes);
                for (int k = 0; k < classes; k++) worst = Math.Max(worst, Math.Abs(a[k] - c[k]));
                if (System.Numerics.Tensors.TensorPrimitives.IndexOfMax(a) != System.Numerics.Tensors.TensorPrimitives.IndexOfMax(c)) changed++;
            }
        }
        return (worst, changed);
    }
}

/// <summary>Image transforms with numpy's semantics (row 0 on top), for n×n images stored row-major.</summary>
public static class TorusImages
{
    static int Side(int length, int dstLength)
    {
        int n = (int)Math.Round(Math.Sqrt(length));
        if (n * n != length) throw new ArgumentException($"src has {length} values, not a square image.", "src");
        if (dstLength != length) throw new ArgumentException($"dst has {dstLength} values; expected {length}.", "dst");
        return n;
    }

    /// <summary>numpy's <c>rot90</c> (counter-clockwise): dst[i, j] = src[j, n−1−i]; the action of ((n−1, 0), r) in p4(n) and p4m(n).</summary>
    public static void Rot90(ReadOnlySpan<float> src, Span<float> dst)
    {
        int n = Side(src.Length, dst.Length);
        if (src.Overlaps(dst)) throw new ArgumentException("dst must not overlap src.", nameof(dst));
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                dst[i * n + j] = src[j * n + (n - 1 - i)];
    }

    /// <summary>numpy's <c>fliplr</c>: dst[i, j] = src[i, n−1−j]; the action of ((0, n−1), f) in p4m(n).</summary>
    public static void FlipLr(ReadOnlySpan<float> src, Span<float> dst)
    {
        int n = Side(src.Length, dst.Length);
        if (src.Overlaps(dst)) throw new ArgumentException("dst must not overlap src.", nameof(dst));
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                dst[i * n + j] = src[i * n + (n - 1 - j)];
    }
}
