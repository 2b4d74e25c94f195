namespace GmCodegen;

/// <summary>
/// Marks a <c>partial</c> class or struct for the GmCodegen source generator, which fills it in with an
/// <see cref="IGroupKernel"/> implementation specialised to the finite group named by <paramref name="expression"/>.
/// </summary>
/// <example><c>[GroupMatrix("D14 x D14", Radius = 3)] public partial struct RotGroup;</c></example>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
public sealed class GroupMatrixAttribute(string expression) : Attribute
{
    /// <summary>Asks for the whole group as the kernel's support (a dense group matrix).</summary>
    public const int WholeGroup = -1;

    /// <summary>The group expression, e.g. <c>"D14 x D14"</c>, <c>"S4"</c>, <c>"Perm((0 1 2), (0 1))"</c>.</summary>
    public string Expression { get; } = expression;

    /// <summary>Neighbourhood radius t (docs/design.md#neighbourhoods); <see cref="WholeGroup"/> for the whole group.</summary>
    public int Radius { get; set; } = 1;
}

/// <summary>Weights <c>w[o,k]</c> shared over input channels (the paper's layer) or <c>w[o,i,k]</c> (a G-CNN group convolution).</summary>
public enum ChannelMode { Shared, Full }

/// <summary>Sizes of one GM convolution call. Layouts: <c>x[b,i,a]</c>, <c>y[b,o,a]</c>, <c>a</c> fastest.</summary>
public readonly record struct GmShape(int Batch, int InChannels, int OutChannels, ChannelMode Mode);

/// <summary>
/// A group-matrix convolution over one finite group, as emitted by the generator.
/// y[b,o,a] = Σ_i Σ_k w[o,(i,)k] · x[b,i,idx(a,k)] + bias[o], with idx(a,k) = index(g_a · h_k⁻¹).
/// </summary>
/// <remarks>
/// Every pass validates its arguments before touching memory and throws <see cref="ArgumentException"/> naming the
/// argument (<see cref="KernelChecks"/>): a shape with Batch &lt; 0 or channels ≤ 0, or whose buffers would exceed
/// <see cref="Array.MaxLength"/> floats; a span whose length is not the one the shape implies; and an output that
/// overlaps another span of the call. Outputs are written while inputs are still being read, so <b>outputs may not
/// overlap anything</b>: in Forward, y must not overlap x, w or bias; in BackwardInput, dx must not overlap dy or w;
/// in BackwardWeights, dw and dbias must not overlap x, dy or each other. Inputs may overlap each other (they are only read).
/// </remarks>
public interface IGroupKernel
{
    static abstract int Order { get; }
    static abstract int KernelSize { get; }
    /// <summary>h_k as element indices, in neighbourhood order.</summary>
    static abstract ReadOnlySpan<int> KernelElements { get; }
    static abstract int Multiply(int a, int b);
    static abstract int Inverse(int a);
    /// <summary>x[b,i,a] → y[b,o,a]; bias may be empty; y is overwritten.</summary>
    static abstract void Forward(in GmShape s, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y);
    /// <summary>dx is overwritten.</summary>
    static abstract void BackwardInput(in GmShape s, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx);
    /// <summary>dw and dbias are overwritten; dbias may be empty.</summary>
    static abstract void BackwardWeights(in GmShape s, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw, Span<float> dbias);
}
