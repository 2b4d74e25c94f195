using System.Diagnostics;
using System.Globalization;
using GmCodegen;
using GmCodegen.Samples;
using Spectre.Console;

namespace RotatedMnist;

/// <summary>
/// Trains the paper's GM-CNN on rotated MNIST (docs/design.md#the-papers-networks) and evaluates it: test accuracy, parameter count and
/// equivariance error, then saves the model. `--evaluate FILE` reloads a saved model and re-measures its accuracy.
/// Exit codes: 0 done; 1 a bad file or environment, a diverged run, a model that does not fit in memory or does not
/// reproduce its accuracy (one `error:` line each, never a stack trace); 2 bad options.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (CommandLine.Parse(() => Options.Parse(args), Options.Usage) is not { } options) return CommandLine.BadOption;
        if (options.Help) { Console.WriteLine(Options.Usage); return 0; }
        try
        {
            return Runs.For(options.Group, options.Radius)(options);
        }
        catch (TrainingDivergedException e)
        {
            Console.Error.WriteLine($"error: {e.Message} Nothing was saved.");
            return 1;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            // IOException covers FileNotFound, DirectoryNotFound, a full disk and a path that is a directory.
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        catch (OutOfMemoryException)
        {
            Console.Error.WriteLine("error: out of memory; use fewer --channels or --blocks, or a smaller --batch.");
            return 1;
        }
    }

    /// <summary>
    /// Saves the trained model with <paramref name="write"/>; if that fails (a full disk, a vanished directory), writes it
    /// to the temporary directory instead and says where, so that a finished run is not lost. Returns the exit code.
    /// </summary>
    public static int SaveModel(string path, Action<string> write)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            write(path);
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            string fallback = Path.Combine(Path.GetTempPath(),
                $"{Path.GetFileNameWithoutExtension(path)}-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.safetensors");
            try
            {
                write(fallback);
                Console.Error.WriteLine($"error: could not save the model to {path} ({e.Message}); it was written to {fallback} instead.");
            }
            catch (Exception e2) when (e2 is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"error: could not save the model to {path} ({e.Message}), nor to {fallback} ({e2.Message}); the trained model is lost.");
            }
            return 1;
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: the model was not saved: {e.Message.Replace($" (Parameter '{e.ParamName}')", "")}");
            return 1;
        }
    }
}

