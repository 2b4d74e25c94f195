using System.Numerics.Tensors;

namespace GmCodegen;

/// <summary>Max or mean over the group axis a.</summary>
public enum PoolKind { Max, Mean }

/// <summary>
/// Global pooling over the group: x[b,c,a] → y[b,c]. It is invariant under any permutation of a, so
/// it turns G-equivariant features into G-invariant ones. Max routes the gradient to the arg-max (the first
/// one on ties); mean spreads it evenly.
/// </summary>
public sealed class GlobalPool(string name, Shape input, PoolKind pool)
    : Layer(name, input, new Shape(input.Channels, 1))
{
    float[] _y = [], _dx = [];
    int[] _argmax = [];

    public PoolKind Pool { get; } = pool;
    public override string Kind => Pool == PoolKind.Max ? "GlobalMaxPool" : "GlobalMeanPool";

    // x[b,c,a] → y[b,c]
    public override float[] Forward(float[] x, int batch, bool training)
    {
        CheckForward(x, batch);
        int rows = batch * Input.Channels, l = Input.Positions;
        var y = Reuse(ref _y, rows);
        if (Pool == PoolKind.Max && _argmax.Length < rows) _argmax = new int[rows];
        BatchParallel.For(batch, Input.Size, b =>
        {
            for (int r = b * Input.Channels; r < (b + 1) * Input.Channels; r++)
            {
                var xr = x.AsSpan(r * l, l);
                if (Pool == PoolKind.Max)
                {
                    // Max then IndexOf (both vectorised) is several times faster than IndexOfMax; NaN falls back to it.
                    float max = TensorPrimitives.Max(xr);
                    int k = xr.IndexOf(max);
                    if (k < 0) k = TensorPrimitives.IndexOfMax(xr);
                    _argmax[r] = k;
                    y[r] = xr[k];
                }
                else y[r] = TensorPrimitives.Sum(xr) / l;
            }
        });
        return y;
    }

    // max: dx[b,c,argmax] = dy[b,c], 0 elsewhere;  mean: dx[b,c,:] = dy[b,c]/|G|
    public override float[] Backward(float[] dy, int batch)
    {
        CheckBackward(dy, batch);
        if (!InputGradRequired) return [];
        int rows = batch * Input.Channels, l = Input.Positions;
        var dx = Reuse(ref _dx, rows * l);
        BatchParallel.For(batch, Input.Size, b =>
        {
            for (int r = b * Input.Channels; r < (b + 1) * Input.Channels; r++)
            {
                var dxr = dx.AsSpan(r * l, l);
                if (Pool == PoolKind.Max) { dxr.Clear(); dxr[_argmax[r]] = dy[r]; }
                else dxr.Fill(dy[r] / l);
            }
        });
        return dx;
    }
}
