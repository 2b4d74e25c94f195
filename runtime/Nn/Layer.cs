namespace GmCodegen;

/// <summary>
/// The per-sample shape of an activation: <c>Channels</c> feature maps over <c>Positions</c> group elements,
/// laid out [c, a] with a fastest. After global pooling, or for a flat vector, <c>Positions</c> is 1.
/// </summary>
/// <remarks>
/// <see cref="Group"/> names the group the positions are elements of, when a layer knows it (GM layers and coset
/// pools set it; layers that keep the positions pass it on). It is a label for refusing miswired networks — two
/// groups of the same size, such as <c>D14 x D14</c> and <c>C28 x C28</c>, are different — and deliberately not part
/// of equality, which compares sizes: a shape from a layer that does not know its group equals one that does.
/// </remarks>
public readonly record struct Shape(int Channels, int Positions)
{
    /// <summary>The canonical name of the group the positions live on (e.g. <c>"C14 x C14"</c>), or null when unknown.</summary>
    public string? Group { get; init; }

    /// <summary>Values per sample; a shape too large for an int throws (layers refuse such shapes when built).</summary>
    public int Size => checked(Channels * Positions);

    public bool Equals(Shape other) => Channels == other.Channels && Positions == other.Positions;
    public override int GetHashCode() => HashCode.Combine(Channels, Positions);

    /// <summary>" on G" when the group is known, "" otherwise: for messages.</summary>
    public string OnGroup => Group is null ? "" : $" on {Group}";
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
/// call <see cref="Network.ZeroGrad"/> between steps) and returns dL/dx the same way. Layers enforce this:
/// <see cref="CheckForward"/> and <see cref="CheckBackward"/> refuse a Backward before any Forward or with another
/// batch size than the last Forward's, naming the layer.
/// </remarks>
public abstract class Layer
{
    int _forwardBatch;   // the last Forward's batch; 0 before any

    protected Layer(string name, Shape input, Shape output)
    {
        ArgumentNullException.ThrowIfNull(name);
        CheckShape(name, input, "input");
        CheckShape(name, output, "output");
        (Name, Input, Output) = (name, input, output);
    }

    void CheckShape(string name, Shape shape, string what)
    {
        // Kind may depend on fields a subclass sets later, so the message uses the type's name.
        string kind = GetType().Name.Split('`')[0];
        if (shape.Channels <= 0 || shape.Positions <= 0)
            throw new ArgumentOutOfRangeException(what, $"{kind} '{name}': the {what} shape {shape} needs positive channels and positions.");
        if ((long)shape.Channels * shape.Positions > Array.MaxLength)
            throw new ArgumentOutOfRangeException(what, $"{kind} '{name}': the {what} shape {shape} has {(long)shape.Channels * shape.Positions:N0} values per sample, more than an array can hold.");
    }

    /// <summary>Dotted path of this layer in its network, e.g. <c>block0.conv</c>; the prefix of its parameters' names.</summary>
    public string Name { get; }
    public Shape Input { get; }
    public Shape Output { get; }

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

    /// <summary>
    /// Floats of the activation buffers this layer itself keeps for a batch of <paramref name="batch"/> (not its
    /// children's, not its parameters), split into those Forward fills (by default the output) and those Backward fills
    /// (by default the input gradient): each grows to the largest batch its pass has seen. For memory estimates
    /// (<see cref="Network.EstimateMemory"/>); layers with more buffers say so.
    /// </summary>
    public virtual (long Forward, long Backward) ActivationFloats(int batch) => ((long)batch * Output.Size, (long)batch * Input.Size);

    /// <summary>A type's name as written in C#, generic arguments included (<c>FilterBank&lt;P4m28, C28xC28&gt;</c>): for <see cref="Kind"/>.</summary>
    protected static string TypeName(Type t) => !t.IsGenericType ? t.Name
        : $"{t.Name.Split('`')[0]}<{string.Join(", ", t.GetGenericArguments().Select(TypeName))}>";

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
        ArgumentNullException.ThrowIfNull(x, what);
        if (batch <= 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, $"{Kind} '{Name}': batch must be positive.");
        long largest = (long)batch * Math.Max(Input.Size, Output.Size);
        if (largest > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(batch), batch, $"{Kind} '{Name}': a batch of {batch} needs buffers of {largest:N0} values, more than an array can hold.");
        if (x.Length < (long)batch * size)
            throw new ArgumentException($"{Kind} '{Name}': {what} has {x.Length} values; a batch of {batch} × {size} needs {(long)batch * size}.", what);
    }

    /// <summary>The checks at the start of <see cref="Forward"/>: x holds a batch of inputs; remembers the batch for Backward.</summary>
    protected void CheckForward(float[] x, int batch)
    {
        CheckBatch(x, batch, Input.Size, "x");
        _forwardBatch = batch;
    }

    /// <summary>The checks at the start of <see cref="Backward"/>: it follows a Forward of the same batch, and dy holds it.</summary>
    protected void CheckBackward(float[] dy, int batch)
    {
        if (_forwardBatch == 0)
            throw new InvalidOperationException($"{Kind} '{Name}': Backward was called before any Forward; run Forward on the batch first.");
        if (batch != _forwardBatch)
            throw new ArgumentException($"{Kind} '{Name}': Backward of a batch of {batch} follows a Forward of {_forwardBatch}; it must be the same batch.", nameof(batch));
        CheckBatch(dy, batch, Output.Size, "dy");
    }
}
