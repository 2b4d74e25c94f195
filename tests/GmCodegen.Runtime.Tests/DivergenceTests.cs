namespace GmCodegen.Runtime.Tests;

/// <summary>Issue 10, cases 1, 7 and 9: divergence stops training by name, NaN is measured as NaN, memory is estimated, layers refuse misuse.</summary>
public class DivergenceTests
{
    static Network Tiny(int seed = 3) => Network.Build(Synthetic.Network(channels: 4), new Shape(1, 64), seed);

    static float[] Values(Network net) => [.. net.Parameters.SelectMany(p => p.Value)];

    [Fact]
    public void An_absurd_learning_rate_stops_training_with_the_step_and_the_first_non_finite_layer()
    {
        var (x, y) = Synthetic.Make(256, seed: 1);
        var net = Tiny();
        var trainer = new Trainer(net, new CrossEntropyLoss(), new AdamW(net.Parameters, learningRate: 10, weightDecay: 10)) { Quiet = true };
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(new InMemoryBatches(x, y, 32, shuffle: true, seed: 2), null, epochs: 20));
        Assert.InRange(e.Step, 1, trainer.Steps);
        Assert.Contains($"step {e.Step}", e.Message);
        Assert.NotNull(e.FirstLayer);
        Assert.Contains(net.Layers, l => l.Name == e.FirstLayer);             // a real layer of this network
        Assert.Contains($"'{e.FirstLayer}'", e.Message);
        Assert.DoesNotContain(trainer.History, h => !double.IsFinite(h.TrainLoss));   // no epoch was recorded with a NaN loss
    }

    [Fact]
    public void One_NaN_pixel_is_caught_before_the_step_and_the_parameters_stay_as_they_were()
    {
        var (x, y) = Synthetic.Make(32, seed: 4);
        x[5 * 64 + 17] = float.NaN;
        var net = Tiny();
        var before = Values(net);
        var trainer = new Trainer(net, new CrossEntropyLoss(), new AdamW(net.Parameters, 0.01, 0.01)) { Quiet = true };
        var batch = new Batch(x, y, 32);
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.TrainStep(batch, out _));
        Assert.Equal(1, e.Step);
        Assert.Contains("input batch", e.Message);
        Assert.Contains("sample 5", e.Message);
        Assert.Equal(before, Values(net));
        Assert.All(Values(net), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void A_layer_that_overflows_is_named_as_the_first_non_finite_output()
    {
        // Finite inputs, finite but huge weights in the first convolution: its output is the first to overflow.
        var (x, y) = Synthetic.Make(16, seed: 5);
        var net = Tiny();
        Array.Fill(net["block0.conv.weight"].Value, float.MaxValue);
        var trainer = new Trainer(net, new CrossEntropyLoss(), new Sgd(net.Parameters, 0.01)) { Quiet = true };
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.TrainStep(new Batch(x, y, 16), out _));
        Assert.Equal("block0.conv", e.FirstLayer);
        Assert.Contains("output of layer 'block0.conv'", e.Message);
    }

    [Fact]
    public void A_non_finite_gradient_is_caught_before_the_optimiser_step()
    {
        // A finite forward (y ≈ 1e9) whose backward overflows: dL/d(a's output) = b.weightᵀ·dL/dy ≈ 1e38 · 1e9.
        var net = Network.Build(Layers.Linear(2).Named("a") >> Layers.Linear(2).Named("b"), new Shape(3, 1), seed: 1);
        Array.Fill(net["b.weight"].Value, 1e38f);
        Array.Fill(net["a.weight"].Value, 1e-30f);
        Array.Clear(net["a.bias"].Value);
        Array.Clear(net["b.bias"].Value);
        var before = Values(net);
        var trainer = new Trainer(net, new MseLoss(), new Sgd(net.Parameters, 0.1)) { Quiet = true };
        var batch = new Batch([1, 2, 3, 4, 5, 6], [], 2) { Targets = [0, 0, 0, 0] };
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.TrainStep(batch, out _));
        Assert.Contains("the gradient of 'a.weight' is not finite", e.Message);
        Assert.Equal("b", e.FirstLayer);   // the first non-finite value in backward order: b's input gradient
        Assert.Contains("input gradient of layer 'b'", e.Message);
        Assert.Equal(before, Values(net));
    }

    [Fact]
    public void Evaluation_of_a_non_finite_network_throws_instead_of_reporting_a_NaN_loss()
    {
        var (x, y) = Synthetic.Make(16, seed: 6);
        var net = Tiny();
        net["head.bias"].Value[0] = float.PositiveInfinity;
        var trainer = new Trainer(net, new CrossEntropyLoss(), new Sgd(net.Parameters, 0.01)) { Quiet = true };
        Assert.Throws<TrainingDivergedException>(() => trainer.Evaluate(new InMemoryBatches(x, y, 8)));
    }

    [Fact]
    public void The_equivariance_measure_reports_NaN_as_NaN()
    {
        var (x, _) = Synthetic.Make(4, seed: 7);
        var net = Tiny();
        Array.Fill(net["block1.conv.weight"].Value, float.NaN);
        var report = Measure.Equivariance<C8xC8>(net, x, 4, sample: 5, seed: 1);
        Assert.True(double.IsNaN(report.FeatureError), $"feature error {report.FeatureError}");
        Assert.True(double.IsNaN(report.InvarianceError), $"invariance error {report.InvarianceError}");
        // A finite network still measures finitely (and exactly equivariant here).
        var fine = Measure.Equivariance<C8xC8>(Tiny(), x, 4, sample: 5, seed: 1);
        Assert.InRange(fine.FeatureError, 0, 1e-5);
    }

    [Fact]
    public void The_memory_estimate_counts_parameters_optimiser_state_and_every_activation_buffer()
    {
        // Linear(8 → 3) on a flat input: parameters 27; activations y + dx = 3 + 8 per sample, + the loss gradient 3.
        var net = Network.Build(Layers.Linear(3), new Shape(8, 1), seed: 1);
        var m = net.EstimateMemory(batch: 10, optimizerStates: 2);
        Assert.Equal(4L * 3 * 27, m.ParameterBytes);
        Assert.Equal(4L * 2 * 27, m.OptimizerBytes);
        Assert.Equal(4L * 10 * (3 + 8 + 3), m.ActivationBytes);
        Assert.Equal(m.ParameterBytes + m.OptimizerBytes + m.ActivationBytes, m.TotalBytes);
        // A larger evaluation batch grows the forward buffers (and the loss gradient), not the backward ones.
        Assert.Equal(4L * (20 * 3 + 10 * 8 + 20 * 3), net.EstimateMemory(10, 2, evaluationBatch: 20).ActivationBytes);
        // It grows linearly with the batch, and a wide GM network dominates by activations.
        var wide = Network.Build(Synthetic.Network(channels: 64), new Shape(1, 64), seed: 1);
        var (at100, at200) = (wide.EstimateMemory(100), wide.EstimateMemory(200));
        Assert.Equal(2 * at100.ActivationBytes, at200.ActivationBytes);
        Assert.True(at100.ActivationBytes > 10 * at100.ParameterBytes);
        // The parameter table shows it.
        var table = Measure.ParameterTable(wide, at100);
        Assert.Equal(Measure.ParameterCounts(wide).Count + 2, table.Rows.Count);
        Assert.Equal("1.5 MiB", MemoryEstimate.Format(1536 * 1024));
    }
}

