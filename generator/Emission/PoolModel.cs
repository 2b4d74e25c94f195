using System.Collections.Immutable;
using System.Linq;
using GmCodegen.Generator.Elaboration;
using GmCodegen.Generator.Model;
using GmCodegen.Generator.Pooling;

namespace GmCodegen.Generator.Emission;

/// <summary>
/// What Pool.scriban prints for one [GroupPool] type: names, orders and the three tables, cut into source lines
/// (each coset-table line holds whole cells of m entries). Computed by <see cref="From"/>; the template owns the text.
/// </summary>
public sealed record PoolModel(
    TypeTarget Type,
    string GroupName,
    string SubgroupName,
    string GroupType,
    string SubgroupType,
    int Order,
    int SubgroupOrder,
    int Index,
    string Rule,
    ImmutableArray<int> Transversal,
    ImmutableArray<ImmutableArray<int>> TransversalComponents,
    ImmutableArray<ImmutableArray<int>> EmbeddingRows,
    ImmutableArray<ImmutableArray<int>> CosetRows)
{
    const int PerLine = 16;

    public static PoolModel From(TypeTarget target, string groupType, string subgroupType, PoolPlan plan)
    {
        int m = plan.Index;
        int cellsPerLine = System.Math.Max(1, PerLine / m);
        return new PoolModel(target, plan.Group.Name, plan.Subgroup.Name, groupType, subgroupType,
            plan.Group.Order, plan.Subgroup.Order, m, plan.Rule,
            plan.Transversal.Items,
            plan.Transversal.Select(r => Components(plan.Group, r)).ToImmutableArray(),
            Lines(plan.Embedding.Items, PerLine),
            Lines(plan.Cosets.Items, cellsPerLine * m));
    }

    static ImmutableArray<ImmutableArray<int>> Lines(ImmutableArray<int> items, int width) =>
        Enumerable.Range(0, (items.Length + width - 1) / width)
            .Select(i => items.Skip(i * width).Take(width).ToImmutableArray()).ToImmutableArray();

    /// <summary>An element's components, first factor first (a single component for a group that is not a product).</summary>
    static ImmutableArray<int> Components(Group g, int a)
    {
        if (g is not ProductGroup p) return [a];
        var result = ImmutableArray.CreateBuilder<int>(p.Factors.Count);
        int stride = g.Order;
        foreach (var f in p.Factors)
        {
            stride /= f.Order;
            result.Add(a / stride % f.Order);
        }
        return result.MoveToImmutable();
    }
}
