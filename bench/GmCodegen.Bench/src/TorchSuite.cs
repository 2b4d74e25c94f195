using System.Diagnostics;
using GmCodegen;
using TorchSharp;
using static TorchSharp.torch;

namespace GmCodegen.Bench;

/// <summary>
/// The libtorch peers, run in a child process of their own (so that GLIBC_TUNABLES can be set before the process
/// starts, and libtorch's memory never mixes with the managed measurements). Timed with the bench's own timer, not
/// BenchmarkDotNet: one warm-up call then the median of a few calls (a single call for the reference algorithm on
/// rotmnist-deep, which materialises ~9 GiB), because a BDN job per heavy libtorch case would not fit the suite's budget.
/// </summary>
public static class TorchSuite
{
    public static bool Tunables => (Environment.GetEnvironmentVariable("GLIBC_TUNABLES") ?? "").Contains("mmap_max=0");

    public static void Run(IReadOnlyList<BenchConfig> configs, int[] threadCounts, string outPath, double budgetSeconds)
    {
        var output = new SuiteOutput();
        output.Info["torch"] = __version__;
        output.Info["GLIBC_TUNABLES"] = Environment.GetEnvironmentVariable("GLIBC_TUNABLES") ?? "";
        output.Info["peakRssReset"] = ProcMem.CanResetPeak.ToString();
        Console.WriteLine($"[torch] libtorch {__version__} loaded; GLIBC_TUNABLES='{output.Info["GLIBC_TUNABLES"]}'");
        set_num_threads(1);
        output.Checks.AddRange(Verify(configs));
        foreach (var ch in output.Checks)
            Console.WriteLine($"[torch] check {ch.Group} r{ch.Radius} {ch.Mode} {ch.Impl}: fwd {ch.Forward:E1} dx {ch.BackwardInput:E1} dw {ch.BackwardWeights:E1} db {ch.BackwardBias:E1} {(ch.Ok ? "OK" : "MISMATCH")}");
        output.Save(outPath);
        foreach (var c in configs)
        foreach (int t in threadCounts)
        foreach (var peer in TorchPeer.All.Where(p => p.Applies(c)))
        {
            if (!output.Checks.Any(ch => ch.Impl == peer.Name && ch.Group == c.Group && ch.Radius == c.Radius && ch.Mode == c.Mode.ToString() && ch.Ok))
            {
                Console.WriteLine($"[torch] {c.Name} {peer.Name}: not verified, not timed");
                continue;
            }
            output.Rows.AddRange(Time(c, peer, t, budgetSeconds));
            output.Save(outPath);   // keep what is done if a later case dies
        }
        output.Save(outPath);
    }

    static Tensor IdxTensor(BenchConfig c) => tensor(c.Idx.Select(i => (long)i).ToArray(), [c.K, c.L]);

    static long[] WeightShape(BenchConfig c) => c.Mode == ChannelMode.Shared ? [c.Out, c.K] : [c.Out, c.In, c.K];

    /// <summary>Each peer against NaiveGm on small inputs of every (group, radius, mode) in the suite: forward, dx, dw, dbias.</summary>
    public static List<Check> Verify(IEnumerable<BenchConfig> configs)
    {
        var checks = new List<Check>();
        foreach (var big in configs.DistinctBy(c => (c.Group, c.Radius, c.Mode)))
        {
            var c = big with { Batch = 2, In = Math.Min(big.In, 3), Out = 4 };
            if (c.In == 1 && big.In > 1) c = c with { In = 2 };
            var rng = new Random(7);
            float[] R(long n) { var a = new float[n]; for (long i = 0; i < n; i++) a[i] = (float)(rng.NextDouble() * 2 - 1); return a; }
            var x = R((long)c.Batch * c.In * c.L); var w = R(c.WeightLength); var b = R(c.Out); var dy = R((long)c.Batch * c.Out * c.L);
            var y = new float[dy.Length]; var dx = new float[x.Length]; var dw = new float[w.Length]; var db = new float[c.Out];
            var s = c.Shape(c.Batch);
            NaiveGm.Forward(c.L, c.K, c.Idx, s, x, w, b, y);
            NaiveGm.BackwardInput(c.L, c.K, c.Idx, s, dy, w, dx);
            NaiveGm.BackwardWeights(c.L, c.K, c.Idx, s, x, dy, dw, db);
            // Forms of the small case that the peers need: with In = 1 sum-first is vacuous, the 'deep' case carries In > 1.
            foreach (var peer in TorchPeer.All.Where(p => p.Applies(big)))
            {
                using var scope = NewDisposeScope();
                var tx = tensor(x, [c.Batch, c.In, c.L]).requires_grad_();
                var tw = tensor(w, WeightShape(c)).requires_grad_();
                var tb = tensor(b, [c.Out]).requires_grad_();
                var ty = peer.Forward(c, tx, tw, tb, IdxTensor(c));
                var g = torch.autograd.grad([ty], [tx, tw, tb], [tensor(dy, [c.Batch, c.Out, c.L])]);
                double E(Tensor t, float[] r) { var a = t.contiguous().data<float>().ToArray(); return a.Zip(r, (p, q) => Math.Abs(p - q)).Max() / Math.Max(1e-30, r.Max(Math.Abs)); }
                var e = new[] { E(ty, y), E(g[0], dx), E(g[1], dw), E(g[2], db) };
                checks.Add(new Check(c.Group, c.Radius, c.Mode.ToString(), peer.Name, e[0], e[1], e[2], e[3], e.All(v => v < 1e-4)));
            }
        }
        return checks;
    }

