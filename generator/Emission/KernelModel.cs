using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using GmCodegen.Generator.Elaboration;
using GmCodegen.Generator.Model;
using GmCodegen.Generator.Planning;

namespace GmCodegen.Generator.Emission;

/// <summary>
/// What the templates print for one group: numbers, tables and typed pieces, never C# text. Computed from the
/// plan by <see cref="KernelModel.From"/>; the templates under Templates/ own every emitted character.
/// </summary>
public sealed record KernelModel(
    TypeTarget Type,
    HeaderModel Header,
    TablesModel Tables,
    ImmutableArray<FactorModel> Factors,
    ImmutableArray<GatherCase> Forward,
    ImmutableArray<GatherCase> Backward)
{
    /// <summary>Shared-weight forward reductions up to this K are fully unrolled.</summary>
    public const int MaxUnrolledK = 16;

    public static KernelModel From(TypeTarget target, Group group, KernelPlan plan, int radius, int dropped)
    {
        var fast = plan.FastForward.Concat(plan.FastBackward).SelectMany(g => g.Segments).ToArray();
        bool rowIndependent = plan.RowIndependent;
        var header = new HeaderModel(
            group.Name, radius == Neighbourhoods.WholeGroup, radius, plan.Order, plan.KernelSize, dropped,
            plan.SlowOrder, plan.FastOrder, plan.SlowForward.Count / plan.SlowOrder, plan.FastForward.Count,
            plan.FastBackward.Count, plan.SplitReason, rowIndependent,
            plan.ForwardShifts.Count > 0, plan.BackwardShifts.Count > 0,
            plan.TableDriven, plan.TableDrivenReason,
            fast.Count(s => s is Run), fast.OfType<Scattered>().Sum(s => s.Length),
            plan.KernelSize <= MaxUnrolledK);
        var tables = new TablesModel(
            plan.KernelElements.Items, plan.KernelSlow.Items, plan.SlowForward.Items, plan.SlowBackward.Items,
            plan.FastForwardOf.Items, plan.FastBackwardOf.Items, plan.FastForward.Count, plan.FastBackward.Count,
            plan.ForwardShifts.Items, plan.BackwardShifts.Items,
            plan.FastForward.SelectMany(g => g.Map).ToImmutableArray(), plan.FastBackward.SelectMany(g => g.Map).ToImmutableArray());
        return new KernelModel(target, header, tables, FactorsOf(group).ToImmutableArray(),
            Cases(plan.FastForward, rowIndependent), Cases(plan.FastBackward, rowIndependent));
    }

    /// <summary>Factors with their mixed-radix strides (first factor slowest) and their laws.</summary>
    static IEnumerable<FactorModel> FactorsOf(Group g)
    {
        var factors = g is ProductGroup p ? p.Factors.Items.ToArray() : [g];
        int stride = g.Order;
        for (int i = 0; i < factors.Length; i++)
        {
            var f = factors[i];
            stride /= f.Order;
            var law = Law.Of(f);
            var tables = law.Tables.Count == 0 ? null : new LawTablesModel(TableIndexing(f),
                law.Tables.Select(t => new LawTableModel(t.Name.ToString(), t.Values.Items)).ToImmutableArray());
            yield return new FactorModel(i, f.Name, f.Order, stride, law, tables);
        }
    }

    /// <summary>The comment above a factor's law tables: how its elements are numbered.</summary>
    static string TableIndexing(Group f) => f switch
    {
        TableGroup t => t.Indexing,
        SignedPermutationGroup b => $"(p, s) ↔ p·{1 << b.N} + s, p in S{b.N}'s numbering, s the sign bitmask; (p, s)·(q, s') = (p·q, s XOR p(s'))",
        _ => "",
    };

    static ImmutableArray<GatherCase> Cases(EquatableArray<FastGather> gathers, bool rowIndependent) =>
        gathers.Select((g, j) => new GatherCase(j, g.Element, rowIndependent ? -1 : g.Kernel, g.Row,
            g.Segments.Select(Summary).ToImmutableArray(),
            g.Segments.SelectMany(Lines).ToImmutableArray())).ToImmutableArray();

    static SegmentSummary Summary(Segment s) => s switch
    {
        Run r => new SegmentSummary(false, r.Stride == -1, r.DstStart, r.DstStart + r.Length, r.SrcStart, r.Length),
        _ => new SegmentSummary(true, false, s.DstStart, s.DstStart + s.Length, 0, s.Length),
    };

    /// <summary>
    /// A run as disjoint 8- and 4-lane vector moves plus single moves on one line (disjoint, so the same decomposition
    /// serves the accumulating backward gather): dst[d + t] = src[s ± t]. Scattered points: four a line.
    /// </summary>
    static IEnumerable<MoveLine> Lines(Segment segment)
    {
        switch (segment)
        {
            case Run r:
                var moves = new List<Move>();
                // Forward runs read src[s + t ..]; reversed runs read the mirrored block and shuffle its lanes.
                void Vector(int width, int t) =>
                    moves.Add(new Move(width, r.Stride == -1, r.Stride == 1 ? r.SrcStart + t : r.SrcStart - t - width + 1, r.DstStart + t));
                int t = 0;
                foreach (int width in new[] { 8, 4 })
                    for (; r.Length - t >= width; t += width) Vector(width, t);
                for (; t < r.Length; t++) moves.Add(new Move(1, false, r.SrcStart + r.Stride * t, r.DstStart + t));
                return [new MoveLine(moves.ToImmutableArray())];
            case Scattered sc:
                var single = sc.Sources.Select((src, i) => new Move(1, false, src, sc.DstStart + i)).ToArray();
                return Enumerable.Range(0, (single.Length + 3) / 4)
                    .Select(i => new MoveLine(single.Skip(4 * i).Take(4).ToImmutableArray())).ToArray();
            default:
                throw new System.InvalidOperationException(segment.GetType().Name);
        }
    }
}

