namespace GmCodegen;

/// <summary>
/// A trainable model: a root layer plus the list of its parameters (unique dotted names), with the
/// whole-network operations that optimisers, trainers and model files need.
/// </summary>
public sealed class Network
{
    public Network(Layer root)
    {
        Root = root;
        Parameters = root.Parameters;
        var duplicate = Parameters.GroupBy(p => p.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"Two parameters are both named '{duplicate.Key}'; name the layers apart (Spec.Named).");
        root.InputGradRequired = false;   // nobody needs dL/d(image): skip the first layer's input gradient
    }

    /// <summary>
    /// Builds <paramref name="spec"/> for inputs of <paramref name="input"/>; the seed fixes every init and dropout mask.
    /// The root is unnamed unless the spec was <see cref="Spec.Named"/> (a bare Linear has <c>weight</c>, <c>bias</c>, as in PyTorch).
    /// </summary>
    public static Network Build(Spec spec, Shape input, int seed) =>
        new(spec.Build(new BuildContext(spec.Name ?? "", input, new Random(seed), [])));

    public Layer Root { get; }
    public Shape Input => Root.Input;
    public Shape Output => Root.Output;
    public IReadOnlyList<Parameter> Parameters { get; }
    public int ParameterCount => Parameters.Sum(p => p.Size);

    /// <summary>Whether <see cref="Backward"/> also returns dL/dx (off by default: it costs a kernel call).</summary>
    public bool ComputeInputGradient
    {
        get => Root.InputGradRequired;
        set => Root.InputGradRequired = value;
    }

    /// <summary>x: [batch, Input.Size] → [batch, Output.Size], in the network's reused buffer.</summary>
    public float[] Forward(float[] x, int batch, bool training = false) => Root.Forward(x, batch, training);

    /// <summary>Accumulates parameter gradients of the last Forward; returns dL/dx when <see cref="ComputeInputGradient"/>.</summary>
    public float[] Backward(float[] dOutput, int batch) => Root.Backward(dOutput, batch);

    public void ZeroGrad()
    {
        foreach (var p in Parameters) Array.Clear(p.Grad);
    }

    /// <summary>Every layer, depth first, composites before their children.</summary>
    public IEnumerable<Layer> Layers => Walk(Root);

    static IEnumerable<Layer> Walk(Layer layer) => layer.Children.SelectMany(Walk).Prepend(layer);

    /// <summary>
    /// What training this network at <paramref name="batch"/> samples per step takes, roughly (from above): parameters
    /// with their gradients (and the layers' gradient scratch), <paramref name="optimizerStates"/> optimiser values per
    /// parameter (AdamW: 2, SGD with momentum: 1) and every layer's activation buffers (<see cref="Layer.ActivationFloats"/>).
    /// Forward buffers grow to the largest batch seen, so an <paramref name="evaluationBatch"/> larger than the
    /// training batch counts for them; backward buffers only see training batches.
    /// </summary>
    public MemoryEstimate EstimateMemory(int batch, int optimizerStates = 2, int evaluationBatch = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(optimizerStates);
        ArgumentOutOfRangeException.ThrowIfNegative(evaluationBatch);
        int largest = Math.Max(batch, evaluationBatch);
        long parameters = Parameters.Sum(p => (long)p.Size);
        long activations = Layers.Sum(l => l.ActivationFloats(largest).Forward + l.ActivationFloats(batch).Backward)
            + (long)largest * Output.Size;   // the loss gradient
        return new MemoryEstimate(largest, 4 * 3 * parameters, 4 * optimizerStates * parameters, 4 * activations);
    }

    /// <summary>A parameter by its dotted name.</summary>
    public Parameter this[string name] =>
        Parameters.FirstOrDefault(p => p.Name == name) ?? throw new KeyNotFoundException($"No parameter named '{name}'.");
}

/// <summary>Bytes a network needs for training (<see cref="Network.EstimateMemory"/>); <see cref="Batch"/> is the largest batch its buffers grow to.</summary>
public sealed record MemoryEstimate(int Batch, long ParameterBytes, long OptimizerBytes, long ActivationBytes)
{
    public long TotalBytes => ParameterBytes + OptimizerBytes + ActivationBytes;

    /// <summary>Bytes as KiB, MiB or GiB with three significant digits.</summary>
    public static string Format(long bytes) => bytes switch
    {
        < 1L << 10 => FormattableString.Invariant($"{bytes} B"),
        < 1L << 20 => FormattableString.Invariant($"{bytes / 1024.0:G3} KiB"),
        < 1L << 30 => FormattableString.Invariant($"{bytes / (1024.0 * 1024):G3} MiB"),
        _ => FormattableString.Invariant($"{bytes / (1024.0 * 1024 * 1024):G3} GiB"),
    };

    public override string ToString() =>
        $"{Format(TotalBytes)} at batch {Batch} (parameters and gradients {Format(ParameterBytes)}, optimiser {Format(OptimizerBytes)}, activations {Format(ActivationBytes)})";
}