    /// <summary>Times forward, backward-input (autograd.grad w.r.t. x), backward-weights (w.r.t. w and bias) and a whole
    /// step (forward + one autograd call for x, w, bias), with peak-RSS deltas per pass.</summary>
    static List<Row> Time(BenchConfig c, TorchPeer peer, int threads, double budgetSeconds)
    {
        set_num_threads(threads);
        long inter = peer.ForwardIntermediateBytes(c, c.Batch);
        bool heavy = inter > (1L << 31);     // the published algorithm on rotmnist-deep: ~9 GiB, ~20–40 s per call
        int batch = c.Batch;
        string? note = null;
        // Make sure the machine has room for the intermediate (measured peak: ~1.02× the gathered tensor on
        // rotmnist-deep, since einsum sums the channel axis out before its matmul; 1.3× + 1 GiB of margin).
        while (1.3 * peer.ForwardIntermediateBytes(c, batch) + (1L << 30) > ProcMem.MemAvailableBytes() && batch > 1)
            batch /= 2;
        if (batch != c.Batch) note = $"run at B={batch} (MemAvailable {ProcMem.MemAvailableBytes() >> 20} MiB), scaled ×{(double)c.Batch / batch:G3}";
        double scale = (double)c.Batch / batch;
        var rows = new List<Row>();
        using var outer = NewDisposeScope();
        manual_seed(1);
        var x = randn([batch, c.In, c.L]).requires_grad_();
        var w = randn(WeightShape(c)).mul_(0.1).requires_grad_();
        var b = randn([c.Out]).requires_grad_();
        var dy = randn([batch, c.Out, c.L]);
        var idx = IdxTensor(c);

        // Warm-up: the full call, or for the heavy case a small batch (first-call costs: thread pool, kernels, allocator).
        long w0 = Stopwatch.GetTimestamp();
        {
            using var s = NewDisposeScope();
            var (wx, wdy) = heavy ? (x[..2].detach().requires_grad_(), dy[..2]) : (x, dy);
            var y = peer.Forward(c, wx, w, b, idx);
            torch.autograd.grad([y], [wx, w, b], [wdy]);
        }
        double warm = Stats.Ms(Stopwatch.GetTimestamp() - w0) / 1000;
        var fwd = new List<double>(); var bi = new List<double>(); var bw = new List<double>(); var step = new List<double>();
        double[] peak = new double[4]; long[] managed = new long[4];
        var total = Stopwatch.StartNew();
        // Repetitions: ≥3 for cheap cases, fewer when one warm-up iteration already costs seconds (the suite's budget).
        int maxReps = heavy ? 1 : 9, minReps = heavy ? 1 : warm > 4 ? 1 : warm > 1.5 ? 2 : 3;
        for (int rep = 0; rep < maxReps && (rep < minReps || total.Elapsed.TotalSeconds < budgetSeconds); rep++)
        {
            using var s = NewDisposeScope();
            Tensor y = null!;
            fwd.Add(Measure(() => { y = peer.Forward(c, x, w, b, idx); }, ref peak[0], ref managed[0]));
            bi.Add(Measure(() => torch.autograd.grad([y], [x], [dy], retain_graph: true), ref peak[1], ref managed[1]));
            bw.Add(Measure(() => torch.autograd.grad([y], [w, b], [dy]), ref peak[2], ref managed[2]));
        }
        // The whole step the way a training loop runs it: one autograd call for every gradient.
        total.Restart();
        for (int rep = 0; !heavy && rep < maxReps && (rep < Math.Min(minReps, 2) || total.Elapsed.TotalSeconds < budgetSeconds / 2); rep++)
        {
            using var s = NewDisposeScope();
            step.Add(Measure(() => { var y = peer.Forward(c, x, w, b, idx); torch.autograd.grad([y], [x, w, b], [dy]); }, ref peak[3], ref managed[3]));
        }
        string method = heavy ? "own timer, 1 call after a small-batch warm-up" : $"own timer, median of {fwd.Count} after 1 warm-up";
        void Add(string pass, List<double> ms, int i, long? interBytes) => rows.Add(new Row(c.Name, peer.Name, threads, Tunables, pass,
            Stats.Median(ms) * scale, ms.Min() * scale, ms.Count, scale, method, peak[i] / 1048576.0 * scale, managed[i], interBytes, note));
        Add(Passes.Fwd, fwd, 0, (long)(inter * 1.0));
        Add(Passes.BwdIn, bi, 1, null);
        Add(Passes.BwdW, bw, 2, null);
        if (step.Count > 0) Add(Passes.Step, step, 3, null);
        Console.WriteLine($"[torch] {c.Name,-15} {peer.Name,-22} {threads}T{(Tunables ? " tunables" : "")}: fwd {Stats.Median(fwd) * scale,9:F1} ms  bwd-in {Stats.Median(bi) * scale,9:F1}  bwd-w {Stats.Median(bw) * scale,9:F1}  step {(step.Count > 0 ? Stats.Median(step) * scale : double.NaN),9:F1}  (n={fwd.Count}; peak +{peak[0] / 1048576 * scale:F0}/{peak[1] / 1048576 * scale:F0}/{peak[2] / 1048576 * scale:F0} MiB){(note is null ? "" : "  " + note)}");
        return rows;
    }

    /// <summary>Times one call; keeps the largest peak-RSS delta and managed allocation seen for the pass.</summary>
    static double Measure(Action a, ref double peak, ref long managed)
    {
        long rss0 = ProcMem.RssBytes();
        ProcMem.ResetPeak();
        long m0 = GC.GetAllocatedBytesForCurrentThread();
        long t0 = Stopwatch.GetTimestamp();
        a();
        long t1 = Stopwatch.GetTimestamp();
        managed = Math.Max(managed, GC.GetAllocatedBytesForCurrentThread() - m0);
        peak = Math.Max(peak, ProcMem.PeakBytes() - rss0);
        return Stats.Ms(t1 - t0);
    }
}
