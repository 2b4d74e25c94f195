using System.Diagnostics;
using System.Numerics.Tensors;
using Spectre.Console;

namespace GmCodegen;

/// <summary>
/// One epoch's numbers. Train loss and accuracy are the running means over the epoch's batches (training mode);
/// accuracies are NaN for data without class labels (regression).
/// </summary>
public sealed record EpochStats(int Epoch, double TrainLoss, double TrainAccuracy, double? TestLoss, double? TestAccuracy,
    double SamplesPerSecond, TimeSpan Time, double LearningRate);

/// <summary>
/// The training loop: for each batch, forward (training mode) → loss and its gradient → zero grads → backward
/// → optimiser step; after each epoch, evaluation on the test set (evaluation mode) and the schedule step.
/// Buffers are sized once from the source's largest batch, so steps do not allocate buffers. With a fixed seed
/// for the network and the batch order, two runs on the same machine give the same weights bit for bit (every
/// reduction runs in a fixed order; a CPU with another SIMD width may differ in the last bits).
/// Every step checks the loss, the gradients (before the optimiser uses them) and the updated parameters for NaN and
/// infinities, one vectorised pass each; on the first non-finite value it re-runs the batch layer by layer and throws
/// <see cref="TrainingDivergedException"/> naming the step and the first layer whose output or gradient is not finite.
/// A non-finite loss or gradient is caught before the step, so the parameters stay as they were.
/// </summary>
/// <example>
/// <code>
/// var net = Network.Build(Architectures.GmCnn&lt;RotGroup&gt;(classes: 10), new Shape(1, RotGroup.Order), seed: 42);
/// var opt = new AdamW(net.Parameters, learningRate: 0.004, weightDecay: 0.0153);
/// var trainer = new Trainer(net, new CrossEntropyLoss(), opt) { Schedule = new ReduceLROnPlateau(opt, factor: 0.7, patience: 5) };
/// trainer.Fit(train, test, epochs: 20);                        // progress bar, then the per-epoch table
/// AnsiConsole.Write(Measure.ParameterTable(net));
/// var eq = Measure.Equivariance&lt;RotGroup&gt;(net, x, batch: 8, sample: 16, seed: 1);
/// </code>
/// </example>
public sealed class Trainer(Network model, ILoss loss, IOptimizer optimizer)
{
    float[] _grad = [];
    int _epochsDone, _steps;

    /// <summary>No progress bar and no table (tests, libraries).</summary>
    public bool Quiet { get; init; }
    public ILrSchedule? Schedule { get; init; }
    /// <summary>Called after every epoch (e.g. to log or to save a checkpoint).</summary>
    public Action<EpochStats>? OnEpoch { get; init; }

    public Network Model => model;
    /// <summary>Optimisation steps taken so far.</summary>
    public int Steps => _steps;
    public List<EpochStats> History { get; } = [];

