namespace GmCodegen;

/// <summary>How a layer's bias starts: PyTorch's default U(±1/√fan_in), or zeros as the GM-CNN reference code does.</summary>
public enum BiasInit { Uniform, Zero }

/// <summary>
/// The group-matrix convolution over <typeparamref name="TGroup"/> (docs/design.md#the-gm-convolution):
/// y[b,o,a] = Σ_i Σ_k w[o,(i,)k] · x[b,i, g_a·h_k⁻¹] + bias[o]. The maths lives in the kernel
/// (generated or naive); this layer owns the parameters and the buffers.
/// </summary>
public sealed class GMConv<TGroup> : Layer, IGroupMatrixLayer, IGmConvView where TGroup : IGroupKernel
{
    readonly float[] _dw;      // kernels overwrite their outputs; we add them into Grad (parameters may be shared)
    readonly float[] _dbias;
    float[] _x = [], _y = [], _dx = [];

    public GMConv(string name, int inChannels, int outChannels, ChannelMode mode, Random rng,
        bool bias = true, BiasInit biasInit = BiasInit.Uniform)
        : base(name, new Shape(inChannels, TGroup.Order) { Group = TGroup.GroupName }, new Shape(outChannels, TGroup.Order) { Group = TGroup.GroupName })
    {
        int k = TGroup.KernelSize;
        Mode = mode;
        // Shared: w[o,k] (one kernel per output, applied to the channel sum); Full: w[o,i,k].
        Weight = mode == ChannelMode.Shared
            ? new Parameter(ParameterName("weight"), outChannels, k)
            : new Parameter(ParameterName("weight"), outChannels, inChannels, k);
        int fanIn = mode == ChannelMode.Shared ? k : inChannels * k;   // PyTorch's fan_in of (O,1,K) resp. (O,I,K)
        Init.Uniform(Weight.Value, Init.KaimingBound(fanIn), rng);
        if (bias)
        {
            Bias = new Parameter(ParameterName("bias"), outChannels) { Decay = false };
            if (biasInit == BiasInit.Uniform) Init.Uniform(Bias.Value, Init.KaimingBound(fanIn), rng);
        }
        _dw = new float[Weight.Size];
        _dbias = new float[Bias?.Size ?? 0];
    }

    public ChannelMode Mode { get; }
    public Parameter Weight { get; }
    public Parameter? Bias { get; }
    public override string Kind => $"GMConv<{TypeName(typeof(TGroup))}> {Mode.ToString().ToLowerInvariant()}";
    public override IReadOnlyList<Parameter> Parameters => Bias is null ? [Weight] : [Weight, Bias];

    /// <inheritdoc/>
    public LayerDisplacement Describe(int outChannel = 0, int inChannel = 0) => Displacement.Describe<TGroup>(this, outChannel, inChannel);

    public float[] DenseMatrix(int outChannel, int inChannel)
    {
        GroupMatrices.CheckDense<TGroup>(this, outChannel, inChannel);
        var m = new float[TGroup.Order * TGroup.Order];
        GroupMatrices.AddScaled<TGroup>(m, GroupMatrices.Kernel(Weight.Value, Mode, Input.Channels, TGroup.KernelSize, outChannel, inChannel), []);
        return m;
    }

    int IGmConvView.KernelSize => TGroup.KernelSize;
    int[] IGmConvView.GatherTable() => GatherTables.Of<TGroup>();   // for the ONNX export

    GmShape ShapeOf(int batch) => new(batch, Input.Channels, Output.Channels, Mode);

    // x[b,i,a] → y[b,o,a]
    public override float[] Forward(float[] x, int batch, bool training)
    {
        CheckForward(x, batch);
        _x = x;
        var y = Reuse(ref _y, batch * Output.Size);
        TGroup.Forward(ShapeOf(batch), x.AsSpan(0, batch * Input.Size), Weight.Value,
            Bias is null ? [] : Bias.Value, y.AsSpan(0, batch * Output.Size));
        return y;
    }

    // dy[b,o,a] → dw, dbias (accumulated) and dx[b,i,a]
    public override float[] Backward(float[] dy, int batch)
    {
        CheckBackward(dy, batch);
        var s = ShapeOf(batch);
        var dyb = dy.AsSpan(0, batch * Output.Size);
        TGroup.BackwardWeights(s, _x.AsSpan(0, batch * Input.Size), dyb, _dw, _dbias);
        System.Numerics.Tensors.TensorPrimitives.Add(Weight.Grad, _dw, Weight.Grad);
        if (Bias is not null) System.Numerics.Tensors.TensorPrimitives.Add(Bias.Grad, _dbias, Bias.Grad);
        if (!InputGradRequired) return [];
        var dx = Reuse(ref _dx, batch * Input.Size);
        TGroup.BackwardInput(s, dyb, Weight.Value, dx.AsSpan(0, batch * Input.Size));
        return dx;
    }
}
