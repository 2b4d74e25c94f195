// The generated kernels of the measured groups (GM_GENERATED, on by default); -p:GmBenchGenerated=false leaves them
// out, and the bench then measures the peers and the naive kernel only.
#if GM_GENERATED
using GmCodegen;

namespace GmCodegen.Bench;

[GroupMatrix("D14 x D14", Radius = 3)] public partial struct D14xD14r3;
[GroupMatrix("C32 x C32", Radius = 3)] public partial struct C32xC32r3;
[GroupMatrix("C32 x C32", Radius = 1)] public partial struct C32xC32r1;
[GroupMatrix("C64 x C64", Radius = 1)] public partial struct C64xC64r1;
// Issue 12's configurations (BenchConfig.Planner).
[GroupMatrix("D9 x D9", Radius = 2)] public partial struct D9xD9r2;
[GroupMatrix("C20 x C20", Radius = 2)] public partial struct C20xC20r2;
[GroupMatrix("C12 x C12 x C3", Radius = 1)] public partial struct C12xC12xC3r1;
[GroupMatrix("p4m(28)", Radius = 1)] public partial struct P4m28r1;

public static class GeneratedKernels
{
    public const bool Available = true;

    public static IKernelRunner For(BenchConfig c, int batch) => (c.Group, c.Radius) switch
    {
        ("D14 x D14", 3) => new GeneratedRunner<D14xD14r3>(c, batch),
        ("C32 x C32", 3) => new GeneratedRunner<C32xC32r3>(c, batch),
        ("C32 x C32", 1) => new GeneratedRunner<C32xC32r1>(c, batch),
        ("C64 x C64", 1) => new GeneratedRunner<C64xC64r1>(c, batch),
        ("D9 x D9", 2) => new GeneratedRunner<D9xD9r2>(c, batch),
        ("C20 x C20", 2) => new GeneratedRunner<C20xC20r2>(c, batch),
        ("C12 x C12 x C3", 1) => new GeneratedRunner<C12xC12xC3r1>(c, batch),
        ("p4m(28)", 1) => new GeneratedRunner<P4m28r1>(c, batch),
        _ => throw new ArgumentException($"no generated kernel declared for {c.Group} r{c.Radius}"),
    };

    /// <summary>Runs the four outputs once on the given (small) data, for the check against NaiveGm; null when the tables differ.</summary>
    public static (float[] y, float[] dx, float[] dw, float[] db, string? tableError) RunOnce(BenchConfig c, float[] x, float[] w, float[] b, float[] dy) =>
        (c.Group, c.Radius) switch
        {
            ("D14 x D14", 3) => RunOnce<D14xD14r3>(c, x, w, b, dy),
            ("C32 x C32", 3) => RunOnce<C32xC32r3>(c, x, w, b, dy),
            ("C32 x C32", 1) => RunOnce<C32xC32r1>(c, x, w, b, dy),
            ("C64 x C64", 1) => RunOnce<C64xC64r1>(c, x, w, b, dy),
            ("D9 x D9", 2) => RunOnce<D9xD9r2>(c, x, w, b, dy),
            ("C20 x C20", 2) => RunOnce<C20xC20r2>(c, x, w, b, dy),
            ("C12 x C12 x C3", 1) => RunOnce<C12xC12xC3r1>(c, x, w, b, dy),
            ("p4m(28)", 1) => RunOnce<P4m28r1>(c, x, w, b, dy),
            _ => throw new ArgumentException($"no generated kernel declared for {c.Group} r{c.Radius}"),
        };

    /// <summary>The generated plan's split for the report: rows x |F| and its distinct in-row permutations.</summary>
    public static string Plan(BenchConfig c) => (c.Group, c.Radius) switch
    {
        ("D14 x D14", 3) => Plan<D14xD14r3>(),
        ("C32 x C32", 3) => Plan<C32xC32r3>(),
        ("C32 x C32", 1) => Plan<C32xC32r1>(),
        ("C64 x C64", 1) => Plan<C64xC64r1>(),
        ("D9 x D9", 2) => Plan<D9xD9r2>(),
        ("C20 x C20", 2) => Plan<C20xC20r2>(),
        ("C12 x C12 x C3", 1) => Plan<C12xC12xC3r1>(),
        ("p4m(28)", 1) => Plan<P4m28r1>(),
        _ => "?",
    };

    static string Plan<T>() where T : IGroupPlan =>
        $"{T.SlowOrder} x {T.FastOrder}, {T.FastForwardCount}/{T.FastBackwardCount} perms{(T.ForwardShifts.Length > 0 ? ", shifted" : "")}";

    static (float[], float[], float[], float[], string?) RunOnce<T>(BenchConfig c, float[] x, float[] w, float[] b, float[] dy) where T : IGroupKernel
    {
        var s = c.Shape(c.Batch);
        float[] y = new float[dy.Length], dx = new float[x.Length], dw = new float[w.Length], db = new float[c.Out];
        T.Forward(s, x, w, b, y);
        T.BackwardInput(s, dy, w, dx);
        T.BackwardWeights(s, x, dy, dw, db);
        return (y, dx, dw, db, CheckTables<T>(c));
    }

    /// <summary>The generated kernel's own group description must agree with the bench's tables.</summary>
    public static string? CheckTables<T>(BenchConfig c) where T : IGroupKernel
    {
        if (T.Order != c.L || T.KernelSize != c.K) return $"order/kernel size {T.Order}/{T.KernelSize}, bench {c.L}/{c.K}";
        var table = NaiveGm.ForwardTable<T>();
        return table.AsSpan().SequenceEqual(c.Idx) ? null : "index table differs from the bench's (docs/design.md conventions)";
    }
}

public sealed class GeneratedRunner<T> : IKernelRunner where T : IGroupKernel
{
    public BenchConfig Config { get; }
    public double Scale { get; }
    public string Reduction { get; }
    readonly GmShape shape;
    readonly float[] x, w, bias, y, dy, dx, dw, db;

    public GeneratedRunner(BenchConfig c, int batch)
    {
        Config = c; Scale = (double)c.Batch / batch; Reduction = batch == c.Batch ? "" : $"B={batch}";
        shape = c.Shape(batch);
        var rng = new Random(42);
        float[] R(long n) { var a = new float[n]; for (long i = 0; i < n; i++) a[i] = (float)(rng.NextDouble() * 2 - 1); return a; }
        x = R((long)batch * c.In * c.L); w = R(c.WeightLength); bias = R(c.Out); dy = R((long)batch * c.Out * c.L);
        y = new float[dy.Length]; dx = new float[x.Length]; dw = new float[w.Length]; db = new float[c.Out];
        // Touch the outputs now: a fresh large array's pages are faulted in by their first write, which would otherwise
        // be charged to the first kernel call (time and the first-call RSS measurement).
        foreach (var a in new[] { y, dx, dw, db }) a.AsSpan().Fill(1f);
    }

    public void Pass(Pass p)
    {
        switch (p)
        {
            case Bench.Pass.Forward: T.Forward(shape, x, w, bias, y); break;
            case Bench.Pass.BackwardInput: T.BackwardInput(shape, dy, w, dx); break;
            default: T.BackwardWeights(shape, x, dy, dw, db); break;
        }
    }

    public (float[] y, float[] dx, float[] dw, float[] db) Outputs => (y, dx, dw, db);
}
#endif