/// <summary>Command-line options, parsed into an immutable record; bad input throws ArgumentException naming the option.</summary>
public sealed record Options(
    string Group = "D14 x D14", int Radius = 3, ChannelMode Mode = ChannelMode.Shared, int Channels = 120, int Blocks = 2,
    int Epochs = 4, int Seed = 42, int BatchSize = 128, double LearningRate = 0.004, double WeightDecay = 0.0153,
    double Dropout = 0.3, bool Fashion = false, string Save = "models/rotated-mnist.safetensors", string? Evaluate = null,
    int? Threads = null, bool Help = false, string? DataDir = null, bool Pool = false, Relaxation? Relax = null,
    string Widths = Options.DefaultWidths, bool GeneratedKernel = false, bool Cosine = false, int Mix = 0,
    string? Export = null, bool Rerotate = false)
{
    /// <summary>The lifted networks' block widths per stage (p4m(28) / p4m(14) / p4m(7)), comma-separated.</summary>
    public const string DefaultWidths = "8/8/11,11";

    /// <summary>A lifted network (p4m, p4): the groups that act on the image torus with a point group.</summary>
    public bool Lifted => Runs.IsLifted(Group);

    public const string Usage = """
        usage: dotnet run -c Release --project samples/RotatedMnist -- [options]

          --group "D14 x D14" | "C28 x C28"   group the 28×28 image lives on          (default D14 x D14;
                                              "p4m(28)", "p4(28)": the lifted G-CNN below)
          --radius 1|2|3                      neighbourhood radius                      (default 3)
          --mode shared|full                  w[o,k] shared over inputs, or w[o,i,k]   (default shared)
          --channels N                        channels per block                        (default 120)
          --blocks N                          residual GM blocks                        (default 2)
          --epochs N                          training epochs                           (default 4)
          --seed N                            data split, rotations, init, dropout      (default 42)
          --batch N                           batch size                                (default 128)
          --lr X, --weight-decay X            AdamW                                     (default 0.004, 0.0153)
          --schedule plateau|cosine           ReduceLROnPlateau (patience 5, factor 0.7), or cosine
                                              annealing to 0 over the epochs            (default plateau)
          --dropout X                         dropout before the head                   (default 0.3)
          --augment none|rotate               rotate: every epoch after the first draws a new angle for each
                                              training digit (RerotatedBatches)         (default none)
          --fashion                           rotated Fashion-MNIST (Debian package dataset-fashion-mnist)
          --data-dir DIR                      where the IDX files are (default: samples/data, or for --fashion
                                              /usr/share/datasets/fashion-mnist)
          --save FILE                         where to save the trained model           (default models/rotated-mnist.safetensors)
          --evaluate FILE                     load a saved model and measure its test accuracy; no training
          --export FILE.onnx                  also write the trained (or --evaluate'd) model as ONNX (docs/onnx.md)
          --threads N                         kernel threads                            (default: all cores)
          --pool                              a pooled GM-CNN with full channel mixing: C28 x C28 → C14 x C14 →
                                              C7 x C7 (widths c, 2c, 3c) or D14 x D14 → D7 x D7 (c, 2c), radius 1
                                              after the first stage; --channels is c (default 16 with --pool),
                                              --blocks the blocks per stage (default 1 with --pool)
          --relax ldr:R | ldr:R:per-channel | regression | classification
                                              approximately equivariant GM layers       (default: exact)

        lifted G-CNNs, --group "p4m(28)" | "p4(28)" (radius 1, full weights): a 5×5 lift to --channels maps on G
        (default 8) → residual GM blocks → coset max pool → p4m(14) → blocks → pool → p4m(7) → blocks → global max
        pool → head; invariant to rot90 (and mirrors, p4m) of the image about its centre
          --widths A/B/C                      block widths on p4m(28) / (14) / (7), comma-separated, a stage may be
                                              empty                                     (default 8/8/11,11)
          --mix N                             a 1×1 channel mix to N channels before the global pool
                                              (0: none)                                 (default 0)
          --kernel bank|generated             GM layers as the filter bank on C28 x C28 etc., or the generated
                                              p4m kernels                               (default bank)

        exit codes: 0 done; 1 a bad file or environment, a diverged run, a network too large for memory,
        or a model that does not reproduce its saved accuracy; 2 bad options
        """;

    public static Options Parse(string[] args)
    {
        var o = new Options();
        bool channelsGiven = false, blocksGiven = false, dropoutGiven = false, radiusGiven = false;
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.", name);
            string PathValue()
            {
                string v = Value();
                return !string.IsNullOrWhiteSpace(v) ? v : throw new ArgumentException($"{name} needs a path, was '{v}'.", name);
            }
            int Int(int min, int max) => CommandLine.Integer(name, Value(), min, max);
            double Real(double min, double max) => CommandLine.Number(name, Value(), min, max);
            Options Blocks()
            {
                blocksGiven = true;
                return o with { Blocks = Int(1, 64) };
            }
            Options Radius()
            {
                radiusGiven = true;
                return o with { Radius = Int(1, 3) };
            }
            Options Dropout()
            {
                dropoutGiven = true;
                return o with { Dropout = Real(0, 0.99) };
            }
            Options Channels()
            {
                channelsGiven = true;
                return o with { Channels = Int(1, 4096) };
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
                "--radius" => Radius(),
                "--mode" => o with
                {
                    Mode = Value().ToLowerInvariant() switch
                    {
                        "shared" => ChannelMode.Shared,
                        "full" => ChannelMode.Full,
                        var m => throw new ArgumentException($"--mode must be shared or full, was '{m}'.", name),
                    },
                },
                "--channels" => Channels(),
                "--blocks" => Blocks(),
                "--epochs" => o with { Epochs = Int(0, 10_000) },
                "--seed" => o with { Seed = Int(0, int.MaxValue) },
                "--batch" => o with { BatchSize = Int(1, 8000) },
                "--lr" => o with { LearningRate = Real(1e-8, 10) },
                "--weight-decay" => o with { WeightDecay = Real(0, 10) },
                "--dropout" => Dropout(),
                "--fashion" => o with { Fashion = true },
                "--save" => o with { Save = PathValue() },
                "--evaluate" => o with { Evaluate = PathValue() },
                "--export" => o with { Export = PathValue() },
                "--data-dir" => o with { DataDir = PathValue() },
                "--threads" => o with { Threads = Int(1, 1024) },
                "--pool" => o with { Pool = true },
                "--relax" => o with { Relax = Relax() },
                "--widths" => o with { Widths = Runs.CheckWidths(Value(), name) },
                "--mix" => o with { Mix = Int(0, 4096) },
                "--schedule" => o with
                {
                    Cosine = Value() switch
                    {
                        "plateau" => false,
                        "cosine" => true,
                        var v => throw new ArgumentException($"--schedule must be plateau or cosine, was '{v}'.", name),
                    },
                },
                "--augment" => o with
                {
                    Rerotate = Value() switch
                    {
                        "none" => false,
                        "rotate" => true,
                        var a => throw new ArgumentException($"--augment must be none or rotate, was '{a}'.", name),
                    },
                },
                "--kernel" => o with
                {
                    GeneratedKernel = Value() switch
                    {
                        "bank" => false,
                        "generated" => true,
                        var k => throw new ArgumentException($"--kernel must be bank or generated, was '{k}'.", name),
                    },
                },
                "--help" or "-h" => o with { Help = true },
                _ => throw new ArgumentException($"unknown option '{name}'.", name),
            };
        }
        if (o.Pool && o.Relax is not null)
            throw new ArgumentException("--relax applies to the unpooled GM-CNN; the pooled network has no relaxed variant yet.", "--relax");
        if (o.Pool) o = o with { Mode = ChannelMode.Full, Channels = channelsGiven ? o.Channels : 16, Blocks = blocksGiven ? o.Blocks : 1 };
        if (o.Lifted && (o.Pool || o.Relax is not null))
            throw new ArgumentException($"--group {o.Group} trains the lifted G-CNN, which has no --pool or --relax variant.", o.Pool ? "--pool" : "--relax");
        if (o.Lifted) o = o with { Mode = ChannelMode.Full, Radius = radiusGiven ? o.Radius : 1, Channels = channelsGiven ? o.Channels : 8, Dropout = dropoutGiven ? o.Dropout : 0.1 };
        Runs.For(o.Group, o.Radius);   // refuses an unknown group, with the list of known ones
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
        ["pool"] = Pool ? "true" : "false",
        ["widths"] = Widths, ["kernel"] = GeneratedKernel ? "generated" : "bank", ["mix"] = Mix.ToString(CultureInfo.InvariantCulture),
        ["augment"] = Rerotate ? "rotate" : "none",
    };

    /// <summary>
    /// The options a saved model was trained with, each checked against the range the command line allows, so that a
    /// damaged or foreign file is refused here (InvalidDataException naming the file and the key), not deep in a run.
    /// </summary>
    public static Options FromMetadata(IReadOnlyDictionary<string, string> m, Options cli, string source = "The model file")
    {
        InvalidDataException Bad(string what) => new($"{source} {what}.");
        string CheckedWidths(string v)
        {
            try { return Runs.CheckWidths(v, "widths"); }
            catch (ArgumentException) { throw Bad($"has metadata widths = '{v}', not three '/'-separated lists of widths"); }
        }
        string Get(string key) => m.TryGetValue(key, out var v) ? v : throw Bad($"has no '{key}' in its metadata");
        int I(string key, int min, int max) =>
            int.TryParse(Get(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= min && n <= max
                ? n : throw Bad($"has metadata {key} = '{Get(key)}', not an integer in [{min}, {max}]");
        Relaxation ParseRelaxation(string v)
        {
            try { return Relaxation.Parse(v); }
            catch (ArgumentException) { throw Bad($"has metadata relaxation = '{v}', not ldr:R, ldr:R:per-channel, regression, classification or none"); }
        }
        var options = cli with
        {
            Group = Runs.Normalise(Get("group")), Radius = I("radius", 1, 3),
            Mode = Get("mode").ToLowerInvariant() switch
            {
                "shared" => ChannelMode.Shared,
                "full" => ChannelMode.Full,
                var v => throw Bad($"has metadata mode = '{v}', not Shared or Full"),
            },
            Channels = I("channels", 1, 4096), Blocks = I("blocks", 1, 64), Seed = I("seed", 0, int.MaxValue),
            Dropout = Real(m, "dropout", 0, 0.99, source),
            Fashion = Get("dataset") switch
            {
                "rotated-mnist" => false,
                "rotated-fashion-mnist" => true,
                var v => throw Bad($"has metadata dataset = '{v}', not rotated-mnist or rotated-fashion-mnist"),
            },
            // Files from before --pool have no "pool" key: they are unpooled networks.
            Pool = m.TryGetValue("pool", out var pool) ? pool switch
            {
                "true" => true,
                "false" => false,
                var v => throw Bad($"has metadata pool = '{v}', not true or false"),
            } : false,
            // Files from before --relax have no "relaxation" key: they are exact networks.
            Relax = m.TryGetValue("relaxation", out var r) && r != "none" ? ParseRelaxation(r) : null,
            // Files from before the lifted networks have no "widths" or "kernel" key.
            Widths = m.TryGetValue("widths", out var widths) ? CheckedWidths(widths) : DefaultWidths,
            Mix = m.ContainsKey("mix") ? I("mix", 0, 4096) : 0,
            GeneratedKernel = m.TryGetValue("kernel", out var kernel) ? kernel switch
            {
                "bank" => false,
                "generated" => true,
                var v => throw Bad($"has metadata kernel = '{v}', not bank or generated"),
            } : false,
        };
        if (!Runs.Has(options.Group, options.Radius))
            throw Bad($"was trained on group '{options.Group}' at radius {options.Radius}, for which this sample has no kernel; known: {Runs.Known}");
        return options;
    }

    /// <summary>The test accuracy a saved model records, in [0, 1].</summary>
    public static double SavedAccuracy(IReadOnlyDictionary<string, string> m, string source = "The model file") =>
        Real(m, "test_accuracy", 0, 1, source);

    static double Real(IReadOnlyDictionary<string, string> m, string key, double min, double max, string source)
    {
        if (!m.TryGetValue(key, out var v)) throw new InvalidDataException($"{source} has no '{key}' in its metadata.");
        return double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) && x >= min && x <= max
            ? x : throw new InvalidDataException($"{source} has metadata {key} = '{v}', not a number in [{min}, {max}].");
    }
}

