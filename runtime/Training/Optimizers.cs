using System.Numerics.Tensors;

namespace GmCodegen;

/// <summary>Updates parameters from their gradients; the learning rate is settable so schedules can drive it.</summary>
public interface IOptimizer
{
    double LearningRate { get; set; }
    void Step();
}

/// <summary>Hyper-parameter checks: a NaN or negative rate would silently turn every parameter into NaN.</summary>
internal static class Hyper
{
    public static double NonNegative(double value, string name) =>
        double.IsFinite(value) && value >= 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number ≥ 0.");

    public static double Fraction(double value, string name) =>
        value is >= 0 and < 1 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1).");

    public static double Positive(double value, string name) =>
        double.IsFinite(value) && value > 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number > 0.");
}

/// <summary>
/// SGD with momentum, as <c>torch.optim.SGD</c> (dampening 0): g = ∇ + wd·p (only where <see cref="Parameter.Decay"/>),
/// v = μ·v + g (v = g on the first step), p −= lr·v (Nesterov: p −= lr·(g + μ·v)).
/// </summary>
public sealed class Sgd(IReadOnlyList<Parameter> parameters, double learningRate, double momentum = 0,
    double weightDecay = 0, bool nesterov = false) : IOptimizer
{
    readonly float[][] _velocity = [.. parameters.Select(p => new float[p.Size])];
    readonly float[] _g = new float[parameters.Count == 0 ? 0 : parameters.Max(p => p.Size)];
    readonly double _momentum = Hyper.NonNegative(momentum, nameof(momentum)), _weightDecay = Hyper.NonNegative(weightDecay, nameof(weightDecay));
    double _lr = Hyper.NonNegative(learningRate, nameof(learningRate));
    bool _started;

    public double LearningRate { get => _lr; set => _lr = Hyper.NonNegative(value, nameof(LearningRate)); }

    public void Step()
    {
        for (int j = 0; j < parameters.Count; j++)
        {
            var p = parameters[j];
            var g = _g.AsSpan(0, p.Size);
            p.Grad.CopyTo(g);
            if (_weightDecay != 0 && p.Decay) TensorPrimitives.MultiplyAdd(p.Value, (float)_weightDecay, g, g);
            if (_momentum != 0)
            {
                var v = _velocity[j].AsSpan();
                if (_started) TensorPrimitives.MultiplyAdd(v, (float)_momentum, g, v); else g.CopyTo(v);
                if (nesterov) TensorPrimitives.MultiplyAdd(v, (float)_momentum, g, g); else v.CopyTo(g);
            }
            TensorPrimitives.MultiplyAdd(g, (float)-LearningRate, p.Value, p.Value);
        }
        _started = true;
    }
}

/// <summary>
/// AdamW, as <c>torch.optim.AdamW</c>: decoupled decay p ← p·(1 − lr·wd) where <see cref="Parameter.Decay"/>;
/// m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; p ← p − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε).
/// </summary>
public sealed class AdamW : IOptimizer
{
    readonly IReadOnlyList<Parameter> _parameters;
    readonly float[][] _m, _v;
    readonly float[] _tmp;
    readonly double _beta1, _beta2, _eps;

    public AdamW(IReadOnlyList<Parameter> parameters, double learningRate = 1e-3, double weightDecay = 1e-2,
        double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
    {
        _parameters = parameters;
        (LearningRate, WeightDecay) = (learningRate, Hyper.NonNegative(weightDecay, nameof(weightDecay)));
        (_beta1, _beta2, _eps) = (Hyper.Fraction(beta1, nameof(beta1)), Hyper.Fraction(beta2, nameof(beta2)), Hyper.Positive(eps, nameof(eps)));
        _m = [.. parameters.Select(p => new float[p.Size])];
        _v = [.. parameters.Select(p => new float[p.Size])];
        _tmp = new float[parameters.Count == 0 ? 0 : parameters.Max(p => p.Size)];
    }

    double _lr;
    public double LearningRate { get => _lr; set => _lr = Hyper.NonNegative(value, nameof(LearningRate)); }
    public double WeightDecay { get; }
    /// <summary>Steps taken (t in the bias corrections).</summary>
    public int StepCount { get; private set; }

    public void Step()
    {
        StepCount++;
        double bc1 = 1 - Math.Pow(_beta1, StepCount), bc2 = 1 - Math.Pow(_beta2, StepCount);
        float stepSize = (float)(LearningRate / bc1);
        float invSqrtBc2 = (float)(1 / Math.Sqrt(bc2));
        for (int j = 0; j < _parameters.Count; j++)
        {
            var p = _parameters[j];
            Span<float> m = _m[j], v = _v[j], t = _tmp.AsSpan(0, p.Size);
            if (p.Decay && WeightDecay != 0) TensorPrimitives.Multiply(p.Value, (float)(1 - LearningRate * WeightDecay), p.Value);
            TensorPrimitives.Multiply(m, (float)_beta1, m);
            TensorPrimitives.MultiplyAdd(p.Grad, (float)(1 - _beta1), m, m);
            TensorPrimitives.Multiply(v, (float)_beta2, v);
            TensorPrimitives.Multiply(p.Grad, p.Grad, t);
            TensorPrimitives.MultiplyAdd(t, (float)(1 - _beta2), v, v);
            TensorPrimitives.Sqrt(v, t);                                       // denominator √v/√bc2 + ε
            TensorPrimitives.Multiply(t, invSqrtBc2, t);
            TensorPrimitives.Add(t, (float)_eps, t);
            TensorPrimitives.Divide(m, t, t);
            TensorPrimitives.MultiplyAdd(t, -stepSize, p.Value, p.Value);
        }
    }
}
