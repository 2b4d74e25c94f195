namespace GmCodegen;

/// <summary>
/// The layer vocabulary as <see cref="Spec"/>s. Names follow the position: in a sequence, an unnamed child is
/// called by its kind (<c>conv</c>), with an ordinal when the kind repeats (<c>block0</c>, <c>block1</c>), so
/// the paper's network has parameters such as <c>block0.conv.weight</c> and <c>head.bias</c>.
/// </summary>
public static partial class Layers
{
    /// <summary>GM convolution to <paramref name="outChannels"/> channels; the input must live on <typeparamref name="TGroup"/>.</summary>
    public static Spec GMConv<TGroup>(int outChannels, ChannelMode mode = ChannelMode.Shared, bool bias = true,
        BiasInit biasInit = BiasInit.Uniform) where TGroup : IGroupKernel =>
        new("conv", c =>
        {
            CheckOnGroup("GMConv", c, typeof(TGroup).Name, TGroup.GroupName, TGroup.Order);
            return new GMConv<TGroup>(c.Name, c.Input.Channels, outChannels, mode, c.Rng, bias, biasInit);
        });

    /// <summary>
    /// An approximately equivariant GM convolution (<see cref="RelaxedGMConv{TGroup}"/>), named <c>conv</c> as the exact one,
    /// so its parameters are <c>conv.weight</c>, <c>conv.relax.c</c>, <c>conv.relax.a</c> (or <c>conv.relax.e</c>), <c>conv.bias</c>.
    /// </summary>
    public static Spec RelaxedGMConv<TGroup>(int outChannels, Relaxation relaxation, ChannelMode mode = ChannelMode.Shared,
        bool bias = true, BiasInit biasInit = BiasInit.Uniform) where TGroup : IGroupKernel
    {
        ArgumentNullException.ThrowIfNull(relaxation);
        return new("conv", c =>
        {
            CheckOnGroup("RelaxedGMConv", c, typeof(TGroup).Name, TGroup.GroupName, TGroup.Order);
            return new RelaxedGMConv<TGroup>(c.Name, c.Input.Channels, outChannels, mode, relaxation, c.Rng, bias, biasInit);
        });
    }

    /// <summary>
    /// Refuses features that do not live on the layer's group: another number of positions, or a known group other than
    /// the layer's (D14 x D14 and C28 x C28 both have 784 elements), naming both groups.
    /// </summary>
    static void CheckOnGroup(string kind, BuildContext c, string typeName, string? group, int order)
    {
        string mine = group is null ? $"{typeName} ({order} elements)" : $"{group} ({typeName}, {order} elements)";
        if (c.Input.Positions != order)
            throw new ArgumentException($"{kind} '{c.Name}' runs on {mine} but receives {c.Input}{c.Input.OnGroup}.");
        if (group is not null && c.Input.Group is { } theirs && theirs != group)
            throw new ArgumentException($"{kind} '{c.Name}' runs on {mine} but its input lives on {theirs}.");
    }

    /// <summary>
    /// Lifting images to <typeparamref name="TGroup"/> (<see cref="GMLift{TGroup}"/>), <paramref name="outChannels"/> maps on G;
    /// the input must be images on its pixel torus (n² positions, and <c>Cn x Cn</c> when the input's group is known).
    /// </summary>
    public static Spec GMLift<TGroup>(int outChannels, ChannelMode mode = ChannelMode.Full, bool bias = true) where TGroup : IGroupLift
    {
        if (outChannels < 1) throw new ArgumentOutOfRangeException(nameof(outChannels), outChannels, "A lift needs at least one output channel.");
        if (mode is not (ChannelMode.Shared or ChannelMode.Full)) throw new ArgumentException($"Unknown channel mode {mode}.", nameof(mode));
        return new("lift", c =>
        {
            CheckOnGroup($"GMLift<{typeof(TGroup).Name}>", c, typeof(TGroup).Name, TGroup.ImageGroupName, TGroup.ImageSize);
            return new GMLift<TGroup>(c.Name, c.Input.Channels, outChannels, mode, c.Rng, bias);
        });
    }

    /// <summary>
    /// Projection of features on <typeparamref name="TGroup"/> back to images on its pixel torus (<see cref="GMProject{TGroup}"/>):
    /// the max (or mean) over the point group at each pixel.
    /// </summary>
    public static Spec GMProject<TGroup>(PoolKind kind = PoolKind.Max) where TGroup : IGroupLift
    {
        if (kind is not (PoolKind.Max or PoolKind.Mean)) throw new ArgumentException($"Unknown pool kind {kind}.", nameof(kind));
        return new("project", c =>
        {
            CheckOnGroup($"GMProject<{typeof(TGroup).Name}>", c, typeof(TGroup).Name, TGroup.GroupName, TGroup.Order);
            return new GMProject<TGroup>(c.Name, c.Input.Channels, kind);
        });
    }

