using System.Diagnostics;
using System.Text.Json;
using ApproxEquivariance;

namespace GmCodegen.Runtime.Tests;

/// <summary>The ε-sweep sample (samples/ApproxEquivariance): its task generator, its option parser, and a tiny run end to end.</summary>
public class ApproxSampleTests
{
    [Fact]
    public void The_task_at_epsilon_0_without_noise_is_the_generated_GM_kernel_applied_to_w_star()
    {
        // The task builds GM(w*) from the group's formulas; the generated kernel is an independent implementation.
        var task = SweepTask.Create(seed: 3, noise: 0);
        var samples = task.Draw(4, stream: 0);
        var expected = new float[4 * Torus.Order];
        Torus.Forward(new GmShape(4, 1, 1, ChannelMode.Shared), samples.Inputs, [.. task.WStar.Select(v => (float)v)], [], expected);
        var actual = task.Targets(samples, epsilon: 0);
        for (int j = 0; j < actual.Length; j++) Assert.Equal(expected[j], actual[j], tolerance: 1e-5f * (1 + Math.Abs(expected[j])));
    }

    [Fact]
    public void B_has_the_norm_of_GM_w_star_and_is_orthogonal_to_every_group_matrix()
    {
        var task = SweepTask.Create(seed: 5);
        double Norm(double[] m) => Math.Sqrt(m.Sum(v => v * v));
        var gm = task.EquivariantMatrix();
        var b = task.BreakingMatrix();
        Assert.Equal(Norm(gm), Norm(b), 9);
        Assert.Equal(16.0, Norm(gm), 9);   // ‖w*‖ = 1 on 256 rows
        // ⟨B, GM(e_k)⟩ = Σ_a t_k(a) = 0 for every k: each tap field has mean zero.
        var one = new double[Torus.Order * Torus.Order];
        for (int k = 0; k < Torus.KernelSize; k++)
        {
            double inner = 0;
            for (int a = 0; a < Torus.Order; a++)
                inner += b[a * Torus.Order + Torus.Multiply(a, Torus.Inverse(Torus.KernelElements[k]))];
            Assert.InRange(Math.Abs(inner), 0, 1e-9 * Norm(b));
        }
        Assert.NotEqual(0, b.Count(v => v != 0));
    }

    static float[] Single(double[] m) => [.. m.Select(v => (float)v)];

    [Fact]
    public void GM_w_star_has_displacement_rank_0_and_B_the_full_rank_of_its_3x3_support()
    {
        var task = SweepTask.Create(seed: 11);
        Assert.Equal(0, Displacement.Rank<Torus>(Single(task.EquivariantMatrix())));
        // B's group diagonals are nine independent zero-mean smooth fields: rank 9, above LDR-4's 4.
        var b = Single(task.BreakingMatrix());
        Assert.Equal(Torus.KernelSize, Displacement.Rank<Torus>(b));
        var sigma = Displacement.SingularValues<Torus>(b);
        Assert.True(sigma[4] > 0.05 * sigma[0], $"B's displacement spectrum decays too fast for the sweep: σ = [{string.Join(", ", sigma.Take(9))}]");
        Assert.InRange(Math.Sqrt(Displacement.NearestGroupMatrix<Torus>(b).Sum(v => (double)v * v)), 0, 1e-5);   // orthogonal to all GMs
        // The target mixes both: GM(w*) + ε·B has the displacement of ε·B.
        Assert.Equal(Torus.KernelSize, Displacement.Rank<Torus>(Single(task.Matrix(0.05))));
    }

    [Fact]
    public void The_closed_form_floors_order_the_structures_and_vanish_to_the_noise_at_epsilon_0()
    {
        var task = SweepTask.Create(seed: 13, noise: 0.01);
        var at0 = References.Floors(task, 0).ToDictionary(r => r.Name, r => r.TestMse);
        foreach (var floor in at0.Values) Assert.Equal(1e-4 / (1 + 1e-4), floor, 1e-7);
        var at1 = References.Floors(task, 1).ToDictionary(r => r.Name, r => r.TestMse);
        // Exact GM can take none of B: ‖εB‖²/‖T‖² = ε²/(1 + ε²) = ½ (B ⟂ GM(w*), equal norms), plus the noise.
        Assert.Equal((0.5 + 1e-4) / (1 + 1e-4), at1["floor: exact GM"], 1e-6);
        Assert.True(at1["floor: LDR-4"] < at1["floor: LDR-1"] && at1["floor: LDR-1"] < at1["floor: exact GM"], string.Join(", ", at1));
    }

