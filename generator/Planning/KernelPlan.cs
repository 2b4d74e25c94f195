using System;
using System.Collections.Generic;
using System.Linq;
using GmCodegen.Generator.Elaboration;
using GmCodegen.Generator.Model;

namespace GmCodegen.Generator.Planning;

/// <summary>One piece of an in-row gather dst[d] = src[π(d)]: a run of stride ±1 or a few irregular points.</summary>
public abstract record Segment(int DstStart, int Length);
/// <summary>dst[DstStart + t] = src[SrcStart + Stride·t], t &lt; Length, Stride = ±1.</summary>
public sealed record Run(int DstStart, int SrcStart, int Stride, int Length) : Segment(DstStart, Length);
/// <summary>dst[DstStart + t] = src[Sources[t]].</summary>
public sealed record Scattered(int DstStart, EquatableArray<int> Sources) : Segment(DstStart, Sources.Count);

/// <summary>
/// One distinct in-row permutation π of a gather direction, analysed into segments. Element is the column of the
/// kernel element h_Kernel that first uses it, Row the first output row it serves (for the generated comment).
/// </summary>
public sealed record FastGather(int Element, int Kernel, int Row, EquatableArray<int> Map, EquatableArray<Segment> Segments);

/// <summary>
/// How to compute the GM convolution for one group, derived from its law as a black box.
/// Positions are split as a = row·|F| + col (|F| = FastOrder, |S| = SlowOrder rows). For every kernel element h_k the
/// forward position map a ↦ index(g_a·h_k⁻¹) sends each row s wholly into row SlowForward[KernelSlow[k]·|S| + s] and
/// permutes its columns by FastForward[FastForwardOf[k·|S| + s]]; the backward map a ↦ index(g_a·h_k) is the inverse
/// array, with its own row table and permutations. The planner verifies this factorisation at compile time.
/// For a direct product S x F the permutations depend on k only; for a semidirect product (p4m(n) rows (m, t1),
/// columns t2) they depend on the row as well.
/// </summary>
public sealed record KernelPlan(
    int Order,
    int KernelSize,
    EquatableArray<int> KernelElements,
    int FastOrder,
    int SlowOrder,
    string SplitReason,
    EquatableArray<int> KernelSlow,          // k → distinct row map js
    EquatableArray<int> SlowForward,         // [js·NS + s] = row of g·h_k⁻¹ for g in row s
    EquatableArray<int> SlowBackward,        // [js·NS + s] = row of g·h_k for g in row s (the inverse row map)
    EquatableArray<int> FastForwardOf,       // [k·NS + s] → index into FastForward
    EquatableArray<int> FastBackwardOf,      // [k·NS + s] → index into FastBackward
    EquatableArray<FastGather> FastForward,  // col ↦ col of g·h_k⁻¹
    EquatableArray<FastGather> FastBackward, // col ↦ col of g·h_k
    EquatableArray<int> ForwardShifts,       // per k the row shift d_k when every forward row map is s ↦ s + d_k (and π depends on k only); else empty
    EquatableArray<int> BackwardShifts,      // the same for the backward row maps
    bool TableDriven,
    string TableDrivenReason)
{
    /// <summary>Whether every in-row permutation depends on the kernel element only (as for direct products).</summary>
    public bool RowIndependent => RowsAgree(FastForwardOf, KernelSize, SlowOrder) && RowsAgree(FastBackwardOf, KernelSize, SlowOrder);

    static bool RowsAgree(EquatableArray<int> of, int k, int ns)
    {
        for (int i = 0; i < k; i++)
            for (int s = 1; s < ns; s++)
                if (of[i * ns + s] != of[i * ns]) return false;
        return true;
    }
}

public static class Planner
{
    /// <summary>Runs shorter than this are emitted as single assignments.</summary>
    public const int MinRun = 4;
    /// <summary>Above this many emitted gather statements the plan switches to index tables (keeps generated code small).</summary>
    public const int MaxEmittedStatements = 4096;
    /// <summary>Rows have at least this many positions where the group allows it.</summary>
    public const int MinFastOrder = 16;
    /// <summary>A split is taken over a shorter-row one only if its gathers need this much fewer moves per position.</summary>
    const double MoveTolerance = 1.1;

