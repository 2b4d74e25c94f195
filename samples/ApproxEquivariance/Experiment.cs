using System.Diagnostics;
using GmCodegen;

namespace ApproxEquivariance;

/// <summary>One trained model at one ε: what the JSON, the table and the plot show.</summary>
public sealed record Result(string Model, double Epsilon, int Parameters, double TestMse, int DisplacementRank,
    double EquivarianceError, double LearningRate, double WeightDecay, double TrainMse, double Seconds,
    LayerDisplacement? Structure);

/// <summary>A yardstick at one ε that is not a trained model (closed form): its relative test MSE.</summary>
public sealed record Reference(string Name, double Epsilon, double TestMse);

/// <summary>Everything a sweep made.</summary>
public sealed record SweepResult(IReadOnlyList<Result> Results, IReadOnlyList<Reference> References);

/// <summary>
/// The sweep: for every ε and model, pick the learning rate on a validation split of the training set, refit on the
/// whole training set with it, and measure the test MSE (relative to the test targets' variance), the displacement
/// rank of the trained matrix and the equivariance error. Every fit is full-batch AdamW (weight decay 0, so no model
/// is pulled towards zero) with a cosine schedule over the same number of steps, from the runtime's default init.
/// </summary>
public static class Experiment
{
    static readonly Shape Input = new(1, Torus.Order);

    /// <summary>Runs every (ε, model); <paramref name="progress"/> hears each result as it is made.</summary>
    /// <param name="onFitted">Hears every fitted network with its model and ε (the sample's --export).</param>
    public static SweepResult Sweep(Options options, IReadOnlyList<Model> models, Action<Result> progress,
        Action<Model, double, Network>? onFitted = null)
    {
        var task = SweepTask.Create(options.Seed, options.Noise);
        var train = task.Draw(options.TrainSize, stream: 0);
        var test = task.Draw(options.TestSize, stream: 1);
        var results = new List<Result>();
        var references = new List<Reference>();
        foreach (double eps in options.Epsilons)
        {
            var yTrain = task.Targets(train, eps);
            var yTest = task.Targets(test, eps);
            references.Add(new Reference("dense min-norm LS", eps, References.MinimumNormDense(train, yTrain, test, yTest)));
            references.AddRange(References.Floors(task, eps));
            foreach (var model in models)
            {
                var clock = Stopwatch.StartNew();
                var (lr, wd) = Pick(model, train.Inputs, yTrain, train.Count, options);
                var net = Fit(model, train.Inputs, yTrain, train.Count, lr, wd, options.Epochs, options.Seed);
                onFitted?.Invoke(model, eps, net);
                var structure = Structure(model, net);
                var result = new Result(model.Name, eps, net.ParameterCount,
                    RelativeMse(net, test.Inputs, yTest, test.Count),
                    structure?.Rank ?? -1,
                    EquivarianceError(net, test.Inputs, Math.Min(32, test.Count)),
                    lr, wd, RelativeMse(net, train.Inputs, yTrain, train.Count), clock.Elapsed.TotalSeconds, structure);
                results.Add(result);
                progress(result);
            }
        }
        return new SweepResult(results, references);
    }

    /// <summary>
    /// The (rate, decay) with the lowest validation MSE when fitting on the first ¾ of the training set and
    /// validating on the rest; with one of each, that pair without a search.
    /// </summary>
    public static (double Rate, double Decay) Pick(Model model, float[] x, float[] y, int count, Options options)
    {
        int n = Torus.Order, fit = Math.Max(1, count * 3 / 4), val = count - fit;
        var grid = options.Rates.SelectMany(lr => options.Decays.Select(wd => (lr, wd))).ToList();
        if (grid.Count == 1 || val == 0) return grid[0];
        var xf = x.AsSpan(0, fit * n).ToArray();
        var yf = y.AsSpan(0, fit * n).ToArray();
        var xv = x.AsSpan(fit * n, val * n).ToArray();
        var yv = y.AsSpan(fit * n, val * n).ToArray();
        double best = double.PositiveInfinity;
        var chosen = grid[0];
        foreach (var (lr, wd) in grid)
        {
            double mse = RelativeMse(Fit(model, xf, yf, fit, lr, wd, options.Epochs, options.Seed), xv, yv, val);
            if (mse < best) (best, chosen) = (mse, (lr, wd));   // NaN (diverged) never wins
        }
        return chosen;
    }

    /// <summary>Full-batch AdamW with a cosine schedule from <paramref name="lr"/> to 0 over <paramref name="epochs"/> steps.</summary>
    public static Network Fit(Model model, float[] x, float[] y, int count, double lr, double weightDecay, int epochs, int seed)
    {
        var net = Network.Build(model.Spec, Input, seed);
        var optimizer = new AdamW(net.Parameters, lr, weightDecay);
        var trainer = new Trainer(net, new MseLoss(), optimizer) { Quiet = true, Schedule = new CosineSchedule(optimizer, epochs) };
        trainer.Fit(new InMemoryBatches(x, y, count, batchSize: count), null, epochs);
        return net;
    }

    /// <summary>mean((f(x) − y)²) / var(y) over all entries.</summary>
    public static double RelativeMse(Network net, float[] x, float[] y, int count)
    {
        int n = count * Torus.Order;
        var f = net.Forward(x, count);
        double mean = 0;
        for (int j = 0; j < n; j++) mean += y[j];
        mean /= n;
        double err = 0, variance = 0;
        for (int j = 0; j < n; j++)
        {
            double d = f[j] - y[j], c = y[j] - mean;
            err += d * d;
            variance += c * c;
        }
        return err / variance;
    }

    /// <summary>
    /// max over every u ∈ G of ‖f(L_u x) − L_u f(x)‖ / ‖f(x)‖ on <paramref name="count"/> inputs (norms over the whole
    /// batch), with (L_u x)(a) = x(u⁻¹·g_a): on C16 x C16 a circular shift of the image.
    /// </summary>
    public static double EquivarianceError(Network net, float[] x, int count)
    {
        int n = count * Torus.Order;
        var fx = net.Forward(x, count).AsSpan(0, n).ToArray();
        var xu = new float[n];
        var lfx = new float[n];
        double norm = Math.Sqrt(fx.Sum(v => (double)v * v)), worst = 0;
        for (int u = 0; u < Torus.Order; u++)
        {
            Measure.Act<Torus>(u, x, xu, count);
            Measure.Act<Torus>(u, fx, lfx, count);
            var fu = net.Forward(xu, count);
            double d = 0;
            for (int j = 0; j < n; j++) { double e = (double)fu[j] - lfx[j]; d += e * e; }
            worst = Math.Max(worst, Math.Sqrt(d) / norm);
        }
        return worst;
    }

    /// <summary>The trained layer's |G|×|G| matrix: the Linear weight, or a GM layer's DenseMatrix(0, 0).</summary>
    public static float[] MatrixOf(Model model, Network net) => net.Root switch
    {
        Linear linear => linear.Weight.Value,
        IGroupMatrixLayer gm => gm.DenseMatrix(0, 0),
        _ => throw new InvalidOperationException($"{model.Name}: its layer {net.Root.Kind} shows no matrix"),
    };

    /// <summary>
    /// Displacement.Describe of the trained matrix: its rank (tolerance 1e-4·σ_max(F), as Displacement.Rank), top
    /// singular values of D(M), distance to the nearest group matrix; null if training diverged (non-finite entries).
    /// </summary>
    public static LayerDisplacement? Structure(Model model, Network net)
    {
        var m = MatrixOf(model, net);
        return m.All(float.IsFinite) ? Displacement.Describe<Torus>(m) : null;
    }
}
