namespace GmCodegen.Runtime.Tests;

/// <summary>Losses, optimisers and schedules against formulas written out in double precision.</summary>
public class OptimiserTests
{
    static Parameter Param(string name, bool decay, params float[] values)
    {
        var p = new Parameter(name, values.Length) { Decay = decay };
        values.CopyTo(p.Value, 0);
        return p;
    }

    [Fact]
    public void AdamW_steps_match_the_hand_computed_formula()
    {
        var w = Param("w", decay: true, 0.5f, -1.25f, 2f, 0f);
        var b = Param("b", decay: false, 0.3f, -0.7f);
        double lr = 0.004, wd = 0.0153, b1 = 0.9, b2 = 0.999, eps = 1e-8;
        var opt = new AdamW([w, b], lr, wd);
        float[][] grads = [[0.1f, -0.2f, 0.0f, 3f], [-0.05f, 1.5f]];
        float[][] grads2 = [[-0.3f, 0.4f, 1f, -2f], [0.25f, 0.5f]];

        // The reference: PyTorch's AdamW written out for two steps, in double.
        var expected = new[] { w, b }.Select(p => p.Value.Select(v => (double)v).ToArray()).ToArray();
        var m = expected.Select(e => new double[e.Length]).ToArray();
        var v = expected.Select(e => new double[e.Length]).ToArray();
        bool[] decays = [true, false];
        for (int t = 1; t <= 2; t++)
        {
            var g = t == 1 ? grads : grads2;
            for (int k = 0; k < 2; k++)
            for (int j = 0; j < expected[k].Length; j++)
            {
                if (decays[k]) expected[k][j] *= 1 - lr * wd;
                m[k][j] = b1 * m[k][j] + (1 - b1) * g[k][j];
                v[k][j] = b2 * v[k][j] + (1 - b2) * g[k][j] * g[k][j];
                double mHat = m[k][j] / (1 - Math.Pow(b1, t)), vHat = v[k][j] / (1 - Math.Pow(b2, t));
                expected[k][j] -= lr * mHat / (Math.Sqrt(vHat) + eps);
            }
            g[0].CopyTo(w.Grad, 0);
            g[1].CopyTo(b.Grad, 0);
            opt.Step();
            for (int j = 0; j < w.Size; j++) Assert.Equal(expected[0][j], w.Value[j], 1e-6);
            for (int j = 0; j < b.Size; j++) Assert.Equal(expected[1][j], b.Value[j], 1e-6);
        }
        Assert.Equal(2, opt.StepCount);
    }

    [Fact]
    public void AdamW_decays_only_where_Parameter_Decay()
    {
        var w = Param("w", decay: true, 1f);
        var b = Param("b", decay: false, 1f);
        var opt = new AdamW([w, b], learningRate: 0.1, weightDecay: 0.5);
        opt.Step();   // zero gradients: Adam's update is 0/(0+ε) = 0, leaving only the decay
        Assert.Equal(1 - 0.1 * 0.5, w.Value[0], 1e-7);
        Assert.Equal(1f, b.Value[0]);
    }

    [Fact]
    public void Sgd_with_momentum_and_coupled_decay_matches_PyTorch()
    {
        var p = Param("p", decay: true, 1f, -2f);
        var opt = new Sgd([p], learningRate: 0.1, momentum: 0.9, weightDecay: 0.01);
        double[] x = [1, -2], buf = [0, 0];
        float[][] grads = [[0.5f, 1f], [-0.25f, 0.5f], [0.1f, 0.1f]];
        for (int t = 0; t < 3; t++)
        {
            grads[t].CopyTo(p.Grad, 0);
            opt.Step();
            for (int j = 0; j < 2; j++)
            {
                double g = grads[t][j] + 0.01 * x[j];
                buf[j] = t == 0 ? g : 0.9 * buf[j] + g;
                x[j] -= 0.1 * buf[j];
                Assert.Equal(x[j], p.Value[j], 1e-6);
            }
        }
    }