/// <summary>Group types are compile-time; this table maps an option to the run specialised for one of them.</summary>
public static class Runs
{
    static readonly Dictionary<(string, int), Func<Options, int>> Table = new()
    {
        [("D14 x D14", 3)] = Run<D14xD14r3>, [("D14 x D14", 2)] = Run<D14xD14r2>, [("D14 x D14", 1)] = Run<D14xD14r1>,
        [("C28 x C28", 3)] = Run<C28xC28r3>, [("C28 x C28", 2)] = Run<C28xC28r2>, [("C28 x C28", 1)] = Run<C28xC28r1>,
        [("p4m(28)", 1)] = o => o.GeneratedKernel
            ? RunLifted<P4m28r1, PoolP4m28to14, P4m14r1, PoolP4m14to7, P4m7r1>(o)
            : RunLifted<FilterBank<P4m28r1, C28xC28r1>, PoolP4m28to14, FilterBank<P4m14r1, C14xC14r1>, PoolP4m14to7, FilterBank<P4m7r1, C7xC7r1>>(o),
        [("p4(28)", 1)] = o => o.GeneratedKernel
            ? RunLifted<P4r28r1, PoolP4r28to14, P4r14r1, PoolP4r14to7, P4r7r1>(o)
            : RunLifted<FilterBank<P4r28r1, C28xC28r1>, PoolP4r28to14, FilterBank<P4r14r1, C14xC14r1>, PoolP4r14to7, FilterBank<P4r7r1, C7xC7r1>>(o),
    };

