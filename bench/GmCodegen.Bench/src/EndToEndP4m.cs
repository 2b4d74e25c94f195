using System.Diagnostics;
using System.Globalization;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;
#if GM_GENERATED
using GmCodegen.Bench.P4m;
#endif

namespace GmCodegen.Bench;

/// <summary>
/// Bench-side tables of p4m(n) (docs/design.md#groups-and-their-indexing), built from the matrices A(m) alone —
/// independently of the generator — for the TorchSharp G-CNN: an element (t, m) has index m·n² + t1·n + t2, m = k + 4f,
/// A(k, f) = F^f·R^k with R(t1, t2) = (−t2, t1), F(t1, t2) = (t1, −t2); D4's product is the product of the matrices.
/// </summary>
public static class P4mTables
{
    public const int Points = 8;

    /// <summary>A(m) as (a, b, c, d): A·(t1, t2) = (a·t1 + b·t2, c·t1 + d·t2).</summary>
    static readonly (int a, int b, int c, int d)[] A = [.. Enumerable.Range(0, Points).Select(Matrix)];

    static (int, int, int, int) Matrix(int m)
    {
        (int a, int b, int c, int d) r = (1, 0, 0, 1);
        for (int k = 0; k < m % 4; k++) r = Mul((0, -1, 1, 0), r);          // R·…
        return m / 4 == 1 ? Mul((1, 0, 0, -1), r) : r;                      // F·R^k
    }

    static (int, int, int, int) Mul((int a, int b, int c, int d) p, (int a, int b, int c, int d) q) =>
        (p.a * q.a + p.b * q.c, p.a * q.b + p.b * q.d, p.c * q.a + p.d * q.c, p.c * q.b + p.d * q.d);

    /// <summary>m·m' in D4, through A(m·m') = A(m)·A(m').</summary>
    public static int Multiply(int m, int mp) => Array.IndexOf(A, Mul(A[m], A[mp]));
    public static int Inverse(int m) => Enumerable.Range(0, Points).First(q => Multiply(m, q) == 0);
    public static (int, int) Apply(int m, (int t1, int t2) t) => (A[m].a * t.t1 + A[m].b * t.t2, A[m].c * t.t1 + A[m].d * t.t2);
    static int Mod(int a, int n) => ((a % n) + n) % n;

    /// <summary>
    /// The full-mode GM layer on p4m(n) at radius r as a circular conv2d on [B, I·8, n, n]: with g = (t, m), the kernel
    /// element h_k = (s, m_k) and m' = m·m_k⁻¹, g·h_k⁻¹ = (t − A(m')·s, m'), so
    /// y[(o,m), t] = Σ_(i,m') Σ_v w[o, i, k(m_k = m'⁻¹·m, s = A(m')⁻¹·v)]·x[(i,m'), t − v]. conv2d correlates
    /// (out[t] = Σ_u K[u]·x[t + u − r]), so K[(o,m), (i,m'), u] takes v = r − u. Returns, for ((m·8 + m')·D + u1)·D + u2
    /// (D = 2r + 1), the k of w[o, i, k] (k = m_k·D² + (s1 + r)·D + (s2 + r), the neighbourhood order).
    /// </summary>
    public static long[] BankIndex(int r)
    {
        int d = 2 * r + 1;
        var idx = new long[Points * Points * d * d];
        for (int m = 0; m < Points; m++)
            for (int mp = 0; mp < Points; mp++)
                for (int u1 = 0; u1 < d; u1++)
                    for (int u2 = 0; u2 < d; u2++)
                    {
                        int mpi = Inverse(mp);
                        var (s1, s2) = Apply(mpi, (r - u1, r - u2));
                        int mk = Multiply(mpi, m);
                        idx[((m * Points + mp) * d + u1) * d + u2] = mk * d * d + (s1 + r) * d + (s2 + r);
                    }
        return idx;
    }

    /// <summary>
    /// The lift at radius r as a circular conv2d of the image to O·8 channels: y[(o,m), t] = Σ_k w[o, i, k]·x[i, t − A(m)·u_k],
    /// so K[(o,m), i, u] = w[o, i, k(u_k = A(m)⁻¹·(r − u))]. Returns, for (m·D + u1)·D + u2, that k.
    /// </summary>
    public static long[] LiftIndex(int r)
    {
        int d = 2 * r + 1;
        var idx = new long[Points * d * d];
        for (int m = 0; m < Points; m++)
            for (int u1 = 0; u1 < d; u1++)
                for (int u2 = 0; u2 < d; u2++)
                {
                    var (s1, s2) = Apply(Inverse(m), (r - u1, r - u2));
                    idx[(m * d + u1) * d + u2] = (s1 + r) * d + (s2 + r);
                }
        return idx;
    }

    /// <summary>
    /// The coset cells of p4m(n) → p4m(n/2): [s·4 + j] = index(emb(s)·r_j), r_j = (0,0), (0,1), (1,0), (1,1), with
    /// emb(t, m) = (2t + c − A(m)·c, m), c = ((n−1)/2, (n−1)/2) when centred, else (2t, m); (T, m)·(r_j, 0) = (T + A(m)·r_j, m).
    /// </summary>
    public static long[] Cosets(int n, bool centred)
    {
        int h = n / 2;
        (int, int)[] rj = [(0, 0), (0, 1), (1, 0), (1, 1)];
        var cells = new long[Points * h * h * 4];
        for (int m = 0; m < Points; m++)
        {
            var (a1, a2) = Apply(m, (n - 1, n - 1));
            (int o1, int o2) = centred ? ((n - 1 - a1) / 2, (n - 1 - a2) / 2) : (0, 0);   // c − A(m)·c
            for (int t1 = 0; t1 < h; t1++)
                for (int t2 = 0; t2 < h; t2++)
                    for (int j = 0; j < 4; j++)
                    {
                        var (d1, d2) = Apply(m, rj[j]);
                        int p1 = Mod(2 * t1 + o1 + d1, n), p2 = Mod(2 * t2 + o2 + d2, n);
                        cells[((m * h + t1) * h + t2) * 4 + j] = (long)m * n * n + p1 * n + p2;
                    }
        }
        return cells;
    }
}

