using System;
using System.Collections.Generic;
using System.Linq;
using GmCodegen.Generator.Diagnostics;
using GmCodegen.Generator.Model;
using GmCodegen.Generator.Parsing;
using Microsoft.CodeAnalysis;

namespace GmCodegen.Generator.Elaboration;

public sealed record ElaborationResult(Group? Group, DefinitionError? Error);

/// <summary>
/// Syntax tree → finite group. Sizes are checked before enumeration so an oversized group fails fast with its size.
/// Indexing of the table families (docs/design.md#groups-and-their-indexing):
/// <list type="bullet">
/// <item>Sn, An, Perm: permutations of {0..n-1} as image tuples (p(0), …, p(n-1)), sorted lexicographically
/// (so the identity is element 0); product (p·q)(x) = p(q(x)).</item>
/// <item>Q8: 1, −1, i, −i, j, −j, k, −k as elements 0..7.</item>
/// <item>p4(n), p4m(n), Bn: formula groups, see <see cref="WallpaperGroup"/> and <see cref="SignedPermutationGroup"/>.</item>
/// </list>
/// </summary>
public static class Elaborator
{
    public static ElaborationResult Elaborate(GroupSyntax syntax)
    {
        try
        {
            long order = CheckedOrder(syntax);
            if (order > Limits.MaxOrder)
                return Fail(Descriptors.GroupTooLarge, syntax.Span, $"the group has {order:N0} elements; the limit is {Limits.MaxOrder:N0}");
            return new ElaborationResult(Build(syntax), null);
        }
        catch (ElaborationFailure f)
        {
            return new ElaborationResult(null, f.Error);
        }
    }

    static ElaborationResult Fail(DiagnosticDescriptor descriptor, Span span, string message) => new(null, new DefinitionError(descriptor, span, message));

    sealed class ElaborationFailure(DefinitionError error) : Exception(error.Message)
    {
        public DefinitionError Error { get; } = error;
    }

    static Exception TooLarge(Span span, string what, long order, long limit) =>
        new ElaborationFailure(new DefinitionError(Descriptors.GroupTooLarge, span, $"{what} has {order:N0} elements; the limit is {limit:N0}"));

    /// <summary>The order, computed without building anything (saturating at long.MaxValue / 2).</summary>
    static long CheckedOrder(GroupSyntax s) => s switch
    {
        FamilySyntax { Family: "C" } f => f.Size,
        FamilySyntax { Family: "D" } f => 2L * f.Size,
        FamilySyntax { Family: "S" } f => CheckTable(f, Factorial(f.Size)),
        FamilySyntax { Family: "A" } f => CheckTable(f, f.Size <= 2 ? 1 : Factorial(f.Size) / 2),
        FamilySyntax { Family: "Q" } => 8,
        FamilySyntax { Family: "p4" } f => CheckFormula(f, 4L * f.Size * f.Size),
        FamilySyntax { Family: "p4m" } f => CheckFormula(f, 8L * f.Size * f.Size),
        FamilySyntax { Family: "B" } f => CheckSignedPermutations(f),
        ProductSyntax p => p.Factors.Aggregate(1L, (n, f) => Saturate(n * CheckedOrder(f))),
        PowerSyntax p => Enumerable.Range(0, p.Exponent).Aggregate(1L, (n, _) => Saturate(n * CheckedOrder(p.Base))),
        PermSyntax => 0, // bounded during enumeration
        _ => throw new InvalidOperationException(s.GetType().Name),
    };

    static long Saturate(long n) => Math.Min(n, long.MaxValue / 4 / Limits.MaxOrder);

    static long Factorial(int n) => Enumerable.Range(1, Math.Min(n, 20)).Aggregate(1L, (a, b) => a * b);

    static long CheckTable(FamilySyntax f, long order) =>
        order > Limits.MaxTableOrder ? throw TooLarge(f.Span, $"{f.Family}{f.Size}", order, Limits.MaxTableOrder) : order;

    /// <summary>A formula family too large on its own is reported at its own atom, not at the whole expression.</summary>
    static long CheckFormula(FamilySyntax f, long order) =>
        order > Limits.MaxOrder ? throw TooLarge(f.Span, $"{f.Family}({f.Size})", order, Limits.MaxOrder) : order;

    static long CheckSignedPermutations(FamilySyntax f)
    {
        int n = Limits.MaxSignedPermutationDegree;
        if (f.Size <= n) return (1L << f.Size) * Factorial(f.Size);
        string count = f.Size <= 12 ? ((1L << f.Size) * Factorial(f.Size)).ToString("N0") : "more than 10¹²";
        throw new ElaborationFailure(new DefinitionError(Descriptors.GroupTooLarge, f.Span,
            $"B{f.Size} has {count} elements; the limit is B{n} ({(1L << n) * Factorial(n):N0} elements), " +
            $"because Bn multiplies its permutations through the Cayley table of S{n}, the largest tabulated symmetric group"));
    }

