using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace GmCodegen.Bench;

/// <summary>
/// Issue 4's end-to-end step: one training step (forward, loss, backward, AdamW) of the paper's rotated-MNIST network
/// (docs/design.md#the-papers-networks), GmCodegen against the same network written with TorchSharp.
/// GmCodegen: <c>Network.Build(Architectures.GmCnn&lt;D14xD14r3&gt;(classes: 10), new Shape(1, 784), seed)</c> trained by
/// <c>Trainer.TrainStep</c> with cross-entropy and AdamW(lr 0.004, wd 0.0153), timed in the suite's own process.
/// TorchSharp: the same layers with the reference GM formulation in shared mode, input channels summed first
/// (<c>s = x.sum(1); einsum('bka,ok->boa', s[:, idx], w) + bias</c>, the faster of the two published forms), functional
/// layer_norm (no affine), prelu (one slope shared by both blocks), a 1×1 conv1d shortcut on block 0, amax over G,
/// dropout, linear, cross_entropy, <c>torch.optim.AdamW</c> with the same decay groups (decay on weights only, as
/// GmCodegen's AdamW); autograd backward; timed in a child process (plain and with GLIBC_TUNABLES), after checking that
/// it computes the same logits, loss and gradients as GmCodegen from GmCodegen's own initial parameters.
/// </summary>
public static class EndToEnd
{
    public const string ConfigName = "e2e-rotmnist";
    public const string GmImpl = "gmcodegen", TorchImpl = "torchsharp";
    public const int B = 128, Classes = 10, Channels = 120, Seed = 42, Warmups = 3, Steps = 15;
    public const double Lr = 0.004, WeightDecay = 0.0153, DropoutP = 0.3;
    /// <summary>Phases of a step (Row.Pass): the whole step, then its parts measured inside the same steps (torch) or in
    /// a replica of <c>Trainer.TrainStep</c> (GmCodegen).</summary>
    public const string Step = "step", FwdLoss = "fwd+loss", Bwd = "bwd", Opt = "opt";
    public static readonly string[] Phases = [FwdLoss, Bwd, Opt];
    public static BenchConfig LayerConfig => BenchConfig.Get("rotmnist-first");     // D14 x D14, radius 3: the bench's own tables
    public static int L => LayerConfig.L;

    /// <summary>A fixed synthetic batch: pixel intensities in [0, 1) (pixel index = group element index), labels 0..9.</summary>
    public static (float[] x, int[] labels) Data(int seed = 5)
    {
        var rng = new Random(seed);
        var x = new float[B * L];
        for (int i = 0; i < x.Length; i++) x[i] = (float)rng.NextDouble();
        var y = new int[B];
        for (int b = 0; b < B; b++) y[b] = rng.Next(Classes);
        return (x, y);
    }

#if GM_GENERATED
    public const bool Available = true;

    public static Network BuildNetwork() =>
        Network.Build(Architectures.GmCnn<D14xD14r3>(classes: Classes), new Shape(1, D14xD14r3.Order), Seed);

    static Trainer NewTrainer(Network net) => new(net, new CrossEntropyLoss(), new AdamW(net.Parameters, Lr, WeightDecay)) { Quiet = true };

    /// <summary>GmCodegen's step at each thread count (this process): Trainer.TrainStep, warm-up then the median of
    /// <see cref="Steps"/>; then the same step's phases from a replica of TrainStep.</summary>
    public static List<Row> TimeGmCodegen(int[] threads, Dictionary<string, string> info)
    {
        var rows = new List<Row>();
        var (x, labels) = Data();
        var batch = new Batch(x, labels, B);
        foreach (int t in threads)
        {
            string knob = KernelThreads.Set(t);
            var net = BuildNetwork();
            info["e2e:parameters"] = net.ParameterCount.ToString(CultureInfo.InvariantCulture);
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
            string method = $"own timer, Trainer.TrainStep, median of {Steps} after {Warmups} warm-ups";
            rows.Add(new Row(ConfigName, GmImpl, t, false, Step, Stats.Median(ms), ms.Min(), ms.Count, 1, method,
                peak / 1048576.0, managed, null, knob));

            // Phases: the body of Trainer.TrainStep with a timestamp between its parts (same network, continuing).
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
                rows.Add(new Row(ConfigName, GmImpl, t, false, p, Stats.Median(v), v.Min(), v.Count, 1,
                    $"own timer, replica of Trainer.TrainStep, median of {Steps} after {Warmups} warm-ups"));
            Console.WriteLine($"[e2e] {GmImpl,-10} {t}T: step {Stats.Median(ms),8:F1} ms (min {ms.Min():F1}; fwd+loss {Stats.Median(parts[FwdLoss]):F1}, bwd {Stats.Median(parts[Bwd]):F1}, opt {Stats.Median(parts[Opt]):F2}); managed {managed / 1024.0:F1} KiB/step, peak RSS +{peak / 1048576:F1} MiB");
        }
        return rows;
    }
#else
    public const bool Available = false;
    public static List<Row> TimeGmCodegen(int[] threads, Dictionary<string, string> info) => [];
#endif

