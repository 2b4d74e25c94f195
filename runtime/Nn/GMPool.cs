namespace GmCodegen;

/// <summary>
/// Pooling over the right cosets of a subgroup (docs/design.md#pooling-over-subgroup-cosets): features on G,
/// x[b,c,a], become features on H ⊂ G, z[b,c,s] = max_j x[b,c, emb(s)·r_j] (or the mean over j). On
/// <c>C2n x C2n → Cn x Cn</c> this is 2×2 max pooling with stride 2. The output lives on H, and its shape says so.
/// </summary>
public sealed class GMPool<TPool> : Layer where TPool : IGroupPool
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

    // x[b,c,a] (a in G) → z[b,c,s] (s in H)
    public override float[] Forward(float[] x, int batch, bool training)
    {
        CheckForward(x, batch);
        int rows = batch * Input.Channels;
        var z = Reuse(ref _z, batch * Output.Size);
        var xs = x.AsSpan(0, batch * Input.Size);
        var zs = z.AsSpan(0, batch * Output.Size);
        if (Pool == PoolKind.Max)
        {
            if (_argmax.Length < zs.Length) _argmax = new int[zs.Length];
            TPool.MaxForward(rows, xs, zs, _argmax.AsSpan(0, zs.Length));
        }
        else TPool.MeanForward(rows, xs, zs);
        return z;
    }

    // max: dx[b,c,argmax] = dz[b,c,s], 0 elsewhere;  mean: dx[b,c, emb(s)·r_j] = dz[b,c,s]/m
    public override float[] Backward(float[] dz, int batch)
    {
        CheckBackward(dz, batch);
        if (!InputGradRequired) return [];
        int rows = batch * Input.Channels;
        var dx = Reuse(ref _dx, batch * Input.Size);
        var dzs = dz.AsSpan(0, batch * Output.Size);
        var dxs = dx.AsSpan(0, batch * Input.Size);
        if (Pool == PoolKind.Max) TPool.MaxBackward(rows, dzs, _argmax.AsSpan(0, dzs.Length), dxs);
        else TPool.MeanBackward(rows, dzs, dxs);
        return dx;
    }
}

/// <summary>
/// The learned transpose of coset pooling, upsampling H → G: y[b,o, emb(s)·r_j] = Σ_i u[i,o,j]·z[b,i,s] + bias[o],
/// one weight per (input channel, output channel, coset). It commutes with left translation by H (the translation
/// moves s inside H and leaves the coset index j alone). Parameters <c>weight</c> [I, O, m] and <c>bias</c> [O].
/// </summary>
public sealed class GMTransposePool<TPool> : Layer where TPool : IGroupPool
{
    readonly float[] _du, _dbias;
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
        _du = new float[Weight.Size];
        _dbias = new float[Bias?.Size ?? 0];
    }

    public Parameter Weight { get; }
    public Parameter? Bias { get; }
    public override string Kind => $"GMTransposePool<{typeof(TPool).Name}>";
    public override IReadOnlyList<Parameter> Parameters => Bias is null ? [Weight] : [Weight, Bias];

    PoolShape ShapeOf(int batch) => new(batch, Input.Channels, Output.Channels);

    // z[b,i,s] (s in H) → y[b,o,a] (a in G)
    public override float[] Forward(float[] z, int batch, bool training)
    {
        CheckForward(z, batch);
        _z = z;
        var y = Reuse(ref _y, batch * Output.Size);
        TPool.TransposeForward(ShapeOf(batch), z.AsSpan(0, batch * Input.Size), Weight.Value,
            Bias is null ? [] : Bias.Value, y.AsSpan(0, batch * Output.Size));
        return y;
    }

    // dy[b,o,a] → du, dbias (accumulated) and dz[b,i,s]
    public override float[] Backward(float[] dy, int batch)
    {
        CheckBackward(dy, batch);
        var dz = Reuse(ref _dz, batch * Input.Size);
        TPool.TransposeBackward(ShapeOf(batch), _z.AsSpan(0, batch * Input.Size), Weight.Value,
            dy.AsSpan(0, batch * Output.Size), dz.AsSpan(0, batch * Input.Size), _du, _dbias);
        System.Numerics.Tensors.TensorPrimitives.Add(Weight.Grad, _du, Weight.Grad);
        if (Bias is not null) System.Numerics.Tensors.TensorPrimitives.Add(Bias.Grad, _dbias, Bias.Grad);
        return InputGradRequired ? dz : [];
    }
}
