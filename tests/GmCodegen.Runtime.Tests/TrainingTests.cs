using Spectre.Console;

namespace GmCodegen.Runtime.Tests;

/// <summary>The training loop end to end: it learns, it is reproducible, and its console output works.</summary>
public class TrainingTests
{
    static (Network Net, Trainer Trainer) Setup(int seed, bool quiet = true)
    {
        var net = Network.Build(Synthetic.Network(channels: 8), new Shape(1, 64), seed);
        var opt = new AdamW(net.Parameters, learningRate: 0.01, weightDecay: 0.0153);
        return (net, new Trainer(net, new CrossEntropyLoss(), opt) { Quiet = quiet, Schedule = new ReduceLROnPlateau(opt, 0.7, 5) });
    }

    [Fact]
    public void A_tiny_GM_network_learns_a_synthetic_task_far_above_chance()
    {
        var (x, y) = Synthetic.Make(512, seed: 1);
        var (tx, ty) = Synthetic.Make(300, seed: 2);
        var (net, trainer) = Setup(seed: 3);
        var test = new InMemoryBatches(tx, ty, 100);
        double before = Trainer.Accuracy(net, test);
        var history = trainer.Fit(new InMemoryBatches(x, y, 32, shuffle: true, seed: 4), test, epochs: 4);

        Assert.Equal(4, history.Count);
        Assert.True(history[^1].TrainLoss < history[0].TrainLoss, "the training loss must fall");
        double after = history[^1].TestAccuracy ?? 0;
        Assert.True(after >= 0.75, $"test accuracy {after:P1} after 4 epochs (was {before:P1} untrained; chance 25 %)");
        Assert.Equal(after, Trainer.Accuracy(net, test), 12);   // evaluation mode: no dropout noise
    }

    [Fact]
    public void Same_seed_gives_bit_identical_weights_and_another_seed_does_not()
    {
        // Batch 64 × 8 channels × 64 elements reaches the layers' parallel paths; 200 samples leave a last batch of 8.
        var (x, y) = Synthetic.Make(200, seed: 5);
        float[] Train(int seed)
        {
            var (net, trainer) = Setup(seed);
            trainer.Fit(new InMemoryBatches(x, y, 64, shuffle: true, seed: 6), null, epochs: 2);
            return [.. net.Parameters.SelectMany(p => p.Value)];
        }
        var first = Train(7);
        Assert.Equal(first, Train(7));
        Assert.NotEqual(first, Train(8));
    }

    [Fact]
    public void Regression_with_MSE_and_SGD_momentum_fits_a_linear_map()
    {
        // y = A·x + c for a fixed random A, c; a Linear layer trained by the loop must recover it.
        var rng = new Random(20);
        int n = 256, inputs = 5, outputs = 3;
        var a = GradCheck.RandomArray(rng, outputs * inputs);
        var c = GradCheck.RandomArray(rng, outputs);
        var x = GradCheck.RandomArray(rng, n * inputs);
        var t = new float[n * outputs];
        for (int s = 0; s < n; s++)
        for (int o = 0; o < outputs; o++)
        {
            t[s * outputs + o] = c[o];
            for (int i = 0; i < inputs; i++) t[s * outputs + o] += a[o * inputs + i] * x[s * inputs + i];
        }
        var net = Network.Build(Layers.Linear(outputs), new Shape(inputs, 1), seed: 21);
        var trainer = new Trainer(net, new MseLoss(), new Sgd(net.Parameters, 0.05, momentum: 0.9)) { Quiet = true };
        var data = new InMemoryBatches(x, t, n, 32, shuffle: true, seed: 22);
        var history = trainer.Fit(data, null, epochs: 30);
        Assert.True(double.IsNaN(history[^1].TrainAccuracy), "no labels, no accuracy");
        Assert.True(history[^1].TrainLoss < 1e-4 * history[0].TrainLoss, $"MSE went from {history[0].TrainLoss:E2} to {history[^1].TrainLoss:E2}");
        Assert.Equal(a, net["weight"].Value, new Near(1e-2f));
    }

    sealed class Near(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float p, float q) => Math.Abs(p - q) <= tolerance;
        public int GetHashCode(float v) => 0;
    }

    [Fact]
    public void Console_mode_prints_progress_and_the_epoch_table()
    {
        var (x, y) = Synthetic.Make(64, seed: 9);
        var writer = new StringWriter();
        var previous = AnsiConsole.Console;
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer), Interactive = InteractionSupport.No });
        try
        {
            var (_, trainer) = Setup(seed: 10, quiet: false);
            trainer.Fit(new InMemoryBatches(x, y, 32), new InMemoryBatches(x, y, 32), epochs: 2);
        }
        finally { AnsiConsole.Console = previous; }
        string text = writer.ToString();
        foreach (var header in new[] { "epoch", "loss", "train acc", "test acc", "samples/s", "time" })
            Assert.Contains(header, text);
        Assert.Contains("epoch 2: loss", text);   // redirected output: one line per epoch as it ends
    }

    [Fact]
    public void Parameter_table_lists_layers_and_the_total()
    {
        var net = Network.Build(Synthetic.Network(channels: 8), new Shape(1, 64), seed: 1);
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });
        console.Write(Measure.ParameterTable(net));
        string text = writer.ToString();
        Assert.Contains("block0.conv", text);
        Assert.Contains("total", text);
        Assert.Contains(net.ParameterCount.ToString("N0"), text);
    }
}
