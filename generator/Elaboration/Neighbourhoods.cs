using System;
using System.Collections.Generic;
using System.Linq;

namespace GmCodegen.Generator.Elaboration;

/// <summary>The kernel's support h_0..h_{K-1} and how many repeats were dropped when the radius wrapped.</summary>
public sealed record Neighbourhood(int[] Elements, int Dropped);

/// <summary>
/// Neighbourhoods in the reference implementation's order (docs/design.md#neighbourhoods): Cn: i mod n for i = −t..t; Dn: (i,0) then
/// (i,1) for i = −t..t; products: all tuples, first factor slowest; p4(n), p4m(n): every point-group element m (slowest)
/// with the translations of Cn x Cn's neighbourhood; table groups and Bn: the Cayley-graph ball of radius t
/// of the family's generators and their inverses, by word length then index. Radius −1 asks for the whole group.
/// Repeats (a radius that wraps around) are dropped, first occurrence kept.
/// </summary>
public static class Neighbourhoods
{
    public const int WholeGroup = -1;

    public static Neighbourhood Of(Group g, int radius)
    {
        var raw = radius == WholeGroup ? Enumerable.Range(0, g.Order).ToList() : Raw(g, radius);
        var distinct = raw.Distinct().ToArray();
        return new Neighbourhood(distinct, raw.Count - distinct.Length);
    }

    static List<int> Raw(Group g, int t) => g switch
    {
        CyclicGroup c => Enumerable.Range(-t, 2 * t + 1).Select(i => Mod(i, c.N)).ToList(),
        DihedralGroup d => Enumerable.Range(-t, 2 * t + 1).SelectMany(i => new[] { Mod(i, d.N), Mod(i, d.N) + d.N }).ToList(),
        // Every point-group element (slowest, in index order) with the translations of Cn x Cn's neighbourhood.
        WallpaperGroup w => Enumerable.Range(0, w.PointOrder).SelectMany(m =>
            Enumerable.Range(-t, 2 * t + 1).SelectMany(i => Enumerable.Range(-t, 2 * t + 1).Select(j => m * w.N * w.N + Mod(i, w.N) * w.N + Mod(j, w.N)))).ToList(),
        ProductGroup p => p.Factors.Aggregate(
            new List<int> { 0 },
            (acc, f) => acc.SelectMany(a => Raw(f, t).Select(e => a * f.Order + e)).ToList()),
        _ => CayleyBall(g, t),
    };

    static int Mod(int i, int n) => ((i % n) + n) % n;

    static List<int> CayleyBall(Group g, int t)
    {
        var steps = GroupAlgebra.Generators(g).SelectMany(x => new[] { x, GroupAlgebra.Inverse(g, x) }).Distinct().ToArray();
        var seen = new HashSet<int> { 0 };
        var result = new List<int> { 0 };
        var frontier = new List<int> { 0 };
        for (int len = 1; len <= t && frontier.Count > 0; len++)
        {
            var next = frontier.SelectMany(a => steps.Select(s => GroupAlgebra.Multiply(g, a, s)))
                .Where(seen.Add).OrderBy(x => x).ToList();
            result.AddRange(next);
            frontier = next;
        }
        return result;
    }
}
