namespace GmCodegen;

/// <summary>
/// Lifting images to a group that acts on the pixel torus (docs/design.md#lifting): x[b,i,p] (p &lt; n²) →
/// y[b,o,g] = Σ_i Σ_k w[o,(i,)k]·x[b,i, pixel(g·u_k⁻¹·o)] + bias[o], over the lift's translations u_k. It commutes with
/// the group: lifting a transformed image gives the transformed feature map. Parameters <c>weight</c> [O, I, K] (full)
/// or [O, K] (shared) and <c>bias</c> [O]; the input lives on the image torus <c>Cn x Cn</c>, the output on G.
/// </summary>
public sealed class GMLift<TGroup> : Layer, IGmConvView where TGroup : IGroupLift
{
    readonly float[] _dw, _dbias;   // the kernels overwrite these; we add them into Grad
    float[] _x = [], _y = [], _dx = [];

    public GMLift(string name, int inChannels, int outChannels, ChannelMode mode, Random rng, bool bias = true)
        : base(name, new Shape(inChannels, TGroup.ImageSize) { Group = TGroup.ImageGroupName },
            new Shape(outChannels, TGroup.Order) { Group = TGroup.GroupName })
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (mode is not (ChannelMode.Shared or ChannelMode.Full)) throw new ArgumentException($"Unknown channel mode {mode}.", nameof(mode));
        Mode = mode;
        int k = TGroup.LiftKernelSize;
        Weight = mode == ChannelMode.Shared
            ? new Parameter(ParameterName("weight"), outChannels, k)
            : new Parameter(ParameterName("weight"), outChannels, inChannels, k);
        int fanIn = mode == ChannelMode.Shared ? k : inChannels * k;   // as a conv2d's (O, I, kh, kw)
        Init.Uniform(Weight.Value, Init.KaimingBound(fanIn), rng);
        if (bias)
        {
            Bias = new Parameter(ParameterName("bias"), outChannels) { Decay = false };
            Init.Uniform(Bias.Value, Init.KaimingBound(fanIn), rng);
        }
        _dw = new float[Weight.Size];
        _dbias = new float[Bias?.Size ?? 0];
    }

    public ChannelMode Mode { get; }
    public Parameter Weight { get; }
    public Parameter? Bias { get; }
    public override string Kind => $"GMLift<{TypeName(typeof(TGroup))}> {Mode.ToString().ToLowerInvariant()}";
    public override IReadOnlyList<Parameter> Parameters => Bias is null ? [Weight] : [Weight, Bias];

    GmShape ShapeOf(int batch) => new(batch, Input.Channels, Output.Channels, Mode);

    // For the ONNX export: a lift is a GM layer whose gather reads the image instead of the group.
    int IGmConvView.KernelSize => TGroup.LiftKernelSize;
    int[] IGmConvView.GatherTable() => GatherTables.OfLift<TGroup>();

    // x[b,i,p] → y[b,o,g]
    public override float[] Forward(float[] x, int batch, bool training)
    {
        CheckForward(x, batch);
        _x = x;
        var y = Reuse(ref _y, batch * Output.Size);
        TGroup.LiftForward(ShapeOf(batch), x.AsSpan(0, batch * Input.Size), Weight.Value,
            Bias is null ? [] : Bias.Value, y.AsSpan(0, batch * Output.Size));
        return y;
    }

    // dy[b,o,g] → dw, dbias (accumulated) and dx[b,i,p]
    public override float[] Backward(float[] dy, int batch)
    {
        CheckBackward(dy, batch);
        var s = ShapeOf(batch);
        var dyb = dy.AsSpan(0, batch * Output.Size);
        TGroup.LiftBackwardWeights(s, _x.AsSpan(0, batch * Input.Size), dyb, _dw, _dbias);
        System.Numerics.Tensors.TensorPrimitives.Add(Weight.Grad, _dw, Weight.Grad);
        if (Bias is not null) System.Numerics.Tensors.TensorPrimitives.Add(Bias.Grad, _dbias, Bias.Grad);
        if (!InputGradRequired) return [];
        var dx = Reuse(ref _dx, batch * Input.Size);
        TGroup.LiftBackwardInput(s, dyb, Weight.Value, dx.AsSpan(0, batch * Input.Size));
        return dx;
    }
}

/// <summary>
/// Features on a torus group back to images (docs/design.md#lifting): y[b,c,p] = max_m x[b,c, m·n² + p] (or the mean
/// over the point group), the gradient going to the arg-max (the first m on ties). The input lives on G, the output on
/// the image torus <c>Cn x Cn</c>; transforming the input by a group element transforms the output image the same way.
/// </summary>
public sealed class GMProject<TGroup> : Layer, IPointProjectionView where TGroup : IGroupLift
{
    float[] _y = [], _dx = [];
    int[] _argmax = [];

    public GMProject(string name, int channels, PoolKind pool)
        : base(name, new Shape(channels, TGroup.Order) { Group = TGroup.GroupName },
            new Shape(channels, TGroup.ImageSize) { Group = TGroup.ImageGroupName })
    {
        if (pool is not (PoolKind.Max or PoolKind.Mean)) throw new ArgumentException($"Unknown pool kind {pool}.", nameof(pool));
        Pool = pool;
    }

    public PoolKind Pool { get; }
    int IPointProjectionView.PointOrder => TGroup.PointOrder;
    int IPointProjectionView.ImageSize => TGroup.ImageSize;
    public override string Kind => $"GMProject<{TypeName(typeof(TGroup))}> {Pool.ToString().ToLowerInvariant()}";

    // x[b,c,g] → y[b,c,p]
    public override float[] Forward(float[] x, int batch, bool training)
    {
        CheckForward(x, batch);
        int c = Input.Channels, inSize = Input.Size, outSize = Output.Size;
        var y = Reuse(ref _y, batch * outSize);
        if (Pool == PoolKind.Max && _argmax.Length < batch * outSize) _argmax = new int[batch * outSize];
        var argmax = _argmax;
        BatchParallel.For(batch, inSize, b =>
        {
            var xs = x.AsSpan(b * inSize, inSize);
            var ys = y.AsSpan(b * outSize, outSize);
            if (Pool == PoolKind.Max) PointProjection.MaxForward(c, TGroup.PointOrder, TGroup.ImageSize, xs, ys, argmax.AsSpan(b * outSize, outSize));
            else PointProjection.MeanForward(c, TGroup.PointOrder, TGroup.ImageSize, xs, ys);
        });
        return y;
    }

    // max: dx[b,c, argmax·n² + p] = dy[b,c,p], 0 elsewhere;  mean: dx[b,c, m·n² + p] = dy[b,c,p]/|P|
    public override float[] Backward(float[] dy, int batch)
    {
        CheckBackward(dy, batch);
        if (!InputGradRequired) return [];
        int c = Input.Channels, inSize = Input.Size, outSize = Output.Size;
        var dx = Reuse(ref _dx, batch * inSize);
        var argmax = _argmax;
        BatchParallel.For(batch, inSize, b =>
        {
            var dys = dy.AsSpan(b * outSize, outSize);
            var dxs = dx.AsSpan(b * inSize, inSize);
            if (Pool == PoolKind.Max) PointProjection.MaxBackward(c, TGroup.PointOrder, TGroup.ImageSize, dys, argmax.AsSpan(b * outSize, outSize), dxs);
            else PointProjection.MeanBackward(c, TGroup.PointOrder, TGroup.ImageSize, dys, dxs);
        });
        return dx;
    }
}
