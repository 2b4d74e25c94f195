using System.Diagnostics;
using GmCodegen.Bench;

// GmCodegen.Bench — issue 4's measurement suite. See bench/README.md.
//   --all                      everything: roofline, checks, libtorch (plain + GLIBC_TUNABLES), managed kernels (BDN),
//                              end-to-end training step (GmCodegen vs TorchSharp), RESULTS.md
//   --configs a,b              subset of configurations (default: all five)
//   --threads 1,2              thread counts (default 1,2)
//   --no-torch / --no-naive / --no-tunables / --tunables-threads 1,2 (default 2)
//   --torch-budget S           seconds of repetitions per libtorch case (default 1.0)
//   --out PATH                 report path (default bench/RESULTS.md)
//   --torch-child OUT.json     (internal) run the libtorch suite in this process, write JSON
//   --roofline                 only the roofline
//   --render RESULTS.json      re-render the report from a run's raw JSON (no measuring)
//   --e2e                      only the end-to-end training step (GmCodegen vs TorchSharp); report to
//                              bench/BenchmarkDotNet.Artifacts/e2e.md unless --out; --no-e2e skips it in a full run
//   --e2e-child OUT.json       (internal) the TorchSharp side of the end-to-end step in this process
//   --end-to-end-p4m           only issue 12's step: the lifted p4m(28) G-CNN, GmCodegen vs TorchSharp (conv2d on the
//                              rotated filter bank), --threads (default 2), --p4m-widths A/B/C; report bench/P4M.md unless --out
//   --relaxed                  only the relaxed GM layers (issue 8) against the exact layer, forward + backward, on
//                              rotmnist-first and plume unless --configs; --relaxed-layers exact,ldr:1,ldr:4 (default);
//                              --relaxed-calls W,N warm-ups and measured calls (default 2,10); report bench/RELAXED.md unless --out
//   --pooling                  only issue 9's pooling layers: GMPool max forward/backward and GMTransposePool forward on the
//                              plume and rotated-MNIST shapes, as GB/s against the bandwidth measured in the same run;
//                              --pooling-calls W,N (default 2,10); --threads; report bench/POOLING.md unless --out
//   --onnx                     only issue 13's inference comparison: the rotated-MNIST network in GmCodegen and, exported,
//                              in ONNX Runtime (CPU), images/s side by side; --onnx-batches 128,500 (default),
//                              --onnx-calls W,N (default 2,10), --onnx-model FILE.safetensors (default models/rotated-mnist.safetensors
//                              when it exists, else the initial weights); --threads; report bench/ONNX.md unless --out
//   --kernels                  only issue 12's kernel targets: the generated kernels on the five configurations and issue 12's
//                              four (p4m-inner, d9-shared, c20-shared, c12c3-full; or --configs), each pass as % of the FMA
//                              peak measured in the same run; --kernel-calls W,N (default 2,8); report bench/PLANNER.md unless --out
var opts = Options.Parse(args);
if (opts.Render is not null)
{
    string md = opts.Out ?? Path.ChangeExtension(opts.Render, ".md");
    File.WriteAllText(md, Report.Render(SuiteOutput.Load(opts.Render), opts));
    Console.WriteLine($"wrote {md}");
    return 0;
}
if (opts.P4mChild is not null) { EndToEndP4m.RunTorchChild(opts, opts.P4mChild); return 0; }   // issue 12, src/EndToEndP4m.cs
if (opts.P4m) return EndToEndP4m.Run(opts, args);
if (opts.E2EChild is not null)
{
    EndToEnd.RunTorchChild(opts.Threads, opts.E2EChild);
    return 0;
}
if (opts.TorchChild is not null)
{
    TorchSuite.Run(opts.Configs, opts.Threads, opts.TorchChild, opts.TorchBudget);
    return 0;
}
if (args is ["--check-tables"]) { var ch = ReferenceVectors.Verify(Suite.RepoRoot()); return ch.All(c => c.Ok) ? 0 : 1; }
if (opts.Relaxed)
{
#if GM_GENERATED
    return RelaxedLayers.Run(opts, args);
#else
    Console.Error.WriteLine("--relaxed needs the generated kernels (build without -p:GmBenchGenerated=false)");
    return 2;
#endif
}
if (opts.Pooling)
{
#if GM_GENERATED
    return PoolingLayers.Run(opts, args);
#else
    Console.Error.WriteLine("--pooling needs the generated kernels (build without -p:GmBenchGenerated=false)");
    return 2;
#endif
}
if (opts.OnnxOnly)
{
#if GM_GENERATED
    return OnnxInference.Run(opts, args);
#else
    Console.Error.WriteLine("--onnx needs the generated kernels (build without -p:GmBenchGenerated=false)");
    return 2;
#endif
}
if (opts.Kernels)
{
#if GM_GENERATED
    return PlannerKernels.Run(opts, args);
#else
    Console.Error.WriteLine("--kernels needs the generated kernels (build without -p:GmBenchGenerated=false)");
    return 2;
#endif
}
if (opts.RooflineOnly)
{
    foreach (int t in opts.Threads) Console.WriteLine(Roofline.Measure(t));
    return 0;
}
if (!opts.All && args.Length > 0 && !opts.AnyFilter) { Console.Error.WriteLine("unknown arguments; see the header of src/Program.cs or bench/README.md"); return 2; }
return Suite.Run(opts, args);

