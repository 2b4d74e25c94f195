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
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace GmCodegen.Bench;

/// <summary>One inference case: the engine (gmcodegen, onnxruntime), the batch and the thread count.</summary>
public sealed record InferenceCase(string Engine, int Batch, int Threads)
{
    public override string ToString() => $"{Engine}/b{Batch}/{Threads}T";
}

/// <summary>
/// `--onnx`: inference throughput of the paper's rotated-MNIST network (D14 x D14, radius 3, 2 × 120 channels, 48,731
/// parameters) in GmCodegen (<see cref="Network.Forward"/>, training: false) and, exported with <see cref="Onnx.Export"/>,
/// in ONNX Runtime's CPU execution provider (all graph optimisations, IntraOpNumThreads = the thread count), on the same
/// real rotated test digits, side by side in one run. The two must agree to 1e-4 relative before anything is timed.
/// </summary>
[MemoryDiagnoser]
public class OnnxInference
{
    public static List<InferenceCase> SelectedCases { get; set; } = [];
    public IEnumerable<InferenceCase> Cases() => SelectedCases;
    internal static Network Net = null!;
    internal static byte[] Model = [];
    internal static float[] Images = [];

    [ParamsSource(nameof(Cases))]
    public InferenceCase Case { get; set; } = null!;

    Action _call = null!;
    InferenceSession? _session;

    [GlobalSetup]
    public void Setup()
    {
        KernelThreads.Set(Case.Threads);
        int batch = Case.Batch;
        var x = Images.AsSpan(0, batch * Net.Input.Size).ToArray();
        if (Case.Engine == "gmcodegen")
        {
            Net.Forward(x, batch);   // buffers sized before timing, as in serving
            _call = () => Net.Forward(x, batch);
            return;
        }
        _session = Session(Case.Threads);
        var input = new DenseTensor<float>(x, [batch, Net.Input.Positions]);
        NamedOnnxValue[] inputs = [NamedOnnxValue.CreateFromTensor("x", input)];
        _call = () => { using var r = _session.Run(inputs); };
        _call();
    }

    [GlobalCleanup]
    public void Cleanup() => _session?.Dispose();

    [Benchmark]
    public void Infer() => _call();

    internal static InferenceSession Session(int threads) => new(Model, new SessionOptions
    {
        IntraOpNumThreads = threads, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
    });

    public static int Run(Options o, string[] args)
    {
        string root = Suite.RepoRoot();
        string artifacts = Path.Combine(root, "bench", "BenchmarkDotNet.Artifacts");
        Directory.CreateDirectory(artifacts);
        string load0 = File.ReadAllText("/proc/loadavg").Trim();
        var started = DateTime.UtcNow;
        var inv = CultureInfo.InvariantCulture;

        Net = Network.Build(Architectures.GmCnn<D14xD14r3>(classes: 10), new Shape(1, D14xD14r3.Order), seed: 42);
        string weights = o.OnnxModel ?? Path.Combine(root, "models", "rotated-mnist.safetensors");
        bool trained = File.Exists(weights);
        if (trained) SafeTensors.Load(weights, Net.Parameters, requireFinite: true);
        else if (o.OnnxModel is not null) throw new FileNotFoundException($"no model file {weights}");
        string onnxPath = Path.Combine(artifacts, "rotated-mnist.onnx");
        Onnx.Export(Net, onnxPath, new Dictionary<string, string> { ["group"] = "D14 x D14", ["radius"] = "3" });
        Model = File.ReadAllBytes(onnxPath);
        int largest = o.OnnxBatches.Max();
        var split = Datasets.RotatedMnist(Datasets.Mnist10k(Path.Combine(root, "samples", "data")), seed: 42);
        Images = split.Test.Images.AsSpan(0, largest * D14xD14r3.Order).ToArray();

        // Same predictions first: logits to 1e-4 relative and the same arg-max on every image of the largest batch.
        double error;
        int argmaxDiffer = 0;
        using (var session = Session(o.Threads.Max()))
        {
            var gm = Net.Forward(Images, largest).AsSpan(0, largest * 10).ToArray();
            using var r = session.Run([NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(Images, [largest, D14xD14r3.Order]))]);
            var ort = r.Single().AsEnumerable<float>().ToArray();
            double diff = 0, scale = 0;
            for (int j = 0; j < gm.Length; j++) { diff = Math.Max(diff, Math.Abs(gm[j] - ort[j])); scale = Math.Max(scale, Math.Abs(gm[j])); }
            error = diff / scale;
            for (int b = 0; b < largest; b++)
                if (gm.AsSpan(b * 10, 10).IndexOf(gm.AsSpan(b * 10, 10).ToArray().Max()) != ort.AsSpan(b * 10, 10).IndexOf(ort.AsSpan(b * 10, 10).ToArray().Max())) argmaxDiffer++;
        }
        Console.WriteLine($"== agreement on {largest} test digits: logits {error:E2} relative, arg-max differs on {argmaxDiffer}");
        if (error > 1e-4 || argmaxDiffer > 0) { Console.Error.WriteLine("ONNX Runtime does not reproduce GmCodegen's logits: not timed"); return 1; }

