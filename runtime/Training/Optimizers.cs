using System.Numerics.Tensors;

namespace GmCodegen;

/// <summary>Updates parameters from their gradients; the learning rate is settable so schedules can drive it.</summary>
public interface IOptimizer
{
    double LearningRate { get; set; }
    void Step();
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
    bool _started;

    public double LearningRate { get; set; } = learningRate;

    public void Step()
    {
        for (int j = 0; j < parameters.Count; j++)
        {
            var p = parameters[j];
            var g = _g.AsSpan(0, p.Size);
            p.Grad.CopyTo(g);
            if (weightDecay != 0 && p.Decay) TensorPrimitives.MultiplyAdd(p.Value, (float)weightDecay, g, g);
            if (momentum != 0)
            {
                var v = _velocity[j].AsSpan();
                if (_started) TensorPrimitives.MultiplyAdd(v, (float)momentum, g, v); else g.CopyTo(v);
                if (nesterov) TensorPrimitives.MultiplyAdd(v, (float)momentum, g, g); else v.CopyTo(g);
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
        (LearningRate, WeightDecay, _beta1, _beta2, _eps) = (learningRate, weightDecay, beta1, beta2, eps);
        _m = [.. parameters.Select(p => new float[p.Size])];
        _v = [.. parameters.Select(p => new float[p.Size])];
        _tmp = new float[parameters.Count == 0 ? 0 : parameters.Max(p => p.Size)];
    }

    public double LearningRate { get; set; }
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
