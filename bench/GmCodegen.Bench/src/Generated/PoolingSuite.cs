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

// The pools of issue 9 (G → H over the right cosets of H): 2×2 windows with stride 2 on the cyclic grids, and
// ⟨r², f⟩ in each factor on D14 x D14. The H types only need to exist as [GroupMatrix] types; radius 1 is the cheapest.
[GroupMatrix("C28 x C28", Radius = 1)] public partial struct C28xC28r1;
[GroupMatrix("C14 x C14", Radius = 1)] public partial struct C14xC14r1;
[GroupMatrix("D7 x D7", Radius = 1)] public partial struct D7xD7r1;
[GroupPool(typeof(C64xC64r1), typeof(C32xC32r1))] public partial struct PoolC64toC32;
[GroupPool(typeof(C28xC28r1), typeof(C14xC14r1))] public partial struct PoolC28toC14;
[GroupPool(typeof(D14xD14r3), typeof(D7xD7r1))] public partial struct PoolD14toD7;

/// <summary>One pooling case: a shape (plume-c64, rotmnist-c28, rotmnist-d14), an operation and a thread count.</summary>
public sealed record PoolCase(string Shape, string Op, int Threads)
{
    public override string ToString() => $"{Shape}/{Op}/{Threads}T";
}

/// <summary>A prepared call: the work on its own buffers.</summary>
public sealed record PreparedPool(Action Call, string Note);

/// <summary>
/// `--pooling`: issue 9 item 6. The layers <see cref="GMPool{TPool}"/> (max: forward, and backward routing dz to the
/// arg-max) and <see cref="GMTransposePool{TPool}"/> (forward) on the plume and rotated-MNIST shapes, as achieved
/// bandwidth — the minimal bytes a call must read and write over its time — against the memory bandwidth measured by
/// <see cref="Roofline.Bandwidth"/> in the same run. Target: max pooling ≥ 50 % of the measured copy bandwidth (a copy
/// is the same read-then-write stream). MemoryDiagnoser gives the allocation per call.
/// </summary>
[MemoryDiagnoser]
public class PoolingLayers
{
    /// <summary>(name, G → H, batch, channels): the issue's shapes.</summary>
    public static readonly (string Name, string Pool, int Batch, int Channels)[] Shapes =
    [
        ("plume-c64", "C64 x C64 → C32 x C32", 32, 120),
        ("rotmnist-c28", "C28 x C28 → C14 x C14", 128, 120),
        ("rotmnist-d14", "D14 x D14 → D7 x D7", 128, 120),
    ];
    public static readonly string[] Ops = ["max-fwd", "max-bwd", "transpose-fwd"];

    public static List<PoolCase> SelectedCases { get; set; } = [];
    public IEnumerable<PoolCase> Cases() => SelectedCases;

    [ParamsSource(nameof(Cases))]
    public PoolCase Case { get; set; } = null!;

    Action call = null!;

    [GlobalSetup]
    public void Setup()
    {
        KernelThreads.Set(Case.Threads);
        call = Prepare(Case.Shape, Case.Op).Call;
    }

    [Benchmark]
    public void Call() => call();

    public static PreparedPool Prepare(string shape, string op)
    {
        var s = Shapes.Single(x => x.Name == shape);
        return shape switch
        {
            "plume-c64" => Prepare<PoolC64toC32>(op, s.Batch, s.Channels),
            "rotmnist-c28" => Prepare<PoolC28toC14>(op, s.Batch, s.Channels),
            "rotmnist-d14" => Prepare<PoolD14toD7>(op, s.Batch, s.Channels),
            _ => throw new ArgumentException($"unknown pooling shape {shape}", nameof(shape)),
        };
    }

    /// <summary>The minimal bytes a call moves and its flops (transpose only), without allocating the case's buffers.</summary>
    public static (long Bytes, double Flops) Cost(string shape, string op)
    {
        var s = Shapes.Single(x => x.Name == shape);
        return shape switch
        {
            "plume-c64" => Cost<PoolC64toC32>(op, s.Batch, s.Channels),
            "rotmnist-c28" => Cost<PoolC28toC14>(op, s.Batch, s.Channels),
            "rotmnist-d14" => Cost<PoolD14toD7>(op, s.Batch, s.Channels),
            _ => throw new ArgumentException($"unknown pooling shape {shape}", nameof(shape)),
        };
    }