    public static KernelPlan Plan(Group g, int[] neighbourhood)
    {
        // The position maps, from the law only: forward[k][a] = index(g_a·h_k⁻¹); backward = its inverse array.
        int order = g.Order, kernel = neighbourhood.Length;
        var forward = new int[kernel][];
        var backward = new int[kernel][];
        for (int k = 0; k < kernel; k++)
        {
            int hInv = GroupAlgebra.Inverse(g, neighbourhood[k]);
            var f = new int[order];
            var b = new int[order];
            for (int a = 0; a < order; a++) f[a] = GroupAlgebra.Multiply(g, a, hInv);
            for (int a = 0; a < order; a++) b[f[a]] = a;
            forward[k] = f;
            backward[k] = b;
        }

        if (g is ProductGroup p && Factorise(ProductFastOrder(p), neighbourhood, forward, backward) is { } product)
            return product with { SplitReason = $"the trailing factors, grown to at least {MinFastOrder} positions" };

        // Otherwise search the divisors of |G|: each row length that factorises, within the statement budget; the
        // shortest rows (best for the panel's tiling) whose gathers cost at most 10 % more moves per position than
        // the cheapest candidate's. One row of |G| always factorises and is the fallback.
        var whole = Factorise(order, neighbourhood, forward, backward)!;
        var splits = Enumerable.Range(1, order - 1)
            .Where(d => order % d == 0 && d >= MinFastOrder)
            .Select(d => Factorise(d, neighbourhood, forward, backward))
            .Where(c => c is not null && !c.TableDriven)
            .Select(c => c!)
            .ToArray();
        if (splits.Length == 0)
            return whole with { SplitReason = $"one row: no row length ≥ {MinFastOrder} properly dividing |G| factorises within the budget" };
        var candidates = whole.TableDriven ? splits : splits.Append(whole).ToArray();
        double best = candidates.Min(MovesPerPosition);
        var chosen = candidates.Where(c => MovesPerPosition(c) <= MoveTolerance * best + 1e-9).OrderBy(c => c.FastOrder).First();
        return chosen with
        {
            SplitReason = chosen.FastOrder == order
                ? "one row: the factorising splits need more moves per position"
                : $"the shortest row length ≥ {MinFastOrder} dividing |G| that factorises with the fewest moves per position ({Fixed(MovesPerPosition(chosen))}; "
                  + $"one row: {(whole.TableDriven ? "table-driven" : Fixed(MovesPerPosition(whole)))})",
        };
    }

    /// <summary>
    /// The plan with rows of <paramref name="fastOrder"/> positions, or null when some h_k sends a row into two rows.
    /// Row maps are deduplicated per k by content, in-row permutations per (k, row) by content, in first-use order.
    /// </summary>
    public static KernelPlan? Factorise(int fastOrder, int[] neighbourhood, int[][] forward, int[][] backward)
    {
        int order = forward.Length == 0 ? fastOrder : forward[0].Length, kernel = neighbourhood.Length;
        if (fastOrder <= 0 || order % fastOrder != 0) return null;
        int slowOrder = order / fastOrder;

        var fwd = Direction.Of(fastOrder, slowOrder, neighbourhood, forward);
        if (fwd is null) return null;
        var bwd = Direction.Of(fastOrder, slowOrder, neighbourhood, backward)!;   // the inverse of a row-preserving bijection preserves rows

        // Row maps by content of the forward map (the backward one is its inverse, so it dedups the same way).
        var rowIds = new Dictionary<EquatableArray<int>, int>();
        var kernelSlow = new int[kernel];
        var slowForward = new List<int>();
        var slowBackward = new List<int>();
        for (int k = 0; k < kernel; k++)
        {
            if (!rowIds.TryGetValue(fwd.RowMaps[k], out int js))
            {
                js = rowIds.Count;
                rowIds.Add(fwd.RowMaps[k], js);
                slowForward.AddRange(fwd.RowMaps[k]);
                slowBackward.AddRange(bwd.RowMaps[k]);
            }
            kernelSlow[k] = js;
        }

        int statements = fwd.Gathers.Concat(bwd.Gathers).Sum(fg => fg.Segments.Sum(s => s is Run ? 1 : s.Length));
        bool table = statements > MaxEmittedStatements;
        return new KernelPlan(
            order, kernel, neighbourhood.ToEquatableArray(), fastOrder, slowOrder, "",
            kernelSlow.ToEquatableArray(), slowForward.ToEquatableArray(), slowBackward.ToEquatableArray(),
            fwd.FastOf.ToEquatableArray(), bwd.FastOf.ToEquatableArray(),
            fwd.Gathers.ToEquatableArray(), bwd.Gathers.ToEquatableArray(),
            Shifts(fwd, slowOrder, kernel).ToEquatableArray(), Shifts(bwd, slowOrder, kernel).ToEquatableArray(),
            table,
            table ? $"{statements} gather statements exceed the budget of {MaxEmittedStatements}" : "");
    }