public sealed class Options
{
    public bool All, RooflineOnly, NoTorch, NoNaive, NoTunables, AnyFilter, E2EOnly, NoE2E, Relaxed, ConfigsGiven, Pooling, OnnxOnly, Kernels;
    public int[] OnnxBatches = [128, 500];
    public int OnnxWarmups = 2, OnnxIterations = 10;
    public string? OnnxModel;
    public string[] RelaxedLayers = ["exact", "ldr:1", "ldr:4"];
    public int RelaxedWarmups = 2, RelaxedIterations = 10, PoolingWarmups = 2, PoolingIterations = 10, KernelWarmups = 2, KernelIterations = 8;
    public string? TorchChild, E2EChild, Out, Render;
    public bool P4m; public string? P4mChild, P4mWidths;   // --end-to-end-p4m (src/EndToEndP4m.cs)
    public List<BenchConfig> Configs = [.. BenchConfig.All];
    public int[] Threads = [1, 2], TunablesThreads = [2];
    public double TorchBudget = 1.0;

    public static Options Parse(string[] a)
    {
        var o = new Options();
        for (int i = 0; i < a.Length; i++)
        {
            switch (a[i])
            {
                case "--all": o.All = true; break;
                case "--roofline": o.RooflineOnly = true; break;
                case "--no-torch": o.NoTorch = true; o.AnyFilter = true; break;
                case "--no-naive": o.NoNaive = true; o.AnyFilter = true; break;
                case "--no-tunables": o.NoTunables = true; o.AnyFilter = true; break;
                case "--configs": o.Configs = a[++i].Split(',').Select(BenchConfig.Get).ToList(); o.AnyFilter = true; o.ConfigsGiven = true; break;
                case "--relaxed": o.Relaxed = true; o.AnyFilter = true; break;
                case "--relaxed-layers": o.RelaxedLayers = a[++i].Split(','); o.AnyFilter = true; break;
                case "--relaxed-calls":
                    var wn = a[++i].Split(',').Select(int.Parse).ToArray();
                    (o.RelaxedWarmups, o.RelaxedIterations) = (wn[0], wn[1]);
                    o.AnyFilter = true;
                    break;
                case "--pooling": o.Pooling = true; o.AnyFilter = true; break;
                case "--pooling-calls":
                    var pw = a[++i].Split(',').Select(int.Parse).ToArray();
                    (o.PoolingWarmups, o.PoolingIterations) = (pw[0], pw[1]);
                    o.AnyFilter = true;
                    break;
                case "--onnx": o.OnnxOnly = true; o.AnyFilter = true; break;
                case "--onnx-batches": o.OnnxBatches = a[++i].Split(',').Select(int.Parse).ToArray(); o.AnyFilter = true; break;
                case "--onnx-model": o.OnnxModel = a[++i]; o.AnyFilter = true; break;
                case "--onnx-calls":
                    var ow = a[++i].Split(',').Select(int.Parse).ToArray();
                    (o.OnnxWarmups, o.OnnxIterations) = (ow[0], ow[1]);
                    o.AnyFilter = true;
                    break;
                case "--kernels": o.Kernels = true; o.AnyFilter = true; break;
                case "--kernel-calls":
                    var kw = a[++i].Split(',').Select(int.Parse).ToArray();
                    (o.KernelWarmups, o.KernelIterations) = (kw[0], kw[1]);
                    o.AnyFilter = true;
                    break;
                case "--threads": o.Threads = a[++i].Split(',').Select(int.Parse).ToArray(); o.AnyFilter = true; break;
                case "--tunables-threads": o.TunablesThreads = a[++i].Split(',').Select(int.Parse).ToArray(); o.AnyFilter = true; break;
                case "--torch-budget": o.TorchBudget = double.Parse(a[++i], System.Globalization.CultureInfo.InvariantCulture); o.AnyFilter = true; break;
                case "--out": o.Out = a[++i]; o.AnyFilter = true; break;
                case "--torch-child": o.TorchChild = a[++i]; break;
                case "--render": o.Render = a[++i]; break;
                case "--e2e": o.E2EOnly = true; o.AnyFilter = true; break;
                case "--no-e2e": o.NoE2E = true; o.AnyFilter = true; break;
                case "--e2e-child": o.E2EChild = a[++i]; break;
                case "--check-tables": break;
                case "--end-to-end-p4m": o.P4m = true; o.AnyFilter = true; break;
                case "--e2e-p4m-child": o.P4mChild = a[++i]; break;
                case "--p4m-widths": o.P4mWidths = a[++i]; o.AnyFilter = true; break;
                default: throw new ArgumentException($"unknown argument {a[i]}");
            }
        }
        if (o.E2EOnly) o.Configs = [];     // no per-configuration sections in an end-to-end-only report
        return o;
    }