/// <summary>
/// Issue 12's end-to-end step (`--end-to-end-p4m`): one training step (forward, cross-entropy, backward, AdamW) of the
/// lifted rotated-MNIST G-CNN on p4m(28) as the sample builds it for <c>--group "p4m(28)"</c>
/// (<c>Architectures.LiftedGmCnn</c>: 5×5 lift to 8 channels → LayerNorm (no affine) → PReLU (one slope shared by the
/// network) → residual full-mode GM blocks, radius 1 → centred coset max pool to p4m(14) → blocks → automatic pool to
/// p4m(7) → blocks → global max pool → dropout 0.1 → Linear), GmCodegen in this process (the sample's default
/// <c>FilterBank</c> kernels, and the generated kernels for information) against the same network written with
/// TorchSharp as the standard G-CNN in a child process (plain and with GLIBC_TUNABLES): every GM layer a circular
/// conv2d on [B, I·8, n, n] with the filter bank gathered from w[o, i, k] by <see cref="P4mTables.BankIndex"/>, the lift
/// a conv2d of the image with the 8 transformed stencils, layer_norm over (C·8, n, n), prelu, the 1×1 shortcut as conv1d,
/// each coset max pool as an index_select of its cells (<see cref="P4mTables.Cosets"/>) + amax over the four, global
/// amax, dropout, linear, cross_entropy, autograd, torch.optim.AdamW with GmCodegen's decay groups. First a numerical
/// check from GmCodegen's initial parameters (copied by name); a mismatch is not timed.
/// </summary>
public static class EndToEndP4m
{
    public const string ConfigName = "e2e-p4m28";
    public const string BankImpl = "gmcodegen-bank", GeneratedImpl = "gmcodegen-generated", TorchImpl = "torchsharp",
        BankAfterImpl = "gmcodegen-bank, again after TorchSharp";
    public const int B = 128, Classes = 10, N = 28, LiftChannels = 8, LiftRadius = 2, Radius = 1, Seed = 42, Warmups = 3, Steps = 20;
    /// <summary>The batch of the pass/fail check (the first samples of the timed batch).</summary>
    public const int CheckBatch = 8;
    public const double Lr = 0.004, WeightDecay = 0.0153, DropoutP = 0.1;
    /// <summary>The sample's default block widths per stage (p4m(28) / p4m(14) / p4m(7)).</summary>
    public const string DefaultWidths = "8/8/11,11";
    public const string Step = "step", FwdLoss = "fwd+loss", Bwd = "bwd", Opt = "opt";
    static readonly string[] Phases = [FwdLoss, Bwd, Opt];

    static int[][] ParseWidths(string v)
    {
        var stages = v.Split('/');
        if (stages.Length != 3) throw new ArgumentException($"--p4m-widths '{v}': three '/'-separated stages", nameof(v));
        return [.. stages.Select(s => s.Trim().Length == 0 ? Array.Empty<int>() : s.Split(',').Select(int.Parse).ToArray())];
    }

    /// <summary>The fixed synthetic batch: pixels in [0, 1) (row-major 28×28), labels 0..9.</summary>
    static (float[] x, int[] labels) Data(int seed = 5)
    {
        var rng = new Random(seed);
        var x = new float[B * N * N];
        for (int i = 0; i < x.Length; i++) x[i] = (float)rng.NextDouble();
        var y = new int[B];
        for (int b = 0; b < B; b++) y[b] = rng.Next(Classes);
        return (x, y);
    }

    static int[] ThreadsOf(Options o, string[] args) => args.Contains("--threads") ? o.Threads : [2];

#if GM_GENERATED
    public static Network BuildNetwork(string widths, bool bank, double dropout = DropoutP)
    {
        var w = ParseWidths(widths);
        var spec = bank
            ? Architectures.LiftedGmCnn<FilterBank<P4m28r1, C28r1>, PoolP4m28to14, FilterBank<P4m14r1, C14r1>, PoolP4m14to7, FilterBank<P4m7r1, C7r1>>(
                Classes, LiftChannels, w[0], w[1], w[2], dropout)
            : Architectures.LiftedGmCnn<P4m28r1, PoolP4m28to14, P4m14r1, PoolP4m14to7, P4m7r1>(Classes, LiftChannels, w[0], w[1], w[2], dropout);
        return Network.Build(spec, new Shape(1, N * N), Seed);
    }

