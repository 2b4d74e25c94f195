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

namespace GmCodegen.Bench;

/// <summary>
/// `--kernels`: issue 12's performance targets. The generated kernels alone (checked against NaiveGm first) on the
/// five configurations of issue 4 and issue 12's four (<see cref="BenchConfig.Planner"/>), each pass as a fraction of
/// the Vector256 FMA peak measured by <see cref="Roofline.FmaPeak"/> in the same run, before and after the cases (the
/// higher is the reference). Targets: forward ≥ 50 %, each backward pass ≥ 40 % of the peak at two threads.
/// Quick by design (`--kernel-calls W,N`, default 2,8), so that it can run on a shared machine; the load average is
/// written next to the numbers.
/// </summary>
[MemoryDiagnoser]
public class PlannerKernels
{
    public static List<KernelCase> SelectedCases { get; set; } = [];
    public IEnumerable<KernelCase> Cases() => SelectedCases;

    [ParamsSource(nameof(Cases))]
    public KernelCase Case { get; set; } = null!;

    IKernelRunner runner = null!;

    [GlobalSetup]
    public void Setup()
    {
        KernelThreads.Set(Case.Threads);
        runner = GeneratedKernels.For(Case.Config, Case.Config.Batch);
    }

    [Benchmark]
    public void Generated() => runner.Pass(Case.Pass);

    public static int Run(Options o, string[] args)
    {
        string root = Suite.RepoRoot();
        string artifacts = Path.Combine(root, "bench", "BenchmarkDotNet.Artifacts");
        Directory.CreateDirectory(artifacts);
        var inv = CultureInfo.InvariantCulture;
        string load0 = File.ReadAllText("/proc/loadavg").Trim();
        var started = DateTime.UtcNow;
        var configs = o.ConfigsGiven ? o.Configs : [.. BenchConfig.All, .. BenchConfig.Planner];

        Console.WriteLine("== generated kernels against NaiveGm (small inputs)");
        var checks = ManagedKernels.VerifyGenerated(configs);
        foreach (var c in checks) Console.WriteLine($"   {c}");
        var verified = configs.Where(c => checks.Any(k => k.Group == c.Group && k.Radius == c.Radius && k.Mode == c.Mode.ToString() && k.Ok)).ToList();

        Console.WriteLine("== FMA peak and copy bandwidth (before)");
        var peak0 = o.Threads.ToDictionary(t => t, t => Roofline.FmaPeak(t, 0.5));
        var copy0 = o.Threads.ToDictionary(t => t, t => Roofline.Bandwidth(t, mib: 256, reps: 3).copy);
        foreach (var kv in peak0) Console.WriteLine($"   {kv.Key}T: {kv.Value:F1} GFLOP/s, copy {copy0[kv.Key]:F1} GB/s");

        SelectedCases = [.. from c in verified from p in Enum.GetValues<Pass>() from t in o.Threads select new KernelCase(c.Name, p, t)];
        var config = ManualConfig.CreateEmpty()
            .AddJob(Job.Dry
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithStrategy(RunStrategy.Monitoring)
                .WithLaunchCount(1).WithWarmupCount(o.KernelWarmups).WithIterationCount(o.KernelIterations)
                .WithInvocationCount(1).WithUnrollFactor(1)
                .WithId("Monitoring-InProcess"))
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddLogger(ConsoleLogger.Default)
            .WithArtifactsPath(artifacts)
            .WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(40))
            .WithOptions(ConfigOptions.DisableLogFile | ConfigOptions.JoinSummary);
        var summary = SelectedCases.Count > 0 ? BenchmarkRunner.Run<PlannerKernels>(config) : null;

        Console.WriteLine("== FMA peak (after)");
        var peak1 = o.Threads.ToDictionary(t => t, t => Roofline.FmaPeak(t, 0.5));
        foreach (var kv in peak1) Console.WriteLine($"   {kv.Key}T: {kv.Value:F1} GFLOP/s");
        string load1 = File.ReadAllText("/proc/loadavg").Trim();

        var rows = (summary?.Reports ?? []).Where(r => r.ResultStatistics is not null).Select(r => (
            kc: (KernelCase)r.BenchmarkCase.Parameters["Case"],
            median: r.ResultStatistics!.Median / 1e6, min: r.ResultStatistics.Min / 1e6,
            bytes: r.GcStats.GetBytesAllocatedPerOperation(r.BenchmarkCase))).ToList();

