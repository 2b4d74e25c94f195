namespace GmCodegen.Generator.Elaboration;

/// <summary>
/// How a group acts on the n×n pixel torus: element index = m·n² + pixel, pixel = t1·n + t2, with m one of
/// PointOrder point-group elements; the elements with m = 0 (indices below n²) are the translations, and the pixel
/// of g·o (o the pixel (0, 0)) is g's index mod n². Images lift onto such groups (docs/design.md#lifting).
/// </summary>
public sealed record TorusAction(int N, int PointOrder)
{
    public int Pixels => N * N;

    /// <summary>Cn x Cn (no point group), p4(n) and p4m(n); null for groups that do not act on an image this way.</summary>
    public static TorusAction? Of(Group g) => g switch
    {
        ProductGroup { Factors.Count: 2 } p when p.Factors[0] is CyclicGroup a && p.Factors[1] is CyclicGroup b && a.N == b.N
            => new TorusAction(a.N, 1),
        WallpaperGroup w => new TorusAction(w.N, w.PointOrder),
        _ => null,
    };
}