    [Fact]
    public void ReduceLROnPlateau_waits_patience_epochs_then_multiplies_by_factor()
    {
        var opt = new Sgd([], learningRate: 1.0);
        var plateau = new ReduceLROnPlateau(opt, factor: 0.7, patience: 2);
        double[] metrics = [5, 4, 4, 4, 4, 3.9, 3.9, 3.9, 3.9];
        // After each epoch: improvements at 0, 1, 5; the 3rd bad epoch (> patience 2) cuts the rate.
        double[] expected = [1, 1, 1, 1, 0.7, 0.7, 0.7, 0.7, 0.49];
        for (int e = 0; e < metrics.Length; e++)
        {
            plateau.EpochEnd(e, metrics[e]);
            Assert.Equal(expected[e], opt.LearningRate, 12);
        }
    }

    [Fact]
    public void ReduceLROnPlateau_respects_cooldown_and_the_minimum_rate()
    {
        var opt = new Sgd([], learningRate: 1.0);
        var plateau = new ReduceLROnPlateau(opt, factor: 0.5, patience: 0, cooldown: 1, minLr: 0.3);
        var rates = new List<double>();
        for (int e = 0; e < 6; e++) { plateau.EpochEnd(e, 1.0); rates.Add(opt.LearningRate); }
        // e0 improves (best = 1); e1 bad → 0.5, cooldown; e2 in cooldown; e3 bad → max(0.25, 0.3); e4 cooldown; e5 stays at the floor.
        Assert.Equal([1.0, 0.5, 0.5, 0.3, 0.3, 0.3], rates);
    }

    [Fact]
    public void Cosine_schedule_goes_from_the_initial_rate_to_the_minimum()
    {
        var opt = new Sgd([], learningRate: 0.1);
        var cosine = new CosineSchedule(opt, epochs: 4, minLr: 0.01);
        var rates = Enumerable.Range(0, 4).Select(e => { cosine.EpochEnd(e, 0); return opt.LearningRate; }).ToArray();
        for (int e = 0; e < 4; e++) Assert.Equal(0.01 + 0.09 * (1 + Math.Cos(Math.PI * (e + 1) / 4)) / 2, rates[e], 12);
        Assert.Equal(0.01, rates[^1], 12);
    }

    [Fact]
    public void Cross_entropy_is_stable_and_its_gradient_is_softmax_minus_onehot_over_B()
    {
        float[] z = [1f, 2f, 3f, 1000f, 1001f, 999f];   // the second row would overflow a naive exp
        int[] labels = [2, 0];
        var grad = new float[6];
        double loss = new CrossEntropyLoss().Compute(z, 3, new Batch([], labels, 2), grad);
        double Lse(double a, double b, double c) { double m = Math.Max(a, Math.Max(b, c)); return m + Math.Log(Math.Exp(a - m) + Math.Exp(b - m) + Math.Exp(c - m)); }
        double l0 = Lse(1, 2, 3) - 3, l1 = Lse(1000, 1001, 999) - 1000;
        Assert.Equal((l0 + l1) / 2, loss, 5);
        for (int b = 0; b < 2; b++)
        {
            double lse = Lse(z[3 * b], z[3 * b + 1], z[3 * b + 2]);
            for (int j = 0; j < 3; j++)
                Assert.Equal((Math.Exp(z[3 * b + j] - lse) - (labels[b] == j ? 1 : 0)) / 2, grad[3 * b + j], 5);
        }
    }

    [Fact]
    public void Mse_is_the_mean_over_all_elements()
    {
        float[] y = [1f, 2f, 3f, 4f];
        var grad = new float[4];
        double loss = new MseLoss().Compute(y, 2, new Batch([], [], 2) { Targets = [0f, 2f, 5f, 4f] }, grad);
        Assert.Equal((1.0 + 0 + 4 + 0) / 4, loss, 6);
        Assert.Equal([0.5f, 0f, -1f, 0f], grad);
    }
}