    static (long Bytes, double Flops) Cost<TPool>(string op, int batch, int channels) where TPool : IGroupPool
    {
        long L = TPool.Order, N = TPool.SubgroupOrder, M = TPool.Index, rows = (long)batch * channels;
        return op switch
        {
            "max-fwd" => (4 * rows * (L + 2 * N), 0),                       // read x; write z and the int32 arg-max
            "max-bwd" => (4 * rows * (2 * N + L), 0),                       // read dz and the arg-max; write dx once
            "transpose-fwd" => (4 * (rows * N + channels * channels * M + channels + rows * L),   // read z, u, bias; write y
                                2.0 * batch * channels * L * channels),    // each y[b,o,a] is an I-term dot product
            _ => throw new ArgumentException($"unknown pooling op {op}", nameof(op)),
        };
    }

    static PreparedPool Prepare<TPool>(string op, int batch, int channels) where TPool : IGroupPool
    {
        int L = TPool.Order, N = TPool.SubgroupOrder;
        var rng = new Random(42);
        float[] R(long n) { var a = new float[n]; for (long i = 0; i < n; i++) a[i] = (float)(rng.NextDouble() * 2 - 1); return a; }
        long rows = (long)batch * channels;
        switch (op)
        {
            case "max-fwd":
            {
                var pool = new GMPool<TPool>("pool", channels, PoolKind.Max);
                var x = R(rows * L);
                pool.Forward(x, batch, training: true);   // its buffers (z, argmax) exist from here on, as in training
                // read x, write z and the int arg-max
                return new(() => pool.Forward(x, batch, training: true), "reads x, writes z + argmax");
            }
            case "max-bwd":
            {
                var pool = new GMPool<TPool>("pool", channels, PoolKind.Max) { InputGradRequired = true };
                var x = R(rows * L);
                var dz = R(rows * N);
                pool.Forward(x, batch, training: true);
                pool.Backward(dz, batch);
                // the kernel clears dx, then scatters: more traffic than the minimum counted in Cost
                return new(() => pool.Backward(dz, batch), "reads dz + argmax, writes dx");
            }
            case "transpose-fwd":
            {
                // channels in = channels out: the transpose that undoes a pool in an encoder–decoder
                var up = new GMTransposePool<TPool>("up", channels, channels, new Random(1));
                var z = R(rows * N);
                up.Forward(z, batch, training: true);
                return new(() => up.Forward(z, batch, training: true), "reads z + u + bias, writes y; I = O");
            }
            default: throw new ArgumentException($"unknown pooling op {op}", nameof(op));
        }
    }

    public static int Run(Options o, string[] args)
    {
        string root = Suite.RepoRoot();
        string artifacts = Path.Combine(root, "bench", "BenchmarkDotNet.Artifacts");
        Directory.CreateDirectory(artifacts);
        string load0 = File.ReadAllText("/proc/loadavg").Trim();
        var started = DateTime.UtcNow;
        var inv = CultureInfo.InvariantCulture;

        // The roofline of this run, before and after the cases (the VM's load moves); the higher of the two is the reference.
        Dictionary<int, (double read, double copy, double write)> Bw()
        {
            var d = new Dictionary<int, (double, double, double)>();
            foreach (int t in o.Threads)
            {
                var (r, c, w, _) = Roofline.Bandwidth(t, mib: 256, reps: 3);
                d[t] = (r, c, w);
                Console.WriteLine($"   {t}T: read {r:F1} GB/s, copy {c:F1}, write {w:F1}");
            }
            return d;
        }
        Console.WriteLine("== memory bandwidth (before)");
        var bw0 = Bw();
        var fma = o.Threads.ToDictionary(t => t, t => Roofline.FmaPeak(t, 0.3));

        SelectedCases = [.. from s in Shapes from op in Ops from t in o.Threads select new PoolCase(s.Name, op, t)];
        var config = ManualConfig.CreateEmpty()
            .AddJob(Job.Dry
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithStrategy(RunStrategy.Monitoring)
                .WithLaunchCount(1).WithWarmupCount(o.PoolingWarmups).WithIterationCount(o.PoolingIterations)
                .WithInvocationCount(1).WithUnrollFactor(1)
                .WithId("Monitoring-InProcess"))
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddLogger(ConsoleLogger.Default)
            .WithArtifactsPath(artifacts)
            .WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(40))
            .WithOptions(ConfigOptions.DisableLogFile | ConfigOptions.JoinSummary);
        var summary = BenchmarkRunner.Run<PoolingLayers>(config);

