#if GM_GENERATED
using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using GmCodegen;

namespace GmCodegen.Bench;

/// <summary>One relaxed-layer case: a configuration, a layer (exact, ldr:1, ldr:4, …) and a thread count.</summary>
public sealed record RelaxedCase(string ConfigName, string Layer, int Threads)
{
    public BenchConfig Config => BenchConfig.Get(ConfigName);
    public override string ToString() => $"{ConfigName}/{Layer}/{Threads}T";
}

/// <summary>
/// `--relaxed`: issue 8's benchmark. One forward + backward (weights, bias, relaxation parameters and dx: the three
/// kernel passes of a GM layer) of <see cref="RelaxedGMConv{TGroup}"/> LDR-r against the exact <see cref="GMConv{TGroup}"/>
/// at the same configuration, in the same run, with BenchmarkDotNet's MemoryDiagnoser (bytes allocated per call).
/// Target: LDR-r ≤ (r + 1.5)× the exact layer, and no allocation per call beyond the exact layer's.
/// </summary>
[MemoryDiagnoser]
public class RelaxedLayers
{
    public static List<RelaxedCase> SelectedCases { get; set; } = [];
    public IEnumerable<RelaxedCase> Cases() => SelectedCases;

    [ParamsSource(nameof(Cases))]
    public RelaxedCase Case { get; set; } = null!;

    Layer layer = null!;
    float[] x = [], dy = [];
    int batch;

    [GlobalSetup]
    public void Setup()
    {
        KernelThreads.Set(Case.Threads);
        (layer, x, dy, batch) = Prepare(Case.Config, Case.Layer);
    }

    static (Layer, float[] x, float[] dy, int batch) Prepare(BenchConfig c, string kind)
    {
        var layer = (c.Group, c.Radius) switch
        {
            ("D14 x D14", 3) => Make<D14xD14r3>(c, kind),
            ("C32 x C32", 3) => Make<C32xC32r3>(c, kind),
            ("C32 x C32", 1) => Make<C32xC32r1>(c, kind),
            ("C64 x C64", 1) => Make<C64xC64r1>(c, kind),
            _ => throw new ArgumentException($"no generated kernel declared for {c.Group} r{c.Radius}"),
        };
        layer.InputGradRequired = true;
        var rng = new Random(42);
        float[] R(long n) { var a = new float[n]; for (long i = 0; i < n; i++) a[i] = (float)(rng.NextDouble() * 2 - 1); return a; }
        var x = R((long)c.Batch * c.In * c.L);
        var dy = R((long)c.Batch * c.Out * c.L);
        if (layer.Parameters.FirstOrDefault(p => p.Name.EndsWith("relax.a")) is { } a)
            R(a.Size).CopyTo(a.Value, 0);   // away from a = 0 (the same work either way; honest values)
        return (layer, x, dy, c.Batch);
    }

    /// <summary>
    /// Paired measurement, robust to the shared VM's slow load swings: per round, one call of every layer in turn;
    /// the ratio to the exact layer is taken within the round, then the median over rounds.
    /// </summary>
    static Dictionary<string, (double medianRatio, double lo, double hi)> Paired(BenchConfig c, int threads, string[] kinds, int warmups, int rounds)
    {
        KernelThreads.Set(threads);
        var prepared = kinds.Select(k => (kind: k, run: Prepare(c, k))).ToList();
        double Call((Layer layer, float[] x, float[] dy, int batch) p)
        {
            long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
            p.layer.Forward(p.x, p.batch, training: true);
            p.layer.Backward(p.dy, p.batch);
            return System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }
        for (int w = 0; w < warmups; w++) foreach (var p in prepared) Call(p.run);
        var ratios = kinds.ToDictionary(k => k, _ => new List<double>());
        for (int r = 0; r < rounds; r++)
        {
            var times = prepared.ToDictionary(p => p.kind, p => Call(p.run));
            foreach (var k in kinds) ratios[k].Add(times[k] / times["exact"]);
        }
        return kinds.ToDictionary(k => k, k =>
        {
            var v = ratios[k].Order().ToList();
            return (v[v.Count / 2], v[0], v[^1]);
        });
    }

    static Layer Make<T>(BenchConfig c, string kind) where T : IGroupKernel => kind == "exact"
        ? new GMConv<T>("conv", c.In, c.Out, c.Mode, new Random(1))
        : new RelaxedGMConv<T>("conv", c.In, c.Out, c.Mode, Relaxation.Parse(kind), new Random(1));

    [Benchmark]
    public void ForwardBackward()
    {
        layer.Forward(x, batch, training: true);
        layer.Backward(dy, batch);
    }