    /// <summary>Trains for <paramref name="epochs"/> more epochs; evaluates on <paramref name="test"/> after each when given.</summary>
    public IReadOnlyList<EpochStats> Fit(IBatchSource train, IBatchSource? test, int epochs)
    {
        if (Quiet)
        {
            for (int e = 0; e < epochs; e++) RunEpoch(train, test, _ => { });
            return History;
        }
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            // Redirected output (logs, CI): no live bar, one line per epoch as it ends.
            for (int e = 0; e < epochs; e++)
            {
                var s = RunEpoch(train, test, _ => { });
                AnsiConsole.MarkupLine($"epoch {s.Epoch}: loss {s.TrainLoss:F4}, train {Percent(s.TrainAccuracy)}" +
                    (s.TestAccuracy is double acc ? $", test {Percent(acc)}" : "") + $", {s.SamplesPerSecond:F0} samples/s, {s.Time.TotalSeconds:F1} s");
            }
            AnsiConsole.Write(Table(History));
            return History;
        }
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                for (int e = 0; e < epochs; e++)
                {
                    var task = ctx.AddTask($"epoch {_epochsDone + 1}", maxValue: train.SampleCount);
                    var stats = RunEpoch(train, test, n => task.Increment(n));
                    task.Description = $"epoch {stats.Epoch}: loss {stats.TrainLoss:F4}" +
                        (stats.TestAccuracy is double acc ? $", test {Percent(acc)}" : "");
                }
            });
        AnsiConsole.Write(Table(History));
        return History;
    }

    EpochStats RunEpoch(IBatchSource train, IBatchSource? test, Action<int> progress)
    {
        int epoch = _epochsDone++;
        var clock = Stopwatch.StartNew();
        double lossSum = 0;
        long correct = 0, seen = 0;
        bool labelled = true;
        foreach (var batch in train.Batches(epoch))
        {
            labelled &= HasLabels(batch);
            lossSum += TrainStep(batch, out int right) * batch.Count;
            correct += right;
            seen += batch.Count;
            progress(batch.Count);
        }
        var trainTime = clock.Elapsed;
        var (testLoss, testAcc) = test is null ? (default(double?), default(double?)) : Evaluate(test);
        double trainLoss = lossSum / Math.Max(seen, 1);
        var stats = new EpochStats(epoch + 1, trainLoss, labelled ? (double)correct / Math.Max(seen, 1) : double.NaN, testLoss, testAcc,
            seen / trainTime.TotalSeconds, clock.Elapsed, optimizer.LearningRate);
        Schedule?.EpochEnd(epoch, testLoss ?? trainLoss);
        History.Add(stats);
        OnEpoch?.Invoke(stats);
        return stats;
    }

    /// <summary>One optimisation step on one batch; returns its mean loss and (out) how many it classified right.</summary>
    public double TrainStep(in Batch batch, out int correct)
    {
        int width = model.Output.Size, n = batch.Count * width;
        if (_grad.Length < n) _grad = new float[n];
        _steps++;
        var output = model.Forward(batch.Inputs, batch.Count, training: true);
        double value = loss.Compute(output.AsSpan(0, n), width, batch, _grad.AsSpan(0, n));
        if (!double.IsFinite(value)) throw Diverged($"the loss is {value}", batch);
        correct = CountCorrect(output, width, batch);
        model.ZeroGrad();
        model.Backward(_grad, batch.Count);
        if (Divergence.FirstNonFinite(model.Parameters, gradients: true) is { } g)
            throw Diverged($"the gradient of '{g.Name}' is not finite (the parameters were left as they were)", batch);
        optimizer.Step();
        if (Divergence.FirstNonFinite(model.Parameters, gradients: false) is { } p)
            throw Diverged($"the optimiser step made '{p.Name}' (layer '{LayerOf(p)}') non-finite", batch, LayerOf(p));
        return value;
    }

    /// <summary>The exception for a non-finite step, with the diagnostic re-run's first non-finite layer.</summary>
    TrainingDivergedException Diverged(string reason, in Batch batch, string? fallbackLayer = null)
    {
        var (what, layer) = Divergence.Diagnose(model, loss, batch);
        return new TrainingDivergedException(
            $"Training diverged at step {_steps}: {reason}. Running that batch again layer by layer, the first non-finite value is {what}. " +
            "Lower the learning rate or the weight decay, or check the data.", _steps, layer ?? fallbackLayer);
    }

    string LayerOf(Parameter p) =>
        model.Layers.FirstOrDefault(l => l.Children.Count == 0 && l.Parameters.Contains(p))?.Name ?? "?";

    /// <summary>Mean loss and accuracy over a data set, in evaluation mode (no dropout), without touching gradients.</summary>
    public (double Loss, double Accuracy) Evaluate(IBatchSource data)
    {
        double lossSum = 0;
        long correct = 0, seen = 0;
        bool labelled = true;
        int width = model.Output.Size;
        foreach (var batch in data.Batches(0))
        {
            labelled &= HasLabels(batch);
            int n = batch.Count * width;
            if (_grad.Length < n) _grad = new float[n];
            var output = model.Forward(batch.Inputs, batch.Count, training: false);
            double value = loss.Compute(output.AsSpan(0, n), width, batch, _grad.AsSpan(0, n));
            if (!double.IsFinite(value))
                throw new TrainingDivergedException(
                    $"Evaluation after step {_steps}: the loss on a batch of {batch.Count} is {value}" +
                    (Divergence.AllFinite(batch.Inputs.AsSpan(0, batch.Count * model.Input.Size)) ? "; the inputs are finite, the network's outputs are not." : "; the inputs hold non-finite values."),
                    _steps, null);
            lossSum += value * batch.Count;
            correct += CountCorrect(output, width, batch);
            seen += batch.Count;
        }
        return (lossSum / Math.Max(seen, 1), labelled ? (double)correct / Math.Max(seen, 1) : double.NaN);
    }

    /// <summary>Accuracy of a model on a data set (evaluation mode).</summary>
    public static double Accuracy(Network model, IBatchSource data)
    {
        long correct = 0, seen = 0;
        foreach (var batch in data.Batches(0))
        {
            correct += CountCorrect(model.Forward(batch.Inputs, batch.Count, training: false), model.Output.Size, batch);
            seen += batch.Count;
        }
        return (double)correct / Math.Max(seen, 1);
    }

    static bool HasLabels(in Batch batch) => batch.Labels.Length >= batch.Count;

    static string Percent(double p) => double.IsNaN(p) ? "–" : p.ToString("P1");

    /// <summary>Samples whose arg-max output is their label (0 when the batch has no labels).</summary>
    static int CountCorrect(float[] output, int width, in Batch batch)
    {
        if (!HasLabels(batch)) return 0;
        int right = 0;
        for (int b = 0; b < batch.Count; b++)
            if (TensorPrimitives.IndexOfMax(output.AsSpan(b * width, width)) == batch.Labels[b]) right++;
        return right;
    }

    /// <summary>The per-epoch table: loss, train and test accuracy, throughput, time.</summary>
    public static Table Table(IEnumerable<EpochStats> history)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumns("epoch", "loss", "train acc", "test loss", "test acc", "samples/s", "time", "lr");
        foreach (var s in history)
            table.AddRow(s.Epoch.ToString(), s.TrainLoss.ToString("F4"), Percent(s.TrainAccuracy),
                s.TestLoss?.ToString("F4") ?? "–", s.TestAccuracy is double acc ? Percent(acc) : "–",
                s.SamplesPerSecond.ToString("F0"), s.Time.TotalSeconds.ToString("F1") + " s", s.LearningRate.ToString("G3"));
        foreach (var c in table.Columns) c.PadRight(0);                       // fits 80 columns (logs, CI)
        foreach (var c in table.Columns.Skip(1)) c.RightAligned();
        return table;
    }
}
