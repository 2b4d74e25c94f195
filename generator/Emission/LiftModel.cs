using System.Collections.Immutable;
using System.Linq;
using GmCodegen.Generator.Elaboration;
using GmCodegen.Generator.Lifting;
using GmCodegen.Generator.Model;

namespace GmCodegen.Generator.Emission;

/// <summary>What Lift.scriban prints: the torus, the lift's translations and conjugation table, and the translation kernel's type name.</summary>
public sealed record LiftModel(
    TypeTarget Type,
    string GroupName,
    string ImageGroupName,
    int Side,
    int PointOrder,
    int KernelSize,
    int Radius,
    bool Whole,
    string Translations,
    ImmutableArray<int> TranslationList,
    ImmutableArray<ImmutableArray<int>> ConjugateRows)
{
    public static LiftModel From(TypeTarget target, Group group, LiftPlan plan)
    {
        int k = plan.Neighbourhood.Count;
        var rows = Enumerable.Range(0, plan.Torus.PointOrder)
            .Select(m => plan.Conjugates.Items.Skip(m * k).Take(k).ToImmutableArray()).ToImmutableArray();
        return new LiftModel(target, group.Name, plan.Translations.Name, plan.Torus.N, plan.Torus.PointOrder, k, plan.Radius,
            plan.Radius == Neighbourhoods.WholeGroup, plan.SelfIsTranslations ? target.Name : $"{target.Name}.{LiftPlan.NestedName}",
            plan.Neighbourhood.Items, rows);
    }

    /// <summary>Where the nested translation kernel goes: inside the declared type.</summary>
    public static TypeTarget Nested(TypeTarget target) =>
        target with
        {
            Containers = target.Containers.Items.Append(new ContainingType(target.Keyword, target.Name)).ToEquatableArray(),
            Keyword = "struct",
            Name = LiftPlan.NestedName,
        };
}