/// <summary>
/// The generated file's header: the group, the split a = row·|F| + col and why it was chosen, how many distinct
/// in-row permutations each direction has and whether they depend on the row, and what the plan emits.
/// </summary>
public sealed record HeaderModel(
    string GroupName, bool WholeGroup, int Radius, int Order, int KernelSize, int Dropped,
    int SlowOrder, int FastOrder, int SlowCount, int FastCount, int BackwardCount, string SplitReason, bool RowIndependent,
    bool ForwardShifted, bool BackwardShifted,
    bool TableDriven, string TableReason, int RunCount, int ScatteredCount, bool Unrolled);

/// <summary>The plan's index tables (see <see cref="KernelPlan"/>); the fast tables serve table-driven plans only.</summary>
public sealed record TablesModel(
    ImmutableArray<int> KernelElements, ImmutableArray<int> KernelSlow,
    ImmutableArray<int> SlowForward, ImmutableArray<int> SlowBackward,
    ImmutableArray<int> FastForwardOf, ImmutableArray<int> FastBackwardOf, int FastForwardCount, int FastBackwardCount,
    ImmutableArray<int> ForwardShifts, ImmutableArray<int> BackwardShifts,
    ImmutableArray<int> FastForward, ImmutableArray<int> FastBackward);

/// <summary>One factor of G: its place (Id), name, order, mixed-radix stride and law; Tables holds the tables its law reads.</summary>
public sealed record FactorModel(int Id, string Name, int Order, int Stride, Law Law, LawTablesModel? Tables);

/// <summary>A factor's law tables (a table group's Cayley table and inverses, Bn's Sn tables and sign action), byte-valued.</summary>
public sealed record LawTablesModel(string Indexing, ImmutableArray<LawTableModel> Tables);

public sealed record LawTableModel(string Name, ImmutableArray<int> Values);

/// <summary>
/// One in-row permutation π_j of a gather direction: its element (the column of h_k), where it is first used when it
/// depends on the row (Kernel k and Row; Kernel −1 when it depends on k only), its segments, and the moves that apply it.
/// </summary>
public sealed record GatherCase(int Index, int Element, int Kernel, int Row, ImmutableArray<SegmentSummary> Segments, ImmutableArray<MoveLine> Lines);

/// <summary>A segment for the case's comment: [Start, End) ← a run from Source (forward or reversed), or Count scattered points.</summary>
public sealed record SegmentSummary(bool Scattered, bool Reversed, int Start, int End, int Source, int Count);

/// <summary>Moves printed on one line.</summary>
public sealed record MoveLine(ImmutableArray<Move> Moves);

/// <summary>
/// dst[Destination + t] = (or +=) src[Source + t] for t &lt; Width: one element (Width 1) or an 8- or 4-lane vector,
/// whose lanes are reversed (read from the mirrored block) when Reversed.
/// </summary>
public sealed record Move(int Width, bool Reversed, int Source, int Destination);
