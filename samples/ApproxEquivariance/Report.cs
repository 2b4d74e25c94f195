using System.Globalization;
using System.Text.Json;
using ScottPlot;
using Spectre.Console;

namespace ApproxEquivariance;

/// <summary>The sweep's outputs: two console tables, the JSON file and the PNG plot.</summary>
public static class Report
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static void Write(SweepResult sweep, Options options)
    {
        var results = sweep.Results;
        AnsiConsole.Write(MseTable(results, sweep.References));
        AnsiConsole.Write(StructureTable(results));
        if (options.Json is { } json)
        {
            WriteJson(json, sweep, options);
            AnsiConsole.MarkupLine($"results written to [bold]{Markup.Escape(json)}[/]");
        }
        Plot(options.Plot, results, sweep.References, options);
        AnsiConsole.MarkupLine($"plot written to [bold]{Markup.Escape(options.Plot)}[/]");
    }

    static IReadOnlyList<string> Models(IReadOnlyList<Result> results) => [.. results.Select(r => r.Model).Distinct()];
    static IReadOnlyList<double> Epsilons(IReadOnlyList<Result> results) => [.. results.Select(r => r.Epsilon).Distinct()];
    static Result At(IReadOnlyList<Result> results, string model, double eps) => results.First(r => r.Model == model && r.Epsilon == eps);
    static string Eps(double e) => e.ToString("G4", Inv);

    /// <summary>Rows: models; columns: parameters and the relative test MSE at each ε (the best at each ε in bold).</summary>
    public static Table MseTable(IReadOnlyList<Result> results, IReadOnlyList<Reference> references)
    {
        var eps = Epsilons(results);
        var table = new Table().Border(TableBorder.Rounded).Title("relative test MSE (test MSE / variance of the test targets)")
            .AddColumn("model").AddColumn("parameters");
        foreach (var e in eps) table.AddColumn($"ε = {Eps(e)}");
        foreach (var model in Models(results))
        {
            var cells = new List<string> { Markup.Escape(model), At(results, model, eps[0]).Parameters.ToString("N0", Inv) };
            foreach (var e in eps)
            {
                double mse = At(results, model, e).TestMse, best = results.Where(r => r.Epsilon == e).Min(r => r.TestMse);
                string text = mse.ToString("0.00E+0", Inv);
                cells.Add(mse == best ? $"[bold]{text}[/]" : text);
            }
            table.AddRow([.. cells]);
        }
        foreach (var name in references.Select(r => r.Name).Distinct())
            table.AddRow([$"[dim]{Markup.Escape(name)} (closed form)[/]", "", .. eps.Select(e =>
                references.FirstOrDefault(r => r.Name == name && r.Epsilon == e) is { } r ? $"[dim]{r.TestMse.ToString("0.00E+0", Inv)}[/]" : "")]);
        foreach (var c in table.Columns.Skip(1)) c.RightAligned();
        return table;
    }

    /// <summary>Rows: models; columns: displacement rank and equivariance error of the trained matrix at each ε.</summary>
    public static Table StructureTable(IReadOnlyList<Result> results)
    {
        var eps = Epsilons(results);
        var table = new Table().Border(TableBorder.Rounded).Title("displacement rank · equivariance error (max over all 256 translations)")
            .AddColumn("model");
        foreach (var e in eps) table.AddColumn($"ε = {Eps(e)}");
        foreach (var model in Models(results))
            table.AddRow([Markup.Escape(model), .. eps.Select(e =>
            {
                var r = At(results, model, e);
                return $"{r.DisplacementRank} · {r.EquivarianceError.ToString("0.0E+0", Inv)}";
            })]);
        foreach (var c in table.Columns.Skip(1)) c.RightAligned();
        return table;
    }

    /// <summary>One entry per (model, ε) with the fields the issue fixes, then what was chosen and how long it took.</summary>
    sealed record JsonResult(string Model, double Epsilon, int Parameters, double TestMse, int DisplacementRank,
        double EquivarianceError, double LearningRate, double WeightDecay, double TrainMse, double Seconds,
        double[]? TopSingularValues, double? DistanceToNearestGroupMatrix);

    sealed record JsonSettings(int Seed, int TrainSize, int TestSize, int Epochs, double Noise,
        IReadOnlyList<double> LearningRates, IReadOnlyList<double> WeightDecays, string Group, int Radius);

    sealed record JsonFile(IReadOnlyList<JsonResult> Results, IReadOnlyList<Reference> References, JsonSettings Settings);

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,   // a diverged fit's NaN stays visible
    };

    public static void WriteJson(string path, SweepResult sweep, Options options)
    {
        var results = sweep.Results;
        var file = new JsonFile(
            [.. results.Select(r => new JsonResult(r.Model, r.Epsilon, r.Parameters, r.TestMse, r.DisplacementRank,
                r.EquivarianceError, r.LearningRate, r.WeightDecay, r.TrainMse, Math.Round(r.Seconds, 2),
                r.Structure?.TopSingularValues, r.Structure?.DistanceToNearestGroupMatrix))],
            sweep.References,
            new JsonSettings(options.Seed, options.TrainSize, options.TestSize, options.Epochs, options.Noise,
                options.Rates, options.Decays, "C16 x C16", 1));
        CreateFolderOf(path);
        File.WriteAllText(path, JsonSerializer.Serialize(file, JsonOptions) + "\n");
    }

    static void CreateFolderOf(string path)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
    }

    /// <summary>
    /// Test MSE against ε per model, both axes logarithmic. ε = 0 has no place on a log axis: it is drawn one decade
    /// left of the smallest positive ε and labelled 0 (the gap in the axis is marked by that label).
    /// </summary>
    public static void Plot(string path, IReadOnlyList<Result> results, IReadOnlyList<Reference> references, Options options)
    {
        var eps = Epsilons(results);
        var positive = eps.Where(e => e > 0).ToList();
        double zeroAt = positive.Count == 0 ? 0 : Math.Log10(positive.Min()) - 1;
        double X(double e) => e > 0 ? Math.Log10(e) : zeroAt;

        var plot = new Plot();
        MarkerShape[] markers = [MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond, MarkerShape.OpenCircle, MarkerShape.Cross];
        var models = Models(results);
        for (int m = 0; m < models.Count; m++)
        {
            var points = results.Where(r => r.Model == models[m]).OrderBy(r => r.Epsilon).ToList();
            var line = plot.Add.Scatter(points.Select(r => X(r.Epsilon)).ToArray(),
                points.Select(r => Math.Log10(Math.Max(r.TestMse, 1e-12))).ToArray());
            line.LegendText = $"{models[m]} ({points[0].Parameters.ToString("N0", Inv)} parameters)";
            line.MarkerShape = markers[m % markers.Length];
            line.MarkerSize = 9;
            line.LineWidth = 2;
            // The model's closed-form yardstick (its class's floor; for dense, min-norm least squares) dashed in its colour.
            var yardstick = references.Where(r => r.Name == $"floor: {models[m]}" || (models[m] == "dense" && r.Name == "dense min-norm LS"))
                .OrderBy(r => r.Epsilon).ToList();
            if (yardstick.Count == points.Count)
            {
                var dashed = plot.Add.Scatter(yardstick.Select(r => X(r.Epsilon)).ToArray(),
                    yardstick.Select(r => Math.Log10(Math.Max(r.TestMse, 1e-12))).ToArray());
                dashed.Color = line.Color;
                dashed.LinePattern = LinePattern.Dashed;
                dashed.LineWidth = 1;
                dashed.MarkerSize = 0;
            }
        }
        var dashedKey = plot.Add.Scatter(new double[] { double.NaN }, new double[] { double.NaN });
        dashedKey.Color = Colors.Gray;
        dashedKey.LinePattern = LinePattern.Dashed;
        dashedKey.MarkerSize = 0;
        dashedKey.LegendText = "dashed: best in class (closed form);\ndense: min-norm least squares";

        var xTicks = new ScottPlot.TickGenerators.NumericManual();
        foreach (var e in eps) xTicks.AddMajor(X(e), Eps(e));
        plot.Axes.Bottom.TickGenerator = xTicks;

        var shown = results.Select(r => r.TestMse).Concat(references.Select(r => r.TestMse)).Where(double.IsFinite)
            .Select(v => Math.Log10(Math.Max(v, 1e-12))).DefaultIfEmpty(0).ToList();
        double lo = Math.Floor(shown.Min() + 0.02), hi = Math.Ceiling(shown.Max() - 0.02);   // 1.0e-4 ± rounding stays in its decade
        if (hi <= lo) hi = lo + 1;
        var yTicks = new ScottPlot.TickGenerators.NumericManual();
        for (int d = (int)lo; d <= (int)hi; d++)
        {
            yTicks.AddMajor(d, d == 0 ? "1" : $"1e{d}");
            for (int j = 2; j <= 9 && d < hi; j++) yTicks.AddMinor(d + Math.Log10(j));
        }
        plot.Axes.Left.TickGenerator = yTicks;
        plot.Axes.SetLimitsY(lo - 0.1, hi + 0.1);
        plot.Axes.SetLimitsX(X(eps.Min()) - 0.3, X(eps.Max()) + 0.3);

        plot.Title($"y = GM(w*)·x + ε·B(x) + noise on C16 x C16, {options.TrainSize} training samples");
        plot.XLabel("symmetry-breaking strength ε (log scale; 0 drawn a decade left of the smallest ε)");
        plot.YLabel("test MSE / test target variance (log scale)");
        plot.ShowLegend(Edge.Right);
        CreateFolderOf(path);
        plot.SavePng(path, 1100, 560);
    }
}