    static Group Build(GroupSyntax s) => s switch
    {
        FamilySyntax { Family: "C" } f => new CyclicGroup(f.Size),
        FamilySyntax { Family: "D" } f => new DihedralGroup(f.Size),
        FamilySyntax { Family: "S" } f => Permutations($"S{f.Size}", AllPermutations(f.Size), SymmetricGenerators(f.Size), f.Span),
        FamilySyntax { Family: "A" } f => Permutations($"A{f.Size}", AllPermutations(f.Size).Where(IsEven), AlternatingGenerators(f.Size), f.Span),
        FamilySyntax { Family: "Q" } => Quaternion(),
        FamilySyntax { Family: "p4" } f => new WallpaperGroup(f.Size, Mirrors: false),
        FamilySyntax { Family: "p4m" } f => new WallpaperGroup(f.Size, Mirrors: true),
        FamilySyntax { Family: "B" } f => new SignedPermutationGroup(f.Size, (1 << f.Size) * (int)Factorial(f.Size)),
        ProductSyntax p => Product(p.Factors.Select(Build)),
        PowerSyntax p => Product(Enumerable.Repeat(Build(p.Base), p.Exponent)),
        PermSyntax p => PermGroup(p),
        _ => throw new InvalidOperationException(s.GetType().Name),
    };

    /// <summary>Nested products flatten: (C2 x C3) x C4 and C2 x C3 x C4 are the same group with the same indexing.</summary>
    static Group Product(IEnumerable<Group> factors)
    {
        var flat = factors.SelectMany(f => f is ProductGroup p ? p.Factors.Items.AsEnumerable() : [f]).ToArray();
        return flat.Length == 1 ? flat[0] : new ProductGroup(flat.ToEquatableArray());
    }

    // ---- permutation groups -------------------------------------------------------------------------------

    /// <summary>Sn as its table group (n ≤ 5), as the expression "Sn" elaborates; Bn's law is built on it.</summary>
    internal static TableGroup Symmetric(int n) =>
        (TableGroup)Permutations($"S{n}", AllPermutations(n), SymmetricGenerators(n), default);

    /// <summary>The permutations of {0..n−1} as image tuples in lexicographic order: element i of Sn.</summary>
    internal static IEnumerable<int[]> AllPermutations(int n)
    {
        var p = Enumerable.Range(0, n).ToArray();
        while (true)
        {
            yield return (int[])p.Clone();
            // next permutation in lexicographic order
            int i = n - 2;
            while (i >= 0 && p[i] > p[i + 1]) i--;
            if (i < 0) yield break;
            int j = n - 1;
            while (p[j] < p[i]) j--;
            (p[i], p[j]) = (p[j], p[i]);
            Array.Reverse(p, i + 1, n - i - 1);
        }
    }

    static bool IsEven(int[] p)
    {
        int transpositions = 0;
        var seen = new bool[p.Length];
        for (int i = 0; i < p.Length; i++)
        {
            if (seen[i]) continue;
            int len = 0;
            for (int j = i; !seen[j]; j = p[j]) { seen[j] = true; len++; }
            transpositions += len - 1;
        }
        return transpositions % 2 == 0;
    }

    static int[] Cycle(int n, params int[] points)
    {
        var p = Enumerable.Range(0, n).ToArray();
        for (int i = 0; i < points.Length; i++) p[points[i]] = points[(i + 1) % points.Length];
        return p;
    }

    static IEnumerable<int[]> SymmetricGenerators(int n) =>
        n < 2 ? [] : n == 2 ? [Cycle(2, 0, 1)] : [Cycle(n, 0, 1), Cycle(n, Enumerable.Range(0, n).ToArray())];

    static IEnumerable<int[]> AlternatingGenerators(int n) =>
        n < 3 ? [] : Enumerable.Range(2, n - 2).Select(k => Cycle(n, 0, 1, k));

    static Group PermGroup(PermSyntax p)
    {
        var gens = p.Generators.Select(ToPermutation).ToArray();
        int n = gens.Max(g => g.Length);
        gens = gens.Select(g => Extend(g, n)).ToArray();
        // Closure by breadth-first search, stopping as soon as the table limit is passed.
        var identity = Enumerable.Range(0, n).ToArray();
        var seen = new HashSet<string> { Key(identity) };
        var elements = new List<int[]> { identity };
        for (int head = 0; head < elements.Count; head++)
            foreach (var g in gens)
            {
                var next = Compose(elements[head], g);
                if (!seen.Add(Key(next))) continue;
                elements.Add(next);
                if (elements.Count > Limits.MaxTableOrder)
                    throw TooLarge(p.Span, "The permutation group", elements.Count, Limits.MaxTableOrder);
            }
        return Permutations($"Perm({string.Join(", ", p.Generators.Select(g => string.Concat(g.Cycles.Select(c => "(" + string.Join(" ", c.Points) + ")"))))})",
            elements, gens, p.Span);
    }

