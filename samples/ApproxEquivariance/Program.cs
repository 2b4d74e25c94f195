using System.Diagnostics;
using GmCodegen;
using GmCodegen.Samples;
using Spectre.Console;

namespace ApproxEquivariance;

/// <summary>
/// The experiment behind the paper's central claim (issue 8 item 3): on a task that is equivariant up to a
/// symmetry-breaking part of strength ε, structured layers of low displacement rank should match the exact GM
/// layer when ε is small and beat it when ε is large, with far fewer parameters than a dense layer.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (CommandLine.Parse(() => Options.Parse(args), Options.Usage) is not { } options) return CommandLine.BadOption;
        if (options.Help) { Console.WriteLine(Options.Usage); return 0; }
        if (options.Threads is int t) KernelParallelism.MaxDegree = t;
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 200;   // logs: the tables' ε columns and the per-layer lines unwrapped

        // Fail before minutes of training, not after, when an output file cannot be written.
        foreach (var path in new[] { options.Json, options.Plot, options.Export }.OfType<string>())
        {
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
                if (Directory.Exists(path)) throw new IOException("it is a directory");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                Console.Error.WriteLine($"error: cannot write '{path}': {e.Message}");
                return 1;
            }
        }

        var clock = Stopwatch.StartNew();
        AnsiConsole.MarkupLine($"[bold]ε sweep[/] on C16 x C16 (|G| = {Torus.Order}, radius 1, K = {Torus.KernelSize}): " +
            $"{options.TrainSize} train / {options.TestSize} test, noise {options.Noise}, seed {options.Seed}, {options.Epochs} full-batch AdamW steps, " +
            $"learning rate from {{{string.Join(", ", options.Rates)}}} × weight decay {{{string.Join(", ", options.Decays)}}} on a ¼ validation split, {KernelParallelism.MaxDegree} threads");
        var task = SweepTask.Create(options.Seed, options.Noise);
        var b = task.BreakingMatrix().Select(v => (float)v).ToArray();
        AnsiConsole.MarkupLine($"B, the symmetry-breaking map: {Markup.Escape(Displacement.Describe<Torus>(b, top: 10).ToString())}");
        var sweep = Experiment.Sweep(options, Model.All, r =>
            AnsiConsole.MarkupLine($"  ε = {r.Epsilon,-5} {Markup.Escape(r.Model),-11} lr {r.LearningRate,-6} wd {r.WeightDecay,-4} test MSE {r.TestMse:E2} (train {r.TrainMse:E2}), " +
                $"rank {r.DisplacementRank}, equivariance error {r.EquivarianceError:E2}, {r.Seconds:F1} s\n" +
                $"    its matrix (Displacement.Describe): {Markup.Escape(r.Structure?.ToString() ?? "diverged (non-finite weights)")}"),
            (model, eps, net) =>
            {
                if (options.Export is not { } export || eps != options.Epsilons[^1]) return;
                string path = OnnxFiles.Write(net, OnnxFiles.For(export, model.Name), new Dictionary<string, string>
                {
                    ["group"] = "C16 x C16", ["radius"] = "1", ["model"] = model.Name,
                    ["epsilon"] = eps.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                    ["seed"] = $"{options.Seed}", ["epochs"] = $"{options.Epochs}",
                });
                AnsiConsole.MarkupLine($"  exported {Markup.Escape(model.Name)} (ε = {eps}) to [bold]{Markup.Escape(path)}[/]");
            });
        Report.Write(sweep, options);
        AnsiConsole.MarkupLine($"total {clock.Elapsed.TotalSeconds:F0} s");
        return 0;
    }
}