        var md = new StringBuilder();
        md.AppendLine("# Generated GM kernels against the measured FMA peak (issue 12)").AppendLine();
        md.AppendLine(inv, $"- command: `dotnet run -c Release --project bench/GmCodegen.Bench -- {string.Join(' ', args)}`");
        md.AppendLine(inv, $"- date: {started:yyyy-MM-dd HH:mm} UTC, {(DateTime.UtcNow - started).TotalMinutes:F1} min; load average (1, 5, 15 min) at start `{load0}`, at end `{load1}` on {Environment.ProcessorCount} logical cores");
        foreach (var kv in MachineInfo.Describe()) md.AppendLine(inv, $"- {kv.Key}: {kv.Value}");
        md.AppendLine(inv, $"- source: {MachineInfo.Source(root)}");
        md.AppendLine(inv, $"- BenchmarkDotNet in-process, Monitoring, {o.KernelWarmups} warm-up(s) + {o.KernelIterations} calls per case; one call = one pass over the configuration's whole batch");
        md.AppendLine("- FLOPs: the minimal count, 2·B·O·K·|G| per pass in shared mode, 2·B·O·I·K·|G| in full mode (as RESULTS.md); % of peak = GFLOP/s over the higher of the two FMA peaks measured in this run");
        md.AppendLine("- checks: every configuration's generated kernel against NaiveGm on the bench's own tables (B = 2, I ≤ 3, O = 4) before it is timed: " +
            string.Join(", ", checks.Select(c => $"{c.Group} r{c.Radius} {c.Mode} {(c.Ok ? "ok" : "FAILED")}")));
        md.AppendLine("- memory ceiling: a pass must at least read its input and write its output (4·B·|G|·(I + O) bytes, weights aside); at the copy bandwidth measured before the cases that caps it at the GFLOP/s shown as % of the peak — a target above the ceiling cannot be met by any kernel on this machine");
        md.AppendLine().AppendLine("| threads | FMA peak GFLOP/s (before / after) | copy GB/s (before) |").AppendLine("|---|---|---|");
        foreach (int t in o.Threads) md.AppendLine(inv, $"| {t} | {peak0[t]:F1} / {peak1[t]:F1} | {copy0[t]:F1} |");
        md.AppendLine();
        md.AppendLine("| configuration | group, radius, mode | B, I, O | plan | pass | threads | median ms | fastest ms | GFLOP/s (median) | % of peak (median) | % (fastest) | memory ceiling | target (2 threads) | allocated per call |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        var order = configs.Select(c => c.Name).ToList();
        foreach (var r in rows.OrderBy(r => order.IndexOf(r.kc.ConfigName)).ThenBy(r => r.kc.Pass).ThenBy(r => r.kc.Threads))
        {
            var c = r.kc.Config;
            double refPeak = Math.Max(peak0[r.kc.Threads], peak1[r.kc.Threads]);
            double gMed = c.PassFlops / (r.median / 1e3) / 1e9, gMin = c.PassFlops / (r.min / 1e3) / 1e9;
            double goal = r.kc.Pass == Pass.Forward ? 0.5 : 0.4;
            string target = r.kc.Threads != 2 ? "-" : $"≥ {goal * 100:F0} % {(gMed / refPeak >= goal ? "met" : gMin / refPeak >= goal ? "met by the fastest call" : "missed")}";
            double bytes = 4.0 * c.Batch * c.L * (c.In + c.Out);
            double ceiling = Math.Min(1, c.PassFlops / (bytes / (copy0[r.kc.Threads] * 1e9)) / 1e9 / refPeak);
            md.AppendLine(inv, $"| {c.Name} | {c.Group} r{c.Radius} {c.Mode} | {c.Batch}, {c.In}, {c.Out} | {GeneratedKernels.Plan(c)} | {Passes.Of(r.kc.Pass)} | {r.kc.Threads} | {r.median:F2} | {r.min:F2} | {gMed:F1} | {100 * gMed / refPeak:F0} % | {100 * gMin / refPeak:F0} % | {100 * ceiling:F0} % | {target} | {r.bytes:N0} B |");
        }
        string outPath = o.Out ?? Path.Combine(root, "bench", "PLANNER.md");
        File.WriteAllText(outPath, md.ToString());
        Console.WriteLine(md.ToString());
        Console.WriteLine($"== wrote {outPath}");
        return 0;
    }
}
#endif