    /// <summary>The child process: the numerical check against GmCodegen, then the TorchSharp step at each thread count.</summary>
    public static void RunTorchChild(int[] threads, string outPath)
    {
        var output = new SuiteOutput();
        output.Info["torch"] = __version__;
        output.Info["GLIBC_TUNABLES"] = Environment.GetEnvironmentVariable("GLIBC_TUNABLES") ?? "";
        Console.WriteLine($"[e2e] libtorch {__version__} loaded; GLIBC_TUNABLES='{output.Info["GLIBC_TUNABLES"]}'");
#if GM_GENERATED
        bool ok = Check(output.Info);
        output.Save(outPath);
        if (!ok) { Console.WriteLine("[e2e] TorchSharp network does not match GmCodegen's: not timed"); return; }
        foreach (int t in threads)
        {
            output.Rows.AddRange(TimeTorch(t));
            output.Save(outPath);
        }
#else
        Console.WriteLine("[e2e] generated kernels not compiled in: nothing to compare against");
#endif
        output.Save(outPath);
    }

#if GM_GENERATED
    /// <summary>
    /// Builds GmCodegen's network, copies its initial parameters (by name) into the TorchSharp network, and compares, in
    /// evaluation mode (dropout off), the logits of one batch, the loss, and every parameter's gradient; then one AdamW
    /// step on both (informational: the parameters after it). Errors are max |a − b| / max |GmCodegen|.
    /// </summary>
    static bool Check(Dictionary<string, string> info)
    {
        KernelThreads.Set(2);
        set_num_threads(2);
        var net = BuildNetwork();
        var (x, labels) = Data();
        var batch = new Batch(x, labels, B);
        using var scope = NewDisposeScope();
        var tnet = new TorchNet(net);

        // GmCodegen: eval-mode forward, loss and its gradient, backward, then one AdamW step.
        var logits = net.Forward(x, B, training: false).AsSpan(0, B * Classes).ToArray();
        var grad = new float[B * Classes];
        double gmLoss = new CrossEntropyLoss().Compute(logits, Classes, batch, grad);
        net.ZeroGrad();
        net.Backward(grad, B);
        var gmGrads = net.Parameters.ToDictionary(p => p.Name, p => p.Grad.ToArray());

        // TorchSharp: the same.
        var tx = tensor(x, [B, 1, L]);
        var ty = tensor(labels.Select(v => (long)v).ToArray(), [B]);
        var tlogits = tnet.Forward(tx, training: false);
        var tloss = nn.functional.cross_entropy(tlogits, ty);
        tloss.backward();
        double E(float[] a, float[] r) => a.Zip(r, (p, q) => Math.Abs(p - q)).Max() / Math.Max(1e-30, r.Max(Math.Abs));
        double eLogits = E(Floats(tlogits), logits);
        double torchLoss = tloss.item<float>();
        double eLoss = Math.Abs(torchLoss - gmLoss) / Math.Abs(gmLoss);
        var eGrad = net.Parameters.ToDictionary(p => p.Name, p => E(Floats(tnet.Params[p.Name].grad!), gmGrads[p.Name]));
        double eGradMax = eGrad.Values.Max();

        // One optimiser step each (informational: near-zero gradients whose sign differs by rounding move by ±lr).
        new AdamW(net.Parameters, Lr, WeightDecay).Step();
        tnet.Optimizer().step();
        double stepDiff = net.Parameters.Max(p => Floats(tnet.Params[p.Name]).Zip(p.Value, (a, b) => (double)Math.Abs(a - b)).Max());

        bool ok = eLogits < 1e-4 && eLoss < 1e-4 && eGradMax < 1e-3;
        string worst = eGrad.MaxBy(kv => kv.Value).Key;
        info["e2e:check"] = string.Create(CultureInfo.InvariantCulture,
            $"eval-mode logits of one batch (B={B}) max |Δ|/max|logit| = {eLogits:E1}; loss GmCodegen {gmLoss:F6} vs TorchSharp {torchLoss:F6} (rel. {eLoss:E1}); "
            + $"parameter gradients max |Δ|/max|grad| ≤ {eGradMax:E1} (worst {worst}); after one AdamW step max |Δp| = {stepDiff:E1} (lr {Lr})");
        info["e2e:check-ok"] = ok.ToString();
        info["e2e:parameters"] = net.ParameterCount.ToString(CultureInfo.InvariantCulture);
        Console.WriteLine($"[e2e] check vs GmCodegen: {info["e2e:check"]}: {(ok ? "OK" : "MISMATCH")}");
        foreach (var kv in eGrad) Console.WriteLine($"[e2e]   grad {kv.Key,-24} {kv.Value:E1}");
        return ok;
    }

