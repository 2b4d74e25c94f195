namespace GmCodegen;

/// <summary>How many threads a kernel or layer call may use (over the batch). Defaults to every core.</summary>
public static class KernelParallelism
{
    static int _maxDegree = Environment.ProcessorCount;

    public static int MaxDegree
    {
        get => _maxDegree;
        set => _maxDegree = value >= 1 ? value : throw new ArgumentException($"MaxDegree must be ≥ 1, was {value}.", nameof(value));
    }
}

/// <summary>
/// The one parallelism policy of the runtime: work is split over the batch into contiguous chunks, at most
/// <see cref="KernelParallelism.MaxDegree"/> of them, and not at all when there is too little work to pay for the fork.
/// Each chunk writes only its own samples (or its own partial sum), so results never depend on the scheduling.
/// </summary>
internal static class BatchParallel
{
    /// <summary>Below this many floats of work per call, a plain loop beats a fork.</summary>
    public const long ForkThreshold = 1 << 15;

    static int Workers(int batch, long work) =>
        work < ForkThreshold ? 1 : Math.Max(1, Math.Min(KernelParallelism.MaxDegree, batch));

    static (int, int) Chunk(int batch, int workers, int w) => ((int)((long)batch * w / workers), (int)((long)batch * (w + 1) / workers));

    /// <summary>body(b) for b in 0..batch-1, over contiguous chunks of samples.</summary>
    public static void For(int batch, long workPerSample, Action<int> body)
    {
        int workers = Workers(batch, batch * workPerSample);
        if (workers == 1) { for (int b = 0; b < batch; b++) body(b); return; }
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
        {
            var (b0, b1) = Chunk(batch, workers, w);
            for (int b = b0; b < b1; b++) body(b);
        });
    }

    /// <summary>Runs <paramref name="body"/> over contiguous batch chunks, one per worker.</summary>
    public static unsafe void ForBatch(int batch, ReadOnlySpan<float> in0, ReadOnlySpan<float> in1, ReadOnlySpan<float> in2, Span<float> out0, BatchBody body)
    {
        int workers = Workers(batch, long.MaxValue);
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
        int workers = Math.Min(Workers(batch, long.MaxValue), chunks);
        var partials = new RentedBuffer[chunks];
        try
        {
            for (int c = 0; c < chunks; c++) { partials[c] = RentedBuffer.Rent(total.Length); partials[c].Span.Clear(); }
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
}

/// <summary>Per-worker body over a contiguous batch range; spans are re-created inside the worker.</summary>
internal delegate void BatchBody(int b0, int b1, ReadOnlySpan<float> in0, ReadOnlySpan<float> in1, ReadOnlySpan<float> in2, Span<float> out0);

/// <summary>Per-worker body that accumulates into its own zeroed partial buffer.</summary>
internal delegate void BatchReduceBody(int b0, int b1, ReadOnlySpan<float> in0, ReadOnlySpan<float> in1, Span<float> partial);