    public static int Run(Options o, string[] args)
    {
        string root = Suite.RepoRoot();
        string artifacts = Path.Combine(root, "bench", "BenchmarkDotNet.Artifacts");
        Directory.CreateDirectory(artifacts);
        string load0 = File.ReadAllText("/proc/loadavg").Trim();
        var started = DateTime.UtcNow;
        var configs = o.ConfigsGiven ? o.Configs : [BenchConfig.Get("rotmnist-first"), BenchConfig.Get("plume")];
        SelectedCases = [.. from c in configs from t in o.Threads from l in o.RelaxedLayers select new RelaxedCase(c.Name, l, t)];
        var config = ManualConfig.CreateEmpty()
            .AddJob(Job.Dry
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithStrategy(RunStrategy.Monitoring)
                .WithLaunchCount(1).WithWarmupCount(o.RelaxedWarmups).WithIterationCount(o.RelaxedIterations)
                .WithInvocationCount(1).WithUnrollFactor(1)
                .WithId("Monitoring-InProcess"))
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddLogger(ConsoleLogger.Default)
            .WithArtifactsPath(artifacts)
            .WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(40))
            .WithOptions(ConfigOptions.DisableLogFile | ConfigOptions.JoinSummary);
        var summary = BenchmarkRunner.Run<RelaxedLayers>(config);
        var rows = summary.Reports.Where(r => r.ResultStatistics is not null).Select(r => (
            kc: (RelaxedCase)r.BenchmarkCase.Parameters["Case"],
            median: r.ResultStatistics!.Median / 1e6, min: r.ResultStatistics.Min / 1e6, n: r.ResultStatistics.N,
            bytes: r.GcStats.GetBytesAllocatedPerOperation(r.BenchmarkCase))).ToList();

        var md = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        md.AppendLine("# Relaxed GM layers against the exact layer (issue 8, item 5)").AppendLine();
        md.AppendLine(inv, $"- command: `dotnet run -c Release --project bench/GmCodegen.Bench -- {string.Join(' ', args)}`");
        md.AppendLine(inv, $"- date: {started:yyyy-MM-dd HH:mm} UTC, {(DateTime.UtcNow - started).TotalMinutes:F1} min; load average at start `{load0}`, at end `{File.ReadAllText("/proc/loadavg").Trim()}`");
        foreach (var kv in MachineInfo.Describe()) md.AppendLine(inv, $"- {kv.Key}: {kv.Value}");
        md.AppendLine(inv, $"- source: {MachineInfo.Source(root)}");
        md.AppendLine(inv, $"- BenchmarkDotNet in-process, Monitoring, {o.RelaxedWarmups} warm-up(s) + {o.RelaxedIterations} calls per case, MemoryDiagnoser");
        md.AppendLine("- one call = layer.Forward + layer.Backward with dx (three kernel passes for the exact layer; for LDR-r one stacked");
        md.AppendLine("  (r+1)·O-channel call per pass plus the position-wise combination and the da reduction)").AppendLine();
        md.AppendLine("| configuration | threads | layer | median ms | fastest ms | × exact (median) | × exact (fastest) | target | allocated per call |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var g in rows.GroupBy(r => (r.kc.ConfigName, r.kc.Threads)))
        {
            var exact = g.FirstOrDefault(r => r.kc.Layer == "exact");
            foreach (var r in g)
            {
                int rank = r.kc.Layer == "exact" ? 0 : Relaxation.Parse(r.kc.Layer).ExtraKernels;
                string ratio(double a, double b) => exact.kc is null ? "-" : (a / b).ToString("F2", inv) + "×";
                string target = r.kc.Layer == "exact" ? "" : $"≤ {rank + 1.5:F1}× {(exact.kc is not null && r.median / exact.median <= rank + 1.5 ? "met" : "missed")}";
                md.AppendLine(inv, $"| {g.Key.ConfigName} | {g.Key.Threads} | {r.kc.Layer} | {r.median:F1} | {r.min:F1} | {ratio(r.median, exact.median)} | {ratio(r.min, exact.min)} | {target} | {r.bytes:N0} B |");
            }
        }
        if (o.RelaxedLayers.Contains("exact"))
        {
            md.AppendLine().AppendLine(inv, $"Paired ratios (after the BenchmarkDotNet cases, outside it): {o.RelaxedWarmups} warm-up round(s), then {o.RelaxedIterations} rounds of one call of every layer in turn; the ratio to the exact layer within each round, median [min, max] over rounds:").AppendLine();
            md.AppendLine("| configuration | threads | layer | × exact, paired median [min, max] | target |");
            md.AppendLine("|---|---|---|---|---|");
            foreach (var c in configs)
                foreach (int t in o.Threads)
                {
                    var paired = Paired(c, t, o.RelaxedLayers, o.RelaxedWarmups, o.RelaxedIterations);
                    foreach (var (k, (med, lo, hi)) in paired)
                    {
                        if (k == "exact") continue;
                        double target = Relaxation.Parse(k).ExtraKernels + 1.5;
                        md.AppendLine(inv, $"| {c.Name} | {t} | {k} | {med:F2}× [{lo:F2}, {hi:F2}] | ≤ {target:F1}× {(med <= target ? "met" : "missed")} |");
                    }
                }
        }
        string outPath = o.Out ?? Path.Combine(root, "bench", "RELAXED.md");
        File.WriteAllText(outPath, md.ToString());
        Console.WriteLine(md.ToString());
        Console.WriteLine($"== wrote {outPath}");
        return 0;
    }
}
#endif
