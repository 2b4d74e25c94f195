using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Runtime.InteropServices;

namespace GmCodegen;

/// <summary>
/// Argument checks shared by generated and naive kernels, so that a wrong buffer length fails at the call with the
/// argument's name and the expected length, never deep inside a kernel.
/// </summary>
public static class KernelSupport
{
    public static void CheckShape(in GmShape s)
    {
        if (s.Batch < 0) throw new ArgumentException($"Batch must be ≥ 0, was {s.Batch}.", nameof(s));
        if (s.InChannels <= 0) throw new ArgumentException($"InChannels must be > 0, was {s.InChannels}.", nameof(s));
        if (s.OutChannels <= 0) throw new ArgumentException($"OutChannels must be > 0, was {s.OutChannels}.", nameof(s));
        if (s.Mode is not (ChannelMode.Shared or ChannelMode.Full)) throw new ArgumentException($"Unknown channel mode {s.Mode}.", nameof(s));
    }

    public static int WeightLength(in GmShape s, int kernelSize) =>
        s.Mode == ChannelMode.Shared ? s.OutChannels * kernelSize : s.OutChannels * s.InChannels * kernelSize;

    public static void CheckLength(int actual, long expected, string name)
    {
        if (actual != expected)
            throw new ArgumentException($"{name} has length {actual}; expected {expected}.", name);
    }

    static void CheckBias(int actual, int outChannels, string name)
    {
        if (actual != 0 && actual != outChannels)
            throw new ArgumentException($"{name} has length {actual}; expected 0 (no bias) or {outChannels}.", name);
    }

    public static void CheckForward(int order, int kernelSize, in GmShape s,
        ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y)
    {
        CheckShape(s);
        CheckLength(x.Length, (long)s.Batch * s.InChannels * order, nameof(x));
        CheckLength(w.Length, WeightLength(s, kernelSize), nameof(w));
        CheckBias(bias.Length, s.OutChannels, nameof(bias));
        CheckLength(y.Length, (long)s.Batch * s.OutChannels * order, nameof(y));
    }

    public static void CheckBackwardInput(int order, int kernelSize, in GmShape s,
        ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx)
    {
        CheckShape(s);
        CheckLength(dy.Length, (long)s.Batch * s.OutChannels * order, nameof(dy));
        CheckLength(w.Length, WeightLength(s, kernelSize), nameof(w));
        CheckLength(dx.Length, (long)s.Batch * s.InChannels * order, nameof(dx));
    }

    public static void CheckBackwardWeights(int order, int kernelSize, in GmShape s,
        ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw, Span<float> dbias)
    {
        CheckShape(s);
        CheckLength(x.Length, (long)s.Batch * s.InChannels * order, nameof(x));
        CheckLength(dy.Length, (long)s.Batch * s.OutChannels * order, nameof(dy));
        CheckLength(dw.Length, WeightLength(s, kernelSize), nameof(dw));
        CheckBias(dbias.Length, s.OutChannels, nameof(dbias));
    }

    // ---- helpers the generated kernels call --------------------------------------------------------------

    /// <summary>Rounds a column count up to two vectors, the micro-kernel's column block.</summary>
    public static int Padded(int n)
    {
        int block = 2 * System.Numerics.Vector<float>.Count;
        return (n + block - 1) / block * block;
    }

    /// <summary>
    /// A row stride ≥ n (a multiple of 2 vectors) spanning an odd number of 64-byte lines. With a stride of 2^k bytes
    /// (|G| = 1024 is 4 KiB) every row of a column strip falls into the same L1 set, whose 8 ways cannot hold the
    /// strip: measured 58 % → 74 % of peak on Wᵀ·dy for cifar-first.
    /// </summary>
    public static int Skewed(int n)
    {
        int p = Padded(n), line = 64 / sizeof(float);
        return p / line % 2 == 1 ? p : p + line;
    }

    /// <summary>Floats of a packed panel meant to stay in L2 (128 KiB of the 1 MiB per core).</summary>
    public const int PanelFloats = 32 * 1024;

    /// <summary>
    /// Rows of the fast factor per position tile: enough for two vector blocks, few enough that the depth x tile
    /// panel stays L2-resident (≈ 128 KiB), and where the group allows a multiple of the rows that make the tile a
    /// whole number of vector blocks, so that results can be stored straight into the output.
    /// </summary>
    public static int TileRows(int depth, int fastOrder, int slowOrder) =>
        TileRowsOf(PanelFloats / Math.Max(1, depth * fastOrder), fastOrder, slowOrder);

