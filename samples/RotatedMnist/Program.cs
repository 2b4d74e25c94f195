using System.Diagnostics;
using System.Globalization;
using GmCodegen;
using Spectre.Console;

namespace RotatedMnist;

/// <summary>
/// Trains the paper's GM-CNN on rotated MNIST (DESIGN.md §6) and evaluates it: test accuracy, parameter count and
/// equivariance error, then saves the model. `--evaluate FILE` reloads a saved model and re-measures its accuracy.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        Options options;
        try
        {
            options = Options.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {e.Message.Replace($" (Parameter '{e.ParamName}')", "")}");
            Console.Error.WriteLine();
            Console.Error.WriteLine(Options.Usage);
            return 2;
        }
        if (options.Help) { Console.WriteLine(Options.Usage); return 0; }
        try
        {
            return Runs.For(options.Group, options.Radius)(options);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or InvalidDataException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}

/// <summary>Command-line options, parsed into an immutable record; bad input throws ArgumentException naming the option.</summary>
public sealed record Options(
    string Group = "D14 x D14", int Radius = 3, ChannelMode Mode = ChannelMode.Shared, int Channels = 120, int Blocks = 2,
    int Epochs = 4, int Seed = 42, int BatchSize = 128, double LearningRate = 0.004, double WeightDecay = 0.0153,
    double Dropout = 0.3, bool Fashion = false, string Save = "models/rotated-mnist.safetensors", string? Evaluate = null,
    int? Threads = null, bool Help = false, Relaxation? Relax = null)
{
    public const string Usage = """
        usage: dotnet run -c Release --project samples/RotatedMnist -- [options]

          --group "D14 x D14" | "C28 x C28"   group the 28×28 image lives on          (default D14 x D14)
          --radius 1|2|3                      neighbourhood radius                      (default 3)
          --mode shared|full                  w[o,k] shared over inputs, or w[o,i,k]   (default shared)
          --channels N                        channels per block                        (default 120)
          --blocks N                          residual GM blocks                        (default 2)
          --epochs N                          training epochs                           (default 4)
          --seed N                            data split, rotations, init, dropout      (default 42)
          --batch N                           batch size                                (default 128)
          --lr X, --weight-decay X            AdamW                                     (default 0.004, 0.0153)
          --dropout X                         dropout before the head                   (default 0.3)
          --fashion                           rotated Fashion-MNIST (Debian package dataset-fashion-mnist)
          --save FILE                         where to save the trained model           (default models/rotated-mnist.safetensors)
          --evaluate FILE                     load a saved model and measure its test accuracy; no training
          --threads N                         kernel threads                            (default: all cores)
          --relax ldr:R | ldr:R:per-channel | regression | classification
                                              approximately equivariant GM layers       (default: exact)
        """;

    public static Options Parse(string[] args)
    {
        var o = new Options();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.", name);
            int Int(int min, int max)
            {
                string v = Value();
                return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= min && n <= max
                    ? n : throw new ArgumentException($"{name} must be an integer in [{min}, {max}], was '{v}'.", name);
            }
            double Real(double min, double max)
            {
                string v = Value();
                return double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) && x >= min && x <= max
                    ? x : throw new ArgumentException($"{name} must be a number in [{min}, {max}], was '{v}'.", name);
            }
            Relaxation? Relax()
            {
                string v = Value();
                try { return v == "none" ? null : Relaxation.Parse(v); }
                catch (ArgumentException) { throw new ArgumentException($"{name} must be ldr:R (R ≥ 1), ldr:R:per-channel, regression, classification or none, was '{v}'.", name); }
            }
            o = name switch
            {
                "--group" => o with { Group = Runs.Normalise(Value()) },
                "--radius" => o with { Radius = Int(1, 3) },
                "--mode" => o with
                {
                    Mode = Value().ToLowerInvariant() switch
                    {
                        "shared" => ChannelMode.Shared,
                        "full" => ChannelMode.Full,
                        var m => throw new ArgumentException($"--mode must be shared or full, was '{m}'.", name),
                    },
                },
                "--channels" => o with { Channels = Int(1, 4096) },
                "--blocks" => o with { Blocks = Int(1, 64) },
                "--epochs" => o with { Epochs = Int(0, 10_000) },
                "--seed" => o with { Seed = Int(0, int.MaxValue) },
                "--batch" => o with { BatchSize = Int(1, 8000) },
                "--lr" => o with { LearningRate = Real(1e-8, 10) },
                "--weight-decay" => o with { WeightDecay = Real(0, 10) },
                "--dropout" => o with { Dropout = Real(0, 0.99) },
                "--fashion" => o with { Fashion = true },
                "--save" => o with { Save = Value() },
                "--evaluate" => o with { Evaluate = Value() },
                "--threads" => o with { Threads = Int(1, 1024) },
                "--relax" => o with { Relax = Relax() },
                "--help" or "-h" => o with { Help = true },
                _ => throw new ArgumentException($"unknown option '{name}'.", name),
            };
        }
        Runs.For(o.Group, o.Radius);   // refuses an unknown group early, with the list of known ones
        return o;
    }

    /// <summary>What a saved model records, so that --evaluate can rebuild the same network and test split.</summary>
    public Dictionary<string, string> Metadata(double testAccuracy) => new()
    {
        ["group"] = Group, ["radius"] = Radius.ToString(CultureInfo.InvariantCulture), ["mode"] = Mode.ToString(),
        ["channels"] = Channels.ToString(CultureInfo.InvariantCulture), ["blocks"] = Blocks.ToString(CultureInfo.InvariantCulture),
        ["seed"] = Seed.ToString(CultureInfo.InvariantCulture), ["dropout"] = Dropout.ToString(CultureInfo.InvariantCulture),
        ["dataset"] = Fashion ? "rotated-fashion-mnist" : "rotated-mnist", ["relaxation"] = Relax?.ToString() ?? "none",
        ["test_accuracy"] = testAccuracy.ToString("R", CultureInfo.InvariantCulture),
    };

    public static Options FromMetadata(IReadOnlyDictionary<string, string> m, Options cli)
    {
        string Get(string key) => m.TryGetValue(key, out var v) ? v : throw new InvalidDataException($"The model file has no '{key}' in its metadata.");
        int I(string key) => int.Parse(Get(key), CultureInfo.InvariantCulture);
        return cli with
        {
            Group = Get("group"), Radius = I("radius"), Mode = Enum.Parse<ChannelMode>(Get("mode")), Channels = I("channels"),
            Blocks = I("blocks"), Seed = I("seed"), Dropout = double.Parse(Get("dropout"), CultureInfo.InvariantCulture),
            Fashion = Get("dataset") == "rotated-fashion-mnist",
            Relax = m.TryGetValue("relaxation", out var r) && r != "none" ? Relaxation.Parse(r) : null,   // older files: exact
        };
    }
}

