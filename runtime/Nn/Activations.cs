using System.Numerics;
using System.Numerics.Tensors;

namespace GmCodegen;

/// <summary>y = max(x, 0).</summary>
public sealed class ReLU(string name, Shape shape) : Layer(name, shape, shape)
{
    float[] _x = [], _y = [], _dx = [];

    public override float[] Forward(float[] x, int batch, bool training)
    {
        CheckForward(x, batch);
        _x = x;
        var y = Reuse(ref _y, batch * Input.Size);
        int n = Input.Size;
        BatchParallel.For(batch, n, b => TensorPrimitives.Max(x.AsSpan(b * n, n), 0f, y.AsSpan(b * n, n)));
        return y;
    }

    // dx = dy where x > 0, else 0
    public override float[] Backward(float[] dy, int batch)
    {
        CheckBackward(dy, batch);
        if (!InputGradRequired) return [];
        int n = Input.Size;
        var dx = Reuse(ref _dx, batch * n);
        BatchParallel.For(batch, n, b => Gate.Apply(_x.AsSpan(b * n, n), dy.AsSpan(b * n, n), 0f, dx.AsSpan(b * n, n)));
        return dx;
    }
}

/// <summary>The backward of piecewise-linear activations: dx = dy where x &gt; 0, slope·dy elsewhere.</summary>
internal static class Gate
{
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, float slope, Span<float> dx)
    {
        // TensorPrimitives has no element-wise select, so this one is written with Vector<T> (one compare, one blend).
        int w = Vector<float>.Count, j = 0;
        for (; j <= x.Length - w; j += w)
        {
            var g = new Vector<float>(dy[j..]);
            Vector.ConditionalSelect(Vector.GreaterThan(new Vector<float>(x[j..]), Vector<float>.Zero), g, g * slope).CopyTo(dx[j..]);
        }
        for (; j < x.Length; j++) dx[j] = x[j] > 0f ? dy[j] : slope * dy[j];
    }
}

/// <summary>
/// y = x for x &gt; 0, α·x otherwise, with one learned slope α (init 0.25, as <c>nn.PReLU()</c>).
/// The slope <see cref="Parameter"/> may be handed in, so several PReLU layers can share one α as the
/// reference network does (its single <c>self.relu</c> is applied after every block).
/// </summary>
public sealed class PReLU : Layer
{
    float[] _x = [], _y = [], _dx = [];
    double[] _slopeParts = [];   // per-sample pieces of dα, summed in sample order

    public PReLU(string name, Shape shape, Parameter? slope = null) : base(name, shape, shape)
    {
        if (slope is null)
        {
            slope = new Parameter(ParameterName("weight"), 1) { Decay = false };
            slope.Value[0] = 0.25f;
        }
        if (slope.Size != 1) throw new ArgumentException($"PReLU '{name}': the slope must have one value, not {slope.Size}.", nameof(slope));
        Slope = slope;
    }

    public Parameter Slope { get; }
    public override IReadOnlyList<Parameter> Parameters => [Slope];

    // y = x + (α − 1)·min(x, 0)
    public override float[] Forward(float[] x, int batch, bool training)
    {
        CheckForward(x, batch);
        _x = x;
        int n = Input.Size;
        var y = Reuse(ref _y, batch * n);
        float alpha = Slope.Value[0];
        BatchParallel.For(batch, n, b =>
        {
            Span<float> xb = x.AsSpan(b * n, n), yb = y.AsSpan(b * n, n);
            TensorPrimitives.Min(xb, 0f, yb);                        // min(x, 0), in place
            TensorPrimitives.MultiplyAdd(yb, alpha - 1f, xb, yb);
        });
        return y;
    }

    // dα += Σ dy·min(x, 0);  dx = dy where x > 0, α·dy otherwise
    public override float[] Backward(float[] dy, int batch)
    {
        CheckBackward(dy, batch);
        int n = Input.Size;
        var dx = Reuse(ref _dx, batch * n);
        if (_slopeParts.Length < batch) _slopeParts = new double[batch];
        float alpha = Slope.Value[0];
        BatchParallel.For(batch, n, b =>
        {
            Span<float> xb = _x.AsSpan(b * n, n), dyb = dy.AsSpan(b * n, n), dxb = dx.AsSpan(b * n, n);
            TensorPrimitives.Min(xb, 0f, dxb);                       // dx as scratch for min(x, 0)
            _slopeParts[b] = TensorPrimitives.Dot(dyb, dxb);
            if (InputGradRequired) Gate.Apply(xb, dyb, alpha, dxb);
        });
        double dAlpha = 0;
        for (int b = 0; b < batch; b++) dAlpha += _slopeParts[b];
        Slope.Grad[0] += (float)dAlpha;
        return InputGradRequired ? dx : [];
    }
}

/// <summary>
/// Inverted dropout: in training, each value is zeroed with probability p and the survivors scaled by 1/(1−p);
/// in evaluation it is the identity. The mask comes from the layer's own seeded generator, drawn in index
/// order, so a seed fixes the whole training run.
/// </summary>
public sealed class Dropout : Layer
{
    readonly Random _rng;
    float[] _mask = [], _y = [], _dx = [];
    bool _masked;   // whether the last Forward applied a mask

    public Dropout(string name, Shape shape, double p, int seed) : base(name, shape, shape)
    {
        if (!(p >= 0 && p < 1)) throw new ArgumentOutOfRangeException(nameof(p), p, $"Dropout '{name}': the probability must be in [0, 1), was {p}.");
        P = p;
        _rng = new Random(seed);
    }

    public double P { get; }
    public override string Kind => $"Dropout({P})";
    public override (long Forward, long Backward) ActivationFloats(int batch) => (2L * batch * Input.Size, (long)batch * Input.Size);   // mask and y; dx

    public override float[] Forward(float[] x, int batch, bool training)
    {
        CheckForward(x, batch);
        _masked = training && P > 0;
        if (!_masked) return x;
        int n = batch * Input.Size;
        var mask = Reuse(ref _mask, n);
        float keep = (float)(1 / (1 - P));
        for (int j = 0; j < n; j++) mask[j] = _rng.NextDouble() < P ? 0f : keep;
        var y = Reuse(ref _y, n);
        TensorPrimitives.Multiply(x.AsSpan(0, n), mask.AsSpan(0, n), y.AsSpan(0, n));
        return y;
    }

    public override float[] Backward(float[] dy, int batch)
    {
        CheckBackward(dy, batch);
        if (!_masked || !InputGradRequired) return InputGradRequired ? dy : [];
        int n = batch * Input.Size;
        var dx = Reuse(ref _dx, n);
        TensorPrimitives.Multiply(dy.AsSpan(0, n), _mask.AsSpan(0, n), dx.AsSpan(0, n));
        return dx;
    }
}
