using System.Diagnostics;
using GmCodegen;
using GmCodegen.Fluids;

namespace SmokePlume;

/// <summary>RMSE of one predictor on one split: the mean over rollout steps, the curve per step, and one-step RMSE.</summary>
public sealed record SplitScore(double Rollout, IReadOnlyList<double> PerStep, double OneStep);

/// <summary>One trained variant: what the table, the JSON and the plots show.</summary>
public sealed record Result(string Model, int Parameters, SplitScore Future, SplitScore Domain, double TrainSeconds,
    double FirstLoss, double FinalLoss, float[] Example);

/// <summary>A predictor that is not trained (zero, persistence), scored the same way.</summary>
public sealed record Baseline(string Name, SplitScore Future, SplitScore Domain);

/// <summary>
/// Training and evaluation. Inputs are the 4 past frames scaled by 1/σ (σ: RMS of the training velocities, so the
/// network sees unit-scale values); the network predicts (next − last frame)/σ_Δ, σ_Δ the RMS of the training
/// changes, and the forecast is last + σ_Δ·output. Predicting the change means a network that outputs zero is the
/// persistence forecast, which is already 4–5× better than predicting zero (docs/smoke-plumes.md).
/// </summary>
public sealed class Forecaster
{
    readonly Network _net;
    readonly Variant _variant;
    readonly int _n, _window;
    readonly float _inScale, _outScale;

    public Forecaster(Network net, Variant variant, int n, int window, float inScale, float outScale)
        => (_net, _variant, _n, _window, _inScale, _outScale) = (net, variant, n, window, inScale, outScale);

    public Network Net => _net;

    int Cells => _n * _n;
    int FrameLength => 2 * Cells;

    /// <summary>Network input [count, C, N²] from past frames [count, 2·window, N²] (scaled, coordinates appended for CoordConv).</summary>
    public float[] Features(ReadOnlySpan<float> frames, int count)
    {
        int channels = _variant.InputChannels(_window), inLength = _window * FrameLength;
        var x = new float[(long)count * channels * Cells];
        for (int b = 0; b < count; b++)
        {
            var dst = x.AsSpan(b * channels * Cells, channels * Cells);
            System.Numerics.Tensors.TensorPrimitives.Multiply(frames.Slice(b * inLength, inLength), _inScale, dst[..inLength]);
            if (_variant is Variant.CoordConv)
                for (int y = 0; y < _n; y++)
                    for (int c = 0; c < _n; c++)
                    {
                        dst[inLength + y * _n + c] = 2f * c / _n - 1;
                        dst[inLength + Cells + y * _n + c] = 2f * y / _n - 1;
                    }
        }
        return x;
    }

    /// <summary>Next frames [count, 2, N²] from past frames [count, 2·window, N²].</summary>
    public float[] Predict(ReadOnlySpan<float> frames, int count)
    {
        var dy = _net.Forward(Features(frames, count), count);
        var next = new float[count * FrameLength];
        int inLength = _window * FrameLength;
        for (int b = 0; b < count; b++)
        {
            var last = frames.Slice(b * inLength + (_window - 1) * FrameLength, FrameLength);
            var d = dy.AsSpan(b * FrameLength, FrameLength);
            var o = next.AsSpan(b * FrameLength, FrameLength);
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(d, _outScale, last, o);
        }
        return next;
    }
}

public static class Experiment
{
    /// <summary>A predictor of the next frames [count, 2, N²] from past frames [count, 2·window, N²].</summary>
    public delegate float[] Predictor(ReadOnlySpan<float> frames, int count);

    public static Predictor Zero(PlumeDataset data) => (_, count) => new float[count * data.FrameLength];

    public static Predictor Persistence(PlumeDataset data) => (frames, count) =>
    {
        int f = data.FrameLength, w = data.Window;
        var next = new float[count * f];
        for (int b = 0; b < count; b++) frames.Slice((b * w + w - 1) * f, f).CopyTo(next.AsSpan(b * f, f));
        return next;
    };

