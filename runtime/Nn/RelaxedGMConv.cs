using System.Numerics.Tensors;

namespace GmCodegen;

/// <summary>
/// An approximately equivariant GM convolution over <typeparamref name="TGroup"/> (docs/approximate-equivariance.md):
/// per channel pair the matrix M = GM(w) + Σ_{j=1..r} diag(s_j)·GM(c_j) + bias, of displacement rank ≤ r, with
/// <list type="bullet">
/// <item>LDR-r: s_j = a_j learned (shared by the output channels, or per output channel), c_j learned; starts at a_j = 0;</item>
/// <item>classification: r = 1, s_1 = a fixed 0/1 mask of central positions, c_1 learned; starts at c_1 = 0;</item>
/// <item>regression: M = diag(e/‖e‖)·GM(w) (no c), e learned; starts at e = 1/√|G|.</item>
/// </list>
/// Every variant starts exactly equivariant. The r + 1 kernels w, c_1..c_r share one gathered panel: the layer makes
/// one call of the generated kernel with the weights stacked as (r+1)·O output channels, z[b, j·O + o, a], and
/// combines position-wise: y = z_0 + Σ_j s_j ⊙ z_j. Backward runs the same stacked kernel once per pass on
/// dz_0 = dy, dz_j = s_j ⊙ dy. No |G|×|G| matrix is formed outside <see cref="DenseMatrix"/>.
/// </summary>
public sealed class RelaxedGMConv<TGroup> : Layer, IGroupMatrixLayer, IRelaxedGmConvView where TGroup : IGroupKernel
{
    readonly int _r;                  // extra kernels c_1..c_r stacked beside w
    readonly int _wSize;              // floats in w (= in each c_j)
    readonly float[] _wStack;         // [(r+1)·O, (I,) K]: w, then c_1..c_r; refreshed every forward
    readonly float[] _biasStack;      // [(r+1)·O]: bias, then zeros (empty without bias)
    readonly float[] _dwStack, _dbiasStack;
    readonly float[] _mask;           // classification: the fixed s_1; otherwise empty
    readonly float[] _rows;           // [r or 1, O, |G|]: per-output-channel sums over the batch (da, de)
    readonly float[] _en;             // regression: e/‖e‖ of the last forward
    readonly float[] _den;            // regression: dL/d(e/‖e‖)
    float _eNorm;
    float[] _x = [], _z = [], _y = [], _dz = [], _dx = [], _dy = [];
    readonly Action<int> _combine, _spread, _reduce;   // cached bodies over b or o (no closure per call)

    public RelaxedGMConv(string name, int inChannels, int outChannels, ChannelMode mode, Relaxation relaxation, Random rng,
        bool bias = true, BiasInit biasInit = BiasInit.Uniform)
        : base(name, new Shape(inChannels, TGroup.Order) { Group = TGroup.GroupName }, new Shape(outChannels, TGroup.Order) { Group = TGroup.GroupName })
    {
        ArgumentNullException.ThrowIfNull(relaxation);
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        if (mode is not (ChannelMode.Shared or ChannelMode.Full)) throw new ArgumentException($"Unknown channel mode {mode}.", nameof(mode));
        int n = TGroup.Order, k = TGroup.KernelSize;
        Mode = mode;
        Relaxation = relaxation;
        _r = relaxation.ExtraKernels;
        int[] kernelShape = mode == ChannelMode.Shared ? [outChannels, k] : [outChannels, inChannels, k];
        int fanIn = mode == ChannelMode.Shared ? k : inChannels * k;   // as GMConv (PyTorch's fan_in)

        Weight = new Parameter(ParameterName("weight"), kernelShape);
        Init.Uniform(Weight.Value, Init.KaimingBound(fanIn), rng);
        if (bias)
        {
            Bias = new Parameter(ParameterName("bias"), outChannels) { Decay = false };
            if (biasInit == BiasInit.Uniform) Init.Uniform(Bias.Value, Init.KaimingBound(fanIn), rng);
        }
        _wSize = Weight.Size;
        _mask = [];
        switch (relaxation)
        {
            case Relaxation.LowDisplacementRank l:
                // a_j = 0, c_j random: the layer starts as GM(w), yet dL/da_j = Σ z_j ⊙ dy is non-zero at once
                // (with c_j = 0 and a_j = 0 nothing would move); the departure from symmetry is then a_j's to learn.
                C = new Parameter(ParameterName("relax.c"), [l.Rank, .. kernelShape]);
                Init.Uniform(C.Value, Init.KaimingBound(fanIn), rng);
                A = l.PerChannelScales
                    ? new Parameter(ParameterName("relax.a"), l.Rank, outChannels, n)
                    : new Parameter(ParameterName("relax.a"), l.Rank, n);
                break;
            case Relaxation.Classification:
                // The mask is fixed and non-zero, so c must start at 0; dL/dc = GMᵀ-backward of mask ⊙ dy is non-zero.
                C = new Parameter(ParameterName("relax.c"), [1, .. kernelShape]);
                _mask = Relaxation.Classification.CentralMask(n);
                break;
            case Relaxation.Regression:
                E = new Parameter(ParameterName("relax.e"), n) { Decay = false };   // scale-free: decay would only shrink ‖e‖
                Array.Fill(E.Value, (float)(1 / Math.Sqrt(n)));
                break;
            default:
                throw new ArgumentException($"Unknown relaxation {relaxation}.", nameof(relaxation));
        }

        int stacked = (_r + 1) * outChannels;
        _wStack = new float[(_r + 1) * _wSize];
        _dwStack = new float[(_r + 1) * _wSize];
        _biasStack = bias ? new float[stacked] : [];
        _dbiasStack = new float[stacked];
        _rows = new float[Math.Max(_r, 1) * outChannels * n];
        _en = E is null ? [] : new float[n];
        _den = E is null ? [] : new float[n];
        _combine = E is null ? CombineSample : ScaleSample;
        _spread = E is null ? SpreadSample : ScaleGradientSample;
        _reduce = E is null ? ReduceScalesChannel : ReduceRegressionChannel;
    }

