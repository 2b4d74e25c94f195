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

    /// <summary>
    /// For groups that act on the n×n pixel torus (<c>Cn x Cn</c>, <c>p4(n)</c>, <c>p4m(n)</c>): the radius of the lift's
    /// square of translations (<see cref="IGroupLift"/>); by default <see cref="Radius"/>.
    /// </summary>
    public int LiftRadius { get; set; } = 1;
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
    /// <summary>
    /// The elaborated group's canonical name (e.g. <c>"D14 x D14"</c>), which layers use to tell groups of the same size
    /// apart; generated kernels give it, hand-written ones may leave it null (their features are then checked by size only).
    /// </summary>
    static virtual string? GroupName => null;
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

/// <summary>
/// Marks a <c>partial</c> class or struct for the generator, which fills it in with an <see cref="IGroupPool"/> that pools
/// features on <paramref name="group"/> down to <paramref name="subgroup"/> over the right cosets of the subgroup
/// (docs/design.md#pooling-over-subgroup-cosets). Both types must be <see cref="GroupMatrixAttribute"/> types.
/// </summary>
/// <example><c>[GroupPool(typeof(Grid28), typeof(Grid14))] public partial struct Pool28to14;</c></example>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
public sealed class GroupPoolAttribute(Type group, Type subgroup) : Attribute
{
    /// <summary>G, the group the features live on before pooling.</summary>
    public Type Group { get; } = group;
    /// <summary>H, the subgroup they live on after it.</summary>
    public Type Subgroup { get; } = subgroup;

    /// <summary>
    /// An explicit embedding H → G, for pairs the factor-by-factor rule does not cover: the images of H's standard
    /// generators as element indices of G, comma-separated, in the order of the generators (Cn: 1; Dn: r = 1 then
    /// f = n; a table group: its generators; a product: each factor's in factor order). E.g. D7 into D14 by
    /// ⟨r², f⟩ is <c>"2, 14"</c>. The generator checks that it extends to an injective homomorphism.
    /// </summary>
    public string? Embedding { get; set; }
}

/// <summary>Sizes of one transpose-pool call: z[b,i,s] on H (InChannels) → y[b,o,a] on G (OutChannels).</summary>
public readonly record struct PoolShape(int Batch, int InChannels, int OutChannels);

/// <summary>
/// Pooling from a finite group G to a subgroup H over the right cosets H·r_j, as emitted by the generator
/// (docs/design.md#pooling-over-subgroup-cosets). With n = |H| and m = |G|/|H| (the index), the coset table is
/// <c>Cosets[s·m + j] = index(emb(s)·r_j)</c>; each element of G appears in it exactly once. Layouts are row-major
/// with the group index fastest: x[b,c,a] (a in G), z[b,c,s] (s in H); "rows" counts b·c.
/// </summary>
/// <remarks>
/// Every kernel checks its arguments and throws <see cref="ArgumentException"/> naming the argument (wrong length,
/// negative rows, an output overlapping an input); outputs are overwritten.
/// </remarks>
public interface IGroupPool
{
    /// <summary>G's canonical name, e.g. <c>"C28 x C28"</c>.</summary>
    static abstract string GroupName { get; }
    /// <summary>H's canonical name, e.g. <c>"C14 x C14"</c>.</summary>
    static abstract string SubgroupName { get; }
    /// <summary>|G|.</summary>
    static abstract int Order { get; }
    /// <summary>|H|.</summary>
    static abstract int SubgroupOrder { get; }
    /// <summary>m = |G| / |H|, the number of cosets.</summary>
    static abstract int Index { get; }
    /// <summary>s ↦ emb(s), an element index of G, for s = 0 … |H|−1.</summary>
    static abstract ReadOnlySpan<int> Embedding { get; }
    /// <summary>r_0 = e, r_1, …, r_{m−1}: the smallest element of each right coset H·r_j, in increasing order.</summary>
    static abstract ReadOnlySpan<int> Transversal { get; }
    /// <summary>[s·m + j] = index(emb(s)·r_j).</summary>
    static abstract ReadOnlySpan<int> Cosets { get; }

