using GmCodegen.Samples;
using System.Globalization;

namespace ApproxEquivariance;

/// <summary>Command-line options, parsed into an immutable record; bad input throws ArgumentException naming the option.</summary>
public sealed record Options(
    IReadOnlyList<double> Epsilons, int Seed = 42, int TrainSize = 128, int TestSize = 1024, int Epochs = 1500,
    double Noise = 0.01, IReadOnlyList<double>? LearningRates = null, IReadOnlyList<double>? WeightDecays = null, string? Json = null,
    string Plot = "samples/ApproxEquivariance/results/sweep.png", int? Threads = null, bool Help = false, string? Export = null)
{
    public static readonly double[] DefaultEpsilons = [0, 0.01, 0.05, 0.2, 1];
    public static readonly double[] DefaultLearningRates = [0.01, 0.03, 0.1];

    public static readonly double[] DefaultWeightDecays = [0];

    public IReadOnlyList<double> Rates => LearningRates ?? DefaultLearningRates;
    public IReadOnlyList<double> Decays => WeightDecays ?? DefaultWeightDecays;

    public const string Usage = """
        usage: dotnet run -c Release --project samples/ApproxEquivariance -- [options]

        Fits y = GM(w*)·x + ε·B(x) + noise on C16 x C16 with one-layer models (exact GM, LDR-1, LDR-4,
        regression relaxation, dense) and reports test MSE, displacement rank and equivariance error per ε.

          --epsilon X,Y,...      symmetry-breaking strengths                 (default 0,0.01,0.05,0.2,1)
          --seed N               task, data, init and validation split       (default 42)
          --train-size N         training samples (|G| = 256)                (default 128)
          --test-size N          fresh test samples                          (default 1024)
          --epochs N             full-batch AdamW steps per fit              (default 1500)
          --noise X              target noise std, relative to the clean target's std (default 0.01)
          --lr X,Y,...           learning rates tried per model and ε on a validation split (default 0.01,0.03,0.1);
          --weight-decay X,Y,... AdamW weight decays tried with every rate    (default 0)
                                 one rate and one decay skip the search
          --json FILE            write every result as JSON
          --plot FILE            PNG of test MSE against ε per model        (default samples/ApproxEquivariance/results/sweep.png)
          --threads N            kernel threads                              (default: all cores)
          --export FILE.onnx     write each model fitted at the last ε as ONNX, FILE.<model>.onnx (docs/onnx.md)
        """;

    public static Options Parse(string[] args)
    {
        var o = new Options(DefaultEpsilons);
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.", name);
            int Int(int min, int max) => CommandLine.Integer(name, Value(), min, max);
            double Real(string v, double min, double max) => CommandLine.Number(name, v, min, max);
            double[] Reals(double min, double max)
            {
                string v = Value();
                var items = v.Split(',', StringSplitOptions.TrimEntries);
                if (items.Any(s => s.Length == 0)) throw new ArgumentException($"{name} must be a comma-separated list of numbers, was '{v}'.", name);
                var values = items.Select(s => Real(s, min, max)).ToArray();
                if (values.Distinct().Count() != values.Length) throw new ArgumentException($"{name} lists a value twice: '{v}'.", name);
                return values;
            }
            o = name switch
            {
                "--epsilon" => o with { Epsilons = Reals(0, 100) },
                "--seed" => o with { Seed = Int(0, int.MaxValue) },
                "--train-size" => o with { TrainSize = Int(4, 100_000) },
                "--test-size" => o with { TestSize = Int(1, 100_000) },
                "--epochs" => o with { Epochs = Int(1, 1_000_000) },
                "--noise" => o with { Noise = Real(Value(), 0, 10) },
                "--lr" => o with { LearningRates = Reals(1e-8, 10) },
                "--weight-decay" => o with { WeightDecays = Reals(0, 100) },
                "--json" => o with { Json = Value() },
                "--plot" => o with { Plot = Value() },
                "--export" => o with { Export = Value() },
                "--threads" => o with { Threads = Int(1, 1024) },
                "--help" or "-h" => o with { Help = true },
                _ => throw new ArgumentException($"unknown option '{name}'.", name),
            };
        }
        return o;
    }
}
