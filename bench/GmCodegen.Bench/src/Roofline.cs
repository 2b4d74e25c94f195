using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GmCodegen.Bench;

/// <summary>The machine's roofline, measured by this program: Vector256 FMA peak and memory bandwidth.</summary>
public static class Roofline
{
    /// <param name="Fma512Gflops">the same with Vector512 where the CPU has AVX-512 (for information: the kernels target Vector256).</param>
    public sealed record Result(int Threads, double FmaGflops, double ReadGBs, double CopyGBs, double WriteGBs, double FirstTouchGBs, double Fma512Gflops = double.NaN);

    const int Accumulators = 12;   // ≥ 10 independent chains: FMA latency 4–5 cycles × 2 FMA pipes

    /// <summary>GFLOP/s of Vector256 FMA (2 flops × 8 lanes per FMA) on <paramref name="threads"/> threads; best of a few runs.</summary>
    public static double FmaPeak(int threads, double seconds = 0.6)
    {
        if (!Fma.IsSupported || !Vector256.IsHardwareAccelerated) return double.NaN;
        long iters = 2_000_000;
        FmaKernel(iters / 10);   // JIT + warm
        double best = 0;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < seconds || best == 0)
        {
            double t = RunParallel(threads, () => FmaKernel(iters));
            best = Math.Max(best, 2.0 * 8 * Accumulators * iters * threads / t / 1e9);
        }
        return best;
    }

    static float sink;

    public static double FmaPeak512(int threads, double seconds = 0.4)
    {
        if (!Vector512.IsHardwareAccelerated || !Avx512F.IsSupported) return double.NaN;
        long iters = 1_000_000;
        FmaKernel512(iters / 10);
        double best = 0;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < seconds || best == 0)
            best = Math.Max(best, 2.0 * 16 * Accumulators * iters * threads / RunParallel(threads, () => FmaKernel512(iters)) / 1e9);
        return best;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    static void FmaKernel512(long iters)
    {
        var m = Vector512.Create(0.9999999f); var c = Vector512.Create(1e-7f);
        Vector512<float> a0 = Vector512.Create(1f), a1 = Vector512.Create(2f), a2 = Vector512.Create(3f), a3 = Vector512.Create(4f),
            a4 = Vector512.Create(5f), a5 = Vector512.Create(6f), a6 = Vector512.Create(7f), a7 = Vector512.Create(8f),
            a8 = Vector512.Create(9f), a9 = Vector512.Create(10f), a10 = Vector512.Create(11f), a11 = Vector512.Create(12f);
        for (long i = 0; i < iters; i++)
        {
            a0 = Avx512F.FusedMultiplyAdd(a0, m, c); a1 = Avx512F.FusedMultiplyAdd(a1, m, c); a2 = Avx512F.FusedMultiplyAdd(a2, m, c);
            a3 = Avx512F.FusedMultiplyAdd(a3, m, c); a4 = Avx512F.FusedMultiplyAdd(a4, m, c); a5 = Avx512F.FusedMultiplyAdd(a5, m, c);
            a6 = Avx512F.FusedMultiplyAdd(a6, m, c); a7 = Avx512F.FusedMultiplyAdd(a7, m, c); a8 = Avx512F.FusedMultiplyAdd(a8, m, c);
            a9 = Avx512F.FusedMultiplyAdd(a9, m, c); a10 = Avx512F.FusedMultiplyAdd(a10, m, c); a11 = Avx512F.FusedMultiplyAdd(a11, m, c);
        }
        var s = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
        sink += Vector512.Sum(s);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    static void FmaKernel(long iters)
    {
        var m = Vector256.Create(0.9999999f); var c = Vector256.Create(1e-7f);
        Vector256<float> a0 = Vector256.Create(1f), a1 = Vector256.Create(2f), a2 = Vector256.Create(3f), a3 = Vector256.Create(4f),
            a4 = Vector256.Create(5f), a5 = Vector256.Create(6f), a6 = Vector256.Create(7f), a7 = Vector256.Create(8f),
            a8 = Vector256.Create(9f), a9 = Vector256.Create(10f), a10 = Vector256.Create(11f), a11 = Vector256.Create(12f);
        for (long i = 0; i < iters; i++)
        {
            a0 = Fma.MultiplyAdd(a0, m, c); a1 = Fma.MultiplyAdd(a1, m, c); a2 = Fma.MultiplyAdd(a2, m, c);
            a3 = Fma.MultiplyAdd(a3, m, c); a4 = Fma.MultiplyAdd(a4, m, c); a5 = Fma.MultiplyAdd(a5, m, c);
            a6 = Fma.MultiplyAdd(a6, m, c); a7 = Fma.MultiplyAdd(a7, m, c); a8 = Fma.MultiplyAdd(a8, m, c);
            a9 = Fma.MultiplyAdd(a9, m, c); a10 = Fma.MultiplyAdd(a10, m, c); a11 = Fma.MultiplyAdd(a11, m, c);
        }
        var s = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
        sink += Vector256.Sum(s);
    }

    /// <summary>Runs <paramref name="work"/> on n dedicated threads started together; returns the wall time in seconds.</summary>
    static double RunParallel(int n, Action work) => RunParallel(n, _ => work());

    static double RunParallel(int n, Action<int> work)
    {
        // Each worker stamps its own start and end after the barrier: the main thread may be descheduled on a 2-core
        // machine, so its own clock would miss part of the work.
        var begin = new long[n]; var end = new long[n];
        using var start = new Barrier(n);
        var threads = Enumerable.Range(0, n).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            begin[t] = Stopwatch.GetTimestamp();
            work(t);
            end[t] = Stopwatch.GetTimestamp();
        })).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        return (end.Max() - begin.Min()) / (double)Stopwatch.Frequency;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    static float ReadSum(ReadOnlySpan<float> s)
    {
        ref float p = ref MemoryMarshal.GetReference(s);
        Vector256<float> a = default, b = default, c = default, d = default;
        int i = 0;
        for (; i <= s.Length - 32; i += 32)
        {
            a += Vector256.LoadUnsafe(ref p, (nuint)i); b += Vector256.LoadUnsafe(ref p, (nuint)i + 8);
            c += Vector256.LoadUnsafe(ref p, (nuint)i + 16); d += Vector256.LoadUnsafe(ref p, (nuint)i + 24);
        }
        return Vector256.Sum(a + b + c + d);
    }

    /// <summary>Bandwidths in GB/s (10⁹ bytes) over arrays of <paramref name="mib"/> MiB, split evenly over the threads.</summary>
    public static (double read, double copy, double write, double firstTouch) Bandwidth(int threads, int mib = 512, int reps = 4)
    {
        int n = mib * 1024 * 1024 / 4;
        var src = GC.AllocateUninitializedArray<float>(n);
        var dst = GC.AllocateUninitializedArray<float>(n);
        src.AsSpan().Fill(1f); dst.AsSpan().Fill(0f);
        int chunk = n / threads;
        Span<float> Part(float[] arr, int t) => arr.AsSpan(t * chunk, t == threads - 1 ? n - t * chunk : chunk);
        double read = 0, copy = 0, write = 0;
        for (int r = 0; r < reps; r++)
        {
            read = Math.Max(read, 4.0 * n / RunParallel(threads, t => sink += ReadSum(Part(src, t))) / 1e9);
            copy = Math.Max(copy, 8.0 * n / RunParallel(threads, t => Part(src, t).CopyTo(Part(dst, t))) / 1e9);
            write = Math.Max(write, 4.0 * n / RunParallel(threads, t => Part(dst, t).Fill(2f)) / 1e9);
        }
        src = dst = null!;
        GC.Collect(); GC.WaitForPendingFinalizers();
        // First touch: a fresh allocation's pages are faulted in by the first write (what a peer pays when it allocates
        // its temporaries on every call and the allocator returns them to the OS).
        double first = 0;
        for (int r = 0; r < 2; r++)
        {
            unsafe
            {
                // malloc of this size is a fresh mmap: every page is faulted in by the first write.
                float* fresh = (float*)NativeMemory.Alloc((nuint)n, sizeof(float));
                first = Math.Max(first, 4.0 * n / RunParallel(threads, t =>
                {
                    int len = t == threads - 1 ? n - t * chunk : chunk;
                    new Span<float>(fresh + (long)t * chunk, len).Fill(3f);
                }) / 1e9);
                NativeMemory.Free(fresh);
            }
        }
        return (read, copy, write, first);
    }

    public static Result Measure(int threads)
    {
        double fma = FmaPeak(threads);
        var (r, c, w, f) = Bandwidth(threads);
        return new Result(threads, fma, r, c, w, f, FmaPeak512(threads));
    }
}
