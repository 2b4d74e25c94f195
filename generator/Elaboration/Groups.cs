using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using GmCodegen.Generator.Model;

namespace GmCodegen.Generator.Elaboration;

/// <summary>
/// A finite group with its elements enumerated 0..Order-1, element 0 the identity (docs/design.md#groups-and-their-indexing).
/// Closed hierarchy: formula groups (cyclic, dihedral) never need a table; table groups carry their Cayley
/// table (bounded by <see cref="Limits.MaxTableOrder"/>); products are kept as factors, never multiplied out.
/// </summary>
public abstract record Group(string Name, int Order);

/// <summary>Cn: k ↔ k mod n.</summary>
public sealed record CyclicGroup(int N) : Group($"C{N}", N);

/// <summary>Dn (2n elements): (r, f) ↔ r + f·n.</summary>
public sealed record DihedralGroup(int N) : Group($"D{N}", 2 * N);

/// <summary>
/// A group given by its Cayley table: Table[a·Order + b] = a·b. Generators define its Cayley-graph neighbourhoods.
/// </summary>
public sealed record TableGroup(string Name, int Order, EquatableArray<int> Table, EquatableArray<int> Inverses,
    EquatableArray<int> Generators, string Indexing) : Group(Name, Order);

/// <summary>G₁ x G₂ x …: index = mixed radix, first factor slowest.</summary>
public sealed record ProductGroup(EquatableArray<Group> Factors)
    : Group(string.Join(" x ", Factors.Select(f => f is ProductGroup ? $"({f.Name})" : f.Name)), Factors.Aggregate(1, (n, f) => n * f.Order));

/// <summary>
/// p4(n) = (Cn x Cn) ⋊ C4 (Mirrors false) or p4m(n) = (Cn x Cn) ⋊ D4 (Mirrors true): translations t = (t1, t2) of the
/// n×n pixel torus with a point-group element m (C4: rotation k; D4: k + 4f as the project's D4). Index m·n² + t1·n + t2,
/// so each point-group element's map is an n×n image; (t, m)·(t', m') = (t + A(m)·t', m·m').
/// </summary>
public sealed record WallpaperGroup(int N, bool Mirrors)
    : Group(Mirrors ? $"p4m({N})" : $"p4({N})", N * N * (Mirrors ? 8 : 4))
{
    /// <summary>|P|: 4 rotations, or 8 with mirrors.</summary>
    public int PointOrder => Mirrors ? 8 : 4;
}

/// <summary>
/// Bn = ℤ2ⁿ ⋊ Sn, the signed permutations of n coordinates (hyperoctahedral group, 2ⁿ·n! elements). Element (p, s) ↔
/// p·2ⁿ + s, p the index of a permutation in Sn's numbering (lexicographic image tuples) and s a sign bitmask; it is
/// the matrix D(s)·P(p), P(p)·e_i = e_p(i), D(s) = diag((−1)^(bit j of s)), i.e. e_i ↦ ±e_p(i) with the sign of bit p(i).
/// (p, s)·(p', s') = (p·p', s XOR p(s')) with p(s') the bitmask moved by p (bit j → bit p(j)).
/// </summary>
public sealed record SignedPermutationGroup(int N, int Order) : Group($"B{N}", Order);

/// <summary>Size limits, checked before anything is enumerated.</summary>
public static class Limits
{
    /// <summary>Largest order of a group stored as a Cayley table (Sn, An, Q8, Perm): 256² table entries at most.</summary>
    public const int MaxTableOrder = 256;
    /// <summary>Largest order of any group (the kernels index positions with int and keep a few |G|-sized buffers).</summary>
    public const int MaxOrder = 1 << 20;
    /// <summary>Largest point moved by a Perm(...) generator.</summary>
    public const int MaxPermPoints = 32;
    /// <summary>
    /// Largest n of Bn (B5 has 3,840 elements). Bn's law multiplies the permutation parts through Sn's Cayley table,
    /// which has the same bound as Sn itself (<see cref="MaxTableOrder"/>: S5 has 120 elements, S6 720).
    /// </summary>
    public const int MaxSignedPermutationDegree = 5;
}

/// <summary>Pure functions over groups: product, inverse, order of elements. Each family's law is its <see cref="Law"/>.</summary>
public static class GroupAlgebra
{
    public static int Multiply(Group g, int a, int b) => g is ProductGroup p
        ? Componentwise(p, a, b, Multiply)
        : Evaluator(g).Multiply(a, b);

    public static int Inverse(Group g, int a) => g is ProductGroup p
        ? Componentwise(p, a, 0, (f, x, _) => Inverse(f, x))
        : Evaluator(g).Inverse(a, 0);

    /// <summary>A factor's law compiled once per group instance (a memo of a pure function; entries die with the group).</summary>
    static readonly ConditionalWeakTable<Group, CompiledLaw> Compiled = new();

    sealed class CompiledLaw(Func<int, int, int> multiply, Func<int, int, int> inverse)
    {
        public readonly Func<int, int, int> Multiply = multiply, Inverse = inverse;
    }

    static CompiledLaw Evaluator(Group g) => Compiled.GetValue(g, f =>
    {
        var law = Law.Of(f);
        return new CompiledLaw(Law.Compile(law.Multiply, law), Law.Compile(law.Inverse, law));
    });

    /// <summary>Splits a and b into factor components (first factor slowest), applies op, recombines.</summary>
    static int Componentwise(ProductGroup p, int a, int b, Func<Group, int, int, int> op)
    {
        int result = 0, stride = p.Order;
        foreach (var f in p.Factors)
        {
            stride /= f.Order;
            int fa = a / stride % f.Order, fb = b / stride % f.Order;
            result += op(f, fa, fb) * stride;
        }
        return result;
    }

    public static int ElementOrder(Group g, int a)
    {
        int n = 1, x = a;
        while (x != 0) { x = Multiply(g, x, a); n++; }
        return n;
    }

    /// <summary>
    /// Generators of a group's Cayley graph: the family's standard generators (the order is part of the contract: an
    /// explicit pool embedding lists their images in this order). p4(n): translation (1, 0), translation (0, 1), rotation
    /// (indices n, 1, n²), p4m(n) then the mirror (4n²); for n = 1 the translations are the identity and are left out.
    /// Bn: Sn's generators (0 1) and (0 1 … n−1) without signs, then the sign change of coordinate 0 (index 1).
    /// </summary>
    public static IReadOnlyList<int> Generators(Group g) => g switch
    {
        CyclicGroup c => c.N == 1 ? [] : [1],
        DihedralGroup d => d.N == 1 ? [1] : [1, d.N],
        TableGroup t => t.Generators.Items,
        WallpaperGroup w => (w.N == 1 ? new int[0] : [w.N, 1]).Concat(w.Mirrors ? [w.N * w.N, 4 * w.N * w.N] : [w.N * w.N]).ToArray(),
        SignedPermutationGroup b => Elaborator.Symmetric(b.N).Generators.Select(p => p << b.N).Append(1).ToArray(),
        ProductGroup p => p.Factors.SelectMany((f, i) => Generators(f).Select(x => Embed(p, i, x))).ToArray(),
        _ => throw new InvalidOperationException(g.GetType().Name),
    };

    /// <summary>The element of product p equal to x in factor i and the identity elsewhere.</summary>
    static int Embed(ProductGroup p, int i, int x)
    {
        int stride = 1;
        for (int j = p.Factors.Count - 1; j > i; j--) stride *= p.Factors[j].Order;
        return x * stride;
    }
}
