using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using GmCodegen;

namespace GmCodegen.Bench;

/// <summary>One managed-kernel case: a configuration, a pass and a thread count.</summary>
public sealed record KernelCase(string ConfigName, Pass Pass, int Threads)
{
    public BenchConfig Config => BenchConfig.Get(ConfigName);
    public override string ToString() => $"{ConfigName}/{Passes.Of(Pass)}/{Threads}T";
}

/// <summary>
/// BenchmarkDotNet suite of the managed kernels (NaiveGm, and the generated kernels when compiled in), with
/// MemoryDiagnoser. In-process toolchain (no per-benchmark project build, and the bench's patched native libraries are
/// not involved), Monitoring strategy, each call one whole pass: 3 warm-ups + 15 measured calls for the generated kernels (the VM is noisy), 1 + 3 for the naive one (seconds per call).
/// </summary>
[MemoryDiagnoser]
public partial class ManagedKernels
{
    public static List<KernelCase> SelectedCases { get; set; } = [];
    public static bool RunNaive { get; set; } = true;
    public static bool RunGenerated { get; set; }
    /// <summary>Filled by the setups (in-process): how each case was run.</summary>
    public static readonly Dictionary<(string impl, string kcase), (double scale, string reduction, string threading)> Plans = [];

    public IEnumerable<KernelCase> Cases() => SelectedCases;

    [ParamsSource(nameof(Cases))]
    public KernelCase Case { get; set; } = null!;

    IKernelRunner runner = null!;

    [GlobalSetup(Target = nameof(Naive))]
    public void SetupNaive()
    {
        runner = new NaiveRunner(Case.Config, Case.Threads);
        Plans[("naive", Case.ToString())] = (runner.Scale, runner.Reduction, Case.Threads == 1 ? "1 thread" : $"batch split over {Case.Threads} threads (Parallel.For)");
    }

    [Benchmark]
    public void Naive() => runner.Pass(Case.Pass);

    public static SuiteOutput Run(string artifacts)
    {
        var output = new SuiteOutput();
        // The generated kernels take milliseconds: 3 warm-ups and 15 calls give a stable median on this noisy VM.
        // The naive kernel takes seconds per call: 1 warm-up and 3 calls.
        static IConfig Config(string artifacts, int warmups, int iterations) => ManualConfig.CreateEmpty()
            .AddJob(Job.Dry
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithStrategy(RunStrategy.Monitoring)
                .WithLaunchCount(1).WithWarmupCount(warmups).WithIterationCount(iterations)
                .WithInvocationCount(1).WithUnrollFactor(1)
                .WithId("Monitoring-InProcess"))
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddLogger(ConsoleLogger.Default)
            .WithArtifactsPath(artifacts)
            .WithSummaryStyle(BenchmarkDotNet.Reports.SummaryStyle.Default.WithMaxParameterColumnWidth(40))
            .WithOptions(ConfigOptions.DisableLogFile | ConfigOptions.JoinSummary);
        var reports = new List<BenchmarkReport>();
        if (RunGenerated)
            reports.AddRange(BenchmarkRunner.Run<ManagedKernels>(Config(artifacts, 3, 15).AddFilter(
                new BenchmarkDotNet.Filters.SimpleFilter(b => b.Descriptor.WorkloadMethod.Name != nameof(Naive)))).Reports);
        if (RunNaive)
            reports.AddRange(BenchmarkRunner.Run<ManagedKernels>(Config(artifacts, 1, 3).AddFilter(
                new BenchmarkDotNet.Filters.SimpleFilter(b => b.Descriptor.WorkloadMethod.Name == nameof(Naive)))).Reports);
        var summary = new { Reports = reports };
        foreach (var r in summary.Reports)
        {
            if (r.ResultStatistics is null) continue;
            var kc = (KernelCase)r.BenchmarkCase.Parameters["Case"];
            string impl = r.BenchmarkCase.Descriptor.WorkloadMethod.Name == nameof(Naive) ? "naive" : "generated";
            var plan = Plans.TryGetValue((impl, kc.ToString()), out var p) ? p : (1.0, "", "");
            var ms = r.ResultStatistics.Median / 1e6;
            output.Rows.Add(new Row(kc.ConfigName, impl, kc.Threads, false, Passes.Of(kc.Pass), ms * plan.Item1,
                r.ResultStatistics.Min / 1e6 * plan.Item1, r.ResultStatistics.N, plan.Item1,
                impl == "naive" ? "BenchmarkDotNet in-process, Monitoring, 1 warm-up + 3 calls, median" : "BenchmarkDotNet in-process, Monitoring, 3 warm-ups + 15 calls, median",
                ManagedBytes: r.GcStats.GetBytesAllocatedPerOperation(r.BenchmarkCase),
                Note: string.Join("; ", new[] { plan.Item2, plan.Item3 }.Where(s => !string.IsNullOrEmpty(s)))));
        }
        return output;
    }

