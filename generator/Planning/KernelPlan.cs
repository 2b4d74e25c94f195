using System;
using System.Collections.Generic;
using System.Linq;
using GmCodegen.Generator.Elaboration;
using GmCodegen.Generator.Model;

namespace GmCodegen.Generator.Planning;

/// <summary>One piece of a fast-factor gather dst[d] = src[π(d)]: a run of stride ±1 or a few irregular points.</summary>
public abstract record Segment(int DstStart, int Length);
/// <summary>dst[DstStart + t] = src[SrcStart + Stride·t], t &lt; Length, Stride = ±1.</summary>
public sealed record Run(int DstStart, int SrcStart, int Stride, int Length) : Segment(DstStart, Length);
/// <summary>dst[DstStart + t] = src[Sources[t]].</summary>
public sealed record Scattered(int DstStart, EquatableArray<int> Sources) : Segment(DstStart, Sources.Count);

/// <summary>A permutation of the fast factor, analysed into segments.</summary>
public sealed record FastGather(int Element, EquatableArray<int> Map, EquatableArray<Segment> Segments);

/// <summary>
/// How to compute the GM convolution for one group, derived purely from its index structure.
/// The group is split as G = S x F (F the trailing factors, |F| ≥ 16 where possible; S trivial for a non-product).
/// Then g_a·h_k⁻¹ = (s·s_k⁻¹, f·f_k⁻¹): the gather moves whole F-rows (a small slow table) and permutes inside each
/// row by one of a few F-permutations, which are analysed into runs and emitted as straight-line copies.
/// </summary>
public sealed record KernelPlan(
    int Order,
    int KernelSize,
    EquatableArray<int> KernelElements,
    int FastOrder,
    int SlowOrder,
    EquatableArray<int> KernelSlow,          // k → index into SlowElements
    EquatableArray<int> KernelFast,          // k → index into the fast gathers
    EquatableArray<int> SlowForward,         // [js·NS + s] = s · s_js⁻¹
    EquatableArray<int> SlowBackward,        // [js·NS + s] = s · s_js
    EquatableArray<FastGather> FastForward,  // f ↦ f · f_j⁻¹
    EquatableArray<FastGather> FastBackward, // f ↦ f · f_j
    bool TableDriven,
    string TableDrivenReason);

public static class Planner
{
    /// <summary>Runs shorter than this are emitted as single assignments.</summary>
    public const int MinRun = 4;
    /// <summary>Above this many emitted gather statements the plan switches to index tables (keeps generated code small).</summary>
    public const int MaxEmittedStatements = 4096;
    /// <summary>The fast factor is grown from the trailing factors until it has at least this many elements.</summary>
    public const int MinFastOrder = 16;

    public static KernelPlan Plan(Group g, int[] neighbourhood)
    {
        int fastOrder = FastOrder(g);
        int slowOrder = g.Order / fastOrder;
        int Slow(int a) => a / fastOrder;
        int Fast(int a) => a % fastOrder;

        var slowElems = neighbourhood.Select(Slow).Distinct().ToArray();
        var fastElems = neighbourhood.Select(Fast).Distinct().ToArray();

        // Within a direct product G = S x F, multiplying by an element of S (resp. F) acts on that part only,
        // so the group's own product computes each map.
        int[] SlowMap(int s, bool inverse)
        {
            int h = s * fastOrder;
            if (inverse) h = GroupAlgebra.Inverse(g, h);
            return Enumerable.Range(0, slowOrder).Select(r => Slow(GroupAlgebra.Multiply(g, r * fastOrder, h))).ToArray();
        }
        FastGather FastMap(int f, bool inverse)
        {
            int h = inverse ? GroupAlgebra.Inverse(g, f) : f;
            var map = Enumerable.Range(0, fastOrder).Select(x => Fast(GroupAlgebra.Multiply(g, x, h))).ToArray();
            return new FastGather(f, map.ToEquatableArray(), Segments(map).ToEquatableArray());
        }

        var fwd = fastElems.Select(f => FastMap(f, inverse: true)).ToArray();
        var bwd = fastElems.Select(f => FastMap(f, inverse: false)).ToArray();
        int statements = fwd.Concat(bwd).Sum(fg => fg.Segments.Sum(s => s is Run ? 1 : s.Length));
        bool table = statements > MaxEmittedStatements;

        return new KernelPlan(
            g.Order, neighbourhood.Length, neighbourhood.ToEquatableArray(), fastOrder, slowOrder,
            neighbourhood.Select(h => Array.IndexOf(slowElems, Slow(h))).ToEquatableArray(),
            neighbourhood.Select(h => Array.IndexOf(fastElems, Fast(h))).ToEquatableArray(),
            slowElems.SelectMany(s => SlowMap(s, inverse: true)).ToEquatableArray(),
            slowElems.SelectMany(s => SlowMap(s, inverse: false)).ToEquatableArray(),
            fwd.ToEquatableArray(), bwd.ToEquatableArray(),
            table,
            table ? $"{statements} gather statements exceed the budget of {MaxEmittedStatements}" : "");
    }

    /// <summary>|F|: the product of the trailing factors, grown until it reaches <see cref="MinFastOrder"/>.</summary>
    static int FastOrder(Group g)
    {
        if (g is not ProductGroup p) return g.Order;
        int order = 1;
        for (int i = p.Factors.Count - 1; i >= 0 && order < MinFastOrder; i--) order *= p.Factors[i].Order;
        return order;
    }

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
