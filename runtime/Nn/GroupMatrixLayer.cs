namespace GmCodegen;

/// <summary>Every GM layer (exact and relaxed) can show its matrix, for the displacement tools (<see cref="Displacement"/>).</summary>
public interface IGroupMatrixLayer
{
    /// <summary>
    /// The |G|×|G| matrix (row-major, y = M·x) from input channel <paramref name="inChannel"/>'s map to output channel
    /// <paramref name="outChannel"/>'s map (shared mode: the same for every input channel). For inspection only: it is
    /// built on demand and never used by the layer's forward or backward pass.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A channel out of range.</exception>
    /// <exception cref="InvalidOperationException">|G| above <see cref="GroupMatrices.MaxDenseOrder"/>.</exception>
    float[] DenseMatrix(int outChannel, int inChannel);

    /// <summary>
    /// <see cref="Displacement.Describe{TGroup}(IGroupMatrixLayer, int, int)"/> over the layer's own group, so that callers
    /// walking a network whose layers live on different groups (a pooled one) need not know each layer's group.
    /// </summary>
    LayerDisplacement Describe(int outChannel = 0, int inChannel = 0);
}

/// <summary>Dense group matrices from kernels, the inspection side of the GM layers.</summary>
public static class GroupMatrices
{
    /// <summary>The largest group whose dense |G|×|G| matrix the tools build (4096² floats = 64 MiB).</summary>
    public const int MaxDenseOrder = 4096;

    internal static void CheckDense<TGroup>(Layer layer, int outChannel, int inChannel) where TGroup : IGroupKernel
    {
        if (TGroup.Order > MaxDenseOrder)
            throw new InvalidOperationException(
                $"{layer.Kind} '{layer.Name}': |G| = {TGroup.Order} is above {MaxDenseOrder}; a dense {TGroup.Order}×{TGroup.Order} matrix is not built.");
        if ((uint)outChannel >= (uint)layer.Output.Channels)
            throw new ArgumentOutOfRangeException(nameof(outChannel), outChannel, $"{layer.Kind} '{layer.Name}' has {layer.Output.Channels} output channels.");
        if ((uint)inChannel >= (uint)layer.Input.Channels)
            throw new ArgumentOutOfRangeException(nameof(inChannel), inChannel, $"{layer.Kind} '{layer.Name}' has {layer.Input.Channels} input channels.");
    }

    /// <summary>
    /// m[a, idx(g_a·h_k⁻¹)] += scale[a]·w[k] for every k (scale empty: 1), i.e. m += diag(scale)·GM(w) for one
    /// channel pair's kernel <paramref name="w"/> (K values).
    /// </summary>
    public static void AddScaled<TGroup>(Span<float> m, ReadOnlySpan<float> w, ReadOnlySpan<float> scale) where TGroup : IGroupKernel
    {
        int n = TGroup.Order, kSize = TGroup.KernelSize;
        KernelChecks.CheckLength(m.Length, (long)n * n, nameof(m));
        KernelChecks.CheckLength(w.Length, kSize, nameof(w));
        if (scale.Length != 0) KernelChecks.CheckLength(scale.Length, n, nameof(scale));
        var h = TGroup.KernelElements;
        for (int k = 0; k < kSize; k++)
        {
            int hInv = TGroup.Inverse(h[k]);
            for (int a = 0; a < n; a++)
                m[a * n + TGroup.Multiply(a, hInv)] += (scale.Length == 0 ? 1f : scale[a]) * w[k];
        }
    }

    /// <summary>The K weights of the kernel from input channel i to output channel o in a [O, K] (shared) or [O, I, K] (full) tensor.</summary>
    internal static ReadOnlySpan<float> Kernel(ReadOnlySpan<float> weights, ChannelMode mode, int inChannels, int kernelSize, int o, int i) =>
        mode == ChannelMode.Shared ? weights.Slice(o * kernelSize, kernelSize) : weights.Slice((o * inChannels + i) * kernelSize, kernelSize);
}
