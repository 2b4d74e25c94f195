using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using GmCodegen.Generator.Diagnostics;
using GmCodegen.Generator.Elaboration;
using GmCodegen.Generator.Model;

namespace GmCodegen.Generator.Pooling;

/// <summary>
/// A subgroup H embedded in G and its right cosets, everything a pool kernel needs: Embedding[s] = emb(s),
/// the transversal r_0 = e &lt; r_1 &lt; … (the smallest element of each coset H·r_j) and Cosets[s·m + j] = emb(s)·r_j.
/// <paramref name="Rule"/> says in words how the embedding was found.
/// </summary>
public sealed record PoolPlan(Group Group, Group Subgroup, EquatableArray<int> Embedding, EquatableArray<int> Transversal,
    EquatableArray<int> Cosets, string Rule)
{
    public int Index => Group.Order / Subgroup.Order;
}

/// <summary>An embedding H → G as values (or why there is none): s ↦ Images[s], and how it was found.</summary>
public sealed record EmbeddingResult(EquatableArray<int>? Images, string Rule, Finding? Error);

/// <summary>
/// Pure functions from (G, H, an optional explicit embedding) to a <see cref="PoolPlan"/> or the first finding
/// (docs/design.md#pooling-over-subgroup-cosets): find the embedding (factor by factor, or from the images of H's
/// generators), check that it is an injective homomorphism and that the index is above 1, then pick the transversal
/// and check that the cosets partition G.
/// </summary>
public static class Cosets
{
    static Finding At(Microsoft.CodeAnalysis.DiagnosticDescriptor d, Anchor a, params string[] args) => new(d, a, args.ToEquatableArray());

    public static (PoolPlan? Plan, Finding? Error) Plan(Group g, Group h, string? explicitEmbedding)
    {
        var embedding = explicitEmbedding is null ? Standard(g, h) : Explicit(g, h, explicitEmbedding);
        if (embedding.Error is { } failed) return (null, failed);
        var phi = embedding.Images!.Value.Items;

        // Injective: distinct images (so |H| ≤ |G|, and by Lagrange |H| divides |G|).
        var first = new Dictionary<int, int>();
        for (int s = 0; s < phi.Length; s++)
        {
            if (first.TryGetValue(phi[s], out int t))
                return (null, At(Descriptors.PoolNotInjective, new AtEmbedding(), h.Name, g.Name,
                    $"elements {t} and {s} of {h.Name} both map to element {phi[s]} of {g.Name}"));
            first[phi[s]] = s;
        }
        if (g.Order == h.Order)
            return (null, At(Descriptors.PoolIndexOne, new AtSubgroupArgument(), h.Name, g.Name));

        // A homomorphism: φ(x·t) = φ(x)·φ(t) for every x and generator t (then for every pair, by induction on words).
        // Explicit embeddings were built this way; this re-checks the standard rule, which must pass.
        if (HomomorphismFailure(g, h, phi) is { } why)
        {
            if (explicitEmbedding is not null) return (null, At(Descriptors.PoolNotHomomorphism, new AtEmbedding(), h.Name, g.Name, why));
            throw new InvalidOperationException($"the standard embedding of {h.Name} into {g.Name} is not a homomorphism: {why}");
        }

        int m = g.Order / h.Order;
        var covered = new bool[g.Order];
        var transversal = new List<int>(m);
        for (int a = 0; a < g.Order; a++)
        {
            if (covered[a]) continue;
            transversal.Add(a);
            foreach (int e in phi)
            {
                int c = GroupAlgebra.Multiply(g, e, a);
                if (covered[c]) throw new InvalidOperationException($"the cosets of {h.Name} in {g.Name} overlap at element {c}");
                covered[c] = true;
            }
        }
        if (transversal.Count != m) throw new InvalidOperationException($"{transversal.Count} cosets of {h.Name} in {g.Name}, expected {m}");

        var cosets = new int[g.Order];
        for (int s = 0; s < h.Order; s++)
            for (int j = 0; j < m; j++)
                cosets[s * m + j] = GroupAlgebra.Multiply(g, phi[s], transversal[j]);
        return (new PoolPlan(g, h, phi.ToEquatableArray(), transversal.ToEquatableArray(), cosets.ToEquatableArray(), embedding.Rule), null);
    }

    static string? HomomorphismFailure(Group g, Group h, IReadOnlyList<int> phi)
    {
        foreach (int t in GroupAlgebra.Generators(h))
            for (int x = 0; x < h.Order; x++)
            {
                int left = phi[GroupAlgebra.Multiply(h, x, t)], right = GroupAlgebra.Multiply(g, phi[x], phi[t]);
                if (left != right)
                    return $"emb({x}·{t}) = {left} but emb({x})·emb({t}) = {right}";
            }
        return null;
    }

    static IReadOnlyList<Group> Factors(Group g) => g is ProductGroup p ? p.Factors.Items : new[] { g };