/// <summary>Issue 10, case 9: misuse of a layer fails with the layer's name and what was expected.</summary>
public class LayerMisuseTests
{
    static GMConv<C4xC4> Conv(int inChannels = 2) => new("block0.conv", inChannels, 3, ChannelMode.Shared, new Random(1));

    [Fact]
    public void Backward_before_any_forward_names_the_layer()
    {
        var conv = Conv();
        var e = Assert.Throws<InvalidOperationException>(() => conv.Backward(new float[3 * 16], 1));
        Assert.Contains("'block0.conv'", e.Message);
        Assert.Contains("before any Forward", e.Message);
        var norm = new LayerNorm("n", new Shape(2, 4));
        Assert.Contains("'n'", Assert.Throws<InvalidOperationException>(() => norm.Backward(new float[8], 1)).Message);
    }

    [Theory]
    [InlineData(3)]   // larger: was a bare ArgumentOutOfRangeException
    [InlineData(1)]   // smaller: was accepted silently
    public void Backward_with_another_batch_than_the_forward_names_the_layer_and_both_batches(int backwardBatch)
    {
        var conv = Conv();
        conv.Forward(new float[2 * 2 * 16], 2, training: true);
        var e = Assert.Throws<ArgumentException>(() => conv.Backward(new float[3 * 3 * 16], backwardBatch));
        Assert.Equal("batch", e.ParamName);
        Assert.Contains("'block0.conv'", e.Message);
        Assert.Contains($"batch of {backwardBatch}", e.Message);
        Assert.Contains("Forward of 2", e.Message);
        conv.Backward(new float[2 * 3 * 16], 2);   // the same batch is fine
    }