    /// <summary>The whole run: FMA peak, GmCodegen here, TorchSharp in child processes, FMA peak again, bench/P4M.md.</summary>
    public static int Run(Options o, string[] args)
    {
        var total = Stopwatch.StartNew();
        string root = Suite.RepoRoot();
        string artifacts = Path.Combine(root, "bench", "BenchmarkDotNet.Artifacts");
        Directory.CreateDirectory(artifacts);
        string widths = o.P4mWidths ?? DefaultWidths;
        int[] threads = ThreadsOf(o, args);
        var all = new SuiteOutput();
        all.Info["date"] = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        all.Info["command"] = "dotnet run -c Release --project bench/GmCodegen.Bench -- " + string.Join(' ', args);
        all.Info["uptime-start"] = Uptime();
        foreach (var kv in MachineInfo.Describe()) all.Info[kv.Key] = kv.Value;
        all.Info["source"] = MachineInfo.Source(root);
        all.Info["widths"] = widths;
        var fma0 = threads.ToDictionary(t => t, t => Roofline.FmaPeak(t));
        Console.WriteLine("== FMA peak: " + string.Join(", ", fma0.Select(kv => $"{kv.Key}T {kv.Value:F1} GFLOP/s")));

        Console.WriteLine("== end-to-end training step (lifted p4m(28) network), GmCodegen");
        all.Rows.AddRange(TimeGmCodegen(widths, threads, bank: true, all.Info));
        all.Rows.AddRange(TimeGmCodegen(widths, threads, bank: false, all.Info));
        all.Info["p4m:layers-bank"] = LayerBreakdown(widths, threads[^1]);
        Console.WriteLine("[p4m] bank kernels, per layer (fwd / bwd ms): " + all.Info["p4m:layers-bank"]);
        if (!o.NoTorch)
        {
            string childArgs(int[] t) => $"--e2e-p4m-child {{json}} --threads {string.Join(',', t)} --p4m-widths {widths}";
            Console.WriteLine("== TorchSharp as a user runs it (no GLIBC_TUNABLES)");
            var plain = RunChild(childArgs(threads).Split(' '), false, Path.Combine(artifacts, "e2e-p4m-torch-plain.json"));
            if (plain is not null) { all.Rows.AddRange(plain.Rows); foreach (var kv in plain.Info) all.Info[kv.Key.StartsWith("p4m:") ? kv.Key : "torch:" + kv.Key] = kv.Value; }
            if (!o.NoTunables)
            {
                Console.WriteLine($"== TorchSharp with GLIBC_TUNABLES={Suite.TunablesValue}");
                var tun = RunChild(childArgs(threads).Split(' '), true, Path.Combine(artifacts, "e2e-p4m-torch-tunables.json"));
                if (tun is not null) all.Rows.AddRange(tun.Rows);
            }
        }
        // The shared machine's load drifts over minutes: GmCodegen's default step once more after the children.
        Console.WriteLine("== GmCodegen (bank kernels) again, after TorchSharp");
        all.Rows.AddRange(TimeGmCodegen(widths, threads, bank: true, all.Info, BankAfterImpl));
        var fma1 = threads.ToDictionary(t => t, t => Roofline.FmaPeak(t));
        all.Info["uptime-end"] = Uptime();
        all.Info["duration"] = $"{total.Elapsed.TotalMinutes:F1} min";
        string outPath = o.Out ?? Path.Combine(root, "bench", "P4M.md");
        all.Save(Path.ChangeExtension(outPath, ".json"));
        File.WriteAllText(outPath, Render(all, threads, fma0, fma1));
        Console.WriteLine(File.ReadAllText(outPath));
        Console.WriteLine($"== wrote {outPath} ({total.Elapsed.TotalMinutes:F1} min)");
        return 0;
    }

