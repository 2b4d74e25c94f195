using System.Diagnostics;
using GmCodegen;
using GmCodegen.Samples;
using GmCodegen.Fluids;
using Spectre.Console;

namespace SmokePlume;

/// <summary>
/// The paper's dynamics experiment (issue 9 item 5): forecasting smoke plumes whose translation symmetry is broken by
/// a buoyancy that differs between the two halves of the box, with an exact GM encoder–decoder (a circular CNN), a
/// relaxed one (LDR-1) and a CoordConv baseline that can see where it is.
/// </summary>
public static class Program
{
    /// <summary>The data set of <c>--small</c>: 16×16, 2 × 2 inflows (two held out), 30 frames (train [0, 18)).</summary>
    public static PlumeDatasetOptions SmallData => new()
    {
        Solver = new PlumeSettings { N = 16 }, GridX = 2, GridY = 2, DomainStride = 2, WarmupSteps = 10, Frames = 30, TrainFrames = 18,
    };

    public static int Main(string[] args)
    {
        if (CommandLine.Parse(() => Options.Parse(args), Options.Usage) is not { } options) return CommandLine.BadOption;
        if (options.Help) { Console.WriteLine(Options.Usage); return 0; }
        if (options.Threads is int t) KernelParallelism.MaxDegree = t;
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 200;

        if (options.Export is { } export)
        {
            // Before minutes of training: the ONNX destination must be writable.
            try { SafeTensors.CheckCanSave(OnnxFiles.For(export, Variant.All[0].Name)); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        }

        var clock = Stopwatch.StartNew();
        var load = PlumeCache.LoadOrGenerate(options.DataDir, options.Small ? SmallData : new PlumeDatasetOptions());
        var data = load.Data;
        AnsiConsole.MarkupLine($"plume data: {Markup.Escape(load.Path)} ({load.Outcome}{Markup.Escape(load.Reason is null ? "" : $": {load.Reason}")}), " +
            $"{data.Simulations} simulations × {data.Frames} frames of {data.N}², {clock.Elapsed.TotalSeconds:F1} s");
        string group = options.Small ? "C16 x C16 → C8 x C8" : "C64 x C64 → C32 x C32";
        Spec SpecOf(Variant v) => options.Small
            ? Encoder.Build<Grid16, Pool16to8, Grid8>(v, options.Width, options.RelaxMiddle)
            : Encoder.Build<Grid64, Pool64to32, Grid32>(v, options.Width, options.RelaxMiddle);
        if (options.Steps + data.Window > data.Frames - data.Options.TrainFrames)
        {
            Console.Error.WriteLine($"error: --steps {options.Steps} does not fit the future split ({data.Frames - data.Options.TrainFrames} frames, window {data.Window}).");
            return 1;
        }
        AnsiConsole.MarkupLine($"encoder–decoder on {group}, width {options.Width}, {options.Epochs} epochs of AdamW (lr {options.LearningRate}, " +
            $"wd {options.WeightDecay}, batch {options.BatchSize}, cosine), seed {options.Seed}, {KernelParallelism.MaxDegree} threads; " +
            $"predicts the change from the last of {data.Window} input frames; " +
            $"relaxed: LDR-1 in {(options.RelaxMiddle ? "all three convolutions" : "the first and last convolution")}");

        var baselines = Experiment.Baselines(data, options.Steps);
        var results = new List<Result>();
        foreach (var variant in Variant.All)
        {
            var result = Experiment.Run(data, variant, SpecOf(variant), options, e =>
                AnsiConsole.MarkupLine($"  {Markup.Escape(variant.Name),-14} epoch {e.Epoch,3}: loss {e.TrainLoss:F4} (scaled change; 1 = persistence), {e.Time.TotalSeconds:F1} s"),
                net =>
                {
                    if (options.Export is not { } export) return;
                    string path = OnnxFiles.Write(net, OnnxFiles.For(export, variant.Name), new Dictionary<string, string>
                    {
                        ["group"] = group, ["radius"] = "1", ["variant"] = variant.Name, ["width"] = $"{options.Width}",
                        ["epochs"] = $"{options.Epochs}", ["seed"] = $"{options.Seed}", ["window"] = $"{data.Window}",
                        ["input"] = "past frames scaled by 1/σ (docs/smoke-plumes.md); output: the scaled change of the last frame",
                    });
                    AnsiConsole.MarkupLine($"  {Markup.Escape(variant.Name),-14} exported to [bold]{Markup.Escape(path)}[/]");
                });
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(result.Model)}[/]: {result.Parameters:N0} parameters, rollout RMSE future {result.Future.Rollout:F4} " +
                $"domain {result.Domain.Rollout:F4}, trained in {result.TrainSeconds:F0} s");
            results.Add(result);
        }
        AnsiConsole.Write(Report.RmseTable(results, baselines, options.Steps));
        if (options.Json is { } json)
        {
            Report.WriteJson(json, results, baselines, options, data.N, group);
            AnsiConsole.MarkupLine($"results written to [bold]{Markup.Escape(json)}[/]");
        }
        int[] shown = [.. new[] { 1, options.Steps / 2, options.Steps }.Where(k => k >= 1).Distinct()];
        string rollout = Path.Combine(options.Plots, "rollout.png"), perStep = Path.Combine(options.Plots, "rmse-per-step.png");
        Report.PlotRollout(rollout, data, results, shown, options.Steps);
        Report.PlotPerStep(perStep, results, baselines);
        AnsiConsole.MarkupLine($"plots written to [bold]{Markup.Escape(rollout)}[/] and [bold]{Markup.Escape(perStep)}[/]");
        AnsiConsole.MarkupLine($"total {clock.Elapsed.TotalSeconds:F0} s");
        return 0;
    }
}