        Console.WriteLine("== memory bandwidth (after)");
        var bw1 = Bw();
        var rows = summary.Reports.Where(r => r.ResultStatistics is not null).Select(r => (
            kc: (PoolCase)r.BenchmarkCase.Parameters["Case"],
            median: r.ResultStatistics!.Median / 1e6, min: r.ResultStatistics.Min / 1e6,
            bytes: r.GcStats.GetBytesAllocatedPerOperation(r.BenchmarkCase))).ToList();

        var md = new StringBuilder();
        md.AppendLine("# GMPool and GMTransposePool against the measured memory bandwidth (issue 9, item 6)").AppendLine();
        md.AppendLine(inv, $"- command: `dotnet run -c Release --project bench/GmCodegen.Bench -- {string.Join(' ', args)}`");
        md.AppendLine(inv, $"- date: {started:yyyy-MM-dd HH:mm} UTC, {(DateTime.UtcNow - started).TotalMinutes:F1} min; load average at start `{load0}`, at end `{File.ReadAllText("/proc/loadavg").Trim()}`");
        foreach (var kv in MachineInfo.Describe()) md.AppendLine(inv, $"- {kv.Key}: {kv.Value}");
        md.AppendLine(inv, $"- source: {MachineInfo.Source(root)}");
        md.AppendLine(inv, $"- BenchmarkDotNet in-process, Monitoring, {o.PoolingWarmups} warm-up(s) + {o.PoolingIterations} calls per case, MemoryDiagnoser; one call = one layer call (`GMPool.Forward`, `GMPool.Backward`, `GMTransposePool.Forward`) on the whole batch");
        md.AppendLine("- shapes: " + string.Join("; ", Shapes.Select(s => $"{s.Name} = {s.Pool}, batch {s.Batch}, {s.Channels} channels")) + " (the transpose: 120 → 120 channels)");
        md.AppendLine("- bytes per call: the minimum the call must move (max-fwd: x read, z and the int32 arg-max written; max-bwd: dz and arg-max read, dx written once; transpose-fwd: z, u, bias read, y written); the achieved GB/s = bytes / median (or fastest) time");
        md.AppendLine("- memory bandwidth measured in this run by `Roofline.Bandwidth` (256 MiB arrays, best of 3), before and after the cases; the reference is the higher copy bandwidth (read + write counted, the same accounting as the pools)").AppendLine();
        md.AppendLine("| threads | read GB/s (before / after) | copy GB/s (before / after) | write GB/s (before / after) | Vector256 FMA peak GFLOP/s |");
        md.AppendLine("|---|---|---|---|---|");
        foreach (int t in o.Threads)
            md.AppendLine(inv, $"| {t} | {bw0[t].read:F1} / {bw1[t].read:F1} | {bw0[t].copy:F1} / {bw1[t].copy:F1} | {bw0[t].write:F1} / {bw1[t].write:F1} | {fma[t]:F0} |");
        md.AppendLine();
        md.AppendLine("| shape | op | threads | MB per call | median ms | fastest ms | GB/s (median) | GB/s (fastest) | % of copy bw (median) | % (fastest) | GFLOP/s (median) | target | allocated per call |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in rows.OrderBy(r => Array.FindIndex(Shapes, s => s.Name == r.kc.Shape)).ThenBy(r => Array.IndexOf(Ops, r.kc.Op)).ThenBy(r => r.kc.Threads))
        {
            var p = Cost(r.kc.Shape, r.kc.Op);
            double refBw = Math.Max(bw0[r.kc.Threads].copy, bw1[r.kc.Threads].copy);
            double gbMed = p.Bytes / (r.median / 1e3) / 1e9, gbMin = p.Bytes / (r.min / 1e3) / 1e9;
            string gflops = p.Flops > 0 && r.kc.Op == "transpose-fwd" ? (p.Flops / (r.median / 1e3) / 1e9).ToString("F1", inv) : "-";
            string target = r.kc.Op.StartsWith("max") ? (gbMed / refBw >= 0.5 ? "≥ 50 % met" : "≥ 50 % missed") : "-";
            md.AppendLine(inv, $"| {r.kc.Shape} | {r.kc.Op} | {r.kc.Threads} | {p.Bytes / 1e6:F1} | {r.median:F2} | {r.min:F2} | {gbMed:F2} | {gbMin:F2} | {100 * gbMed / refBw:F0} % | {100 * gbMin / refBw:F0} % | {gflops} | {target} | {r.bytes:N0} B |");
        }
        string outPath = o.Out ?? Path.Combine(root, "bench", "POOLING.md");
        File.WriteAllText(outPath, md.ToString());
        Console.WriteLine(md.ToString());
        Console.WriteLine($"== wrote {outPath}");
        return 0;
    }
}
#endif