    public string ChildArgs(int[] threads) =>
        $"--configs {string.Join(',', Configs.Select(c => c.Name))} --threads {string.Join(',', threads)} --torch-budget {TorchBudget.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}

public static class Suite
{
    public const string TunablesValue = "glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=68719476736";

    public static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "GmCodegen.sln"))) return d.FullName;
        return Directory.GetCurrentDirectory();
    }

    public static int Run(Options o, string[] args)
    {
        var total = Stopwatch.StartNew();
        string root = RepoRoot();
        string artifacts = Path.Combine(root, "bench", "BenchmarkDotNet.Artifacts");
        Directory.CreateDirectory(artifacts);
        var all = new SuiteOutput();
        all.Info["date"] = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'");
        all.Info["command"] = "dotnet run -c Release --project bench/GmCodegen.Bench -- " + string.Join(' ', args);
        all.Info["loadavg-start"] = File.ReadAllText("/proc/loadavg").Trim();
        all.Info["generated"] = Generated.Available ? "compiled in" : "not compiled in (generator does not emit kernels yet)";
        all.Info["knob"] = KernelThreads.KnobPresent ? "GmCodegen.KernelParallelism.MaxDegree present" : "GmCodegen.KernelParallelism.MaxDegree absent";
        foreach (var kv in MachineInfo.Describe()) all.Info[kv.Key] = kv.Value;
        all.Info["source"] = MachineInfo.Source(root);

        if (!o.E2EOnly) RunKernelSuite(o, all, root, artifacts);
        if (!o.NoE2E) RunEndToEnd(o, all, artifacts);

        all.Info["loadavg-end"] = File.ReadAllText("/proc/loadavg").Trim();
        all.Info["duration"] = $"{total.Elapsed.TotalMinutes:F1} min";
        string outPath = o.Out ?? (o.E2EOnly ? Path.Combine(artifacts, "e2e.md") : Path.Combine(root, "bench", "RESULTS.md"));
        all.Save(Path.ChangeExtension(outPath, ".json"));
        File.WriteAllText(outPath, Report.Render(all, o));
        Console.WriteLine($"== wrote {outPath} ({total.Elapsed.TotalMinutes:F1} min)");
        return 0;
    }

    /// <summary>Issue 4's end-to-end step: GmCodegen here, TorchSharp in child processes (plain, then GLIBC_TUNABLES).</summary>
    static void RunEndToEnd(Options o, SuiteOutput all, string artifacts)
    {
        Console.WriteLine("== end-to-end training step (rotated-MNIST network), GmCodegen");
        all.Rows.AddRange(EndToEnd.TimeGmCodegen(o.Threads, all.Info));
        if (o.NoTorch) return;
        Console.WriteLine("== end-to-end training step, TorchSharp as a user runs it (no GLIBC_TUNABLES)");
        var plain = RunChild(["--e2e-child", "{json}", "--threads", string.Join(',', o.Threads)], tunables: false, Path.Combine(artifacts, "e2e-torch-plain.json"));
        if (plain is not null) { all.Rows.AddRange(plain.Rows); foreach (var kv in plain.Info) all.Info[kv.Key.StartsWith("e2e:") ? kv.Key : "e2e-torch:" + kv.Key] = kv.Value; all.Info.TryAdd("torch:torch", plain.Info.GetValueOrDefault("torch", "?")); }
        if (o.NoTunables) return;
        Console.WriteLine($"== end-to-end training step, TorchSharp with GLIBC_TUNABLES={TunablesValue}");
        var tun = RunChild(["--e2e-child", "{json}", "--threads", string.Join(',', o.TunablesThreads)], tunables: true, Path.Combine(artifacts, "e2e-torch-tunables.json"));
        if (tun is not null) all.Rows.AddRange(tun.Rows);
    }

    static void RunKernelSuite(Options o, SuiteOutput all, string root, string artifacts)
    {
        Console.WriteLine("== roofline");
        foreach (int t in o.Threads.Union([1, 2]).Order())
        {
            var r = Roofline.Measure(t);
            all.Roofline.Add(r);
            Console.WriteLine($"   {t}T: FMA {r.FmaGflops:F1} GFLOP/s (Vector512 {r.Fma512Gflops:F1}), read {r.ReadGBs:F1} GB/s, copy {r.CopyGBs:F1}, write {r.WriteGBs:F1}, first-touch write {r.FirstTouchGBs:F2}");
        }

        all.Checks.AddRange(ReferenceVectors.Verify(root));
        var genChecks = ManagedKernels.VerifyGenerated(o.Configs);
        all.Checks.AddRange(genChecks);
        if (genChecks.Count > 0 && genChecks.All(c => c.Ok))
        {
            all.GeneratedFirstCallExtraMiB = ManagedKernels.GeneratedFirstCallExtra(o.Configs);
            Console.WriteLine("== generated kernels' first-call scratch (peak RSS delta, 2 threads): " + string.Join(", ", all.GeneratedFirstCallExtraMiB.Select(kv => $"{kv.Key} {kv.Value:F1} MiB")));
        }

        var cases = new List<KernelCase>();
        foreach (var c in o.Configs) foreach (var p in Enum.GetValues<Pass>()) foreach (int t in o.Threads) cases.Add(new KernelCase(c.Name, p, t));
        bool verifiedGenerated = genChecks.Count > 0 && genChecks.All(c => c.Ok);
        if (Generated.Available && !verifiedGenerated) Console.WriteLine("[managed] generated kernels failed their check against NaiveGm: not timed");
        if (!o.NoNaive || (Generated.Available && verifiedGenerated))
        {
            Console.WriteLine("== managed kernels (BenchmarkDotNet)");
            ManagedKernels.SelectedCases = cases;
            ManagedKernels.RunNaive = !o.NoNaive;
            ManagedKernels.RunGenerated = Generated.Available && verifiedGenerated;
            var managed = ManagedKernels.Run(artifacts);
            all.Rows.AddRange(managed.Rows);
        }

        // libtorch runs after the managed kernels: its children allocate and free up to 9 GiB, and 2-thread kernel
        // runs that followed them scaled only 1.0–1.3× (1.7–1.8× without them) — most likely the OS's memory
        // housekeeping after the frees taking a core; measured, not yet explained.
        if (!o.NoTorch)
        {
            Console.WriteLine("== libtorch, as a user runs it (no GLIBC_TUNABLES)");
            var plain = RunTorchChild(o, o.Threads, tunables: false, Path.Combine(artifacts, "torch-plain.json"));
            if (plain is not null) { all.Rows.AddRange(plain.Rows); all.Checks.AddRange(plain.Checks); foreach (var kv in plain.Info) all.Info["torch:" + kv.Key] = kv.Value; }
            if (!o.NoTunables)
            {
                Console.WriteLine($"== libtorch with GLIBC_TUNABLES={TunablesValue}");
                var tun = RunTorchChild(o, o.TunablesThreads, tunables: true, Path.Combine(artifacts, "torch-tunables.json"));
                if (tun is not null) all.Rows.AddRange(tun.Rows);
            }
        }

    }

    static SuiteOutput? RunTorchChild(Options o, int[] threads, bool tunables, string json) =>
        RunChild(["--torch-child", "{json}", .. o.ChildArgs(threads).Split(' ')], tunables, json);

    /// <summary>Runs this program again with <paramref name="args"/> ("{json}" replaced by the output path), with or
    /// without GLIBC_TUNABLES, and loads the JSON it wrote.</summary>
    static SuiteOutput? RunChild(string[] args, bool tunables, string json)
    {
        if (File.Exists(json)) File.Delete(json);
        string self = typeof(Suite).Assembly.Location;
        string host = Environment.ProcessPath!;
        var psi = new ProcessStartInfo(host) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") psi.ArgumentList.Add(self);
        foreach (var a in args) psi.ArgumentList.Add(a == "{json}" ? json : a);
        psi.Environment.Remove("GLIBC_TUNABLES");
        if (tunables) psi.Environment["GLIBC_TUNABLES"] = TunablesValue;
        using var p = Process.Start(psi)!;
        p.WaitForExit();
        if (p.ExitCode != 0) Console.WriteLine($"[torch] child exited with {p.ExitCode}; keeping what it wrote");
        return File.Exists(json) ? SuiteOutput.Load(json) : null;
    }
}