    [Fact]
    public void Layers_refuse_empty_or_oversized_shapes_and_bad_hyperparameters_by_name()
    {
        Assert.Contains("'c'", Assert.Throws<ArgumentOutOfRangeException>(() => new GMConv<C4xC4>("c", 0, 3, ChannelMode.Shared, new Random(1))).Message);
        Assert.Contains("'c'", Assert.Throws<ArgumentOutOfRangeException>(() => new GMConv<C4xC4>("c", 2, -1, ChannelMode.Full, new Random(1))).Message);
        Assert.Contains("'big'", Assert.Throws<ArgumentOutOfRangeException>(() => new ReLU("big", new Shape(1 << 20, 1 << 12))).Message);
        var p = Assert.Throws<ArgumentException>(() => new Parameter("w", 65536, 65536));
        Assert.Contains("'w'", p.Message);
        Assert.Equal("shape", p.ParamName);
        Assert.Contains("'v'", Assert.Throws<ArgumentException>(() => new Parameter("v", 3, 0)).Message);
        foreach (float eps in new[] { 0f, -1e-5f, float.NaN, float.PositiveInfinity })
            Assert.Contains("'norm'", Assert.Throws<ArgumentOutOfRangeException>(() => new LayerNorm("norm", new Shape(2, 4), eps: eps)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout("d", new Shape(2, 4), double.NaN, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW([], learningRate: double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW([], beta1: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([], -0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([], 0.1) { LearningRate = double.PositiveInfinity });
    }

    [Fact]
    public void A_batch_whose_buffers_cannot_exist_is_refused_by_name()
    {
        var relu = new ReLU("act", new Shape(1 << 14, 1 << 10));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => relu.Forward([], 1 << 8, training: false));
        Assert.Contains("'act'", e.Message);
    }

    [Fact]
    public void A_loss_refuses_short_or_overlapping_buffers()
    {
        var output = new float[8];
        var batch = new Batch([], [0, 1], 2);
        Assert.Equal("grad", Assert.Throws<ArgumentException>(() => new CrossEntropyLoss().Compute(output, 4, batch, output)).ParamName);
        Assert.Equal("grad", Assert.Throws<ArgumentException>(() => new CrossEntropyLoss().Compute(output, 4, batch, new float[7])).ParamName);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => new CrossEntropyLoss().Compute(output, 5, batch, new float[10])).ParamName);
        Assert.Equal("batch", Assert.Throws<ArgumentException>(() => new CrossEntropyLoss().Compute(output, 4, batch with { Labels = [0] }, new float[8])).ParamName);
        Assert.Equal(0.5 * (Math.Log(4) * 2), new CrossEntropyLoss().Compute(output, 4, batch, new float[8]), 6);
    }
}