    [Fact]
    public void The_direct_equivariance_error_agrees_with_Measure_on_GM_layers_and_sees_a_dense_layer_break_symmetry()
    {
        var x = SweepTask.Create(seed: 17).Draw(4, stream: 1).Inputs;
        foreach (var model in new ApproxEquivariance.Model[] { new ApproxEquivariance.Model.Exact(), new ApproxEquivariance.Model.Ldr(1) })
        {
            var net = Network.Build(model.Spec, new Shape(1, Torus.Order), seed: 3);
            if (net.Root is RelaxedGMConv<Torus> relaxed)   // a position-dependent a: no longer equivariant (a constant a would be)
                for (int j = 0; j < relaxed.A!.Size; j++) relaxed.A.Value[j] = j / (float)relaxed.A.Size;
            double direct = Experiment.EquivarianceError(net, x, 4);
            Assert.Equal(Measure.Equivariance<Torus>(net, x, 4).FeatureError, direct, 12);
            Assert.InRange(direct, model is ApproxEquivariance.Model.Exact ? 0 : 0.01, model is ApproxEquivariance.Model.Exact ? 1e-5 : 10);
        }
        var dense = Network.Build(new ApproxEquivariance.Model.Dense().Spec, new Shape(1, Torus.Order), seed: 3);
        Assert.InRange(Experiment.EquivarianceError(dense, x, 4), 0.1, 10);   // Measure.Equivariance needs G-indexed outputs; Linear's are not
    }

    [Fact]
    public void Trained_on_a_strongly_broken_task_LDR_1_beats_the_exact_layer_and_keeps_rank_1()
    {
        var options = Options.Parse(["--seed", "21"]);
        var task = SweepTask.Create(options.Seed);
        var train = task.Draw(64, stream: 0);
        var test = task.Draw(64, stream: 1);
        var (y, yTest) = (task.Targets(train, 1), task.Targets(test, 1));
        double Fitted(ApproxEquivariance.Model model, out int rank)
        {
            var net = Experiment.Fit(model, train.Inputs, y, train.Count, lr: 0.03, weightDecay: 0, epochs: 400, seed: 1);
            rank = Experiment.Structure(model, net)!.Rank;
            return Experiment.RelativeMse(net, test.Inputs, yTest, test.Count);
        }
        double exact = Fitted(new ApproxEquivariance.Model.Exact(), out int exactRank);
        double ldr = Fitted(new ApproxEquivariance.Model.Ldr(1), out int ldrRank);
        Assert.Equal((0, 1), (exactRank, ldrRank));
        var floors = References.Floors(task, 1).ToDictionary(r => r.Name, r => r.TestMse);
        Assert.InRange(exact, 0.9 * floors["floor: exact GM"], 1.2 * floors["floor: exact GM"]);
        Assert.True(ldr < 0.85 * exact, $"LDR-1 {ldr:E3} vs exact {exact:E3} (floors {floors["floor: LDR-1"]:E3} / {floors["floor: exact GM"]:E3})");
    }

    [Fact]
    public void The_task_and_its_samples_are_fixed_by_the_seed()
    {
        var (t1, t2, t3) = (SweepTask.Create(7), SweepTask.Create(7), SweepTask.Create(8));
        Assert.Equal(t1.Taps, t2.Taps);
        Assert.Equal(t1.WStar, t2.WStar);
        Assert.NotEqual(t1.WStar, t3.WStar);
        Assert.Equal(t1.Draw(3, 0).Inputs, t2.Draw(3, 0).Inputs);
        Assert.NotEqual(t1.Draw(3, 0).Inputs, t1.Draw(3, 1).Inputs);   // train and test are different draws
        Assert.Equal(t1.Targets(t1.Draw(3, 0), 0.2), t2.Targets(t2.Draw(3, 0), 0.2));
    }

    [Theory]
    [InlineData("--epsilon", "0,x", "--epsilon")]
    [InlineData("--epsilon", "0,,1", "--epsilon")]
    [InlineData("--epsilon", "-0.1", "--epsilon")]
    [InlineData("--epsilon", "0.1,0.1", "--epsilon")]
    [InlineData("--train-size", "0", "--train-size")]
    [InlineData("--epochs", "ten", "--epochs")]
    [InlineData("--lr", "0", "--lr")]
    [InlineData("--bogus", "1", "--bogus")]
    public void The_parser_refuses_bad_input_naming_the_option(string name, string value, string named)
    {
        var e = Assert.Throws<ArgumentException>(() => Options.Parse([name, value]));
        Assert.Equal(named, e.ParamName);
    }

