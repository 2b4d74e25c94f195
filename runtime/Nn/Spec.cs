namespace GmCodegen;

/// <summary>Where a layer is being built: its dotted name, the shape it receives, and the seeded generator for its init.</summary>
public sealed class BuildContext(string name, Shape input, Random rng, Dictionary<string, Parameter> shared)
{
    public string Name { get; } = name;
    public Shape Input { get; } = input;
    public Random Rng { get; } = rng;
    /// <summary>Parameters shared between layers, by the name they were shared under.</summary>
    internal Dictionary<string, Parameter> Shared { get; } = shared;

    public string Path(string leaf) => Name.Length == 0 ? leaf : $"{Name}.{leaf}";
    public BuildContext At(string name, Shape input) => new(name, input, Rng, Shared);
}

/// <summary>
/// A recipe for a layer, built once its position (name, input shape) is known, so that networks are written
/// as compositions without repeating channel counts or names:
/// <code>Layers.GMConv&lt;G&gt;(120) &gt;&gt; Layers.LayerNorm(affine: false) &gt;&gt; Layers.PReLU()</code>
/// <c>f &gt;&gt; g</c> is F#'s forward composition: apply f, then g.
/// </summary>
public sealed class Spec
{
    readonly Func<BuildContext, Layer> _build;

    public Spec(string kind, Func<BuildContext, Layer> build) => (Kind, _build) = (kind, build);

    /// <summary>The default name stem among siblings (<c>conv</c>, <c>norm</c>, <c>block</c>, …).</summary>
    public string Kind { get; }
    /// <summary>An explicit name, overriding the default.</summary>
    public string? Name { get; private init; }
    /// <summary>For an unnamed sequence: its items, so that <c>a &gt;&gt; b &gt;&gt; c</c> is one flat sequence.</summary>
    internal IReadOnlyList<Spec>? Items { get; init; }

    public Spec Named(string name) => new(Kind, _build) { Name = name, Items = null };

    public Layer Build(BuildContext context) => _build(context);

    public static Spec operator >>(Spec first, Spec then) => Layers.Sequential(first, then);
}
