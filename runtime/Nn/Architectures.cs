namespace GmCodegen;

/// <summary>Ready-made networks from the paper (DESIGN.md §6).</summary>
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
}