    static string Uptime()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("uptime") { RedirectStandardOutput = true, UseShellExecute = false })!;
            string s = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return s;
        }
        catch (Exception) { return "loadavg " + File.ReadAllText("/proc/loadavg").Trim(); }
    }

    /// <summary>This program again as a child (as <c>Suite</c>'s children), with or without GLIBC_TUNABLES.</summary>
    static SuiteOutput? RunChild(string[] args, bool tunables, string json)
    {
        if (File.Exists(json)) File.Delete(json);
        string host = Environment.ProcessPath!;
        var psi = new ProcessStartInfo(host) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") psi.ArgumentList.Add(typeof(EndToEndP4m).Assembly.Location);
        foreach (var a in args) psi.ArgumentList.Add(a == "{json}" ? json : a);
        psi.Environment.Remove("GLIBC_TUNABLES");
        if (tunables) psi.Environment["GLIBC_TUNABLES"] = Suite.TunablesValue;
        using var p = Process.Start(psi)!;
        p.WaitForExit();
        if (p.ExitCode != 0) Console.WriteLine($"[p4m] child exited with {p.ExitCode}; keeping what it wrote");
        return File.Exists(json) ? SuiteOutput.Load(json) : null;
    }

    static Trainer NewTrainer(Network net) => new(net, new CrossEntropyLoss(), new AdamW(net.Parameters, Lr, WeightDecay)) { Quiet = true };

    /// <summary>GmCodegen's step: Trainer.TrainStep, warm-ups then the median of <see cref="Steps"/>; then the phases
    /// from a replica of TrainStep's body.</summary>
    static List<Row> TimeGmCodegen(string widths, int[] threads, bool bank, Dictionary<string, string> info, string? name = null)
    {
        var rows = new List<Row>();
        string impl = name ?? (bank ? BankImpl : GeneratedImpl);
        var (x, labels) = Data();
        var batch = new Batch(x, labels, B);
        foreach (int t in threads)
        {
            string knob = KernelThreads.Set(t);
            var net = BuildNetwork(widths, bank);
            info["p4m:parameters"] = net.ParameterCount.ToString(CultureInfo.InvariantCulture);
            var trainer = NewTrainer(net);
            for (int i = 0; i < Warmups; i++) trainer.TrainStep(batch, out _);
            var ms = new List<double>();
            double peak = 0;
            long managed0 = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < Steps; i++)
            {
                long rss0 = ProcMem.RssBytes();
                ProcMem.ResetPeak();
                long t0 = Stopwatch.GetTimestamp();
                trainer.TrainStep(batch, out _);
                ms.Add(Stats.Ms(Stopwatch.GetTimestamp() - t0));
                peak = Math.Max(peak, ProcMem.PeakBytes() - rss0);
            }
            long managed = (GC.GetTotalAllocatedBytes(precise: true) - managed0) / Steps;
            rows.Add(new Row(ConfigName, impl, t, false, Step, Stats.Median(ms), ms.Min(), ms.Count, 1,
                $"own timer, Trainer.TrainStep, median of {Steps} after {Warmups} warm-ups", peak / 1048576.0, managed, null, knob));

            var loss = new CrossEntropyLoss();
            var opt = new AdamW(net.Parameters, Lr, WeightDecay);
            var grad = new float[B * Classes];
            var parts = Phases.ToDictionary(p => p, _ => new List<double>());
            for (int i = 0; i < Warmups + Steps; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                var output = net.Forward(batch.Inputs, B, training: true);
                loss.Compute(output.AsSpan(0, B * Classes), Classes, batch, grad);
                long t1 = Stopwatch.GetTimestamp();
                net.ZeroGrad();
                net.Backward(grad, B);
                long t2 = Stopwatch.GetTimestamp();
                opt.Step();
                long t3 = Stopwatch.GetTimestamp();
                if (i < Warmups) continue;
                parts[FwdLoss].Add(Stats.Ms(t1 - t0)); parts[Bwd].Add(Stats.Ms(t2 - t1)); parts[Opt].Add(Stats.Ms(t3 - t2));
            }
            foreach (var (p, v) in parts)
                rows.Add(new Row(ConfigName, impl, t, false, p, Stats.Median(v), v.Min(), v.Count, 1,
                    $"own timer, replica of Trainer.TrainStep, median of {Steps} after {Warmups} warm-ups"));
            Console.WriteLine($"[p4m] {impl,-20} {t}T: step {Stats.Median(ms),8:F1} ms (min {ms.Min():F1}; fwd+loss {Stats.Median(parts[FwdLoss]):F1}, bwd {Stats.Median(parts[Bwd]):F1}, opt {Stats.Median(parts[Opt]):F2}); managed {managed / 1024.0:F1} KiB/step, peak RSS +{peak / 1048576:F1} MiB");
        }
        return rows;
    }

    /// <summary>Where GmCodegen's step goes: the network's top-level layers run one by one, as Sequential runs them
    /// (forward left to right, backward right to left), median over <see cref="Steps"/> after the warm-ups.</summary>
    static string LayerBreakdown(string widths, int threads)
    {
        KernelThreads.Set(threads);
        var net = BuildNetwork(widths, bank: true);
        var layers = net.Root.Children;
        var (x, labels) = Data();
        var batch = new Batch(x, labels, B);
        var loss = new CrossEntropyLoss();
        var grad = new float[B * Classes];
        var fwd = layers.Select(_ => new List<double>()).ToArray();
        var bwd = layers.Select(_ => new List<double>()).ToArray();
        for (int i = 0; i < Warmups + Steps; i++)
        {
            var h = x;
            for (int j = 0; j < layers.Count; j++)
            {
                long t0 = Stopwatch.GetTimestamp();
                h = layers[j].Forward(h, B, training: true);
                if (i >= Warmups) fwd[j].Add(Stats.Ms(Stopwatch.GetTimestamp() - t0));
            }
            loss.Compute(h.AsSpan(0, B * Classes), Classes, batch, grad);
            net.ZeroGrad();
            float[] d = grad;
            for (int j = layers.Count - 1; j >= 0; j--)
            {
                long t0 = Stopwatch.GetTimestamp();
                d = layers[j].Backward(d, B);
                if (i >= Warmups) bwd[j].Add(Stats.Ms(Stopwatch.GetTimestamp() - t0));
            }
        }
        return string.Join(", ", layers.Select((l, j) => string.Create(CultureInfo.InvariantCulture,
            $"{l.Name} {Stats.Median(fwd[j]):F1} / {Stats.Median(bwd[j]):F1}")));
    }

    /// <summary>The child: the numerical check (both GmCodegen kernels), then the TorchSharp step at each thread count.</summary>
    public static void RunTorchChild(Options o, string outPath)
    {
        var output = new SuiteOutput();
        output.Info["torch"] = __version__;
        output.Info["GLIBC_TUNABLES"] = Environment.GetEnvironmentVariable("GLIBC_TUNABLES") ?? "";
        string widths = o.P4mWidths ?? DefaultWidths;
        Console.WriteLine($"[p4m] libtorch {__version__} loaded; GLIBC_TUNABLES='{output.Info["GLIBC_TUNABLES"]}'");
        // At the timed batch and at a small one: a pool cell whose two largest values differ by rounding takes a
        // different arg-max in each implementation and routes a whole gradient elsewhere, so at B = 128 (≈ 2 M cells)
        // the upstream gradients can differ by ~1e-4 with both sides right; the small batch has (almost) no such cells.
        TorchNet.CountNearTies = true;
        bool ok = Check(widths, bank: true, CheckBatch, output.Info) & Check(widths, bank: false, CheckBatch, output.Info);
        Check(widths, bank: true, B, output.Info);
        Check(widths, bank: false, B, output.Info);
        TorchNet.CountNearTies = false;
        output.Save(outPath);
        if (!ok) { Console.WriteLine("[p4m] TorchSharp network does not match GmCodegen's: not timed"); return; }
        foreach (int t in o.Threads)
        {
            output.Rows.AddRange(TimeTorch(widths, t));
            output.Save(outPath);
        }
    }

    static float[] Floats(Tensor t) => t.detach().contiguous().data<float>().ToArray();

    /// <summary>
    /// GmCodegen's network (bank or generated kernels) and the TorchSharp one from its initial parameters: eval-mode
    /// logits of one batch, loss, every parameter's gradient (errors max |a − b| / max |GmCodegen|), then one AdamW step
    /// each (informational). Also compares the bench's coset tables with the generated pools' Cosets.
    /// </summary>
    public static bool Check(string widths, bool bank, int bc, Dictionary<string, string> info)
    {
        KernelThreads.Set(2);
        set_num_threads(2);
        string tag = (bank ? "bank" : "generated") + $"-b{bc}";
        var net = BuildNetwork(widths, bank);
        var (x0, labels0) = Data();
        float[] x = x0[..(bc * N * N)];
        int[] labels = labels0[..bc];
        var batch = new Batch(x, labels, bc);
        using var scope = NewDisposeScope();
        var tnet = new TorchNet(net, widths);

        var logits = net.Forward(x, bc, training: false).AsSpan(0, bc * Classes).ToArray();
        var grad = new float[bc * Classes];
        double gmLoss = new CrossEntropyLoss().Compute(logits, Classes, batch, grad);
        net.ZeroGrad();
        net.Backward(grad, bc);
        var gmGrads = net.Parameters.ToDictionary(p => p.Name, p => p.Grad.ToArray());

        var tx = tensor(x, [bc, 1, N, N]);
        var ty = tensor(labels.Select(v => (long)v).ToArray(), [bc]);
        TorchNet.NearTies = 0;
        var tlogits = tnet.Forward(tx, training: false);
        long nearTies = TorchNet.NearTies;
        var tloss = nn.functional.cross_entropy(tlogits, ty);
        tloss.backward();
        static double E(float[] a, float[] r) => a.Zip(r, (p, q) => Math.Abs(p - q)).Max() / Math.Max(1e-30, r.Max(Math.Abs));
        double eLogits = E(Floats(tlogits), logits);
        double torchLoss = tloss.item<float>();
        double eLoss = Math.Abs(torchLoss - gmLoss) / Math.Abs(gmLoss);
        var eGrad = net.Parameters.ToDictionary(p => p.Name, p => E(Floats(tnet.Params[p.Name].grad!), gmGrads[p.Name]));
        double eGradMax = eGrad.Values.Max();

        // The same in float64 (libtorch): which side the float32 differences come from.
        var dnet = new TorchNet(net, widths, ScalarType.Float64);
        var dlogits = dnet.Forward(tensor(x, [bc, 1, N, N]).to_type(ScalarType.Float64), training: false);
        nn.functional.cross_entropy(dlogits, ty).backward();
        double[] D(Tensor t) => t.detach().contiguous().data<double>().ToArray();
        double E64(float[] a, double[] r) => a.Select((v, j) => Math.Abs(v - r[j])).Max() / Math.Max(1e-300, r.Max(Math.Abs));
        var e64 = net.Parameters.ToDictionary(p => p.Name, p =>
            (gm: E64(gmGrads[p.Name], D(dnet.Params[p.Name].grad!)), torch: E64(Floats(tnet.Params[p.Name].grad!), D(dnet.Params[p.Name].grad!))));

        new AdamW(net.Parameters, Lr, WeightDecay).Step();
        tnet.Optimizer().step();
        double stepDiff = net.Parameters.Max(p => Floats(tnet.Params[p.Name]).Zip(p.Value, (a, b) => (double)Math.Abs(a - b)).Max());

        bool tables = PoolP4m28to14.Cosets.ToArray().Select(v => (long)v).SequenceEqual(P4mTables.Cosets(28, centred: true))
            && PoolP4m14to7.Cosets.ToArray().Select(v => (long)v).SequenceEqual(P4mTables.Cosets(14, centred: false));
        bool ok = eLogits < 1e-4 && eLoss < 1e-4 && eGradMax < 1e-3;
        string worst = eGrad.MaxBy(kv => kv.Value).Key;
        info[$"p4m:check-{tag}"] = string.Create(CultureInfo.InvariantCulture,
            $"eval-mode logits of one batch (B={bc}) max |Δ|/max|logit| = {eLogits:E1}; loss GmCodegen {gmLoss:F6} vs TorchSharp {torchLoss:F6} (rel. {eLoss:E1}); "
            + $"parameter gradients max |Δ|/max|grad| ≤ {eGradMax:E1} (worst {worst}); after one AdamW step max |Δp| = {stepDiff:E1} (lr {Lr}); pool cells whose two largest values are within 1e-5·max|cell| (where float rounding can flip the arg-max): {nearTies}");
        info[$"p4m:check-{tag}-ok"] = ok.ToString();
        info[$"p4m:check-{tag}-near-ties"] = nearTies.ToString(CultureInfo.InvariantCulture);
        info["p4m:cosets-match"] = tables.ToString();
        info["p4m:parameters"] = net.ParameterCount.ToString(CultureInfo.InvariantCulture);
        info["p4m:parameter-names"] = string.Join(", ", net.Parameters.Select(p => $"{p.Name} [{string.Join("×", p.Shape)}]"));
        Console.WriteLine($"[p4m] check ({tag} kernels) vs TorchSharp: {info[$"p4m:check-{tag}"]}: {(ok ? "OK" : "MISMATCH")}; bench coset tables = generated pools' Cosets: {tables}");
        foreach (var kv in eGrad) Console.WriteLine($"[p4m]   grad {kv.Key,-28} {kv.Value:E1}   vs float64 libtorch: GmCodegen {e64[kv.Key].gm:E1}, TorchSharp float32 {e64[kv.Key].torch:E1}");
        info[$"p4m:check-{tag}-float64"] = string.Join("; ", e64.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key}: GmCodegen {kv.Value.gm:E1}, TorchSharp {kv.Value.torch:E1}")));
        return ok;
    }

    /// <summary>The TorchSharp step at one thread count: warm-ups, then the median of <see cref="Steps"/> steps, each
    /// zero_grad → forward (training) → cross_entropy → loss.item → backward → AdamW.step.</summary>
    static List<Row> TimeTorch(string widths, int threads)
    {
        set_num_threads(threads);
        KernelThreads.Set(threads);
        bool tun = TorchSuite.Tunables;
        using var outer = NewDisposeScope();
        var tnet = new TorchNet(BuildNetwork(widths, bank: true), widths);
        var opt = tnet.Optimizer();
        var (x, labels) = Data();
        var tx = tensor(x, [B, 1, N, N]);
        var ty = tensor(labels.Select(v => (long)v).ToArray(), [B]);
        var step = new List<double>();
        var parts = Phases.ToDictionary(p => p, _ => new List<double>());
        double peak = 0; long managed = 0;
        for (int i = 0; i < Warmups + Steps; i++)
        {
            long rss0 = ProcMem.RssBytes();
            ProcMem.ResetPeak();
            long m0 = GC.GetAllocatedBytesForCurrentThread();
            long t0 = Stopwatch.GetTimestamp(), t1, t2, t3;
            using (NewDisposeScope())
            {
                opt.zero_grad();
                var loss = nn.functional.cross_entropy(tnet.Forward(tx, training: true), ty);
                loss.item<float>();
                t1 = Stopwatch.GetTimestamp();
                loss.backward();
                t2 = Stopwatch.GetTimestamp();
                opt.step();
                t3 = Stopwatch.GetTimestamp();
            }
            if (i < Warmups) continue;
            step.Add(Stats.Ms(t3 - t0));
            parts[FwdLoss].Add(Stats.Ms(t1 - t0)); parts[Bwd].Add(Stats.Ms(t2 - t1)); parts[Opt].Add(Stats.Ms(t3 - t2));
            managed = Math.Max(managed, GC.GetAllocatedBytesForCurrentThread() - m0);
            peak = Math.Max(peak, ProcMem.PeakBytes() - rss0);
        }
        string method = $"own timer, median of {Steps} steps after {Warmups} warm-ups";
        var rows = new List<Row> { new(ConfigName, TorchImpl, threads, tun, Step, Stats.Median(step), step.Min(), step.Count, 1, method, peak / 1048576.0, managed) };
        foreach (var (p, v) in parts) rows.Add(new Row(ConfigName, TorchImpl, threads, tun, p, Stats.Median(v), v.Min(), v.Count, 1, method));
        Console.WriteLine($"[p4m] {TorchImpl,-20} {threads}T{(tun ? " tunables" : "")}: step {Stats.Median(step),8:F1} ms (min {step.Min():F1}; fwd+loss {Stats.Median(parts[FwdLoss]):F1}, bwd {Stats.Median(parts[Bwd]):F1}, opt {Stats.Median(parts[Opt]):F2}); managed {managed / 1024.0:F1} KiB/step, peak RSS +{peak / 1048576:F1} MiB");
        return rows;
    }

    /// <summary>
    /// The lifted p4m(28) G-CNN in TorchSharp, parameters named and shaped as GmCodegen's: lift.weight [8, 1, 25],
    /// lift.bias [8], act.weight [1] (one slope), block{j}.conv.weight [O, I, 72], block{j}.conv.bias [O],
    /// block{j}.shortcut.weight [O, I] + bias [O] where the width changes, head.weight [10, C], head.bias [10].
    /// Features on p4m(n) are [B, C·8, n, n]: channel c·8 + m, row t1, column t2 — GmCodegen's x[b, c, m·n² + t1·n + t2].
    /// </summary>
    sealed class TorchNet
    {
        public readonly Dictionary<string, TorchSharp.Modules.Parameter> Params = [];
        readonly Dictionary<string, bool> _decay = [];
        readonly int[][] _widths;
        readonly Tensor _liftIdx, _bankIdx;
        readonly Tensor[] _cosets;
        /// <summary>The check's count of pool cells whose two largest values are within 1e-5 of the largest |value|.</summary>
        public static long NearTies;
        public static bool CountNearTies;

        public TorchNet(Network net, string widths, ScalarType dtype = ScalarType.Float32)
        {
            foreach (var p in net.Parameters)
            {
                Params[p.Name] = new TorchSharp.Modules.Parameter(tensor(p.Value, p.Shape.Select(d => (long)d).ToArray()).to_type(dtype), requires_grad: true);
                _decay[p.Name] = p.Decay;
            }
            _widths = ParseWidths(widths);
            _liftIdx = tensor(P4mTables.LiftIndex(LiftRadius));
            _bankIdx = tensor(P4mTables.BankIndex(Radius));
            _cosets = [tensor(P4mTables.Cosets(28, centred: true)), tensor(P4mTables.Cosets(14, centred: false))];
        }

        TorchSharp.Modules.Parameter P(string name) =>
            Params.TryGetValue(name, out var p) ? p : throw new KeyNotFoundException($"no parameter '{name}' (GmCodegen has {string.Join(", ", Params.Keys)})");

        public TorchSharp.Modules.AdamW Optimizer() => optim.AdamW(new[]
        {
            new TorchSharp.Modules.AdamW.ParamGroup(Params.Where(kv => _decay[kv.Key]).Select(kv => kv.Value), lr: Lr, weight_decay: WeightDecay),
            new TorchSharp.Modules.AdamW.ParamGroup(Params.Where(kv => !_decay[kv.Key]).Select(kv => kv.Value), lr: Lr, weight_decay: 0),
        }, lr: Lr, weight_decay: WeightDecay);

        static Tensor Circular(Tensor x, long r) => nn.functional.pad(x, [r, r, r, r], PaddingModes.Circular);

        /// <summary>Image [B, I, n, n] → [B, O·8, n, n]: conv2d with the 8 transformed 5×5 stencils.</summary>
        Tensor Lift(Tensor x)
        {
            var w = P("lift.weight");                                          // [O, I, 25]
            long o = w.shape[0], i = w.shape[1], d = 2 * LiftRadius + 1;
            var bank = w.index_select(2, _liftIdx).view(o, i, 8, d, d).permute(0, 2, 1, 3, 4).reshape(o * 8, i, d, d);
            var bias = Params.TryGetValue("lift.bias", out var b) ? b.repeat_interleave(8) : null;
            return nn.functional.conv2d(Circular(x, LiftRadius), bank, bias);
        }

        /// <summary>Full-mode GM layer on p4m(n), radius 1: [B, I·8, n, n] → [B, O·8, n, n], the rotated filter bank.</summary>
        Tensor Gm(Tensor x, string name)
        {
            var w = P(name + ".weight");                                        // [O, I, 72]
            long o = w.shape[0], i = w.shape[1], d = 2 * Radius + 1;
            var bank = w.index_select(2, _bankIdx).view(o, i, 8, 8, d, d).permute(0, 2, 1, 3, 4, 5).reshape(o * 8, i * 8, d, d);
            return nn.functional.conv2d(Circular(x, Radius), bank, P(name + ".bias").repeat_interleave(8));
        }

        Tensor NormAct(Tensor h) =>
            nn.functional.prelu(nn.functional.layer_norm(h, [h.shape[1], h.shape[2], h.shape[3]], eps: 1e-5), P("act.weight"));

        Tensor Block(Tensor x, string name)
        {
            var h = NormAct(Gm(x, name + ".conv"));
            if (!Params.TryGetValue(name + ".shortcut.weight", out var sw)) return h + x;
            long n = x.shape[2], bsz = x.shape[0];
            var s = nn.functional.conv1d(x.view(bsz, sw.shape[1], -1), sw.view(sw.shape[0], sw.shape[1], 1), P(name + ".shortcut.bias"));
            return h + s.view(bsz, sw.shape[0] * 8, n, n);
        }

        /// <summary>Coset max pool p4m(n) → p4m(n/2): the four cells of each s gathered from the coset table, then amax.</summary>
        static Tensor Pool(Tensor x, Tensor cosets)
        {
            long bsz = x.shape[0], c = x.shape[1] / 8, n = x.shape[2];
            var cells = x.reshape(bsz, c, 8 * n * n).index_select(2, cosets).view(bsz, c, 8 * (n / 2) * (n / 2), 4);
            if (CountNearTies)
                using (no_grad())
                {
                    var top = cells.detach().topk(2, 3).values;
                    var gap = top.select(3, 0) - top.select(3, 1);
                    NearTies += gap.le(top.select(3, 0).abs().max().mul(1e-5)).sum().item<long>();
                }
            return cells.amax([3]).view(bsz, c * 8, n / 2, n / 2);
        }

        /// <summary>x: [B, 1, 28, 28] → logits [B, 10].</summary>
        public Tensor Forward(Tensor x, bool training)
        {
            var h = NormAct(Lift(x));
            int block = 0;
            for (int stage = 0; stage < 3; stage++)
            {
                foreach (var _ in _widths[stage]) h = Block(h, $"block{block++}");
                if (stage < 2) h = Pool(h, _cosets[stage]);
            }
            long bsz = h.shape[0], ch = h.shape[1] / 8;
            h = h.reshape(bsz, ch, -1).amax([2]);                               // global max over G
            h = nn.functional.dropout(h, DropoutP, training);
            return nn.functional.linear(h, P("head.weight"), P("head.bias"));
        }
    }

    /// <summary>Minimal FLOPs of one step: 2·B·O·I·K·|G| per pass of each GM layer and of the lift (the image needs no
    /// dx: two passes), three passes per GM layer; pools, norms, activations, shortcuts and the head not counted.</summary>
    public static double StepFlops(string widths)
    {
        var w = ParseWidths(widths);
        double lift = 2.0 * B * LiftChannels * 1 * (2 * LiftRadius + 1) * (2 * LiftRadius + 1) * 8 * N * N, gm = 0;
        int c = LiftChannels, n = N;
        for (int stage = 0; stage < 3; stage++, n /= 2)
            foreach (int o in w[stage]) { gm += 2.0 * B * o * c * 72 * 8 * n * n; c = o; }
        return 2 * lift + 3 * gm;
    }

    static string Render(SuiteOutput all, int[] threads, Dictionary<int, double> fma0, Dictionary<int, double> fma1)
    {
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        var i = all.Info;
        string I(string k) => i.GetValueOrDefault(k, "?");
        md.AppendLine("# End-to-end training step of the lifted p4m(28) G-CNN: GmCodegen vs TorchSharp (issue 12)").AppendLine();
        md.AppendLine(inv, $"- command: `{I("command")}`");
        md.AppendLine(inv, $"- date: {I("date")}, {I("duration")}");
        md.AppendLine(inv, $"- load: `uptime` at start `{I("uptime-start")}`; at end `{I("uptime-end")}` (2 cores, shared by other developers' builds)");
        foreach (var k in new[] { "cpu", "isa", "cores", "memory", "os", "runtime", "source" }) if (i.ContainsKey(k)) md.AppendLine(inv, $"- {k}: {i[k]}");
        md.AppendLine(inv, $"- libtorch: {I("torch:torch")} (TorchSharp-cpu 0.107.0)");
        md.AppendLine("- Vector256 FMA peak measured in this run (before / after): " + string.Join("; ", threads.Select(t => string.Create(inv, $"{t}T {fma0[t]:F1} / {fma1[t]:F1} GFLOP/s"))));
        md.AppendLine(inv, $"- network: `Architectures.LiftedGmCnn` as samples/RotatedMnist builds it for `--group \"p4m(28)\"`: 5×5 lift to {LiftChannels} channels, LayerNorm (no affine), shared PReLU, residual full-mode GM blocks (radius 1) of widths `{I("widths")}` on p4m(28) / p4m(14) / p4m(7), centred coset max pool to p4m(14), automatic pool to p4m(7), global max pool, dropout {DropoutP}, Linear → {Classes}; {I("p4m:parameters")} parameters; batch {B} of synthetic 28×28 images; cross-entropy, AdamW(lr {Lr}, wd {WeightDecay}, decay on weights only)");
        md.AppendLine($"- GmCodegen: `{BankImpl}` = the sample's default kernels (`FilterBank<P4m…, C…>`: each GM layer as a translation convolution with the rotated filter bank), `{GeneratedImpl}` = the generated p4m kernels (`--kernel generated`); `Trainer.TrainStep` in this process");
        md.AppendLine("- TorchSharp: the standard G-CNN — each GM layer a circular conv2d on [B, I·8, n, n] with the filter bank gathered from w[o, i, k] (index_select of the 72 weights into [O·8, I·8, 3, 3], built from the matrices A(m) in `P4mTables`, independently of the generator), the lift a circular conv2d of the image with the 8 transformed 5×5 stencils, functional layer_norm/prelu, the 1×1 shortcut as conv1d, each coset pool as an index_select of its cells from the bench's own coset table + amax over the four, global amax, dropout, linear, cross_entropy, autograd backward, torch.optim.AdamW with the same decay groups; in a child process, plain and with GLIBC_TUNABLES");
        md.AppendLine(inv, $"- bench coset tables equal the generated pools' `Cosets`: {I("p4m:cosets-match")}").AppendLine();
        md.AppendLine("## Numerical check (before timing; GmCodegen's initial parameters copied by name, dropout off)").AppendLine();
        md.AppendLine(inv, $"Pass/fail at B = {CheckBatch} (the first samples of the timed batch); bounds: logits, loss < 1e-4 relative, gradients < 1e-3 (max |Δ| / max |GmCodegen| per parameter).").AppendLine();
        foreach (var tag in new[] { "bank", "generated" })
            md.AppendLine(inv, $"- {tag} kernels, B = {CheckBatch}: {I($"p4m:check-{tag}-b{CheckBatch}")} — {(I($"p4m:check-{tag}-b{CheckBatch}-ok") == "True" ? "**OK**" : "**MISMATCH**")}");
        bool bigOk = I($"p4m:check-bank-b{B}-ok") == "True" && I($"p4m:check-generated-b{B}-ok") == "True";
        if (bigOk)
            md.AppendLine().AppendLine(inv, $"At the timed batch B = {B} (informational, since there a max-pool cell whose two largest values differ only by rounding can take a different arg-max in each implementation and move the gradients upstream of it by ~1e-4 — it happened with the widths /8,8/11,11) the check is within the bounds too in this run:").AppendLine();
        else md.AppendLine().AppendLine(inv, $"Informational at the timed batch B = {B}: the logits and loss agree as closely, but a max-pool cell whose two largest values differ only by rounding takes a different arg-max in each implementation and routes that cell's whole gradient to another input, which moves every gradient upstream of the pools by ~1e-4 (and the one shared PReLU slope, a sum over every activation, by more). Against a float64 libtorch run of the same network (list at the end) GmCodegen's errors are the same while libtorch float32's are far smaller: libtorch float32 and float64 take the same arg-max, GmCodegen's rounding picks another in a few near-tied cells:").AppendLine();
        foreach (var tag in new[] { "bank", "generated" })
            md.AppendLine(inv, $"- {tag} kernels, B = {B}: {I($"p4m:check-{tag}-b{B}")}");
        md.AppendLine().AppendLine(inv, $"Per-parameter gradient errors against float64 libtorch, bank kernels, B = {B}: {I($"p4m:check-bank-b{B}-float64")}; at B = {CheckBatch}: {I($"p4m:check-bank-b{CheckBatch}-float64")}");
        md.AppendLine().AppendLine("## One training step (median of the timed steps; fastest in brackets)").AppendLine();
        double flops = StepFlops(I("widths"));
        md.AppendLine(inv, $"Minimal FLOPs of a step: {flops / 1e9:F2} GFLOP (lift 2 passes, each GM layer 3 passes of 2·B·O·I·K·|G|; the rest not counted). % of peak: of the FMA peak measured before the run at the same thread count.").AppendLine();
        md.AppendLine("| implementation | threads | GLIBC_TUNABLES | step ms | fwd+loss ms | bwd ms | opt ms | GFLOP/s (% of peak) | TorchSharp (no tunables) ÷ this, same threads |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|");
        var rows = all.Rows.Where(r => r.Config == ConfigName).ToList();
        foreach (var g in rows.GroupBy(r => (r.Impl, r.Threads, r.Tunables)))
        {
            Row? R(string pass) => g.FirstOrDefault(r => r.Pass == pass);
            var s = R(Step);
            if (s is null) continue;
            var torch = rows.FirstOrDefault(r => r.Impl == TorchImpl && r.Threads == g.Key.Threads && !r.Tunables && r.Pass == Step);
            string ratio = g.Key.Impl == TorchImpl || torch is null ? "" : $"{torch.MedianMs / s.MedianMs:F2}× (fastest {torch.MinMs / s.MinMs:F2}×)";
            string P(string p) => R(p) is { } r ? r.MedianMs.ToString(p == Opt ? "F2" : "F1", inv) : "-";
            md.AppendLine(inv, $"| {g.Key.Impl} | {g.Key.Threads} | {(g.Key.Tunables ? "yes" : "no")} | {s.MedianMs:F1} [{s.MinMs:F1}] | {P(FwdLoss)} | {P(Bwd)} | {P(Opt)} | {flops / s.MedianMs / 1e6:F1} ({100 * flops / s.MedianMs / 1e6 / fma0.GetValueOrDefault(g.Key.Threads, double.NaN):F0} %) | {ratio} |");
        }
        md.AppendLine().AppendLine(inv, $"GmCodegen (bank kernels) per top-level layer, forward / backward ms (median; run one by one, {threads[^1]} threads): {I("p4m:layers-bank")}");
        md.AppendLine().AppendLine("## Target: GmCodegen's step ≥ 3× TorchSharp's").AppendLine();
        foreach (int t in threads)
        {
            var gm = rows.FirstOrDefault(r => r.Impl == BankImpl && r.Threads == t && r.Pass == Step);
            var gen = rows.FirstOrDefault(r => r.Impl == GeneratedImpl && r.Threads == t && r.Pass == Step);
            foreach (bool tun in new[] { false, true })
            {
                var to = rows.FirstOrDefault(r => r.Impl == TorchImpl && r.Threads == t && r.Tunables == tun && r.Pass == Step);
                if (gm is null || to is null) continue;
                double best = Math.Min(gm.MedianMs, gen?.MedianMs ?? double.MaxValue);
                double ratio = to.MedianMs / gm.MedianMs;
                var after = rows.FirstOrDefault(r => r.Impl == BankAfterImpl && r.Threads == t && r.Pass == Step);
                string again = after is null ? "" : string.Create(inv, $"; against the bank step timed again after TorchSharp ({after.MedianMs:F1} ms): {to.MedianMs / after.MedianMs:F2}×");
                double need = 3 * flops / to.MedianMs / 1e6;
                md.AppendLine(inv, $"- {t} threads, TorchSharp {(tun ? "with" : "without")} GLIBC_TUNABLES: 3× TorchSharp would need {need:F0} GFLOP/s on the GM layers and the lift alone, {100 * need / fma0[t]:F0} % of the measured FMA peak");
                md.AppendLine(inv, $"- {t} threads, TorchSharp {(tun ? "with" : "without")} GLIBC_TUNABLES: TorchSharp {to.MedianMs:F1} ms ÷ GmCodegen (bank) {gm.MedianMs:F1} ms = **{ratio:F2}×** (best GmCodegen kernel: {to.MedianMs / best:F2}×; fastest steps {to.MinMs:F1} ÷ {gm.MinMs:F1} = {to.MinMs / gm.MinMs:F2}×{again}) — target ≥ 3× {(ratio >= 3 ? "met" : $"missed (by a factor {3 / ratio:F2})")}");
            }
        }
        return md.ToString();
    }
#else
    public static int Run(Options o, string[] args) { Console.Error.WriteLine("--end-to-end-p4m needs the generated kernels (build without -p:GmBenchGenerated=false)"); return 2; }
    public static void RunTorchChild(Options o, string outPath) => Console.WriteLine("[p4m] generated kernels not compiled in");
#endif
}