    public ChannelMode Mode { get; }
    public Relaxation Relaxation { get; }
    public Parameter Weight { get; }
    /// <summary>c_1..c_r as [r, O, (I,) K] (LDR-r and classification).</summary>
    public Parameter? C { get; }
    /// <summary>a_1..a_r as [r, |G|] or, per output channel, [r, O, |G|] (LDR-r).</summary>
    public Parameter? A { get; }
    /// <summary>e as [|G|], used as e/‖e‖ (regression).</summary>
    public Parameter? E { get; }
    public Parameter? Bias { get; }
    /// <summary>The fixed position mask of the classification relaxation (empty otherwise).</summary>
    public ReadOnlySpan<float> Mask => _mask;

    public override string Kind => $"RelaxedGMConv<{typeof(TGroup).Name}> {Mode.ToString().ToLowerInvariant()} {Relaxation}";

    /// <summary>weight, relax.c, relax.a (or relax.e), bias: the order they are saved in.</summary>
    public override IReadOnlyList<Parameter> Parameters => _parameters ??= [.. new[] { Weight, C, A, E, Bias }.OfType<Parameter>()];
    Parameter[]? _parameters;

    // ---- for the ONNX export (runtime/Onnx) ----
    int IGmConvView.KernelSize => TGroup.KernelSize;
    int[] IGmConvView.GatherTable() => GatherTables.Of<TGroup>();

    (float[] Values, int Channels) IRelaxedGmConvView.Scales()
    {
        if (E is not null)
        {
            // e/‖e‖ as Forward computes it: the norm in double, rounded to float, then a float division.
            var en = new float[Order];
            TensorPrimitives.Divide(E.Value, (float)Norm(E.Value), en);
            return (en, 1);
        }
        int channels = PerChannel ? O : 1;
        var s = new float[_r * channels * Order];
        for (int j = 1; j <= _r; j++)
            for (int o = 0; o < channels; o++)
                Scale(j, o).CopyTo(s.AsSpan(((j - 1) * channels + o) * Order, Order));
        return (s, channels);
    }

    int Order => TGroup.Order;
    int O => Output.Channels;
    bool PerChannel => A is not null && A.Shape.Count == 3;

    /// <summary>s_j for output channel o (j = 1..r), |G| values.</summary>
    ReadOnlySpan<float> Scale(int j, int o) => A is null ? _mask
        : PerChannel ? A.Value.AsSpan(((j - 1) * O + o) * Order, Order) : A.Value.AsSpan((j - 1) * Order, Order);

    /// <summary>z[b, j·O + o, :] (or the y-shaped z of regression with j = 0).</summary>
    Span<float> Z(float[] z, int b, int j, int o) => z.AsSpan(((b * (_r + 1) + j) * O + o) * Order, Order);

    // ---- forward: x[b,i,a] → z[b, j·O+o, a] (one stacked kernel call) → y[b,o,a] ----

    int _batch;

