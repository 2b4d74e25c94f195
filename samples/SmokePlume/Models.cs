using GmCodegen;

namespace SmokePlume;

/// <summary>The three forecasters compared (closed hierarchy); <see cref="All"/> is the run's order.</summary>
public abstract record Variant(string Name)
{
    /// <summary>Every layer an exact GM convolution: a circular CNN, exactly translation equivariant.</summary>
    public sealed record Exact() : Variant("exact GM");
    /// <summary>The three GM convolutions replaced by LDR-1 relaxed ones (a_j = 0 at the start: exact at init).</summary>
    public sealed record Relaxed() : Variant("relaxed LDR-1");
    /// <summary>The exact network fed two extra coordinate channels (x, y in [−1, 1)), CoordConv-style: not equivariant.</summary>
    public sealed record CoordConv() : Variant("coordconv");

    public static IReadOnlyList<Variant> All => [new Exact(), new Relaxed(), new CoordConv()];

    /// <summary>Input channels: 2 per past frame, plus the two coordinate channels for CoordConv.</summary>
    public int InputChannels(int window) => 2 * window + (this is CoordConv ? 2 : 0);
}

/// <summary>
/// The encoder–decoder on G (the grid) and H (the half-resolution grid), full channel mixing:
/// conv on G → ReLU → max pool to H → conv on H → ReLU → learned transpose pool back to G → ReLU → conv on G to the
/// two velocity channels. It predicts the change from the last input frame (the caller adds that frame back).
/// </summary>
public static class Encoder
{
    /// <param name="relaxMiddle">For the relaxed variant: relax the middle convolution on H too (default), or only the first and last.</param>
    public static Spec Build<TG, TPool, TH>(Variant variant, int width, bool relaxMiddle = true)
        where TG : IGroupKernel where TPool : IGroupPool where TH : IGroupKernel
    {
        if (width < 1) throw new ArgumentException($"width must be ≥ 1, was {width}.", nameof(width));
        Spec Conv<T>(int outChannels, bool relax = true) where T : IGroupKernel => variant is Variant.Relaxed && relax
            ? Layers.RelaxedGMConv<T>(outChannels, Relaxation.Parse("ldr:1"), ChannelMode.Full)
            : Layers.GMConv<T>(outChannels, ChannelMode.Full);
        return Conv<TG>(width) >> Layers.ReLU() >> Layers.GMPool<TPool>()
            >> Conv<TH>(2 * width, relaxMiddle) >> Layers.ReLU()
            >> Layers.GMTransposePool<TPool>(width) >> Layers.ReLU()
            >> Conv<TG>(2);
    }
}