    /// <summary>
    /// Pooling over the cosets of <typeparamref name="TPool"/>'s subgroup: features on its group G → on its subgroup H,
    /// by the max (or mean) over each coset.
    /// </summary>
    public static Spec GMPool<TPool>(PoolKind kind = PoolKind.Max) where TPool : IGroupPool =>
        new("pool", c =>
        {
            CheckOnGroup($"GMPool<{typeof(TPool).Name}>", c, typeof(TPool).Name, TPool.GroupName, TPool.Order);
            return new GMPool<TPool>(c.Name, c.Input.Channels, kind);
        });

    /// <summary>The learned transpose of <see cref="GMPool{TPool}"/>: features on H → <paramref name="outChannels"/> channels on G.</summary>
    public static Spec GMTransposePool<TPool>(int outChannels, bool bias = true) where TPool : IGroupPool =>
        new("unpool", c =>
        {
            CheckOnGroup($"GMTransposePool<{typeof(TPool).Name}>", c, typeof(TPool).Name, TPool.SubgroupName, TPool.SubgroupOrder);
            return new GMTransposePool<TPool>(c.Name, c.Input.Channels, outChannels, c.Rng, bias);
        });

    public static Spec ChannelMix(int outChannels, bool bias = true) =>
        new("mix", c => new ChannelMix(c.Name, c.Input.Channels, outChannels, c.Input.Positions, c.Rng, bias));

    public static Spec LayerNorm(bool affine = true, float eps = 1e-5f) =>
        new("norm", c => new LayerNorm(c.Name, c.Input, affine, eps));

    /// <summary>
    /// PReLU with its own slope, or, with <paramref name="sharedAs"/>, one slope named <c>{sharedAs}.weight</c>
    /// shared by every PReLU built with that name (the reference network's single <c>nn.PReLU()</c>).
    /// </summary>
    public static Spec PReLU(string? sharedAs = null) =>
        new("act", c =>
        {
            if (sharedAs is null) return new PReLU(c.Name, c.Input);
            if (!c.Shared.TryGetValue(sharedAs, out var slope))
            {
                slope = new Parameter($"{sharedAs}.weight", 1) { Decay = false };
                slope.Value[0] = 0.25f;
                c.Shared[sharedAs] = slope;
            }
            return new PReLU(c.Name, c.Input, slope);
        });

    public static Spec ReLU() => new("act", c => new ReLU(c.Name, c.Input));

    /// <summary>Flattens the sample and maps it to <paramref name="outFeatures"/>.</summary>
    public static Spec Linear(int outFeatures, bool bias = true) =>
        new("linear", c => new Linear(c.Name, c.Input, outFeatures, c.Rng, bias));

    /// <summary>Dropout with probability p; its generator is seeded from the network's seed.</summary>
    public static Spec Dropout(double p) => new("dropout", c => new Dropout(c.Name, c.Input, p, c.Rng.Next()));

    public static Spec GlobalMaxPool() => new("pool", c => new GlobalPool(c.Name, c.Input, PoolKind.Max));
    public static Spec GlobalMeanPool() => new("pool", c => new GlobalPool(c.Name, c.Input, PoolKind.Mean));

    /// <summary>
    /// body(x) + x, or body(x) + mix(x) with a 1×1 <see cref="GmCodegen.ChannelMix"/> named <c>shortcut</c> when the
    /// body changes the channel count. The body's layers are named directly under the block (<c>block0.conv</c>).
    /// </summary>
    public static Spec Residual(Spec body) =>
        new("block", c =>
        {
            var inner = body.Build(c);
            Layer? shortcut = null;
            if (inner.Output != c.Input)
            {
                if (inner.Output.Positions != c.Input.Positions)
                    throw new ArgumentException($"Residual '{c.Name}': the body maps {c.Input} → {inner.Output}; a 1×1 shortcut cannot change the group.");
                shortcut = new ChannelMix(c.Path("shortcut"), c.Input.Channels, inner.Output.Channels, c.Input.Positions, c.Rng);
            }
            return new Residual(c.Name, inner, shortcut);
        });

    /// <summary>One flat sequence (unnamed nested sequences are spliced in).</summary>
    public static Spec Sequential(params Spec[] items)
    {
        Spec[] flat = [.. items.SelectMany(s => s.Items ?? [s])];
        return new Spec("seq", c =>
        {
            var names = ChildNames(flat);
            var layers = new List<Layer>(flat.Length);
            var shape = c.Input;
            for (int j = 0; j < flat.Length; j++)
            {
                var layer = flat[j].Build(c.At(c.Path(names[j]), shape));
                layers.Add(layer);
                shape = layer.Output;
            }
            return new Sequential(c.Name, layers);
        }) { Items = flat };
    }

    /// <summary>Explicit names as given; otherwise the kind, with an ordinal among siblings of the same kind when it repeats.</summary>
    static string[] ChildNames(Spec[] items)
    {
        var total = items.Where(s => s.Name is null).GroupBy(s => s.Kind).ToDictionary(g => g.Key, g => g.Count());
        var seen = new Dictionary<string, int>();
        return [.. items.Select(s =>
        {
            if (s.Name is not null) return s.Name;
            int ordinal = seen.GetValueOrDefault(s.Kind);
            seen[s.Kind] = ordinal + 1;
            return total[s.Kind] > 1 ? $"{s.Kind}{ordinal}" : s.Kind;
        })];
    }
}