    public override float[] Forward(float[] x, int batch, bool training)
    {
        CheckForward(x, batch);
        _x = x;
        _batch = batch;
        var z = Reuse(ref _z, checked(batch * (_r + 1) * Output.Size));   // the stacked scratch must fit one array
        var y = Reuse(ref _y, batch * Output.Size);
        var xb = x.AsSpan(0, batch * Input.Size);
        if (E is null)
        {
            Weight.Value.CopyTo(_wStack, 0);
            C!.Value.CopyTo(_wStack, _wSize);
            Bias?.Value.CopyTo(_biasStack, 0);
            TGroup.Forward(new GmShape(batch, Input.Channels, (_r + 1) * O, Mode), xb, _wStack, _biasStack,
                z.AsSpan(0, batch * (_r + 1) * Output.Size));
        }
        else
        {
            double norm = Norm(E.Value);
            if (!(norm > 0) || double.IsInfinity(norm))
                throw new InvalidOperationException($"{Kind} '{Name}': ‖e‖ = {norm}; the regression scales cannot be normalised.");
            _eNorm = (float)norm;
            TensorPrimitives.Divide(E.Value, _eNorm, _en);
            TGroup.Forward(new GmShape(batch, Input.Channels, O, Mode), xb, Weight.Value, [], z.AsSpan(0, batch * Output.Size));
        }
        ForEach(batch, (long)(_r + 1) * Output.Size, _combine);
        return y;
    }

    // y[b,o] = z[b,0,o] + Σ_j s_j,o ⊙ z[b,j,o]
    void CombineSample(int b)
    {
        for (int o = 0; o < O; o++)
        {
            var yo = _y.AsSpan((b * O + o) * Order, Order);
            Z(_z, b, 0, o).CopyTo(yo);
            for (int j = 1; j <= _r; j++) TensorPrimitives.FusedMultiplyAdd(Z(_z, b, j, o), Scale(j, o), yo, yo);
        }
    }

    // y[b,o] = (e/‖e‖) ⊙ z[b,o] + bias[o]
    void ScaleSample(int b)
    {
        for (int o = 0; o < O; o++)
            TensorPrimitives.FusedMultiplyAdd(Z(_z, b, 0, o), _en, Bias?.Value[o] ?? 0f, _y.AsSpan((b * O + o) * Order, Order));
    }

    // ---- backward: dy[b,o,a] → dz[b, j·O+o, a] → dw, dc (one stacked call), da / de, dbias, dx ----

    public override float[] Backward(float[] dy, int batch)
    {
        CheckBackward(dy, batch);
        if (batch != _batch) throw new InvalidOperationException($"{Kind} '{Name}': Backward of batch {batch} after a Forward of {_batch}.");
        _dy = dy;
        int stackedSize = (_r + 1) * Output.Size;
        var dz = Reuse(ref _dz, batch * stackedSize);
        var xb = _x.AsSpan(0, batch * Input.Size);

        // Position-scale gradients need z and dy only; per output channel over the batch in order (reproducible).
        if (A is not null || E is not null) ForEach(O, (long)batch * Math.Max(_r, 1) * Order, _reduce);
        if (A is not null)
        {
            if (PerChannel) TensorPrimitives.Add(A.Grad, _rows.AsSpan(0, A.Size), A.Grad);
            else
                for (int j = 0; j < _r; j++)
                    for (int o = 0; o < O; o++)
                    {
                        var g = A.Grad.AsSpan(j * Order, Order);
                        TensorPrimitives.Add(g, _rows.AsSpan((j * O + o) * Order, Order), g);
                    }
        }
        if (E is not null)
        {
            // e_n = e/‖e‖: de = (de_n − e_n·⟨e_n, de_n⟩)/‖e‖, de_n = Σ_b,o z ⊙ dy
            _den.AsSpan().Clear();
            for (int o = 0; o < O; o++) TensorPrimitives.Add(_den, _rows.AsSpan(o * Order, Order), _den);
            float along = TensorPrimitives.Dot(_en, _den);
            for (int a = 0; a < Order; a++) E.Grad[a] += (_den[a] - _en[a] * along) / _eNorm;
        }

        ForEach(batch, (long)stackedSize, _spread);

        if (E is null)
        {
            var s = new GmShape(batch, Input.Channels, (_r + 1) * O, Mode);
            TGroup.BackwardWeights(s, xb, dz.AsSpan(0, batch * stackedSize), _dwStack, _dbiasStack);
            TensorPrimitives.Add(Weight.Grad, _dwStack.AsSpan(0, _wSize), Weight.Grad);
            TensorPrimitives.Add(C!.Grad, _dwStack.AsSpan(_wSize), C.Grad);
            if (Bias is not null) TensorPrimitives.Add(Bias.Grad, _dbiasStack.AsSpan(0, O), Bias.Grad);
            if (!InputGradRequired) return [];
            var dx = Reuse(ref _dx, batch * Input.Size);
            TGroup.BackwardInput(s, dz.AsSpan(0, batch * stackedSize), _wStack, dx.AsSpan(0, batch * Input.Size));
            return dx;
        }
        else
        {
            var s = new GmShape(batch, Input.Channels, O, Mode);
            TGroup.BackwardWeights(s, xb, dz.AsSpan(0, batch * Output.Size), _dwStack, []);
            TensorPrimitives.Add(Weight.Grad, _dwStack, Weight.Grad);
            if (Bias is not null) TensorPrimitives.Add(Bias.Grad, _dbiasStack.AsSpan(0, O), Bias.Grad);   // Σ dy, from _reduce
            if (!InputGradRequired) return [];
            var dx = Reuse(ref _dx, batch * Input.Size);
            TGroup.BackwardInput(s, dz.AsSpan(0, batch * Output.Size), Weight.Value, dx.AsSpan(0, batch * Input.Size));
            return dx;
        }
    }