public static class Generated
{
#if GM_GENERATED
    public const bool Available = true;
#else
    public const bool Available = false;
#endif
}

public static class MachineInfo
{
    public static Dictionary<string, string> Describe()
    {
        var d = new Dictionary<string, string>();
        try
        {
            var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name"))?.Split(':', 2)[1].Trim() ?? "?";
            var flags = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags"))?.Split(':', 2)[1] ?? "";
            string isa = string.Join(" ", new[] { "avx2", "fma", "avx512f" }.Where(f => flags.Split(' ').Contains(f)));
            d["cpu"] = $"{cpu}, {Environment.ProcessorCount} logical cores, {isa}";
            var mem = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal")).Split(':')[1].Trim();
            d["memory"] = $"{long.Parse(mem.Split(' ')[0]) / 1024.0 / 1024:F1} GiB";
            d["os"] = File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME"))?.Split('=', 2)[1].Trim('"') ?? "?";
        }
        catch (Exception e) { d["machine-error"] = e.Message; }
        d["dotnet"] = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription;
        return d;
    }

    /// <summary>The commit and the runtime/generator projects the binary was built from (work tree or a snapshot).</summary>
    public static string Source(string root)
    {
        string Meta(string key) => typeof(MachineInfo).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value ?? "?";
        string Git(string a)
        {
            try
            {
                var psi = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = root };
                foreach (var x in a.Split(' ')) psi.ArgumentList.Add(x);
                using var p = Process.Start(psi)!;
                string o = p.StandardOutput.ReadToEnd().Trim();
                p.WaitForExit();
                return o;
            }
            catch { return "?"; }
        }
        string rt = Path.GetFullPath(Meta("GmRuntimeProject"));
        bool workTree = rt.StartsWith(root);
        string dirty = workTree && Git("status --porcelain runtime generator").Length > 0 ? " (runtime/generator work tree has uncommitted changes)" : "";
        return $"repository HEAD {Git("rev-parse --short HEAD")}; runtime {(workTree ? "from the work tree" : rt)}{dirty}; generated kernels {Meta("GmBenchGenerated")}";
    }
}
