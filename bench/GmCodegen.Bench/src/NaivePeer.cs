using GmCodegen;

namespace GmCodegen.Bench;

/// <summary>
/// The runtime's naive table-driven kernel (<see cref="NaiveGm"/>) on one configuration, fed with the bench's own index
/// table. NaiveGm is single-threaded scalar code; the 2-thread variant splits the batch into one contiguous half per
/// thread (backward-weights: one dw/dbias per thread, summed after), which is exact and what a user would do.
/// It is very slow, so it runs on a reduced batch and its times are scaled to the configuration's batch.
/// </summary>
public sealed class NaiveRunner : IKernelRunner
{
    public BenchConfig Config { get; }
    public int Threads { get; }
    /// <summary>The batch actually run (a multiple of <see cref="Threads"/>).</summary>
    public int RunBatch { get; }
    /// <summary>Multiply a measured time by this to get the configuration's full batch.</summary>
    /// <summary>Output channels actually run: reduced (time is exactly linear in O: the o loop is outermost but
    /// one) only when a single sample per thread is still far above the time target (rotmnist-deep, plume).</summary>
    public int RunOut { get; }
    public double Scale => (double)Config.Batch / RunBatch * Config.Out / RunOut;
    public string Reduction => RunOut == Config.Out ? $"B={RunBatch}" : $"B={RunBatch}, O={RunOut}";
    readonly BenchConfig run;   // the configuration actually run (reduced O)

    readonly float[] x, w, bias, y, dy, dx, dw, db;
    readonly float[][] dwPart, dbPart;
    readonly int[] idx;

    /// <param name="macsPerThread">target multiply-adds per thread and call, which sets the reduced batch.</param>
    public NaiveRunner(BenchConfig full, int threads, double macsPerThread = 1.5e8)
    {
        Config = full; Threads = threads; idx = full.Idx;
        double perSample = (double)full.Out * full.In * full.K * full.L;    // NaiveGm does I·K per output in both modes
        int perThread = Math.Clamp((int)Math.Round(macsPerThread / perSample), 1, full.Batch / threads);
        RunBatch = perThread * threads;
        RunOut = perSample > 3 * macsPerThread ? Math.Max(1, (int)Math.Ceiling(full.Out * macsPerThread / perSample)) : full.Out;
        var c = run = full with { Out = RunOut };
        var rng = new Random(42);
        float[] R(long n) { var a = new float[n]; for (long i = 0; i < n; i++) a[i] = (float)(rng.NextDouble() * 2 - 1); return a; }
        x = R((long)RunBatch * c.In * c.L); w = R(c.WeightLength); bias = R(c.Out);
        dy = R((long)RunBatch * c.Out * c.L);
        y = new float[(long)RunBatch * c.Out * c.L]; dx = new float[x.Length]; dw = new float[w.Length]; db = new float[c.Out];
        foreach (var a in new[] { y, dx, dw, db }) a.AsSpan().Fill(1f);   // fault the pages in before any timing
        dwPart = Enumerable.Range(0, threads).Select(_ => new float[w.Length]).ToArray();
        dbPart = Enumerable.Range(0, threads).Select(_ => new float[c.Out]).ToArray();
    }

    (int b0, int nb) Slice(int t) { int per = RunBatch / Threads; return (t * per, t == Threads - 1 ? RunBatch - t * per : per); }

    void Run(Action<int> part)
    {
        if (Threads == 1) { part(0); return; }
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, part);
    }

    public void Forward() => Run(t =>
    {
        var (b0, nb) = Slice(t); var c = run; int il = c.In * c.L, ol = c.Out * c.L;
        NaiveGm.Forward(c.L, c.K, idx, c.Shape(nb), x.AsSpan(b0 * il, nb * il), w, bias, y.AsSpan(b0 * ol, nb * ol));
    });

    public void BackwardInput() => Run(t =>
    {
        var (b0, nb) = Slice(t); var c = run; int il = c.In * c.L, ol = c.Out * c.L;
        NaiveGm.BackwardInput(c.L, c.K, idx, c.Shape(nb), dy.AsSpan(b0 * ol, nb * ol), w, dx.AsSpan(b0 * il, nb * il));
    });

    public void BackwardWeights()
    {
        var c = run;
        if (Threads == 1) { NaiveGm.BackwardWeights(c.L, c.K, idx, c.Shape(RunBatch), x, dy, dw, db); return; }
        Run(t =>
        {
            var (b0, nb) = Slice(t); int il = c.In * c.L, ol = c.Out * c.L;
            NaiveGm.BackwardWeights(c.L, c.K, idx, c.Shape(nb), x.AsSpan(b0 * il, nb * il), dy.AsSpan(b0 * ol, nb * ol), dwPart[t], dbPart[t]);
        });
        dwPart[0].CopyTo(dw); dbPart[0].CopyTo(db);
        for (int t = 1; t < Threads; t++)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(dw, dwPart[t], dw);
            System.Numerics.Tensors.TensorPrimitives.Add(db, dbPart[t], db);
        }
    }

    public void Pass(Pass p)
    {
        switch (p)
        {
            case Bench.Pass.Forward: Forward(); break;
            case Bench.Pass.BackwardInput: BackwardInput(); break;
            case Bench.Pass.BackwardWeights: BackwardWeights(); break;
            default: throw new ArgumentOutOfRangeException(nameof(p));
        }
    }
}

public enum Pass { Forward, BackwardInput, BackwardWeights }