    [Fact]
    public void The_parser_reads_lists_and_a_missing_value_is_an_error()
    {
        var o = Options.Parse(["--epsilon", "0, 0.05", "--train-size", "16", "--lr", "0.01", "--seed", "9"]);
        Assert.Equal([0, 0.05], o.Epsilons);
        Assert.Equal((16, 9), (o.TrainSize, o.Seed));
        Assert.Equal([0.01], o.Rates);
        Assert.Equal(Options.DefaultEpsilons, Options.Parse([]).Epsilons);
        Assert.Equal("--seed", Assert.Throws<ArgumentException>(() => Options.Parse(["--seed"])).ParamName);
    }

    static (int Code, string Out, string Err) RunSample(params string[] args) => SampleProcess.Run("ApproxEquivariance.dll", args);

    [Fact]
    public void A_bad_option_prints_one_error_line_and_the_usage_and_exits_2()
    {
        var (code, _, err) = RunSample("--epsilon", "abc");
        Assert.Equal(2, code);
        var lines = err.Split('\n');
        Assert.StartsWith("error: --epsilon", lines[0]);
        Assert.Single(lines, l => l.StartsWith("error:"));
        Assert.Contains("usage:", err);
    }

    [Fact]
    public void An_output_path_that_cannot_be_written_is_refused_before_training()
    {
        var (code, stdout, err) = RunSample("--plot", Path.GetTempPath());   // a directory
        Assert.Equal(1, code);
        Assert.StartsWith("error: cannot write", err);
        Assert.DoesNotContain("ε =", stdout);
    }

    [Fact]
    public void A_tiny_sweep_writes_json_with_all_five_models_and_a_png()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"approx-sample-{Guid.NewGuid():N}");
        try
        {
            string json = Path.Combine(dir, "r.json"), png = Path.Combine(dir, "p.png");
            var (code, stdout, err) = RunSample("--epochs", "2", "--epsilon", "0,1", "--train-size", "16", "--test-size", "8", "--json", json, "--plot", png);
            Assert.True(code == 0, $"exit {code}\n{stdout}\n{err}");
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            var results = doc.RootElement.GetProperty("results").EnumerateArray().ToList();
            string[] models = [.. results.Select(r => r.GetProperty("model").GetString()!).Distinct()];
            Assert.Equal(["exact GM", "LDR-1", "LDR-4", "regression", "dense"], models);
            Assert.Equal(models.Length * 2, results.Count);
            Assert.Equal([0.0, 1.0], results.Select(r => r.GetProperty("epsilon").GetDouble()).Distinct());
            foreach (var r in results)
            {
                foreach (var field in new[] { "parameters", "test_mse", "displacement_rank", "equivariance_error" })
                    Assert.True(r.TryGetProperty(field, out _), $"no {field} in {r}");
                Assert.True(double.IsFinite(r.GetProperty("test_mse").GetDouble()) && r.GetProperty("test_mse").GetDouble() > 0);
            }
            JsonElement Of(string model) => results.First(r => r.GetProperty("model").GetString() == model);
            Assert.Equal([10, 9 + 9 + 256 + 1, 9 + 4 * 9 + 4 * 256 + 1, 9 + 256 + 1, 256 * 256 + 256],
                models.Select(m => Of(m).GetProperty("parameters").GetInt32()));
            int Rank(string model, double eps) => results.First(r => r.GetProperty("model").GetString() == model && r.GetProperty("epsilon").GetDouble() == eps)
                .GetProperty("displacement_rank").GetInt32();
            foreach (double eps in new[] { 0.0, 1.0 })
            {
                Assert.Equal(0, Rank("exact GM", eps));
                Assert.InRange(Rank("LDR-1", eps), 0, 1);
                Assert.InRange(Rank("LDR-4", eps), 0, 4);
                Assert.InRange(Rank("regression", eps), 0, 1);
                Assert.InRange(Rank("dense", eps), 200, 255);
            }
            Assert.InRange(Of("exact GM").GetProperty("equivariance_error").GetDouble(), 0, 1e-5);
            Assert.InRange(Of("dense").GetProperty("equivariance_error").GetDouble(), 0.1, double.PositiveInfinity);
            var bytes = File.ReadAllBytes(png);
            Assert.True(bytes.Length > 1000 && bytes[..4].SequenceEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }), "not a PNG");
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
