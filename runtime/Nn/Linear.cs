using System.Numerics.Tensors;

namespace GmCodegen;

/// <summary>
/// A fully connected layer on the flattened sample: y[b,o] = Σ_f W[o,f]·x[b,f] + bias[o], f over Input.Size.
/// PyTorch's init: W, bias ~ U(±1/√fan_in).
/// </summary>
public sealed class Linear : Layer
{
    float[] _x = [], _y = [], _dx = [];

    public Linear(string name, int inFeatures, int outFeatures, Random rng, bool bias = true)
        : this(name, new Shape(inFeatures, 1), outFeatures, rng, bias) { }

    /// <summary>Takes any input shape and flattens it (so it also works before a pooling step).</summary>
    public Linear(string name, Shape input, int outFeatures, Random rng, bool bias = true)
        : base(name, input, new Shape(outFeatures, 1))
    {
        Weight = new Parameter(ParameterName("weight"), outFeatures, input.Size);
        double bound = Init.KaimingBound(input.Size);
        Init.Uniform(Weight.Value, bound, rng);
        if (bias)
        {
            Bias = new Parameter(ParameterName("bias"), outFeatures) { Decay = false };
            Init.Uniform(Bias.Value, bound, rng);
        }
    }

    public Parameter Weight { get; }
    public Parameter? Bias { get; }
    public override IReadOnlyList<Parameter> Parameters => Bias is null ? [Weight] : [Weight, Bias];

    static Span<float> Row(float[] m, int r, int width) => m.AsSpan(r * width, width);

    // x[b,f] → y[b,o]
    public override float[] Forward(float[] x, int batch, bool training)
    {
        CheckForward(x, batch);
        _x = x;
        int n = Input.Size, m = Output.Size;
        var y = Reuse(ref _y, batch * m);
        BatchParallel.For(batch, (long)n * m, b =>
        {
            var xb = Row(x, b, n);
            for (int o = 0; o < m; o++)
                y[b * m + o] = TensorPrimitives.Dot(Row(Weight.Value, o, n), xb) + (Bias?.Value[o] ?? 0f);
        });
        return y;
    }

    // dy[b,o] → dW[o,f] += Σ_b dy[b,o]·x[b,f], dbias[o] += Σ_b dy[b,o], dx[b,f] = Σ_o dy[b,o]·W[o,f]
    public override float[] Backward(float[] dy, int batch)
    {
        CheckBackward(dy, batch);
        int n = Input.Size, m = Output.Size;
        // Rows of dW are independent; within a row the batch is summed in order, so results are reproducible.
        BatchParallel.For(m, (long)batch * n, o =>
        {
            var gw = Row(Weight.Grad, o, n);
            for (int b = 0; b < batch; b++) TensorPrimitives.MultiplyAdd(Row(_x, b, n), dy[b * m + o], gw, gw);
            if (Bias is not null)
                for (int b = 0; b < batch; b++) Bias.Grad[o] += dy[b * m + o];
        });
        if (!InputGradRequired) return [];
        var dx = Reuse(ref _dx, batch * n);
        BatchParallel.For(batch, (long)n * m, b =>
        {
            var dxb = Row(dx, b, n);
            dxb.Clear();
            for (int o = 0; o < m; o++) TensorPrimitives.MultiplyAdd(Row(Weight.Value, o, n), dy[b * m + o], dxb, dxb);
        });
        return dx;
    }
}

/// <summary>
/// A 1×1 channel mix, the same linear map at every group element: y[b,o,a] = Σ_i W[o,i]·x[b,i,a] + bias[o].
/// It commutes with every group action on a, so it keeps a network exactly equivariant; it is the residual
/// shortcut when channel counts differ (as <c>nn.Conv2d(I, O, 1)</c> in the reference, with bias).
/// </summary>
public sealed class ChannelMix : Layer
{
    float[] _x = [], _y = [], _dx = [];

    public ChannelMix(string name, int inChannels, int outChannels, int positions, Random rng, bool bias = true)
        : base(name, new Shape(inChannels, positions), new Shape(outChannels, positions))
    {
        Weight = new Parameter(ParameterName("weight"), outChannels, inChannels);
        double bound = Init.KaimingBound(inChannels);
        Init.Uniform(Weight.Value, bound, rng);
        if (bias)
        {
            Bias = new Parameter(ParameterName("bias"), outChannels) { Decay = false };
            Init.Uniform(Bias.Value, bound, rng);
        }
    }

    public Parameter Weight { get; }
    public Parameter? Bias { get; }
    public override IReadOnlyList<Parameter> Parameters => Bias is null ? [Weight] : [Weight, Bias];

    // x[b,i,a] → y[b,o,a]: per sample Y (O×L) = W (O×I) · X (I×L) + bias, built row by row
    public override float[] Forward(float[] x, int batch, bool training)
    {
        CheckForward(x, batch);
        _x = x;
        int ci = Input.Channels, co = Output.Channels, l = Input.Positions;
        var y = Reuse(ref _y, batch * Output.Size);
        BatchParallel.For(batch, (long)ci * co * l, b =>
        {
            for (int o = 0; o < co; o++)
            {
                var yo = y.AsSpan((b * co + o) * l, l);
                yo.Fill(Bias?.Value[o] ?? 0f);
                for (int i = 0; i < ci; i++)
                    TensorPrimitives.MultiplyAdd(x.AsSpan((b * ci + i) * l, l), Weight.Value[o * ci + i], yo, yo);
            }
        });
        return y;
    }

    // dW[o,i] += Σ_b ⟨dy[b,o,:], x[b,i,:]⟩, dbias[o] += Σ_b Σ_a dy[b,o,a], dx[b,i,:] = Σ_o W[o,i]·dy[b,o,:]
    public override float[] Backward(float[] dy, int batch)
    {
        CheckBackward(dy, batch);
        int ci = Input.Channels, co = Output.Channels, l = Input.Positions;
        BatchParallel.For(co, (long)batch * ci * l, o =>
        {
            for (int b = 0; b < batch; b++)
            {
                var dyo = dy.AsSpan((b * co + o) * l, l);
                for (int i = 0; i < ci; i++)
                    Weight.Grad[o * ci + i] += TensorPrimitives.Dot(dyo, _x.AsSpan((b * ci + i) * l, l));
                if (Bias is not null) Bias.Grad[o] += TensorPrimitives.Sum(dyo);
            }
        });
        if (!InputGradRequired) return [];
        var dx = Reuse(ref _dx, batch * Input.Size);
        BatchParallel.For(batch, (long)ci * co * l, b =>
        {
            for (int i = 0; i < ci; i++)
            {
                var dxi = dx.AsSpan((b * ci + i) * l, l);
                dxi.Clear();
                for (int o = 0; o < co; o++)
                    TensorPrimitives.MultiplyAdd(dy.AsSpan((b * co + o) * l, l), Weight.Value[o * ci + i], dxi, dxi);
            }
        });
        return dx;
    }
}