    /// <summary><see cref="TileRows"/> given how many rows fit the panel budget.</summary>
    public static int TileRowsOf(int fit, int fastOrder, int slowOrder)
    {
        int block = 2 * System.Numerics.Vector<float>.Count;
        int min = (block + fastOrder - 1) / fastOrder;
        int rows = Math.Clamp(Math.Max(min, fit), 1, Math.Max(1, slowOrder));
        int step = block / Gcd(fastOrder, block);    // rows·|F| is a multiple of the block iff rows is a multiple of step
        return step <= slowOrder ? Math.Max(step, rows / step * step) : rows;
    }

    static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);

    public static RentedBuffer Rent(int length) =>
        length <= 0 ? default : new RentedBuffer(System.Buffers.ArrayPool<float>.Shared.Rent(length), length);

    // Vector moves of gather runs: dst[d + t] (+)= src[s + t], or src[s + w-1-t] for the reversed forms (w lanes).
    // The generated code owns the bounds (they are compile-time constants checked by the planner).

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Copy8(ref float src, int s, ref float dst, int d) =>
        Vector256.LoadUnsafe(ref src, (nuint)s).StoreUnsafe(ref dst, (nuint)d);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Copy4(ref float src, int s, ref float dst, int d) =>
        Vector128.LoadUnsafe(ref src, (nuint)s).StoreUnsafe(ref dst, (nuint)d);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CopyReversed8(ref float src, int s, ref float dst, int d) =>
        Reverse(Vector256.LoadUnsafe(ref src, (nuint)s)).StoreUnsafe(ref dst, (nuint)d);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CopyReversed4(ref float src, int s, ref float dst, int d) =>
        Reverse(Vector128.LoadUnsafe(ref src, (nuint)s)).StoreUnsafe(ref dst, (nuint)d);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Add8(ref float src, int s, ref float dst, int d) =>
        (Vector256.LoadUnsafe(ref dst, (nuint)d) + Vector256.LoadUnsafe(ref src, (nuint)s)).StoreUnsafe(ref dst, (nuint)d);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Add4(ref float src, int s, ref float dst, int d) =>
        (Vector128.LoadUnsafe(ref dst, (nuint)d) + Vector128.LoadUnsafe(ref src, (nuint)s)).StoreUnsafe(ref dst, (nuint)d);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddReversed8(ref float src, int s, ref float dst, int d) =>
        (Vector256.LoadUnsafe(ref dst, (nuint)d) + Reverse(Vector256.LoadUnsafe(ref src, (nuint)s))).StoreUnsafe(ref dst, (nuint)d);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddReversed4(ref float src, int s, ref float dst, int d) =>
        (Vector128.LoadUnsafe(ref dst, (nuint)d) + Reverse(Vector128.LoadUnsafe(ref src, (nuint)s))).StoreUnsafe(ref dst, (nuint)d);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> Reverse(Vector256<float> v) =>
        Avx2.IsSupported ? Avx2.PermuteVar8x32(v, Vector256.Create(7, 6, 5, 4, 3, 2, 1, 0)) : Vector256.Shuffle(v, Vector256.Create(7, 6, 5, 4, 3, 2, 1, 0));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector128<float> Reverse(Vector128<float> v) =>
        Sse.IsSupported ? Sse.Shuffle(v, v, 0b00_01_10_11) : Vector128.Shuffle(v, Vector128.Create(3, 2, 1, 0));

    /// <summary>Copies rows of length <paramref name="length"/> into rows of <paramref name="padded"/> zero-filled to that width.</summary>
    public static ReadOnlySpan<float> PadRows(ReadOnlySpan<float> src, int rows, int length, int padded, Span<float> dst)
    {
        for (int r = 0; r < rows; r++)
        {
            src.Slice(r * length, length).CopyTo(dst.Slice(r * padded, length));
            dst.Slice(r * padded + length, padded - length).Clear();
        }
        return dst.Slice(0, rows * padded);
    }

    /// <summary>s[a] = Σ_i x[i,a] over <paramref name="channels"/> rows of length <paramref name="order"/>.</summary>
    public static ReadOnlySpan<float> SumChannels(ReadOnlySpan<float> x, int channels, int order, Span<float> s)
    {
        x.Slice(0, order).CopyTo(s);
        for (int i = 1; i < channels; i++)
            System.Numerics.Tensors.TensorPrimitives.Add(s, x.Slice(i * order, order), s);
        return s;
    }

    /// <summary>
    /// dst[t·ldd + r] = src[r·lds + t] for r &lt; rows, t &lt; cols; columns [rows, ldd) of dst are zeroed, except
    /// column rows, which is 1 when <paramref name="onesColumn"/> (so that a GEMM over dst also sums its other operand).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Transpose(ReadOnlySpan<float> src, int rows, int lds, int cols, Span<float> dst, int ldd, bool onesColumn = false)
    {
        if ((long)(rows - 1) * lds + cols > src.Length || (long)(cols - 1) * ldd + ldd > dst.Length || rows + (onesColumn ? 1 : 0) > ldd)
            throw new ArgumentException("Transpose buffers are too short.");
        ref float s = ref MemoryMarshal.GetReference(src);
        ref float d = ref MemoryMarshal.GetReference(dst);
        int r0 = 0;
        if (Avx.IsSupported)
            for (; r0 + 8 <= rows; r0 += 8)
            {
                int t0 = 0;
                for (; t0 + 8 <= cols; t0 += 8)
                    Transpose8x8(ref Unsafe.Add(ref s, r0 * lds + t0), lds, ref Unsafe.Add(ref d, t0 * ldd + r0), ldd);
                for (; t0 < cols; t0++)
                    for (int r = r0; r < r0 + 8; r++) Unsafe.Add(ref d, t0 * ldd + r) = Unsafe.Add(ref s, r * lds + t0);
            }
        for (; r0 < rows; r0++)
            for (int t = 0; t < cols; t++) Unsafe.Add(ref d, t * ldd + r0) = Unsafe.Add(ref s, r0 * lds + t);
        for (int t = 0; t < cols; t++) dst.Slice(t * ldd + rows, ldd - rows).Clear();
        if (onesColumn)
            for (int t = 0; t < cols; t++) Unsafe.Add(ref d, t * ldd + rows) = 1f;
    }

    /// <summary>The classic AVX 8×8 transpose: unpack pairs, shuffle quads, swap 128-bit halves.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Transpose8x8(ref float src, int lds, ref float dst, int ldd)
    {
        var r0 = Vector256.LoadUnsafe(ref src); var r1 = Vector256.LoadUnsafe(ref src, (nuint)lds);
        var r2 = Vector256.LoadUnsafe(ref src, (nuint)(2 * lds)); var r3 = Vector256.LoadUnsafe(ref src, (nuint)(3 * lds));
        var r4 = Vector256.LoadUnsafe(ref src, (nuint)(4 * lds)); var r5 = Vector256.LoadUnsafe(ref src, (nuint)(5 * lds));
        var r6 = Vector256.LoadUnsafe(ref src, (nuint)(6 * lds)); var r7 = Vector256.LoadUnsafe(ref src, (nuint)(7 * lds));
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var s0 = Avx.Shuffle(t0, t2, 0x44); var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44); var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44); var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44); var s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(s0, s4, 0x20).StoreUnsafe(ref dst);
        Avx.Permute2x128(s1, s5, 0x20).StoreUnsafe(ref dst, (nuint)ldd);
        Avx.Permute2x128(s2, s6, 0x20).StoreUnsafe(ref dst, (nuint)(2 * ldd));
        Avx.Permute2x128(s3, s7, 0x20).StoreUnsafe(ref dst, (nuint)(3 * ldd));
        Avx.Permute2x128(s0, s4, 0x31).StoreUnsafe(ref dst, (nuint)(4 * ldd));
        Avx.Permute2x128(s1, s5, 0x31).StoreUnsafe(ref dst, (nuint)(5 * ldd));
        Avx.Permute2x128(s2, s6, 0x31).StoreUnsafe(ref dst, (nuint)(6 * ldd));
        Avx.Permute2x128(s3, s7, 0x31).StoreUnsafe(ref dst, (nuint)(7 * ldd));
    }

    static int Workers(int batch) => Math.Max(1, Math.Min(KernelParallelism.MaxDegree, batch));

    static (int, int) Chunk(int batch, int workers, int w) => ((int)((long)batch * w / workers), (int)((long)batch * (w + 1) / workers));

    /// <summary>Runs <paramref name="body"/> over contiguous batch chunks, one per worker.</summary>
    public static unsafe void ForBatch(int batch, ReadOnlySpan<float> in0, ReadOnlySpan<float> in1, ReadOnlySpan<float> in2, Span<float> out0, BatchBody body)
    {
        int workers = Workers(batch);
        if (workers == 1) { body(0, batch, in0, in1, in2, out0); return; }
        fixed (float* p0 = in0, p1 = in1, p2 = in2, q0 = out0)
        {
            // Spans cannot cross into the workers; the buffers stay pinned for the whole call.
            nint a0 = (nint)p0, a1 = (nint)p1, a2 = (nint)p2, c0 = (nint)q0;
            int l0 = in0.Length, l1 = in1.Length, l2 = in2.Length, m0 = out0.Length;
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
            {
                var (b0, b1) = Chunk(batch, workers, w);
                body(b0, b1, new ReadOnlySpan<float>((void*)a0, l0), new ReadOnlySpan<float>((void*)a1, l1),
                    new ReadOnlySpan<float>((void*)a2, l2), new Span<float>((void*)c0, m0));
            });
        }
    }

    /// <summary>Batch chunks of a reduction: fixed, so that sums do not depend on the number of threads.</summary>
    public const int ReductionChunks = 8;

    /// <summary>
    /// Runs <paramref name="body"/> over <see cref="ReductionChunks"/> contiguous batch chunks, each into its own
    /// zeroed partial buffer, and sums the partials into <paramref name="total"/> in chunk order. The chunking does
    /// not depend on the thread count, so the result is bit-identical on 1 or 2 (or 64) threads.
    /// </summary>
    public static unsafe void ForBatchReduce(int batch, ReadOnlySpan<float> in0, ReadOnlySpan<float> in1, Span<float> total, BatchReduceBody body)
    {
        total.Clear();
        int chunks = Math.Min(ReductionChunks, batch);
        if (chunks <= 1) { body(0, batch, in0, in1, total); return; }
        int workers = Math.Min(Workers(batch), chunks);
        var partials = new RentedBuffer[chunks];
        try
        {
            for (int c = 0; c < chunks; c++) { partials[c] = Rent(total.Length); partials[c].Span.Clear(); }
            fixed (float* p0 = in0, p1 = in1)
            {
                nint a0 = (nint)p0, a1 = (nint)p1;
                int l0 = in0.Length, l1 = in1.Length;
                void Chunks(int w)
                {
                    for (int c = w; c < chunks; c += workers)
                    {
                        var (b0, b1) = Chunk(batch, chunks, c);
                        body(b0, b1, new ReadOnlySpan<float>((void*)a0, l0), new ReadOnlySpan<float>((void*)a1, l1), partials[c].Span);
                    }
                }
                if (workers == 1) Chunks(0);
                else Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, Chunks);
            }
            foreach (var p in partials) System.Numerics.Tensors.TensorPrimitives.Add(total, p.Span, total);
        }
        finally
        {
            foreach (var p in partials) p.Dispose();
        }
    }

    /// <summary>dw[o·depth + r] = total[o·dp + r]; dbias[o] = total[o·dp + depth] (the GEMM's column of ones).</summary>
    public static void FinishWeights(in GmShape s, int depth, int dp, ReadOnlySpan<float> total, Span<float> dw, Span<float> dbias)
    {
        for (int o = 0; o < s.OutChannels; o++)
            total.Slice(o * dp, depth).CopyTo(dw.Slice(o * depth, depth));
        if (!dbias.IsEmpty)
            for (int o = 0; o < s.OutChannels; o++) dbias[o] = total[o * dp + depth];
    }
}

/// <summary>A pooled float buffer; dispose returns it. Kernels rent per call and per worker, so steady state allocates nothing.</summary>
public readonly struct RentedBuffer(float[]? array, int length) : IDisposable
{
    public Span<float> Span => array is null ? Span<float>.Empty : array.AsSpan(0, length);
    public void Dispose() { if (array is not null) System.Buffers.ArrayPool<float>.Shared.Return(array); }
}

/// <summary>Per-worker body over a contiguous batch range; spans are re-created inside the worker.</summary>
public delegate void BatchBody(int b0, int b1, ReadOnlySpan<float> in0, ReadOnlySpan<float> in1, ReadOnlySpan<float> in2, Span<float> out0);

/// <summary>Per-worker body that accumulates into its own zeroed partial buffer.</summary>
public delegate void BatchReduceBody(int b0, int b1, ReadOnlySpan<float> in0, ReadOnlySpan<float> in1, Span<float> partial);
