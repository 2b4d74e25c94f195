namespace GmCodegen;

/// <summary>Ready-made networks from the paper (docs/design.md#the-papers-networks).</summary>
public static class Architectures
{
    /// <summary>
    /// The GM-CNN classifier of the reference code: <paramref name="blocks"/> residual blocks
    /// [GMConv → LayerNorm over (C, |G|) without affine → PReLU] (+ a 1×1 channel mix on the shortcut when the
    /// channel count changes), global max pooling over G, dropout, and a linear head named <c>head</c>.
    /// As in the reference, one PReLU slope (<c>act.weight</c>) is shared by all blocks unless
    /// <paramref name="sharedActivation"/> is false. With D14 x D14, radius 3, 120 channels, 2 blocks and 10
    /// classes this is the paper's rotated-MNIST network: 48,731 parameters. With a <paramref name="relaxation"/>, every
    /// block's GMConv is a <see cref="RelaxedGMConv{TGroup}"/> of that kind (same names, plus <c>relax.*</c> parameters).
    /// </summary>
    public static Spec GmCnn<TGroup>(int classes, int channels = 120, int blocks = 2, ChannelMode mode = ChannelMode.Shared,
        double dropout = 0.3, bool sharedActivation = true, BiasInit biasInit = BiasInit.Uniform, Relaxation? relaxation = null)
        where TGroup : IGroupKernel
    {
        if (blocks < 1) throw new ArgumentOutOfRangeException(nameof(blocks), blocks, "A GM-CNN needs at least one block.");
        Spec Block() => Layers.Residual(
            (relaxation is null ? Layers.GMConv<TGroup>(channels, mode, bias: true, biasInit)
                                : Layers.RelaxedGMConv<TGroup>(channels, relaxation, mode, bias: true, biasInit))
            >> Layers.LayerNorm(affine: false)
            >> Layers.PReLU(sharedActivation ? "act" : null));
        var body = Block();
        for (int b = 1; b < blocks; b++) body >>= Block();
        return body >> Layers.GlobalMaxPool() >> Layers.Dropout(dropout) >> Layers.Linear(classes).Named("head");
    }

    /// <summary>
    /// A pooled GM-CNN with one pool: residual GM blocks on <typeparamref name="TGroup"/>, coset max pooling to
    /// <typeparamref name="TSub"/>, blocks there, global max pooling, dropout and a head; otherwise as the two-pool
    /// <see cref="PooledGmCnn{TGroup, TPool1, TMid, TPool2, TInner}"/>. <paramref name="channels"/> has two widths.
    /// </summary>
    public static Spec PooledGmCnn<TGroup, TPool, TSub>(int classes, int[] channels, int blocksPerStage = 1,
        ChannelMode mode = ChannelMode.Full, double dropout = 0.3, bool sharedActivation = true)
        where TGroup : IGroupKernel where TPool : IGroupPool where TSub : IGroupKernel
    {
        ArgumentNullException.ThrowIfNull(channels);
        if (channels.Length != 2) throw new ArgumentException($"A one-pool GM-CNN has two stages; {channels.Length} widths were given.", nameof(channels));
        CheckStages(channels, blocksPerStage);
        return Stage<TGroup>(channels[0], blocksPerStage, mode, sharedActivation) >> Layers.GMPool<TPool>()
            >> Stage<TSub>(channels[1], blocksPerStage, mode, sharedActivation)
            >> Layers.GlobalMaxPool() >> Layers.Dropout(dropout) >> Layers.Linear(classes).Named("head");
    }

    static void CheckStages(int[] channels, int blocksPerStage)
    {
        if (channels.Any(c => c < 1)) throw new ArgumentException("Every stage needs at least one channel.", nameof(channels));
        if (blocksPerStage < 1) throw new ArgumentOutOfRangeException(nameof(blocksPerStage), blocksPerStage, "Each stage needs at least one block.");
    }

    /// <summary>blocksPerStage residual blocks [GMConv → LayerNorm without affine → PReLU] on T.</summary>
    static Spec Stage<T>(int width, int blocksPerStage, ChannelMode mode, bool sharedActivation) where T : IGroupKernel
    {
        Spec Block() => Layers.Residual(
            Layers.GMConv<T>(width, mode, bias: true, BiasInit.Uniform)
            >> Layers.LayerNorm(affine: false)
            >> Layers.PReLU(sharedActivation ? "act" : null));
        var stage = Block();
        for (int b = 1; b < blocksPerStage; b++) stage >>= Block();
        return stage;
    }