    static float[] Floats(Tensor t) => t.detach().contiguous().data<float>().ToArray();

    /// <summary>The TorchSharp step at one thread count: warm-up, then the median of <see cref="Steps"/> steps, each
    /// zero_grad → forward (training) → cross_entropy → loss.item → backward → AdamW.step, with the phases' times.</summary>
    static List<Row> TimeTorch(int threads)
    {
        set_num_threads(threads);
        KernelThreads.Set(threads);
        bool tun = TorchSuite.Tunables;
        using var outer = NewDisposeScope();
        var tnet = new TorchNet(BuildNetwork());
        var opt = tnet.Optimizer();
        var (x, labels) = Data();
        var tx = tensor(x, [B, 1, L]);
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
        Console.WriteLine($"[e2e] {TorchImpl,-10} {threads}T{(tun ? " tunables" : "")}: step {Stats.Median(step),8:F1} ms (min {step.Min():F1}; fwd+loss {Stats.Median(parts[FwdLoss]):F1}, bwd {Stats.Median(parts[Bwd]):F1}, opt {Stats.Median(parts[Opt]):F2}); managed {managed / 1024.0:F1} KiB/step, peak RSS +{peak / 1048576:F1} MiB");
        return rows;
    }

    /// <summary>
    /// The rotated-MNIST GM-CNN in TorchSharp, parameters named and shaped as GmCodegen's (copied from a GmCodegen
    /// network): block{0,1}.conv.weight [120, 196] (shared mode), block{0,1}.conv.bias [120], act.weight [1] (one PReLU
    /// slope for both blocks), block0.shortcut.weight [120, 1] + bias [120], head.weight [10, 120], head.bias [10].
    /// </summary>
    sealed class TorchNet
    {
        public readonly Dictionary<string, TorchSharp.Modules.Parameter> Params = [];
        readonly Dictionary<string, bool> _decay = [];
        readonly Tensor _idx;
        readonly long _l;

        public TorchNet(Network net)
        {
            foreach (var p in net.Parameters)
            {
                var t = tensor(p.Value, p.Shape.Select(d => (long)d).ToArray());
                Params[p.Name] = new TorchSharp.Modules.Parameter(t, requires_grad: true);
                _decay[p.Name] = p.Decay;
            }
            var c = LayerConfig;
            _idx = tensor(c.Idx.Select(i => (long)i).ToArray(), [c.K, c.L]);   // idx[k][a] = index(g_a · h_k⁻¹)
            _l = c.L;
        }

        /// <summary>AdamW with GmCodegen's decay groups: weight decay on weights, none on biases and the PReLU slope.</summary>
        public TorchSharp.Modules.AdamW Optimizer() => optim.AdamW(new[]
        {
            new TorchSharp.Modules.AdamW.ParamGroup(Params.Where(kv => _decay[kv.Key]).Select(kv => kv.Value), lr: Lr, weight_decay: WeightDecay),
            new TorchSharp.Modules.AdamW.ParamGroup(Params.Where(kv => !_decay[kv.Key]).Select(kv => kv.Value), lr: Lr, weight_decay: 0),
        }, lr: Lr, weight_decay: WeightDecay);

        /// <summary>Shared-mode GM layer, channels summed first: (B, I, L) → (B, O, L).</summary>
        Tensor Gm(Tensor x, string name)
        {
            var s = x.sum(1);                                                       // (B, L)
            var sg = s[TensorIndex.Colon, TensorIndex.Tensor(_idx)];                // (B, K, L)
            return einsum("bka,ok->boa", sg, Params[name + ".weight"]) + Params[name + ".bias"].view(1, -1, 1);
        }

        Tensor Block(Tensor x, string name)
        {
            var h = Gm(x, name + ".conv");
            h = nn.functional.layer_norm(h, [h.shape[1], _l], eps: 1e-5);           // over (C, |G|), no affine
            h = nn.functional.prelu(h, Params["act.weight"]);
            Tensor shortcut = x;
            if (Params.TryGetValue(name + ".shortcut.weight", out var sw))          // 1×1 channel mix (Conv(I, O, 1))
                shortcut = nn.functional.conv1d(x, sw.view(sw.shape[0], sw.shape[1], 1), Params[name + ".shortcut.bias"]);
            return h + shortcut;
        }

        /// <summary>x: (B, 1, 784) → logits (B, 10).</summary>
        public Tensor Forward(Tensor x, bool training)
        {
            var h = Block(x, "block0");
            h = Block(h, "block1");
            h = h.amax(new long[] { 2 });                                                        // global max pool over G
            h = nn.functional.dropout(h, DropoutP, training);
            return nn.functional.linear(h, Params["head.weight"], Params["head.bias"]);
        }
    }
#endif
}