    /// <summary>One direction's factorisation: per k its row map, per (k, row) its permutation's index, the distinct permutations.</summary>
    sealed record Direction(EquatableArray<int>[] RowMaps, int[] FastOf, List<FastGather> Gathers)
    {
        public static Direction? Of(int fs, int ns, int[] neighbourhood, int[][] maps)
        {
            int kernel = neighbourhood.Length;
            var rowMaps = new EquatableArray<int>[kernel];
            var fastOf = new int[kernel * ns];
            var ids = new Dictionary<EquatableArray<int>, int>();
            var gathers = new List<FastGather>();
            var perm = new int[fs];
            var rows = new int[ns];
            for (int k = 0; k < kernel; k++)
            {
                var map = maps[k];
                for (int s = 0; s < ns; s++)
                {
                    int row = map[s * fs] / fs;
                    for (int c = 0; c < fs; c++)
                    {
                        int q = map[s * fs + c];
                        if (q / fs != row) return null;
                        perm[c] = q - row * fs;
                    }
                    rows[s] = row;
                    var key = perm.ToEquatableArray();
                    if (!ids.TryGetValue(key, out int j))
                    {
                        j = gathers.Count;
                        ids.Add(key, j);
                        gathers.Add(new FastGather(neighbourhood[k] % fs, k, s, key, Segments(perm).ToEquatableArray()));
                    }
                    fastOf[k * ns + s] = j;
                }
                rowMaps[k] = rows.ToEquatableArray();
            }
            return new Direction(rowMaps, fastOf, gathers);
        }
    }

    /// <summary>
    /// Per k the shift d_k in (−|S|/2, |S|/2] when every row map is s ↦ s + d_k mod |S| and each k's permutation is the
    /// same in every row (what the engine's shifted panel pass needs); empty otherwise.
    /// </summary>
    static int[] Shifts(Direction d, int ns, int kernel)
    {
        var shifts = new int[kernel];
        for (int k = 0; k < kernel; k++)
        {
            var map = d.RowMaps[k];
            int shift = map[0];
            for (int s = 0; s < ns; s++)
                if (map[s] != (s + shift) % ns || d.FastOf[k * ns + s] != d.FastOf[k * ns]) return [];
            shifts[k] = shift > ns / 2 ? shift - ns : shift;
        }
        return shifts;
    }

    /// <summary>|F| of a direct product: the product of the trailing factors, grown until it reaches <see cref="MinFastOrder"/>.</summary>
    static int ProductFastOrder(ProductGroup p)
    {
        int order = 1;
        for (int i = p.Factors.Count - 1; i >= 0 && order < MinFastOrder; i--) order *= p.Factors[i].Order;
        return order;
    }

    /// <summary>Vector and single moves a gather spends per position, averaged over the (k, row) pairs of both directions.</summary>
    public static double MovesPerPosition(KernelPlan plan)
    {
        double Direction(EquatableArray<int> of, EquatableArray<FastGather> gathers)
        {
            var moves = gathers.Select(g => g.Segments.Sum(Moves)).ToArray();
            return of.Average(j => (double)moves[j]);
        }
        return (Direction(plan.FastForwardOf, plan.FastForward) + Direction(plan.FastBackwardOf, plan.FastBackward)) / (2.0 * plan.FastOrder);
    }

    static string Fixed(double v) => v.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A run moves as 8- and 4-lane blocks plus singles; scattered points one by one.</summary>
    static int Moves(Segment s) => s is Run r ? r.Length / 8 + r.Length % 8 / 4 + r.Length % 4 : s.Length;

    /// <summary>Greedy maximal runs of stride +1 or −1; anything shorter than <see cref="MinRun"/> is scattered.</summary>
    public static List<Segment> Segments(int[] map)
    {
        var result = new List<Segment>();
        var pending = new List<int>();
        int pendingStart = 0;
        void Flush()
        {
            if (pending.Count > 0) result.Add(new Scattered(pendingStart, pending.ToEquatableArray()));
            pending.Clear();
        }
        int d = 0;
        while (d < map.Length)
        {
            int len = 1, stride = 0;
            if (d + 1 < map.Length && Math.Abs(map[d + 1] - map[d]) == 1)
            {
                stride = map[d + 1] - map[d];
                while (d + len < map.Length && map[d + len] - map[d + len - 1] == stride) len++;
            }
            if (len >= MinRun)
            {
                Flush();
                result.Add(new Run(d, map[d], stride, len));
                d += len;
            }
            else
            {
                if (pending.Count == 0) pendingStart = d;
                pending.Add(map[d]);
                d++;
            }
        }
        Flush();
        return result;
    }
}
