namespace GmCodegen;

/// <summary>
/// Pooling over the right cosets of a subgroup (docs/design.md#pooling-over-subgroup-cosets): features on G,
/// x[b,c,a], become features on H ⊂ G, z[b,c,s] = max_j x[b,c, emb(s)·r_j] (or the mean over j). On
/// <c>C2n x C2n → Cn x Cn</c> this is 2×2 max pooling with stride 2. The output lives on H, and its shape says so.
/// </summary>
public sealed class GMPool<TPool> : Layer, ICosetPoolView where TPool : IGroupPool
{
    float[] _z = [], _dx = [];
    int[] _argmax = [];

    public GMPool(string name, int channels, PoolKind pool)
        : base(name, new Shape(channels, TPool.Order) { Group = TPool.GroupName },
            new Shape(channels, TPool.SubgroupOrder) { Group = TPool.SubgroupName })
    {
        if (pool is not (PoolKind.Max or PoolKind.Mean)) throw new ArgumentException($"Unknown pool kind {pool}.", nameof(pool));
        Pool = pool;
    }

    public PoolKind Pool { get; }
    public override string Kind => $"GMPool<{typeof(TPool).Name}> {Pool.ToString().ToLowerInvariant()}";
    int ICosetPoolView.SubgroupOrder => TPool.SubgroupOrder;   // for the ONNX export
    int ICosetPoolView.Index => TPool.Index;
    int[] ICosetPoolView.Cosets() => TPool.Cosets.ToArray();

    // x[b,c,a] (a in G) → z[b,c,s] (s in H)
    public override float[] Forward(float[] x, int batch, bool training)
    {
        CheckForward(x, batch);
        int c = Input.Channels, inSize = Input.Size, outSize = Output.Size;
        var z = Reuse(ref _z, batch * outSize);
        if (Pool == PoolKind.Max && _argmax.Length < batch * outSize) _argmax = new int[batch * outSize];
        var argmax = _argmax;
        // Each sample is its own rows: the split over the batch cannot change a result.
        BatchParallel.For(batch, inSize, b =>
        {
            var xs = x.AsSpan(b * inSize, inSize);
            var zs = z.AsSpan(b * outSize, outSize);
            if (Pool == PoolKind.Max) TPool.MaxForward(c, xs, zs, argmax.AsSpan(b * outSize, outSize));
            else TPool.MeanForward(c, xs, zs);
        });
        return z;
    }

    // max: dx[b,c,argmax] = dz[b,c,s], 0 elsewhere;  mean: dx[b,c, emb(s)·r_j] = dz[b,c,s]/m
    public override float[] Backward(float[] dz, int batch)
    {
        CheckBackward(dz, batch);
        if (!InputGradRequired) return [];
        int c = Input.Channels, inSize = Input.Size, outSize = Output.Size;
        var dx = Reuse(ref _dx, batch * inSize);
        var argmax = _argmax;
        BatchParallel.For(batch, inSize, b =>
        {
            var dzs = dz.AsSpan(b * outSize, outSize);
            var dxs = dx.AsSpan(b * inSize, inSize);
            if (Pool == PoolKind.Max) TPool.MaxBackward(c, dzs, argmax.AsSpan(b * outSize, outSize), dxs);
            else TPool.MeanBackward(c, dzs, dxs);
        });
        return dx;
    }
}

/// <summary>
/// The learned transpose of coset pooling, upsampling H → G: y[b,o, emb(s)·r_j] = Σ_i u[i,o,j]·z[b,i,s] + bias[o],
/// one weight per (input channel, output channel, coset). It commutes with left translation by H (the translation
/// moves s inside H and leaves the coset index j alone). Parameters <c>weight</c> [I, O, m] and <c>bias</c> [O].
/// </summary>
public sealed class GMTransposePool<TPool> : Layer, ICosetTransposeView where TPool : IGroupPool
{
    readonly float[] _dParams;   // [du | dbias]: the kernels overwrite it, we add it into Grad
    float[] _z = [], _y = [], _dz = [];

    public GMTransposePool(string name, int inChannels, int outChannels, Random rng, bool bias = true)
        : base(name, new Shape(inChannels, TPool.SubgroupOrder) { Group = TPool.SubgroupName },
            new Shape(outChannels, TPool.Order) { Group = TPool.GroupName })
    {
        ArgumentNullException.ThrowIfNull(rng);
        Weight = new Parameter(ParameterName("weight"), inChannels, outChannels, TPool.Index);
        // Each output reads I inputs, one per input channel (PyTorch's ConvTranspose fan-in convention).
        Init.Uniform(Weight.Value, Init.KaimingBound(inChannels), rng);
        if (bias)
        {
            Bias = new Parameter(ParameterName("bias"), outChannels) { Decay = false };
            Init.Uniform(Bias.Value, Init.KaimingBound(inChannels), rng);
        }
        _dParams = new float[Weight.Size + (Bias?.Size ?? 0)];
    }

    public Parameter Weight { get; }
    public Parameter? Bias { get; }
    public override string Kind => $"GMTransposePool<{typeof(TPool).Name}>";
    int ICosetTransposeView.SubgroupOrder => TPool.SubgroupOrder;   // for the ONNX export
    int ICosetTransposeView.Index => TPool.Index;
    int[] ICosetTransposeView.Cosets() => TPool.Cosets.ToArray();
    public override IReadOnlyList<Parameter> Parameters => Bias is null ? [Weight] : [Weight, Bias];

    PoolShape ShapeOf(int batch) => new(batch, Input.Channels, Output.Channels);

    // z[b,i,s] (s in H) → y[b,o,a] (a in G)
    public override float[] Forward(float[] z, int batch, bool training)
    {
        CheckForward(z, batch);
        _z = z;
        int inSize = Input.Size, outSize = Output.Size;
        var y = Reuse(ref _y, batch * outSize);
        var u = Weight.Value;
        var bias = Bias?.Value ?? [];
        BatchParallel.For(batch, (long)Input.Channels * outSize, b =>
            TPool.TransposeForward(ShapeOf(1), z.AsSpan(b * inSize, inSize), u, bias, y.AsSpan(b * outSize, outSize)));
        return y;
    }

    // dy[b,o,a] → du, dbias (accumulated) and dz[b,i,s]
    public override float[] Backward(float[] dy, int batch)
    {
        CheckBackward(dy, batch);
        int inSize = Input.Size, outSize = Output.Size, nu = Weight.Size;
        var dz = Reuse(ref _dz, batch * inSize);
        var u = Weight.Value;
        // du and dbias are sums over the batch: fixed chunks summed in order, the same bits on any thread count.
        BatchParallel.ForBatchReduce(batch, _z.AsSpan(0, batch * inSize), dy.AsSpan(0, batch * outSize), _dParams,
            (b0, b1, z, dyAll, partial) => TPool.TransposeBackward(ShapeOf(b1 - b0), z.Slice(b0 * inSize, (b1 - b0) * inSize), u,
                dyAll.Slice(b0 * outSize, (b1 - b0) * outSize), dz.AsSpan(b0 * inSize, (b1 - b0) * inSize),
                partial[..nu], partial[nu..]));
        System.Numerics.Tensors.TensorPrimitives.Add(Weight.Grad, _dParams.AsSpan(0, nu), Weight.Grad);
        if (Bias is not null) System.Numerics.Tensors.TensorPrimitives.Add(Bias.Grad, _dParams.AsSpan(nu), Bias.Grad);
        return InputGradRequired ? dz : [];
    }
}