    /// <summary>Peak RSS growth of the first full-size call of each generated pass (2 threads): the kernel's scratch.</summary>
    public static Dictionary<string, double> GeneratedFirstCallExtra(IEnumerable<BenchConfig> configs)
    {
        var d = new Dictionary<string, double>();
#if GM_GENERATED
        KernelThreads.Set(2);
        foreach (var c in configs)
        {
            var runner = GeneratedKernels.For(c, c.Batch);
            foreach (var p in Enum.GetValues<Pass>())
            {
                GC.Collect(); GC.WaitForPendingFinalizers();
                long rss0 = ProcMem.RssBytes();
                ProcMem.ResetPeak();
                runner.Pass(p);
                d[$"{c.Name}/{Passes.Of(p)}"] = Math.Max(0, ProcMem.PeakBytes() - rss0) / 1048576.0;
            }
        }
#endif
        return d;
    }

    /// <summary>The generated kernels (when compiled in) against NaiveGm on small inputs of each (group, radius, mode).</summary>
    public static List<Check> VerifyGenerated(IEnumerable<BenchConfig> configs)
    {
        var checks = new List<Check>();
#if GM_GENERATED
        foreach (var big in configs.DistinctBy(c => (c.Group, c.Radius, c.Mode)))
        {
            var c = big with { Batch = 2, In = Math.Min(big.In, 3), Out = 4 };
            var rng = new Random(11);
            float[] R(long n) { var a = new float[n]; for (long i = 0; i < n; i++) a[i] = (float)(rng.NextDouble() * 2 - 1); return a; }
            var x = R((long)c.Batch * c.In * c.L); var w = R(c.WeightLength); var b = R(c.Out); var dy = R((long)c.Batch * c.Out * c.L);
            var y = new float[dy.Length]; var dx = new float[x.Length]; var dw = new float[w.Length]; var db = new float[c.Out];
            var s = c.Shape(c.Batch);
            NaiveGm.Forward(c.L, c.K, c.Idx, s, x, w, b, y);
            NaiveGm.BackwardInput(c.L, c.K, c.Idx, s, dy, w, dx);
            NaiveGm.BackwardWeights(c.L, c.K, c.Idx, s, x, dy, dw, db);
            try
            {
                var g = GeneratedKernels.RunOnce(c, x, w, b, dy);
                double E(float[] a, float[] r) => a.Zip(r, (p, q) => Math.Abs(p - q)).Max() / Math.Max(1e-30, r.Max(Math.Abs));
                var e = new[] { E(g.y, y), E(g.dx, dx), E(g.dw, dw), E(g.db, db) };
                if (g.tableError is not null) Console.WriteLine($"[managed] generated {c.Group} r{c.Radius}: {g.tableError}");
                checks.Add(new Check(c.Group, c.Radius, c.Mode.ToString(), "generated", e[0], e[1], e[2], e[3], g.tableError is null && e.All(v => v < 1e-4)));
            }
            catch (Exception ex)
            {
                Console.WriteLine($"[managed] generated {c.Group} r{c.Radius} {c.Mode}: {ex.GetType().Name}: {ex.Message}");
                checks.Add(new Check(c.Group, c.Radius, c.Mode.ToString(), "generated", double.NaN, double.NaN, double.NaN, double.NaN, false));
            }
        }
#endif
        return checks;
    }
}