    /// <summary>
    /// A pooled GM-CNN (docs/design.md#pooling-over-subgroup-cosets), the way a CNN narrows its image: residual GM
    /// blocks on <typeparamref name="TGroup"/>, coset max pooling to <typeparamref name="TMid"/>, blocks there, pooling
    /// to <typeparamref name="TInner"/>, blocks there, then global max pooling, dropout and a linear head named
    /// <c>head</c>. <paramref name="channels"/> gives the width of each of the three stages; each stage has
    /// <paramref name="blocksPerStage"/> blocks [GMConv → LayerNorm without affine → PReLU] with full channel mixing by
    /// default. On <c>C28 x C28 → C14 x C14 → C7 x C7</c> this is a circular CNN with two 2×2 max pools. The network
    /// build refuses pools and groups that do not chain (a pool from another group, a GM layer on the wrong one).
    /// </summary>
    public static Spec PooledGmCnn<TGroup, TPool1, TMid, TPool2, TInner>(int classes, int[] channels, int blocksPerStage = 1,
        ChannelMode mode = ChannelMode.Full, double dropout = 0.3, bool sharedActivation = true)
        where TGroup : IGroupKernel where TPool1 : IGroupPool where TMid : IGroupKernel where TPool2 : IGroupPool where TInner : IGroupKernel
    {
        ArgumentNullException.ThrowIfNull(channels);
        if (channels.Length != 3) throw new ArgumentException($"A two-pool GM-CNN has three stages; {channels.Length} widths were given.", nameof(channels));
        CheckStages(channels, blocksPerStage);
        return Stage<TGroup>(channels[0], blocksPerStage, mode, sharedActivation) >> Layers.GMPool<TPool1>()
            >> Stage<TMid>(channels[1], blocksPerStage, mode, sharedActivation) >> Layers.GMPool<TPool2>()
            >> Stage<TInner>(channels[2], blocksPerStage, mode, sharedActivation)
            >> Layers.GlobalMaxPool() >> Layers.Dropout(dropout) >> Layers.Linear(classes).Named("head");
    }

    /// <summary>
    /// A lifted G-CNN on a torus group (docs/design.md#lifting), for images: <see cref="Layers.GMLift{TGroup}"/> to
    /// <paramref name="liftChannels"/> maps on <typeparamref name="TGroup"/> → LayerNorm without affine → PReLU, then three
    /// stages of residual blocks [GMConv (full) → LayerNorm without affine → PReLU] with widths <paramref name="outer"/> on
    /// TGroup, <paramref name="middle"/> on <typeparamref name="TMid"/> and <paramref name="inner"/> on
    /// <typeparamref name="TInner"/> (a stage may have no block), coset max pooling between them, global max pooling,
    /// dropout and a linear head named <c>head</c>. Every layer commutes with the group the innermost features live on,
    /// embedded in TGroup, so the logits are invariant under it (e.g. rot90 and mirrors of the image about its centre, when
    /// the pools' embeddings are centred). The GM layers may be any kernel type on the right group (a generated one, or a
    /// <see cref="FilterBank{TGroup, TTranslations}"/>): layers match groups by name. With <paramref name="mix"/> &gt; 0, a
    /// 1×1 <see cref="GmCodegen.ChannelMix"/> to that many channels and a PReLU come before the global pool (pointwise, so
    /// still equivariant): the head then sees <paramref name="mix"/> invariant features instead of the last stage's few.
    /// </summary>
    public static Spec LiftedGmCnn<TGroup, TPool1, TMid, TPool2, TInner>(int classes, int liftChannels, int[] outer, int[] middle, int[] inner,
        double dropout = 0.1, bool sharedActivation = true, int mix = 0)
        where TGroup : IGroupLift where TPool1 : IGroupPool where TMid : IGroupKernel where TPool2 : IGroupPool where TInner : IGroupKernel
    {
        ArgumentNullException.ThrowIfNull(outer);
        ArgumentNullException.ThrowIfNull(middle);
        ArgumentNullException.ThrowIfNull(inner);
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), classes, "A classifier needs at least one class.");
        if (liftChannels < 1) throw new ArgumentOutOfRangeException(nameof(liftChannels), liftChannels, "The lift needs at least one channel.");
        if (mix < 0) throw new ArgumentOutOfRangeException(nameof(mix), mix, "The mix width must be 0 (none) or positive.");
        foreach (var (widths, name) in new[] { (outer, nameof(outer)), (middle, nameof(middle)), (inner, nameof(inner)) })
            if (widths.Any(c => c < 1)) throw new ArgumentException("Every block needs at least one channel.", name);
        Spec Activation() => Layers.PReLU(sharedActivation ? "act" : null);
        IEnumerable<Spec> Blocks<T>(int[] widths) where T : IGroupKernel => widths.Select(w => Layers.Residual(
            Layers.GMConv<T>(w, ChannelMode.Full, bias: true, BiasInit.Uniform) >> Layers.LayerNorm(affine: false) >> Activation()));
        return Layers.Sequential([
            Layers.GMLift<TGroup>(liftChannels, ChannelMode.Full), Layers.LayerNorm(affine: false), Activation(),
            .. Blocks<TGroup>(outer), Layers.GMPool<TPool1>(),
            .. Blocks<TMid>(middle), Layers.GMPool<TPool2>(),
            .. Blocks<TInner>(inner),
            .. (mix > 0 ? [Layers.ChannelMix(mix), Activation()] : Array.Empty<Spec>()),
            Layers.GlobalMaxPool(), Layers.Dropout(dropout), Layers.Linear(classes).Named("head")]);
    }
}