    /// <summary>z[r,s] = max_j x[r, emb(s)·r_j]; argmax[r,s] = the position a in G chosen (the first j on ties).</summary>
    static abstract void MaxForward(int rows, ReadOnlySpan<float> x, Span<float> z, Span<int> argmax);
    /// <summary>dx[r,a] = dz[r,s] where a = argmax[r,s], 0 elsewhere.</summary>
    static abstract void MaxBackward(int rows, ReadOnlySpan<float> dz, ReadOnlySpan<int> argmax, Span<float> dx);
    /// <summary>z[r,s] = (1/m)·Σ_j x[r, emb(s)·r_j].</summary>
    static abstract void MeanForward(int rows, ReadOnlySpan<float> x, Span<float> z);
    /// <summary>dx[r, emb(s)·r_j] = dz[r,s] / m.</summary>
    static abstract void MeanBackward(int rows, ReadOnlySpan<float> dz, Span<float> dx);
    /// <summary>y[b,o, emb(s)·r_j] = Σ_i u[i,o,j]·z[b,i,s] + bias[o]; u is [I, O, m]; bias may be empty.</summary>
    static abstract void TransposeForward(in PoolShape s, ReadOnlySpan<float> z, ReadOnlySpan<float> u, ReadOnlySpan<float> bias, Span<float> y);
    /// <summary>dz[b,i,s] = Σ_o Σ_j u[i,o,j]·dy[b,o, emb(s)·r_j]; du[i,o,j] = Σ_b Σ_s dy[b,o, emb(s)·r_j]·z[b,i,s]; dbias[o] = Σ dy. All overwritten; dbias may be empty.</summary>
    static abstract void TransposeBackward(in PoolShape s, ReadOnlySpan<float> z, ReadOnlySpan<float> u, ReadOnlySpan<float> dy,
        Span<float> dz, Span<float> du, Span<float> dbias);
}

/// <summary>
/// Lifting images to a group that acts on the n×n pixel torus (<c>Cn x Cn</c>, <c>p4(n)</c>, <c>p4m(n)</c>), as emitted by
/// the generator for such groups (docs/design.md#lifting). Element index = m·n² + pixel with m one of
/// <see cref="PointOrder"/> point-group elements; elements below n² are the translations, and pixel(g) = g mod n² is
/// where g moves the origin o. With the <see cref="LiftKernelSize"/> translations u_k of the lift's neighbourhood:
/// <c>y[b,o,g] = Σ_i Σ_k w[o,(i,)k]·x[b,i, pixel(g·u_k⁻¹·o)] + bias[o]</c>; x[b,i,p] (p &lt; n²) is an image,
/// y[b,o,g] a feature map on G, w is [O, K] (shared) or [O, I, K] (full).
/// </summary>
/// <remarks>
/// The shape's channels and mode are the lift's; x has Batch·I·n² floats, y Batch·O·|G|. For g = (t, m),
/// pixel(g·u_k⁻¹·o) = t − A(m)·u_k, and A(m)·u_k = m·u_k·m⁻¹ is again one of the u's (the neighbourhood is a square
/// ball, which the point group maps to itself): <see cref="LiftConjugates"/>. So the lift is one convolution on the
/// translations with O·|P| output channels whose weights are w permuted per m (<see cref="LiftEngine{TLift, TTranslations}"/>).
/// Arguments are checked as for <see cref="IGroupKernel"/>: lengths, impossible shapes, outputs overlapping anything.
/// </remarks>
public interface IGroupLift : IGroupKernel
{
    /// <summary>n, the side of the image.</summary>
    static abstract int ImageSide { get; }
    /// <summary>n², the pixels of an image.</summary>
    static abstract int ImageSize { get; }
    /// <summary>|P|: 1 (Cn x Cn), 4 (p4), 8 (p4m); |G| = |P|·n².</summary>
    static abstract int PointOrder { get; }
    /// <summary>The image torus's canonical name, <c>"Cn x Cn"</c>: where a projection's output lives.</summary>
    static abstract string ImageGroupName { get; }
    /// <summary>K of the lift: the (2t+1)² translations (fewer when they wrap around).</summary>
    static abstract int LiftKernelSize { get; }
    /// <summary>u_k as element indices of G (translations, so also pixels), in the lift's neighbourhood order.</summary>
    static abstract ReadOnlySpan<int> LiftTranslations { get; }
    /// <summary>[m·K + k] = k' with u_k' = m·u_k·m⁻¹ (m the element m·n²): for each m a permutation of 0..K−1.</summary>
    static abstract ReadOnlySpan<int> LiftConjugates { get; }

    /// <summary>x[b,i,p] → y[b,o,g]; bias may be empty; y is overwritten.</summary>
    static abstract void LiftForward(in GmShape s, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y);
    /// <summary>dx[b,i,p] = Σ_o Σ_k Σ_(g: pixel(g·u_k⁻¹·o) = p) w[o,(i,)k]·dy[b,o,g]; dx is overwritten.</summary>
    static abstract void LiftBackwardInput(in GmShape s, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx);
    /// <summary>dw[o,(i,)k] = Σ_b Σ_g dy[b,o,g]·x[b,i, pixel(g·u_k⁻¹·o)], dbias[o] = Σ dy; both overwritten; dbias may be empty.</summary>
    static abstract void LiftBackwardWeights(in GmShape s, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw, Span<float> dbias);
}
