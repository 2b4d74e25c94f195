namespace GmCodegen;

/// <summary>
/// The per-sample shape of an activation: <c>Channels</c> feature maps over <c>Positions</c> group elements,
/// laid out [c, a] with a fastest. After global pooling, or for a flat vector, <c>Positions</c> is 1.
/// </summary>
public readonly record struct Shape(int Channels, int Positions)
{
    public int Size => Channels * Positions;
    public override string ToString() => Positions == 1 ? $"[{Channels}]" : $"[{Channels}, {Positions}]";
}

/// <summary>
/// A differentiable layer over a mini-batch. Activations are flat row-major arrays [b, c, a] whose first
/// <c>batch · size</c> entries are meaningful: buffers are sized for the largest batch seen and reused, so a
/// smaller last batch simply uses a prefix of them and nothing is allocated per step.
/// </summary>
/// <remarks>
/// Contract: <see cref="Forward"/> returns the layer's own output buffer (an identity, such as dropout in
/// evaluation, may return <c>x</c> itself), valid until its next Forward; the layer may keep a reference to
/// <c>x</c> for the backward pass (the producer does not overwrite it before then). Callers only read what
/// they are given. <see cref="Backward"/> must follow the Forward of the same batch; it <b>adds</b> to the
/// gradients of the layer's parameters (so a parameter shared by several layers sums their contributions;
/// call <see cref="Network.ZeroGrad"/> between steps) and returns dL/dx the same way.
/// </remarks>
public abstract class Layer(string name, Shape input, Shape output)
{
    /// <summary>Dotted path of this layer in its network, e.g. <c>block0.conv</c>; the prefix of its parameters' names.</summary>
    public string Name { get; } = name;
    public Shape Input { get; } = input;
    public Shape Output { get; } = output;

    /// <summary>A short kind name for tables, e.g. <c>GMConv</c>.</summary>
    public virtual string Kind => GetType().Name.Split('`')[0];

    /// <summary>Parameters this layer (and, for composites, its children) uses; each appears once.</summary>
    public virtual IReadOnlyList<Parameter> Parameters => [];

    /// <summary>Direct sub-layers of a composite layer.</summary>
    public virtual IReadOnlyList<Layer> Children => [];

    /// <summary>
    /// False when nobody needs dL/dx (the network's first layer): <see cref="Backward"/> may then skip that work
    /// and return an empty array. Composites pass it on to the children that see the composite's input.
    /// </summary>
    public virtual bool InputGradRequired { get; set; } = true;

    /// <summary>x: [batch, Input.Size] → y: [batch, Output.Size]. <paramref name="training"/> switches dropout on.</summary>
    public abstract float[] Forward(float[] x, int batch, bool training);

    /// <summary>dy: [batch, Output.Size] → dx: [batch, Input.Size]; parameter gradients are accumulated.</summary>
    public abstract float[] Backward(float[] dy, int batch);

    /// <summary>The full name of one of this layer's parameters.</summary>
    protected string ParameterName(string leaf) => Name.Length == 0 ? leaf : $"{Name}.{leaf}";

    /// <summary>Grows <paramref name="buffer"/> when a batch is larger than any before; otherwise reuses it.</summary>
    protected static float[] Reuse(ref float[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new float[length];
        return buffer;
    }

    protected void CheckBatch(float[] x, int batch, int size, string what)
    {
        if (batch <= 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, $"{Kind} '{Name}': batch must be positive.");
        if (x.Length < (long)batch * size)
            throw new ArgumentException($"{Kind} '{Name}': {what} has {x.Length} values; a batch of {batch} × {size} needs {(long)batch * size}.");
    }
}
