using System.Numerics.Tensors;

namespace GmCodegen;

/// <summary>
/// Layer normalisation of each sample over all its channels and group elements (PyTorch's
/// <c>nn.LayerNorm([C, 1, |G|])</c> in the reference): x̂ = (x − μ)/√(σ² + ε) with the biased variance,
/// then, with <c>affine</c>, y = γ ⊙ x̂ + β (γ, β of shape [C, |G|], init 1 and 0). Without affine it is
/// exactly equivariant: permuting a permutes x̂ the same way.
/// </summary>
public sealed class LayerNorm : Layer
{
    readonly float _eps;
    float[] _xhat = [], _y = [], _dx = [];
    float[] _rstd = [];   // 1/√(σ²+ε) per sample

    public LayerNorm(string name, Shape shape, bool affine = true, float eps = 1e-5f) : base(name, shape, shape)
    {
        // ε keeps 1/√(σ²+ε) finite on a constant sample (σ² = 0); without it that sample's output is NaN.
        if (!(eps > 0 && float.IsFinite(eps)))
            throw new ArgumentOutOfRangeException(nameof(eps), eps, $"LayerNorm '{name}': eps must be a positive finite number, was {eps}.");
        _eps = eps;
        if (affine)
        {
            Gamma = new Parameter(ParameterName("weight"), shape.Channels, shape.Positions) { Decay = false };
            Beta = new Parameter(ParameterName("bias"), shape.Channels, shape.Positions) { Decay = false };
            Array.Fill(Gamma.Value, 1f);
        }
    }

    public Parameter? Gamma { get; }
    public Parameter? Beta { get; }
    public bool Affine => Gamma is not null;
    /// <summary>ε, for the ONNX export.</summary>
    internal float Epsilon => _eps;
    public override string Kind => Affine ? "LayerNorm" : "LayerNorm(no affine)";
    public override IReadOnlyList<Parameter> Parameters => Gamma is null || Beta is null ? [] : [Gamma, Beta];
    // forward: x̂, y (affine only) and one rstd per sample; backward: dx
    public override (long Forward, long Backward) ActivationFloats(int batch) =>
        ((long)batch * (Input.Size * (Affine ? 2L : 1L) + 1), (long)batch * Input.Size);

    // x[b, n] → y[b, n], n = C·|G|
    public override float[] Forward(float[] x, int batch, bool training)
    {
        CheckForward(x, batch);
        int n = Input.Size;
        var xhat = Reuse(ref _xhat, batch * n);
        if (_rstd.Length < batch) _rstd = new float[batch];
        BatchParallel.For(batch, n, b =>
        {
            var xb = x.AsSpan(b * n, n);
            var hb = xhat.AsSpan(b * n, n);
            float mean = TensorPrimitives.Sum(xb) / n;
            TensorPrimitives.Subtract(xb, mean, hb);                       // centred
            float rstd = 1f / MathF.Sqrt(TensorPrimitives.SumOfSquares(hb) / n + _eps);
            TensorPrimitives.Multiply(hb, rstd, hb);                       // x̂
            _rstd[b] = rstd;
        });
        if (Gamma is null || Beta is null) return xhat;                    // y = x̂
        var y = Reuse(ref _y, batch * n);
        BatchParallel.For(batch, n, b => TensorPrimitives.FusedMultiplyAdd(xhat.AsSpan(b * n, n), Gamma.Value, Beta.Value, y.AsSpan(b * n, n)));
        return y;
    }

    // g = dy ⊙ γ;  dx = rstd · (g − mean(g) − x̂ · mean(g ⊙ x̂));  dγ += Σ_b dy ⊙ x̂,  dβ += Σ_b dy
    public override float[] Backward(float[] dy, int batch)
    {
        CheckBackward(dy, batch);
        int n = Input.Size;
        if (Gamma is not null && Beta is not null)
        {
            // Split the n elements into column ranges; each range sums the batch in order (reproducible).
            const int chunks = 8;
            int width = (n + chunks - 1) / chunks;
            BatchParallel.For(chunks, (long)batch * width, c =>
            {
                int start = c * width, len = Math.Min(width, n - start);
                if (len <= 0) return;
                var gg = Gamma.Grad.AsSpan(start, len);
                var gb = Beta.Grad.AsSpan(start, len);
                for (int b = 0; b < batch; b++)
                {
                    var dyb = dy.AsSpan(b * n + start, len);
                    TensorPrimitives.FusedMultiplyAdd(dyb, _xhat.AsSpan(b * n + start, len), gg, gg);
                    TensorPrimitives.Add(gb, dyb, gb);
                }
            });
        }
        if (!InputGradRequired) return [];
        var dx = Reuse(ref _dx, batch * n);
        BatchParallel.For(batch, n, b =>
        {
            var dxb = dx.AsSpan(b * n, n);
            var hb = _xhat.AsSpan(b * n, n);
            ReadOnlySpan<float> g = dy.AsSpan(b * n, n);
            if (Gamma is not null) { TensorPrimitives.Multiply(g, Gamma.Value, dxb); g = dxb; }
            float rstd = _rstd[b];
            float meanG = TensorPrimitives.Sum(g) / n;
            float meanGx = TensorPrimitives.Dot(g, hb) / n;
            TensorPrimitives.Multiply(g, rstd, dxb);                            // rstd·g
            TensorPrimitives.MultiplyAdd(hb, -meanGx * rstd, dxb, dxb);         //   − rstd·x̂·mean(g x̂)
            TensorPrimitives.Add(dxb, -meanG * rstd, dxb);                      //   − rstd·mean(g)
        });
        return dx;
    }
}