    // rows[j,o] = Σ_b z[b,j,o] ⊙ dy[b,o]  (j = 1..r)
    void ReduceScalesChannel(int o)
    {
        for (int j = 1; j <= _r; j++)
        {
            var row = _rows.AsSpan(((j - 1) * O + o) * Order, Order);
            row.Clear();
            for (int b = 0; b < _batch; b++)
                TensorPrimitives.FusedMultiplyAdd(Z(_z, b, j, o), _dy.AsSpan((b * O + o) * Order, Order), row, row);
        }
    }

    // rows[o] = Σ_b z[b,o] ⊙ dy[b,o];  dbias[o] = Σ_b Σ_a dy[b,o,a]
    void ReduceRegressionChannel(int o)
    {
        var row = _rows.AsSpan(o * Order, Order);
        row.Clear();
        float sum = 0;
        for (int b = 0; b < _batch; b++)
        {
            var dyo = _dy.AsSpan((b * O + o) * Order, Order);
            TensorPrimitives.FusedMultiplyAdd(Z(_z, b, 0, o), dyo, row, row);
            sum += TensorPrimitives.Sum(dyo);
        }
        _dbiasStack[o] = sum;
    }

    // dz[b,0,o] = dy[b,o];  dz[b,j,o] = s_j,o ⊙ dy[b,o]
    void SpreadSample(int b)
    {
        for (int o = 0; o < O; o++)
        {
            var dyo = _dy.AsSpan((b * O + o) * Order, Order);
            dyo.CopyTo(Z(_dz, b, 0, o));
            for (int j = 1; j <= _r; j++) TensorPrimitives.Multiply(dyo, Scale(j, o), Z(_dz, b, j, o));
        }
    }

    // dz[b,o] = (e/‖e‖) ⊙ dy[b,o]
    void ScaleGradientSample(int b)
    {
        for (int o = 0; o < O; o++) TensorPrimitives.Multiply(_dy.AsSpan((b * O + o) * Order, Order), _en, Z(_dz, b, 0, o));
    }

    /// <summary>
    /// body(0..count−1), forked over <see cref="BatchParallel"/> only when that pays. (BatchParallel.For allocates its
    /// closure even when it runs serially; the serial path here allocates nothing.)
    /// </summary>
    static void ForEach(int count, long workPerItem, Action<int> body)
    {
        if (KernelParallelism.MaxDegree <= 1 || count <= 1 || count * workPerItem < BatchParallel.ForkThreshold)
            for (int j = 0; j < count; j++) body(j);
        else BatchParallel.For(count, workPerItem, body);
    }

    static double Norm(float[] v)
    {
        double s = 0;
        foreach (float e in v) s += (double)e * e;
        return Math.Sqrt(s);
    }

    /// <inheritdoc/>
    public LayerDisplacement Describe(int outChannel = 0, int inChannel = 0) => Displacement.Describe<TGroup>(this, outChannel, inChannel);

    public float[] DenseMatrix(int outChannel, int inChannel)
    {
        GroupMatrices.CheckDense<TGroup>(this, outChannel, inChannel);
        int n = Order, k = TGroup.KernelSize, ci = Input.Channels;
        var m = new float[n * n];
        if (E is not null)
        {
            var en = new float[n];
            TensorPrimitives.Divide(E.Value, (float)Norm(E.Value), en);
            GroupMatrices.AddScaled<TGroup>(m, GroupMatrices.Kernel(Weight.Value, Mode, ci, k, outChannel, inChannel), en);
            return m;
        }
        GroupMatrices.AddScaled<TGroup>(m, GroupMatrices.Kernel(Weight.Value, Mode, ci, k, outChannel, inChannel), []);
        for (int j = 1; j <= _r; j++)
            GroupMatrices.AddScaled<TGroup>(m,
                GroupMatrices.Kernel(C!.Value.AsSpan((j - 1) * _wSize, _wSize), Mode, ci, k, outChannel, inChannel), Scale(j, outChannel));
        return m;
    }
}