    /// <summary>
    /// Factor by factor: equal factors by the identity, Cm → Cn (m | n) by k ↦ k·n/m, Dm → Dn (m | n) by
    /// (r, f) ↦ (r·n/m, f), p4(m) → p4(n) and p4m(m) → p4m(n) (m | n) by (t, m) ↦ (t·n/m, m); products componentwise,
    /// which needs as many factors on both sides.
    /// </summary>
    public static EmbeddingResult Standard(Group g, Group h)
    {
        var gf = Factors(g);
        var hf = Factors(h);
        EmbeddingResult None(string why) =>
            new(null, "", At(Descriptors.PoolNoEmbedding, new AtSubgroupArgument(), h.Name, g.Name, why));
        if (gf.Count != hf.Count)
            return None($"{h.Name} has {hf.Count} factor(s) and {g.Name} {gf.Count}; the standard rule embeds factor by factor");

        var maps = new Func<int, int>[gf.Count];
        var rules = new string[gf.Count];
        for (int i = 0; i < gf.Count; i++)
        {
            var (from, to) = (hf[i], gf[i]);
            switch (from, to)
            {
                case var _ when from.Equals(to):
                    maps[i] = x => x;
                    rules[i] = $"{from.Name} = {to.Name}";
                    break;
                case (CyclicGroup c, CyclicGroup d) when d.N % c.N == 0:
                {
                    int q = d.N / c.N;
                    maps[i] = k => k * q;
                    rules[i] = $"{c.Name} → {d.Name}: k ↦ {q}·k";
                    break;
                }
                case (DihedralGroup c, DihedralGroup d) when d.N % c.N == 0:
                {
                    int q = d.N / c.N, m = c.N, n = d.N;
                    maps[i] = x => x % m * q + x / m * n;
                    rules[i] = $"{c.Name} → {d.Name}: (r, f) ↦ ({q}·r, f)";
                    break;
                }
                case (WallpaperGroup c, WallpaperGroup d) when c.Mirrors == d.Mirrors && d.N % c.N == 0:
                {
                    int q = d.N / c.N, m = c.N, n = d.N;
                    maps[i] = x => x / (m * m) * n * n + x / m % m * q * n + x % m * q;
                    rules[i] = $"{c.Name} → {d.Name}: (t, m) ↦ ({q}·t, m)";
                    break;
                }
                case (CyclicGroup c, CyclicGroup d):
                    return None($"factor {i + 1}: {c.N} does not divide {d.N}");
                case (WallpaperGroup c, WallpaperGroup d) when c.Mirrors == d.Mirrors:
                    return None($"factor {i + 1}: {c.N} does not divide {d.N}");
                case (DihedralGroup c, DihedralGroup d):
                    return None($"factor {i + 1}: {c.N} does not divide {d.N}");
                default:
                    return None($"factor {i + 1}: no standard rule embeds {from.Name} into {to.Name}");
            }
        }

        var images = new int[h.Order];
        for (int s = 0; s < h.Order; s++)
        {
            int hs = h.Order, gs = g.Order, image = 0;
            for (int i = 0; i < gf.Count; i++)
            {
                hs /= hf[i].Order;
                gs /= gf[i].Order;
                image += maps[i](s / hs % hf[i].Order) * gs;
            }
            images[s] = image;
        }
        return new(images.ToEquatableArray(), "factorwise: " + string.Join("; ", rules), null);
    }

    /// <summary>
    /// The embedding given by the images of H's generators (<see cref="GroupAlgebra.Generators"/>, in order), extended
    /// to all of H along the Cayley graph: emb(x·t) = emb(x)·emb(t). Two paths to one element that disagree mean the
    /// images define no homomorphism.
    /// </summary>
    public static EmbeddingResult Explicit(Group g, Group h, string text)
    {
        var generators = GroupAlgebra.Generators(h);
        EmbeddingResult Bad(string why) => new(null, "", At(Descriptors.PoolBadEmbedding, new AtEmbedding(), text, why));
        var parts = text.Split(',').Select(p => p.Trim()).ToArray();
        if (parts.Length == 1 && parts[0].Length == 0) parts = [];
        if (parts.Length != generators.Count)
            return Bad($"{h.Name} has {generators.Count} generator(s) ({string.Join(", ", generators)}), so the embedding needs {generators.Count} image(s), not {parts.Length}");
        var images = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out images[i]))
                return Bad($"'{parts[i]}' is not an element index");
            if (images[i] >= g.Order) return Bad($"{images[i]} is not an element of {g.Name} (it has {g.Order})");
        }

        var phi = Enumerable.Repeat(-1, h.Order).ToArray();
        phi[0] = 0;
        var queue = new Queue<int>();
        queue.Enqueue(0);
        while (queue.Count > 0)
        {
            int x = queue.Dequeue();
            for (int i = 0; i < generators.Count; i++)
            {
                int y = GroupAlgebra.Multiply(h, x, generators[i]), image = GroupAlgebra.Multiply(g, phi[x], images[i]);
                if (phi[y] < 0) { phi[y] = image; queue.Enqueue(y); }
                else if (phi[y] != image)
                    return new(null, "", At(Descriptors.PoolNotHomomorphism, new AtEmbedding(), h.Name, g.Name,
                        $"element {y} of {h.Name} would map both to {phi[y]} and to {image}"));
            }
        }
        if (phi.Any(v => v < 0)) throw new InvalidOperationException($"the generators of {h.Name} do not generate it");
        return new(phi.ToEquatableArray(), $"explicit: generators {string.Join(", ", generators)} ↦ {string.Join(", ", images)}", null);
    }
}