    /// <summary>
    /// Autoregressive rollouts of <paramref name="steps"/> steps from every non-overlapping start of the split (all at
    /// once as a batch): per step the RMSE over every rollout, channel and cell; their mean; the one-step RMSE over
    /// every one-step sample of the split. <paramref name="example"/>, if given, receives rollout 0's predictions.
    /// </summary>
    public static SplitScore Score(PlumeDataset data, PlumeSplit split, Predictor predict, int steps, float[]? example = null)
    {
        int f = data.FrameLength, w = data.Window, inLength = w * f;
        var starts = data.Rollouts(split, steps);
        int r = starts.Count;
        var window = new float[r * inLength];
        for (int i = 0; i < r; i++) data.CopyInputs(starts[i], window.AsSpan(i * inLength, inLength));
        var truths = starts.Select(s => data.RolloutTruth(s, steps)).ToArray();
        var perStep = new double[steps];
        for (int k = 0; k < steps; k++)
        {
            var next = Chunked(predict, window, r, inLength, f);
            double sq = 0;
            for (int i = 0; i < r; i++)
            {
                var p = next.AsSpan(i * f, f);
                var t = truths[i].AsSpan(k * f, f);
                for (int j = 0; j < f; j++) { double d = p[j] - t[j]; sq += d * d; }
                // Slide the window: drop the oldest frame, append the prediction.
                var win = window.AsSpan(i * inLength, inLength);
                win[f..].CopyTo(win);
                p.CopyTo(win[(inLength - f)..]);
            }
            if (example is not null) next.AsSpan(0, f).CopyTo(example.AsSpan(k * f, f));
            perStep[k] = Math.Sqrt(sq / ((double)r * f));
        }
        var samples = data.Samples(split);
        var one = Chunked(predict, samples.Inputs, samples.Count, inLength, f);
        double e = 0;
        for (long j = 0; j < one.Length; j++) { double d = one[j] - samples.Targets[j]; e += d * d; }
        return new SplitScore(perStep.Average(), perStep, Math.Sqrt(e / one.Length));
    }

    // Batches of 32 keep the layers' activation buffers small.
    static float[] Chunked(Predictor predict, float[] inputs, int count, int inLength, int outLength)
    {
        var result = new float[(long)count * outLength];
        for (int b0 = 0; b0 < count; b0 += 32)
        {
            int n = Math.Min(32, count - b0);
            predict(inputs.AsSpan(b0 * inLength, n * inLength), n).CopyTo(result.AsSpan(b0 * outLength, n * outLength));
        }
        return result;
    }

    static float Rms(ReadOnlySpan<float> x)
    {
        double s = 0;
        foreach (float v in x) s += (double)v * v;
        return (float)Math.Sqrt(s / Math.Max(1, x.Length));
    }

    /// <summary>
    /// Trains one variant with AdamW (cosine schedule, mini-batches, shuffled by the seed) on the train split's one-step
    /// samples, MSE on the scaled change, and scores it on Future and Domain.
    /// </summary>
    /// <param name="onTrained">Hears the trained network before it is scored (the sample's --export).</param>
    public static Result Run(PlumeDataset data, Variant variant, Spec spec, Options options, Action<EpochStats>? onEpoch = null,
        Action<Network>? onTrained = null)
    {
        int n = data.N, w = data.Window, f = data.FrameLength, inLength = w * f;
        var train = data.Samples(PlumeSplit.Train);
        var change = new float[train.Targets.Length];
        for (int b = 0; b < train.Count; b++)
            System.Numerics.Tensors.TensorPrimitives.Subtract(train.Targets.AsSpan(b * f, f),
                train.Inputs.AsSpan(b * inLength + (w - 1) * f, f), change.AsSpan(b * f, f));
        float inScale = 1 / Rms(train.Inputs), outScale = Rms(change);
        System.Numerics.Tensors.TensorPrimitives.Multiply(change, 1 / outScale, change);

        var net = Network.Build(spec, new Shape(variant.InputChannels(w), n * n), options.Seed);
        var forecaster = new Forecaster(net, variant, n, w, inScale, outScale);
        var x = forecaster.Features(train.Inputs, train.Count);
        var clock = Stopwatch.StartNew();
        var optimizer = new AdamW(net.Parameters, options.LearningRate, options.WeightDecay);
        var trainer = new Trainer(net, new MseLoss(), optimizer)
        {
            Quiet = true, Schedule = new CosineSchedule(optimizer, options.Epochs), OnEpoch = onEpoch,
        };
        var history = trainer.Fit(new InMemoryBatches(x, change, train.Count, options.BatchSize, shuffle: true, seed: options.Seed), null, options.Epochs);
        double seconds = clock.Elapsed.TotalSeconds;
        onTrained?.Invoke(net);

        var example = new float[options.Steps * f];
        Experiment.Predictor p = forecaster.Predict;
        var future = Score(data, PlumeSplit.Future, p, options.Steps);
        var domain = Score(data, PlumeSplit.Domain, p, options.Steps, example);
        return new Result(variant.Name, net.ParameterCount, future, domain, seconds,
            history[0].TrainLoss, history[^1].TrainLoss, example);
    }

    public static IReadOnlyList<Baseline> Baselines(PlumeDataset data, int steps) =>
    [
        new("zero", Score(data, PlumeSplit.Future, Zero(data), steps), Score(data, PlumeSplit.Domain, Zero(data), steps)),
        new("persistence", Score(data, PlumeSplit.Future, Persistence(data), steps), Score(data, PlumeSplit.Domain, Persistence(data), steps)),
    ];
}