    /// <summary>p4m(n) and p4(n): the groups the lifted networks run on.</summary>
    public static bool IsLifted(string group) => group.StartsWith("p4", StringComparison.Ordinal);

    /// <summary>Three '/'-separated stages of comma-separated widths in [1, 4096] (a stage may be empty), normalised.</summary>
    public static string CheckWidths(string v, string option)
    {
        var stages = v.Split('/');
        if (stages.Length != 3)
            throw new ArgumentException($"{option} needs three '/'-separated stages (e.g. /8,8/11,11), was '{v}'.", option);
        foreach (var stage in stages)
            foreach (var w in stage.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                CommandLine.Integer(option, w, 1, 4096);
        return string.Join("/", stages.Select(st => string.Join(",", st.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))));
    }

    static int[][] ParseWidths(string v) =>
        [.. v.Split('/').Select(st => st.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(w => int.Parse(w, CultureInfo.InvariantCulture)).ToArray())];

    public static string Normalise(string group) => string.Join(" x ", group.Split(['x', 'X', '×', '*'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

    public static bool Has(string group, int radius) => Table.ContainsKey((group, radius));

    public static string Known => string.Join(", ", Table.Keys.Select(k => $"\"{k.Item1}\" r{k.Item2}"));

    public static Func<Options, int> For(string group, int radius) =>
        Table.TryGetValue((group, radius), out var run) ? run
            : throw new ArgumentException($"no kernel for group '{group}' at radius {radius}; known: {Known}.", "--group");

    /// <summary>The evaluation batch: the network's buffers grow to it, so memory is estimated for it too.</summary>
    const int EvaluationBatch = 500;

    /// <summary>The --pool network for the run's group and the innermost subgroup's elements in G (for the invariance check).</summary>
    static (Spec, int[]) Pooled<TGroup>(Options o) where TGroup : IGroupKernel
    {
        int c = o.Channels;
        return o.Group switch
        {
            "C28 x C28" => (Architectures.PooledGmCnn<TGroup, PoolC28toC14, C14xC14r1, PoolC14toC7, C7xC7r1>(
                10, [c, 2 * c, 3 * c], o.Blocks, ChannelMode.Full, o.Dropout), Measure.EmbeddedSubgroup<PoolC28toC14, PoolC14toC7>()),
            "D14 x D14" => (Architectures.PooledGmCnn<TGroup, PoolD14toD7, D7xD7r1>(
                10, [c, 2 * c], o.Blocks, ChannelMode.Full, o.Dropout), PoolD14toD7.Embedding.ToArray()),
            _ => throw new ArgumentException($"--pool has no pooled network for '{o.Group}'.", "--pool"),
        };
    }

    static int Run<TGroup>(Options cli) where TGroup : IGroupKernel => Execute(cli, options =>
    {
        var (spec, subgroup) = options.Pool ? Pooled<TGroup>(options)
            : (Architectures.GmCnn<TGroup>(classes: 10, options.Channels, options.Blocks, options.Mode, options.Dropout,
                relaxation: options.Relax), null);
        var network = Network.Build(spec, new Shape(1, TGroup.Order), options.Seed);
        string header = options.Pool
            ? $"[bold]pooled GM-CNN[/] on {Markup.Escape(options.Group)} (|G| = {TGroup.Order}, radius {options.Radius} in the first stage, K = {TGroup.KernelSize}), {options.Mode} weights, {options.Blocks} block(s) per stage, first width {options.Channels}, {KernelParallelism.MaxDegree} threads"
            : $"[bold]GM-CNN[/] on {Markup.Escape(options.Group)} (|G| = {TGroup.Order}, radius {options.Radius}, K = {TGroup.KernelSize}), {options.Mode} weights, {options.Blocks} × {options.Channels} channels{(options.Relax is null ? "" : $", relaxation {options.Relax}")}, {KernelParallelism.MaxDegree} threads";
        void Measure(Table summary, RotatedSplit split)
        {
            // Equivariance of the trained network on a few test images, over a sample of group elements.
            int probe = Math.Min(8, split.Test.Count);
            var x = split.Test.Images.AsSpan(0, probe * TGroup.Order).ToArray();
            if (subgroup is null)
            {
                var eq = GmCodegen.Measure.Equivariance<TGroup>(network, x, probe, sample: 32, seed: options.Seed);
                summary.AddRow($"equivariance error (features before pooling, {eq.ElementsTested} elements)", $"{eq.FeatureError:E2}");
                summary.AddRow("invariance error (logits)", $"{eq.InvarianceError:E2}");
            }
            else
            {
                // A pooled network is invariant only under the innermost subgroup, embedded in G.
                double inv = GmCodegen.Measure.Invariance<TGroup>(network, x, probe, subgroup);
                summary.AddRow($"invariance error (logits, under the {subgroup.Length}-element innermost subgroup)", $"{inv:E2}");
            }
        }
        return (network, header, Measure);
    });

    /// <summary>
    /// The lifted G-CNN (docs/design.md#lifting) on <typeparamref name="TGroup"/>: images lift onto it, pool twice to
    /// <typeparamref name="TInner"/>; the invariance under rot90 (and fliplr on p4m) of every test image is measured.
    /// </summary>
    static int RunLifted<TGroup, TPool1, TMid, TPool2, TInner>(Options cli)
        where TGroup : IGroupLift where TPool1 : IGroupPool where TMid : IGroupKernel where TPool2 : IGroupPool where TInner : IGroupKernel
        => Execute(cli, options =>
    {
        var widths = ParseWidths(options.Widths);
        var network = Network.Build(Architectures.LiftedGmCnn<TGroup, TPool1, TMid, TPool2, TInner>(10, options.Channels,
            widths[0], widths[1], widths[2], options.Dropout, mix: options.Mix), new Shape(1, TGroup.ImageSize), options.Seed);
        string header = $"[bold]lifted G-CNN[/] on {Markup.Escape(options.Group)} → {Markup.Escape(TPool1.SubgroupName)} → {Markup.Escape(TPool2.SubgroupName)} " +
            $"(|G| = {TGroup.Order}, lift K = {TGroup.LiftKernelSize}, blocks K = {TGroup.KernelSize}), lift to {options.Channels}, block widths {Markup.Escape(options.Widths)}{(options.Mix > 0 ? $", mix to {options.Mix}" : "")}, " +
            $"{(options.GeneratedKernel ? "generated kernels" : "filter-bank kernels")}, {KernelParallelism.MaxDegree} threads";
        void Measure(Table summary, RotatedSplit split)
        {
            int count = split.Test.Count, side = TGroup.ImageSide;
            var rot = GmCodegen.Measure.ImageInvariance(network, split.Test.Images, count, side, TorusImages.Rot90);
            summary.AddRow($"invariance under rot90 (all {count} test images)", $"max |Δlogit| {rot.MaxLogitDifference:E2}, {rot.ChangedPredictions} predictions changed");
            if (TGroup.PointOrder == 8)
            {
                var flip = GmCodegen.Measure.ImageInvariance(network, split.Test.Images, count, side, TorusImages.FlipLr);
                summary.AddRow($"invariance under fliplr (all {count} test images)", $"max |Δlogit| {flip.MaxLogitDifference:E2}, {flip.ChangedPredictions} predictions changed");
            }
        }
        return (network, header, Measure);
    });

    /// <summary>
    /// Trains (or with --evaluate reloads) the network <paramref name="build"/> makes for the options, saves it, and fills the
    /// summary: accuracy, parameters, the network's own invariance measurement, epoch time.
    /// </summary>
    static int Execute(Options cli, Func<Options, (Network Network, string Header, Action<Table, RotatedSplit> Measure)> build)
    {
        if (cli.Threads is int t) KernelParallelism.MaxDegree = t;
        var options = cli;
        double saved = 0;
        if (cli.Evaluate is { } file)
        {
            // Every metadata value is checked before anything runs: a bad file costs nothing.
            var metadata = SafeTensors.ReadMetadata(file);
            options = Options.FromMetadata(metadata, cli, file);
            saved = Options.SavedAccuracy(metadata, file);
            if ((options.Group, options.Radius) != (cli.Group, cli.Radius))
                return For(options.Group, options.Radius)(options with { Evaluate = cli.Evaluate });
        }
        else SafeTensors.CheckCanSave(options.Save);   // before training: a bad destination must not cost the run
        if (options.Export is { } onnxPath) SafeTensors.CheckCanSave(onnxPath);   // the same for the ONNX file

        var (network, header, measure) = build(options);
        var memory = options.Evaluate is null
            ? network.EstimateMemory(options.BatchSize, optimizerStates: 2, evaluationBatch: EvaluationBatch)
            : network.EstimateMemory(1, optimizerStates: 0, evaluationBatch: EvaluationBatch);   // evaluation fills no backward buffers
        AnsiConsole.MarkupLine(header);
        AnsiConsole.Write(Measure.ParameterTable(network, memory));
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (memory.TotalBytes > available)
        {
            Console.Error.WriteLine($"error: this network needs about {memory}, more than the {MemoryEstimate.Format(available)} " +
                "this process may use; use fewer --channels or --blocks, or a smaller --batch.");
            return 1;
        }

        var clock = Stopwatch.StartNew();
        var source = options.Fashion
            ? Datasets.FashionMnist(train: false, options.DataDir ?? Datasets.FashionMnistDirectory)
            : Datasets.Mnist10k(options.DataDir);
        var split = Datasets.RotatedMnist(source, options.Seed);
        AnsiConsole.MarkupLine($"[bold]{(options.Fashion ? "rotated Fashion-MNIST" : "rotated MNIST")}[/]: {split.Train.Count} train / {split.Test.Count} test, seed {options.Seed} (built in {clock.Elapsed.TotalSeconds:F1} s)");

        var test = new MiniBatchLoader(split.Test, EvaluationBatch, options.Seed, shuffle: false).AsBatchSource();
        if (options.Evaluate is { } path)
        {
            SafeTensors.Load(path, network.Parameters, requireFinite: true);
            double accuracy = Trainer.Accuracy(network, test);
            AnsiConsole.MarkupLine($"loaded [bold]{Markup.Escape(path)}[/]: test accuracy {accuracy:P2} (saved with {saved:P2}){(accuracy == saved ? ", reproduced exactly" : "")}");
            PrintDisplacement(network);
            if (options.Export is { } onnx) ExportOnnx(network, onnx, options.Metadata(saved));
            if (accuracy == saved) return 0;
            Console.Error.WriteLine($"error: {path} reaches a test accuracy of {accuracy:P2}, not the {saved:P2} it was saved with: the model does not reproduce.");
            return 1;
        }

        var optimizer = new AdamW(network.Parameters, options.LearningRate, options.WeightDecay);
        var trainer = new Trainer(network, new CrossEntropyLoss(), optimizer)
        {
            Schedule = options.Cosine && options.Epochs > 0
                ? new CosineSchedule(optimizer, options.Epochs)
                : new ReduceLROnPlateau(optimizer, factor: 0.7, patience: 5),
        };
        IBatchSource train = options.Rerotate
            ? new RerotatedBatches(source, split, options.BatchSize, options.Seed)
            : new MiniBatchLoader(split.Train, options.BatchSize, options.Seed).AsBatchSource();
        var history = trainer.Fit(train, test, options.Epochs);   // throws TrainingDivergedException on NaN/∞
        double testAccuracy = options.Epochs > 0 ? history[^1].TestAccuracy ?? 0 : Trainer.Accuracy(network, test);

        // Saved first: nothing measured afterwards can lose the trained model.
        int saveCode = Program.SaveModel(options.Save, p => SafeTensors.Save(p, network.Parameters, options.Metadata(testAccuracy), requireFinite: true));
        if (options.Export is { } exportPath) ExportOnnx(network, exportPath, options.Metadata(testAccuracy));

        var summary = new Table().AddColumns("result", "value");
        summary.AddRow("test accuracy", $"{testAccuracy:P2}");
        summary.AddRow("parameters", network.ParameterCount.ToString("N0", CultureInfo.InvariantCulture));
        measure(summary, split);
        summary.AddRow("mean epoch time", options.Epochs > 0 ? $"{history.Average(h => h.Time.TotalSeconds):F1} s" : "-");
        summary.AddRow("saved to", saveCode == 0 ? Markup.Escape(options.Save) : "[red]not saved there (see the error)[/]");
        AnsiConsole.Write(summary);
        PrintDisplacement(network);
        return saveCode;
    }

    /// <summary>The network as ONNX (the same metadata as the model file: group, radius, …), written atomically.</summary>
    static void ExportOnnx(Network network, string path, Dictionary<string, string> metadata)
    {
        OnnxFiles.Write(network, path, metadata);
        AnsiConsole.MarkupLine($"exported to [bold]{Markup.Escape(path)}[/] (ONNX opset {Onnx.Opset})");
    }

    /// <summary>One line per GM layer (output channel 0, input channel 0): displacement rank, top σ, distance to GM, equivariance error.</summary>
    const int DescribedOrder = 784;

    static void PrintDisplacement(Network network)
    {
        foreach (var layer in network.Layers)
            if (layer is IGroupMatrixLayer gm)
                // Each layer on its own group (pooled networks); the SVD of a dense matrix above 784² is not worth its minutes.
                Console.WriteLine(layer.Input.Positions <= DescribedOrder
                    ? $"{layer.Name}: {gm.Describe()}"
                    : $"{layer.Name}: |G| = {layer.Input.Positions}, not described (dense matrices above {DescribedOrder}² are skipped)");
    }
}
