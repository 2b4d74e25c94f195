using System.Globalization;
using System.Text.Json;
using GmCodegen.Fluids;
using ScottPlot;
using Spectre.Console;

namespace SmokePlume;

public static class Report
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    static string F(double v) => v.ToString("0.0000", Inv);

    public static Table RmseTable(IReadOnlyList<Result> results, IReadOnlyList<Baseline> baselines, int steps)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"velocity RMSE ({steps}-step rollouts, mean over steps; one step) — lower is better")
            .AddColumn("model").AddColumn("parameters").AddColumn("future rollout").AddColumn("domain rollout")
            .AddColumn("future 1-step").AddColumn("domain 1-step").AddColumn("train s");
        double bestF = results.Min(r => r.Future.Rollout), bestD = results.Min(r => r.Domain.Rollout);
        string Bold(double v, double best) => v == best ? $"[bold]{F(v)}[/]" : F(v);
        foreach (var r in results)
            table.AddRow(Markup.Escape(r.Model), r.Parameters.ToString("N0", Inv), Bold(r.Future.Rollout, bestF), Bold(r.Domain.Rollout, bestD),
                F(r.Future.OneStep), F(r.Domain.OneStep), r.TrainSeconds.ToString("0", Inv));
        foreach (var b in baselines)
            table.AddRow($"[dim]{b.Name}[/]", "", $"[dim]{F(b.Future.Rollout)}[/]", $"[dim]{F(b.Domain.Rollout)}[/]",
                $"[dim]{F(b.Future.OneStep)}[/]", $"[dim]{F(b.Domain.OneStep)}[/]", "");
        foreach (var c in table.Columns.Skip(1)) c.RightAligned();
        return table;
    }

    sealed record JsonResult(string Model, int Parameters, double RmseFuture, double RmseDomain, double TrainSeconds,
        double RmseFutureOneStep, double RmseDomainOneStep, IReadOnlyList<double> RmseFuturePerStep, IReadOnlyList<double> RmseDomainPerStep,
        double FirstEpochLoss, double FinalEpochLoss);

    sealed record JsonBaseline(string Model, double RmseFuture, double RmseDomain, double RmseFutureOneStep, double RmseDomainOneStep);

    sealed record JsonSettings(int Epochs, int Seed, int Width, int BatchSize, double LearningRate, double WeightDecay, int Steps, int N, string Group);

    sealed record JsonFile(IReadOnlyList<JsonResult> Results, IReadOnlyList<JsonBaseline> Baselines, JsonSettings Settings);

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,   // a diverged fit's NaN stays visible
    };

    public static void WriteJson(string path, IReadOnlyList<Result> results, IReadOnlyList<Baseline> baselines, Options options, int n, string group)
    {
        var file = new JsonFile(
            [.. results.Select(r => new JsonResult(r.Model, r.Parameters, r.Future.Rollout, r.Domain.Rollout, Math.Round(r.TrainSeconds, 2),
                r.Future.OneStep, r.Domain.OneStep, r.Future.PerStep, r.Domain.PerStep, r.FirstLoss, r.FinalLoss))],
            [.. baselines.Select(b => new JsonBaseline(b.Name, b.Future.Rollout, b.Domain.Rollout, b.Future.OneStep, b.Domain.OneStep))],
            new JsonSettings(options.Epochs, options.Seed, options.Width, options.BatchSize, options.LearningRate, options.WeightDecay, options.Steps, n, group));
        CreateFolderOf(path);
        File.WriteAllText(path, JsonSerializer.Serialize(file, JsonOptions) + "\n");
    }

    static void CreateFolderOf(string path)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
    }

    /// <summary>RMSE against rollout step, one line per variant and baseline, future solid and domain dashed.</summary>
    public static void PlotPerStep(string path, IReadOnlyList<Result> results, IReadOnlyList<Baseline> baselines)
    {
        var plot = new Plot();
        var all = results.Select(r => (r.Model, r.Future, r.Domain)).Concat(baselines.Where(b => b.Name != "zero").Select(b => (Model: b.Name, b.Future, b.Domain)));
        foreach (var (model, future, domain) in all)
        {
            double[] xs = [.. Enumerable.Range(1, future.PerStep.Count).Select(k => (double)k)];
            var f = plot.Add.Scatter(xs, future.PerStep.ToArray());
            f.LegendText = $"{model}, future";
            f.LineWidth = 2;
            var d = plot.Add.Scatter(xs, domain.PerStep.ToArray());
            d.LegendText = $"{model}, domain";
            d.Color = f.Color;
            d.LinePattern = LinePattern.Dashed;
            d.LineWidth = 2;
        }
        plot.Title("Velocity RMSE along autoregressive rollouts");
        plot.XLabel("rollout step");
        plot.YLabel("RMSE (cells / step)");
        plot.ShowLegend(Alignment.UpperLeft);
        CreateFolderOf(path);
        plot.SavePng(path, 900, 560);
    }

    /// <summary>
    /// Speed |u| of rollout 0 of the domain split: the truth (top row) and each variant's forecast at the given steps,
    /// all on one colour scale.
    /// </summary>
    public static void PlotRollout(string path, PlumeDataset data, IReadOnlyList<Result> results, int[] steps, int totalSteps)
    {
        var start = data.Rollouts(PlumeSplit.Domain, totalSteps)[0];
        var truth = data.RolloutTruth(start, totalSteps);
        int n = data.N, f = data.FrameLength;
        var rows = new List<(string Name, float[] Frames)> { ("truth", truth) };
        rows.AddRange(results.Select(r => (r.Model, r.Example)));
        double max = 0;
        foreach (var (_, frames) in rows)
            foreach (int k in steps)
                max = Math.Max(max, PlumeFields.Speed(n, frames.AsSpan((k - 1) * f, f)).Max());
        var plot = new Plot();
        double gap = 0.08 * n;
        for (int r = 0; r < rows.Count; r++)
            for (int c = 0; c < steps.Length; c++)
            {
                var speed = PlumeFields.Speed(n, rows[r].Frames.AsSpan((steps[c] - 1) * f, f));
                var cells = new double[n, n];
                for (int y = 0; y < n; y++)
                    for (int x = 0; x < n; x++) cells[n - 1 - y, x] = speed[y * n + x];   // row 0 of the image is the top
                var hm = plot.Add.Heatmap(cells);
                double left = c * (n + gap), top = -r * (n + gap);
                hm.Rectangle = new CoordinateRect(left, left + n, top - n, top);
                hm.ManualRange = new ScottPlot.Range(0, max);
                hm.Colormap = new ScottPlot.Colormaps.Viridis();
                if (c == 0) plot.Add.Text(rows[r].Name, left - gap / 2, top - n / 2.0).Alignment = Alignment.MiddleRight;
                if (r == 0) plot.Add.Text($"step {steps[c]}", left + n / 2.0, top + gap / 2).Alignment = Alignment.LowerCenter;
            }
        plot.Title($"Speed |u| of domain simulation {start.Simulation} from frame {start.Target}: truth and forecasts (0 … {max.ToString("0.0", Inv)})");
        plot.Axes.Frameless();
        plot.HideGrid();
        double xMin = -1.1 * n, xMax = steps.Length * (n + gap), yMin = -rows.Count * (n + gap), yMax = 2 * gap;
        plot.Axes.SetLimits(xMin, xMax, yMin, yMax);
        CreateFolderOf(path);
        // 3 pixels per cell, plus room for the title, so the cells come out square.
        double pixels = 3.0 * 64 / n;
        plot.SavePng(path, (int)((xMax - xMin) * pixels) + 20, (int)((yMax - yMin) * pixels) + 60);
    }
}
