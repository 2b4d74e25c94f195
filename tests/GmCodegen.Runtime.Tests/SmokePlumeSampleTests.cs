using System.Diagnostics;
using System.Text.Json;
using GmCodegen.Fluids;
using SmokePlume;

namespace GmCodegen.Runtime.Tests;

/// <summary>The smoke-plume sample (samples/SmokePlume) on its 16×16 data set (--small): learning, symmetry, and a tiny run end to end.</summary>
public sealed class SmokePlumeSampleTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), $"plume-sample-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    PlumeDataset Small() => PlumeCache.LoadOrGenerate(_dir, SmokePlume.Program.SmallData).Data;

    static Spec Net(Variant v, int width) => Encoder.Build<Grid16, Pool16to8, Grid8>(v, width);

    [Fact]
    public void Forecasting_small_plumes_learns_far_below_the_zero_predictor_and_below_persistence_on_the_training_loss()
    {
        var data = Small();
        var options = new Options(Epochs: 25, Width: 8, Steps: 4);
        var result = Experiment.Run(data, new Variant.Exact(), Net(new Variant.Exact(), 8), options);
        var zero = Experiment.Baselines(data, 4).Single(b => b.Name == "zero");
        // The loss is the MSE of the scaled change, so persistence scores 1 and the zero predictor far more.
        Assert.InRange(result.FinalLoss, 0, 0.85);
        Assert.True(result.FinalLoss < result.FirstLoss, $"loss went from {result.FirstLoss} to {result.FinalLoss}");
        foreach (var (score, baseline) in new[] { (result.Future, zero.Future), (result.Domain, zero.Domain) })
        {
            Assert.InRange(score.OneStep, 0, 0.4 * baseline.OneStep);
            Assert.InRange(score.Rollout, 0, 0.6 * baseline.Rollout);
        }
    }

    [Fact]
    public void The_scores_of_the_baselines_are_their_definitions()
    {
        var data = Small();
        var baselines = Experiment.Baselines(data, 4);
        // Zero predictor, one step: the RMS of every target frame of the split, computed here independently.
        var targets = data.Samples(PlumeSplit.Domain).Targets;
        double rms = Math.Sqrt(targets.Sum(v => (double)v * v) / targets.Length);
        Assert.Equal(rms, baselines.Single(b => b.Name == "zero").Domain.OneStep, 6);
        // Persistence never changes the window's last frame: its first rollout step is its one-step error on those starts.
        var persistence = baselines.Single(b => b.Name == "persistence");
        Assert.True(persistence.Future.PerStep[0] > 0 && persistence.Future.PerStep[^1] > persistence.Future.PerStep[0]);
        Assert.Equal(persistence.Domain.PerStep.Average(), persistence.Domain.Rollout, 12);
    }

    [Fact]
    public void Exact_and_relaxed_at_init_are_translation_equivariant_and_coordconv_is_not()
    {
        var data = Small();
        var input = data.Samples(PlumeSplit.Train);
        int count = 2, n = data.N, f = data.FrameLength, inLength = data.Window * f;
        var x = input.Inputs.AsSpan(0, count * inLength).ToArray();
        // A shift by (4, 6) cells: the pool makes the network equivariant only under the even shifts (the subgroup C8 x C8
        // embedded as k ↦ 2k), since a 2×2 window moved by one cell pools different cells.
        const int u = 16 * 6 + 4;
        double Error(Variant v)
        {
            var net = Network.Build(Net(v, 4), new Shape(v.InputChannels(data.Window), n * n), seed: 1);
            var forecaster = new Forecaster(net, v, n, data.Window, 1f, 1f);
            var fx = forecaster.Predict(x, count);
            var xu = new float[x.Length];
            Measure.Act<Grid16>(u, x, xu, count * 2 * data.Window);
            var lfx = new float[fx.Length];
            Measure.Act<Grid16>(u, fx, lfx, count * 2);
            var fxu = forecaster.Predict(xu, count);
            double d = 0, norm = 0;
            for (int j = 0; j < fx.Length; j++) { d += Math.Pow(fxu[j] - lfx[j], 2); norm += (double)fx[j] * fx[j]; }
            return Math.Sqrt(d / norm);
        }
        Assert.InRange(Error(new Variant.Exact()), 0, 1e-5);
        Assert.InRange(Error(new Variant.Relaxed()), 0, 1e-5);   // a_j = 0 at init
        Assert.InRange(Error(new Variant.CoordConv()), 1e-3, double.PositiveInfinity);
    }

    [Fact]
    public void Relaxing_only_the_ends_adds_the_relaxation_of_the_two_convolutions_on_G()
    {
        int Count(Spec spec) => Network.Build(spec, new Shape(8, Grid16.Order), seed: 0).ParameterCount;
        int exact = Count(Net(new Variant.Exact(), 4));
        int all = Count(Net(new Variant.Relaxed(), 4));
        int ends = Count(Encoder.Build<Grid16, Pool16to8, Grid8>(new Variant.Relaxed(), 4, relaxMiddle: false));
        // LDR-1 adds one 3×3 kernel per channel pair (as many as w) and one scale per position (shared by the outputs).
        Assert.Equal(exact + (8 * 4 * 9 + Grid16.Order) + (4 * 2 * 9 + Grid16.Order), ends);
        Assert.Equal(ends + 4 * 8 * 9 + Grid8.Order, all);
        Assert.True(Options.Parse(["--relax-ends"]).RelaxMiddle is false && Options.Parse([]).RelaxMiddle);
    }

    [Theory]
    [InlineData("--epochs", "0")]
    [InlineData("--width", "x")]
    [InlineData("--lr", "-1")]
    [InlineData("--bogus", "1")]
    public void The_parser_refuses_bad_input_naming_the_option(string name, string value)
    {
        var e = Assert.Throws<ArgumentException>(() => Options.Parse([name, value]));
        Assert.Equal(name, e.ParamName);
    }

    [Fact]
    public void A_tiny_run_writes_json_with_the_three_variants_and_pngs()
    {
        string json = Path.Combine(_dir, "r.json");
        var (code, stdout, err) = RunSample("--small", "--epochs", "2", "--width", "4", "--steps", "4", "--data-dir", _dir, "--json", json, "--plots", _dir);
        Assert.True(code == 0, $"exit {code}\n{stdout}\n{err}");
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var results = doc.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(["exact GM", "relaxed LDR-1", "coordconv"], results.Select(r => r.GetProperty("model").GetString()));
        foreach (var r in results)
            foreach (var field in new[] { "rmse_future", "rmse_domain", "train_seconds" })
            {
                double v = r.GetProperty(field).GetDouble();
                Assert.True(double.IsFinite(v) && v >= 0, $"{field} = {v} in {r}");
            }
        int Params(int i) => results[i].GetProperty("parameters").GetInt32();
        // CoordConv adds 2 input channels to the first 3×3 full-mixing convolution (width 4): 2 · 4 · 9 weights.
        Assert.Equal(2 * 4 * 9, Params(2) - Params(0));
        Assert.True(Params(1) > Params(0));
        foreach (var png in new[] { "rollout.png", "rmse-per-step.png" })
        {
            var bytes = File.ReadAllBytes(Path.Combine(_dir, png));
            Assert.True(bytes.Length > 1000 && bytes[..4].SequenceEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }), $"{png} is not a PNG");
        }
    }

    static (int Code, string Out, string Err) RunSample(params string[] args) => SampleProcess.Run("SmokePlume.dll", args);
}
