namespace GmCodegen;

// What the ONNX exporter (Onnx.cs) reads from the layers that are generic over a group or a pool. The exporter matches
// layers with a switch expression, which cannot name an open generic type such as GMConv<>; these internal views are
// what it matches on instead. Nothing here is public API.

/// <summary>The gather table of a GM layer's group: idx[k, a] = index(g_a·h_k⁻¹), K rows of |G|.</summary>
internal static class GatherTables
{
    public static int[] Of<TGroup>() where TGroup : IGroupKernel
    {
        int n = TGroup.Order, kSize = TGroup.KernelSize;
        var h = TGroup.KernelElements;
        var idx = new int[checked(kSize * n)];
        for (int k = 0; k < kSize; k++)
        {
            int hInv = TGroup.Inverse(h[k]);
            for (int a = 0; a < n; a++) idx[k * n + a] = TGroup.Multiply(a, hInv);
        }
        return idx;
    }

    /// <summary>
    /// The gather table of a lift: idx[k, g] = pixel(g·u_k⁻¹·o) = index(g·u_k⁻¹) mod n², K rows of |G| pixels of the image
    /// (docs/design.md#lifting: an element's pixel is its index mod n², o the pixel (0, 0)).
    /// </summary>
    public static int[] OfLift<TGroup>() where TGroup : IGroupLift
    {
        int n = TGroup.Order, kSize = TGroup.LiftKernelSize, pixels = TGroup.ImageSize;
        var u = TGroup.LiftTranslations;
        var idx = new int[checked(kSize * n)];
        for (int k = 0; k < kSize; k++)
        {
            int uInv = TGroup.Inverse(u[k]);
            for (int g = 0; g < n; g++) idx[k * n + g] = TGroup.Multiply(g, uInv) % pixels;
        }
        return idx;
    }
}

/// <summary>An exact GM convolution (<see cref="GMConv{TGroup}"/>).</summary>
internal interface IGmConvView
{
    ChannelMode Mode { get; }
    Parameter Weight { get; }
    Parameter? Bias { get; }
    int KernelSize { get; }
    /// <summary>[K, |G|]: idx(a, k) at k·|G| + a.</summary>
    int[] GatherTable();
}

/// <summary>A relaxed GM convolution (<see cref="RelaxedGMConv{TGroup}"/>): the exact view plus its position scales.</summary>
internal interface IRelaxedGmConvView : IGmConvView
{
    Relaxation Relaxation { get; }
    /// <summary>c_1..c_r as [r, O, (I,) K] (LDR-r and classification), else null.</summary>
    Parameter? C { get; }
    /// <summary>
    /// s_1..s_r as [r, O, |G|] (per output channel) or [r, 1, |G|] (shared), for LDR-r and classification; for regression,
    /// e/‖e‖ as [1, 1, |G|] computed exactly as the layer's forward does.
    /// </summary>
    (float[] Values, int Channels) Scales();
}

/// <summary>Coset pooling (<see cref="GMPool{TPool}"/>).</summary>
internal interface ICosetPoolView
{
    PoolKind Pool { get; }
    int SubgroupOrder { get; }
    /// <summary>m = |G|/|H|.</summary>
    int Index { get; }
    /// <summary>[|H|·m]: index(emb(s)·r_j) at s·m + j.</summary>
    int[] Cosets();
}

/// <summary>The learned transpose of coset pooling (<see cref="GMTransposePool{TPool}"/>): weight [I, O, m], bias [O].</summary>
internal interface ICosetTransposeView
{
    Parameter Weight { get; }
    Parameter? Bias { get; }
    int SubgroupOrder { get; }
    int Index { get; }
    int[] Cosets();
}

/// <summary>The projection of features on a torus group back to images (<see cref="GMProject{TGroup}"/>).</summary>
internal interface IPointProjectionView
{
    PoolKind Pool { get; }
    /// <summary>|P|: the point group's elements, slowest in the index m·n² + p.</summary>
    int PointOrder { get; }
    /// <summary>n², the pixels of an image.</summary>
    int ImageSize { get; }
}