    static int[] Extend(int[] g, int n) => Enumerable.Range(0, n).Select(i => i < g.Length ? g[i] : i).ToArray();

    static int[] ToPermutation(GeneratorSyntax g)
    {
        foreach (var c in g.Cycles)
        {
            if (c.Points.Count == 0) throw BadPermutation(c.Span, "an empty cycle '()'");
            if (c.Points.Any(x => x < 0)) throw BadPermutation(c.Span, "points must be ≥ 0");
            if (c.Points.Any(x => x >= Limits.MaxPermPoints)) throw BadPermutation(c.Span, $"points must be < {Limits.MaxPermPoints}");
            var dup = c.Points.GroupBy(x => x).FirstOrDefault(x => x.Count() > 1);
            if (dup is not null) throw BadPermutation(c.Span, $"point {dup.Key} appears twice in one cycle");
        }
        int n = g.Cycles.SelectMany(c => c.Points).Max() + 1;
        var p = Enumerable.Range(0, n).ToArray();
        // Cycles compose right to left, as functions: (a b)(b c) applies (b c) first.
        foreach (var c in g.Cycles.Reverse())
            p = Compose(Cycle(n, c.Points.ToArray()), p);
        return p;
    }

    static Exception BadPermutation(Span span, string why) =>
        new ElaborationFailure(new DefinitionError(Descriptors.BadPermutation, span, $"the generator is not a permutation: {why}"));

    static int[] Compose(int[] p, int[] q) => q.Select(x => p[x]).ToArray(); // (p·q)(x) = p(q(x))

    static string Key(int[] p) => string.Join(",", p);

    static int Compare(int[] a, int[] b)
    {
        for (int i = 0; i < a.Length; i++) if (a[i] != b[i]) return a[i].CompareTo(b[i]);
        return 0;
    }

    static Group Permutations(string name, IEnumerable<int[]> elements, IEnumerable<int[]> generators, Span span)
    {
        var list = elements.ToList();
        list.Sort(Compare);
        int n = list.Count;
        var index = list.Select((p, i) => (Key(p), i)).ToDictionary(t => t.Item1, t => t.i);
        var table = new int[n * n];
        for (int a = 0; a < n; a++)
        for (int b = 0; b < n; b++)
            table[a * n + b] = index[Key(Compose(list[a], list[b]))];
        var inverses = Enumerable.Range(0, n).Select(a => Enumerable.Range(0, n).First(b => table[a * n + b] == 0)).ToArray();
        var gens = generators.Select(g => index[Key(g)]).Where(g => g != 0).Distinct().ToArray();
        return new TableGroup(name, n, table.ToEquatableArray(), inverses.ToEquatableArray(), gens.ToEquatableArray(),
            "permutations of {0..n-1} as image tuples in lexicographic order; (p·q)(x) = p(q(x))");
    }

    static Group Quaternion()
    {
        // Units 1, i, j, k with signs: element index = 2·unit + (negative ? 1 : 0).
        int[,] unitProduct = { { 0, 1, 2, 3 }, { 1, 0, 3, 2 }, { 2, 3, 0, 1 }, { 3, 2, 1, 0 } };
        int[,] unitSign = { { 1, 1, 1, 1 }, { 1, -1, 1, -1 }, { 1, -1, -1, 1 }, { 1, 1, -1, -1 } };
        var table = new int[64];
        for (int a = 0; a < 8; a++)
        for (int b = 0; b < 8; b++)
        {
            int ua = a / 2, ub = b / 2;
            int sign = (a % 2 == 1 ? -1 : 1) * (b % 2 == 1 ? -1 : 1) * unitSign[ua, ub];
            table[a * 8 + b] = 2 * unitProduct[ua, ub] + (sign < 0 ? 1 : 0);
        }
        var inverses = Enumerable.Range(0, 8).Select(a => Enumerable.Range(0, 8).First(b => table[a * 8 + b] == 0)).ToArray();
        return new TableGroup("Q8", 8, table.ToEquatableArray(), inverses.ToEquatableArray(), EquatableArray.Of(2, 4),
            "1, −1, i, −i, j, −j, k, −k as elements 0..7");
    }
}