        SelectedCases = [.. from b in o.OnnxBatches from t in o.Threads from e in new[] { "gmcodegen", "onnxruntime" } select new InferenceCase(e, b, t)];
        var config = ManualConfig.CreateEmpty()
            .AddJob(Job.Dry
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithStrategy(RunStrategy.Monitoring)
                .WithLaunchCount(1).WithWarmupCount(o.OnnxWarmups).WithIterationCount(o.OnnxIterations)
                .WithInvocationCount(1).WithUnrollFactor(1)
                .WithId("Monitoring-InProcess"))
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddLogger(ConsoleLogger.Default)
            .WithArtifactsPath(artifacts)
            .WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(40))
            .WithOptions(ConfigOptions.DisableLogFile | ConfigOptions.JoinSummary);
        var summary = BenchmarkRunner.Run<OnnxInference>(config);
        string load1 = File.ReadAllText("/proc/loadavg").Trim();
        var rows = summary.Reports.Where(r => r.ResultStatistics is not null).Select(r => (
            c: (InferenceCase)r.BenchmarkCase.Parameters["Case"],
            median: r.ResultStatistics!.Median / 1e6, min: r.ResultStatistics.Min / 1e6,
            bytes: r.GcStats.GetBytesAllocatedPerOperation(r.BenchmarkCase))).ToList();

        var md = new StringBuilder();
        md.AppendLine("# Inference: GmCodegen against its ONNX export in ONNX Runtime (issue 13)").AppendLine();
        md.AppendLine(inv, $"- command: `dotnet run -c Release --project bench/GmCodegen.Bench -- {string.Join(' ', args)}`");
        md.AppendLine(inv, $"- date: {started:yyyy-MM-dd HH:mm} UTC, {(DateTime.UtcNow - started).TotalMinutes:F1} min; load average (`/proc/loadavg`, as `uptime` shows it) at start `{load0}`, at end `{load1}` on {Environment.ProcessorCount} cores shared with other builds");
        md.AppendLine(inv, $"- network: the paper's rotated-MNIST GM-CNN, D14 x D14 radius 3, 2 × 120 channels, {Net.ParameterCount:N0} parameters, {(trained ? $"weights from `{Path.GetRelativePath(root, weights)}`" : "initial weights (seed 42; no trained model file)")}; inputs: real rotated test digits");
        md.AppendLine(inv, $"- ONNX: opset {Onnx.Opset}, {Model.Length / 1024.0:F0} KiB, ONNX Runtime {typeof(InferenceSession).Assembly.GetName().Version} CPU execution provider, all graph optimisations, IntraOpNumThreads = threads; GmCodegen: KernelParallelism.MaxDegree = threads");
        md.AppendLine(inv, $"- agreement before timing: logits {error:E2} relative, the same arg-max on all {largest} digits");
        md.AppendLine(inv, $"- BenchmarkDotNet in-process, Monitoring: {o.OnnxWarmups} warm-ups, {o.OnnxIterations} measured calls per case").AppendLine();
        md.AppendLine("| batch | threads | GmCodegen images/s (median) | ONNX Runtime images/s (median) | ONNX Runtime / GmCodegen | GmCodegen ms (min) | ONNX Runtime ms (min) | managed bytes allocated per call, GmCodegen / ONNX Runtime (its native buffers not counted) |");
        md.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var g in rows.GroupBy(r => (r.c.Batch, r.c.Threads)).OrderBy(g => g.Key.Batch).ThenBy(g => g.Key.Threads))
        {
            var gm = g.Single(r => r.c.Engine == "gmcodegen");
            var ort = g.Single(r => r.c.Engine == "onnxruntime");
            double gmRate = g.Key.Batch / (gm.median / 1e3), ortRate = g.Key.Batch / (ort.median / 1e3);
            md.AppendLine(inv, $"| {g.Key.Batch} | {g.Key.Threads} | {gmRate:N0} | {ortRate:N0} | {ortRate / gmRate:F2}× | {gm.min:F1} | {ort.min:F1} | {gm.bytes / 1024.0:N0} KiB / {ort.bytes / 1024.0:N0} KiB |");
        }
        string path = o.Out ?? Path.Combine(root, "bench", "ONNX.md");
        File.WriteAllText(path, md.ToString());
        Console.WriteLine(md.ToString());
        Console.WriteLine($"wrote {path}");
        return 0;
    }
}
#endif
