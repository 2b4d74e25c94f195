using GmCodegen.Samples;
using System.Globalization;

namespace SmokePlume;

/// <summary>Command-line options, parsed into an immutable record; bad input throws ArgumentException naming the option.</summary>
public sealed record Options(int Epochs = 30, int Seed = 0, int Width = 12, int BatchSize = 16, double LearningRate = 3e-3,
    double WeightDecay = 0, int Steps = 10, string DataDir = "samples/SmokePlume", string? Json = null,
    string Plots = "samples/SmokePlume/results", bool Small = false, bool RelaxMiddle = true, int? Threads = null, bool Help = false,
    string? Export = null)
{
    public const string Usage = """
        usage: dotnet run -c Release --project samples/SmokePlume -- [options]

        Forecasts 64×64 periodic smoke plumes whose buoyancy is stronger on the right half (docs/smoke-plumes.md)
        with a GM encoder–decoder on C64 x C64 → C32 x C32 → C64 x C64 in three variants (exact GM, relaxed LDR-1,
        CoordConv), and reports RMSE of 10-step rollouts and one-step forecasts on the future and domain splits.

          --epochs N         AdamW epochs over the 432 training samples per variant     (default 30)
          --seed N           network init and batch order                               (default 0)
          --width N          channels on C64 x C64 (twice that on C32 x C32)            (default 12)
          --batch-size N     mini-batch size                                            (default 16)
          --lr X             AdamW learning rate, cosine-annealed to 0                   (default 0.003)
          --weight-decay X   AdamW weight decay                                         (default 0)
          --steps N          rollout length                                             (default 10)
          --data-dir DIR     the plume cache goes to DIR/data/smoke-plumes-<key>.bin    (default samples/SmokePlume)
          --json FILE        write the results as JSON
          --plots DIR        folder for rollout.png and rmse-per-step.png               (default samples/SmokePlume/results)
          --relax-ends       relaxed variant: LDR-1 only in the first and last convolution (default: all three)
          --small            a 16×16, 4-simulation data set and the same network on C16 x C16 (for tests)
          --threads N        kernel threads                                             (default: all cores)
          --export FILE.onnx write each trained variant as ONNX, FILE.<variant>.onnx (docs/onnx.md)
        """;

    public static Options Parse(string[] args)
    {
        var o = new Options();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.", name);
            int Int(int min, int max) => CommandLine.Integer(name, Value(), min, max);
            double Real(double min, double max) => CommandLine.Number(name, Value(), min, max);
            o = name switch
            {
                "--epochs" => o with { Epochs = Int(1, 100_000) },
                "--seed" => o with { Seed = Int(0, int.MaxValue) },
                "--width" => o with { Width = Int(1, 256) },
                "--batch-size" => o with { BatchSize = Int(1, 4096) },
                "--lr" => o with { LearningRate = Real(1e-8, 10) },
                "--weight-decay" => o with { WeightDecay = Real(0, 100) },
                "--steps" => o with { Steps = Int(1, 1000) },
                "--data-dir" => o with { DataDir = Value() },
                "--json" => o with { Json = Value() },
                "--plots" => o with { Plots = Value() },
                "--export" => o with { Export = Value() },
                "--small" => o with { Small = true },
                "--relax-ends" => o with { RelaxMiddle = false },
                "--threads" => o with { Threads = Int(1, 1024) },
                "--help" or "-h" => o with { Help = true },
                _ => throw new ArgumentException($"unknown option '{name}'.", name),
            };
        }
        return o;
    }
}