/// <summary>Group types are compile-time; this table maps an option to the run specialised for one of them.</summary>
public static class Runs
{
    static readonly Dictionary<(string, int), Func<Options, int>> Table = new()
    {
        [("D14 x D14", 3)] = Run<D14xD14r3>, [("D14 x D14", 2)] = Run<D14xD14r2>, [("D14 x D14", 1)] = Run<D14xD14r1>,
        [("C28 x C28", 3)] = Run<C28xC28r3>, [("C28 x C28", 2)] = Run<C28xC28r2>, [("C28 x C28", 1)] = Run<C28xC28r1>,
    };

    public static string Normalise(string group) => string.Join(" x ", group.Split(['x', 'X', '×', '*'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

    public static Func<Options, int> For(string group, int radius) =>
        Table.TryGetValue((group, radius), out var run) ? run
            : throw new ArgumentException($"no kernel for group '{group}' at radius {radius}; known: {string.Join(", ", Table.Keys.Select(k => $"\"{k.Item1}\" r{k.Item2}"))}.", "--group");

    static int Run<TGroup>(Options cli) where TGroup : IGroupKernel
    {
        if (cli.Threads is int t) KernelParallelism.MaxDegree = t;
        var options = cli.Evaluate is { } file ? Options.FromMetadata(SafeTensors.ReadMetadata(file), cli) : cli;
        if ((options.Group, options.Radius) != (cli.Group, cli.Radius) && cli.Evaluate is not null)
            return For(options.Group, options.Radius)(options with { Evaluate = cli.Evaluate });

        var clock = Stopwatch.StartNew();
        var source = options.Fashion ? Datasets.FashionMnist(train: false) : Datasets.Mnist10k();
        var split = Datasets.RotatedMnist(source, options.Seed);
        AnsiConsole.MarkupLine($"[bold]{(options.Fashion ? "rotated Fashion-MNIST" : "rotated MNIST")}[/]: {split.Train.Count} train / {split.Test.Count} test, seed {options.Seed} (built in {clock.Elapsed.TotalSeconds:F1} s)");

        var spec = Architectures.GmCnn<TGroup>(classes: 10, options.Channels, options.Blocks, options.Mode, options.Dropout,
            relaxation: options.Relax);
        var network = Network.Build(spec, new Shape(1, TGroup.Order), options.Seed);
        AnsiConsole.MarkupLine($"[bold]GM-CNN[/] on {Markup.Escape(options.Group)} (|G| = {TGroup.Order}, radius {options.Radius}, K = {TGroup.KernelSize}), {options.Mode} weights, {options.Blocks} × {options.Channels} channels{(options.Relax is null ? "" : $", relaxation {options.Relax}")}, {KernelParallelism.MaxDegree} threads");
        AnsiConsole.Write(Measure.ParameterTable(network));

        var test = new MiniBatchLoader(split.Test, 500, options.Seed, shuffle: false).AsBatchSource();
        if (options.Evaluate is { } path)
        {
            SafeTensors.Load(path, network.Parameters);
            double saved = double.Parse(SafeTensors.ReadMetadata(path)["test_accuracy"], CultureInfo.InvariantCulture);
            double accuracy = Trainer.Accuracy(network, test);
            AnsiConsole.MarkupLine($"loaded [bold]{Markup.Escape(path)}[/]: test accuracy {accuracy:P2} (saved with {saved:P2}){(accuracy == saved ? ", reproduced exactly" : "")}");
            PrintDisplacement<TGroup>(network);
            return accuracy == saved ? 0 : 1;
        }

        var optimizer = new AdamW(network.Parameters, options.LearningRate, options.WeightDecay);
        var trainer = new Trainer(network, new CrossEntropyLoss(), optimizer)
        {
            Schedule = new ReduceLROnPlateau(optimizer, factor: 0.7, patience: 5),
        };
        var train = new MiniBatchLoader(split.Train, options.BatchSize, options.Seed).AsBatchSource();
        var history = trainer.Fit(train, test, options.Epochs);
        double testAccuracy = options.Epochs > 0 ? history[^1].TestAccuracy ?? 0 : Trainer.Accuracy(network, test);

        // Equivariance of the trained network on a few test images, over a sample of group elements.
        int probe = Math.Min(8, split.Test.Count);
        var x = split.Test.Images.AsSpan(0, probe * TGroup.Order).ToArray();
        var eq = Measure.Equivariance<TGroup>(network, x, probe, sample: 32, seed: options.Seed);

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.Save))!);
        SafeTensors.Save(options.Save, network.Parameters, options.Metadata(testAccuracy));

        var summary = new Table().AddColumns("result", "value");
        summary.AddRow("test accuracy", $"{testAccuracy:P2}");
        summary.AddRow("parameters", network.ParameterCount.ToString("N0", CultureInfo.InvariantCulture));
        summary.AddRow($"equivariance error (features before pooling, {eq.ElementsTested} elements)", $"{eq.FeatureError:E2}");
        summary.AddRow("invariance error (logits)", $"{eq.InvarianceError:E2}");
        summary.AddRow("mean epoch time", options.Epochs > 0 ? $"{history.Average(h => h.Time.TotalSeconds):F1} s" : "-");
        summary.AddRow("saved to", Markup.Escape(options.Save));
        AnsiConsole.Write(summary);
        PrintDisplacement<TGroup>(network);
        return 0;
    }

    /// <summary>One line per GM layer (output channel 0, input channel 0): displacement rank, top σ, distance to GM, equivariance error.</summary>
    static void PrintDisplacement<TGroup>(Network network) where TGroup : IGroupKernel
    {
        foreach (var layer in network.Layers)
            if (layer is IGroupMatrixLayer gm)
                Console.WriteLine($"{layer.Name}: {Displacement.Describe<TGroup>(gm)}");
    }
}
