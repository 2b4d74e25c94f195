namespace GmCodegen;

/// <summary>
/// The full-mode GM convolution over a torus group <typeparamref name="TGroup"/> (<c>p4(n)</c>, <c>p4m(n)</c>), the same
/// layer as <see cref="GMConv{TGroup}"/> in full mode — same parameters, names and initialisation, same results to
/// rounding — but run as the G-CNN filter bank on the translations <typeparamref name="TTranslations"/>
/// (<see cref="FilterBankEngine{TGroup, TTranslations}"/>): one <c>Cn x Cn</c> convolution from I·|P| to O·|P| channels.
/// </summary>
public sealed class GMBankConv<TGroup, TTranslations> : Layer, IGroupMatrixLayer where TGroup : IGroupLift where TTranslations : IGroupKernel
{
    readonly float[] _dw, _dbias;
    float[] _x = [], _y = [], _dx = [];

    public GMBankConv(string name, int inChannels, int outChannels, Random rng, bool bias = true, BiasInit biasInit = BiasInit.Uniform)
        : base(name, new Shape(inChannels, TGroup.Order) { Group = TGroup.GroupName }, new Shape(outChannels, TGroup.Order) { Group = TGroup.GroupName })
    {
        ArgumentNullException.ThrowIfNull(rng);
        int k = TGroup.KernelSize;
        Weight = new Parameter(ParameterName("weight"), outChannels, inChannels, k);
        int fanIn = inChannels * k;
        Init.Uniform(Weight.Value, Init.KaimingBound(fanIn), rng);
        if (bias)
        {
            Bias = new Parameter(ParameterName("bias"), outChannels) { Decay = false };
            if (biasInit == BiasInit.Uniform) Init.Uniform(Bias.Value, Init.KaimingBound(fanIn), rng);
        }
        _dw = new float[Weight.Size];
        _dbias = new float[Bias?.Size ?? 0];
    }

    public Parameter Weight { get; }
    public Parameter? Bias { get; }
    public override string Kind => $"GMConv<{typeof(TGroup).Name}> full (bank on {typeof(TTranslations).Name})";
    public override IReadOnlyList<Parameter> Parameters => Bias is null ? [Weight] : [Weight, Bias];

    /// <inheritdoc/>
    public LayerDisplacement Describe(int outChannel = 0, int inChannel = 0) => Displacement.Describe<TGroup>(this, outChannel, inChannel);

    public float[] DenseMatrix(int outChannel, int inChannel)
    {
        GroupMatrices.CheckDense<TGroup>(this, outChannel, inChannel);
        var m = new float[TGroup.Order * TGroup.Order];
        GroupMatrices.AddScaled<TGroup>(m, GroupMatrices.Kernel(Weight.Value, ChannelMode.Full, Input.Channels, TGroup.KernelSize, outChannel, inChannel), []);
        return m;
    }

    GmShape ShapeOf(int batch) => new(batch, Input.Channels, Output.Channels, ChannelMode.Full);

    // x[b,i,a] → y[b,o,a]
    public override float[] Forward(float[] x, int batch, bool training)
    {
        CheckForward(x, batch);
        _x = x;
        var y = Reuse(ref _y, batch * Output.Size);
        FilterBankEngine<TGroup, TTranslations>.Forward(ShapeOf(batch), x.AsSpan(0, batch * Input.Size), Weight.Value,
            Bias is null ? [] : Bias.Value, y.AsSpan(0, batch * Output.Size));
        return y;
    }

    // dy[b,o,a] → dw, dbias (accumulated) and dx[b,i,a]
    public override float[] Backward(float[] dy, int batch)
    {
        CheckBackward(dy, batch);
        var s = ShapeOf(batch);
        var dyb = dy.AsSpan(0, batch * Output.Size);
        FilterBankEngine<TGroup, TTranslations>.BackwardWeights(s, _x.AsSpan(0, batch * Input.Size), dyb, _dw, _dbias);
        System.Numerics.Tensors.TensorPrimitives.Add(Weight.Grad, _dw, Weight.Grad);
        if (Bias is not null) System.Numerics.Tensors.TensorPrimitives.Add(Bias.Grad, _dbias, Bias.Grad);
        if (!InputGradRequired) return [];
        var dx = Reuse(ref _dx, batch * Input.Size);
        FilterBankEngine<TGroup, TTranslations>.BackwardInput(s, dyb, Weight.Value, dx.AsSpan(0, batch * Input.Size));
        return dx;
    }
}
