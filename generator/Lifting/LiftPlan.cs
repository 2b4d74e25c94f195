using System;
using System.Linq;
using GmCodegen.Generator.Elaboration;
using GmCodegen.Generator.Model;

namespace GmCodegen.Generator.Lifting;

/// <summary>
/// How images lift onto a group that acts on the n×n pixel torus (docs/design.md#lifting): the translation group
/// T = Cn x Cn with the lift's neighbourhood u_0 … u_{K−1}, and for every point-group element m (the element m·n²)
/// the permutation k ↦ c(m,k) with u_c(m,k) = m·u_k·m⁻¹, computed from G's law. The runtime's LiftEngine runs the lift
/// as T's convolution with O·|P| output channels and the weights tied by c. <see cref="SelfIsTranslations"/> when G
/// is T itself at the same radius (Cn x Cn): its own kernel then serves, and no nested kernel is emitted.
/// </summary>
public sealed record LiftPlan(
    TorusAction Torus,
    Group Translations,
    int Radius,
    EquatableArray<int> Neighbourhood,
    EquatableArray<int> Conjugates,
    bool SelfIsTranslations)
{
    /// <summary>The nested type that holds T's kernel when G is not T.</summary>
    public const string NestedName = "Translations";

    /// <summary>The plan for <paramref name="g"/>, or null when G does not act on a pixel torus.</summary>
    public static LiftPlan? Of(Group g, int groupRadius, int liftRadius)
    {
        if (TorusAction.Of(g) is not { } torus) return null;
        var t = g is ProductGroup ? g : new ProductGroup(EquatableArray.Of<Group>(new CyclicGroup(torus.N), new CyclicGroup(torus.N)));
        var u = Neighbourhoods.Of(t, liftRadius).Elements;
        int n2 = torus.Pixels, k = u.Length;
        var conjugates = new int[torus.PointOrder * k];
        for (int m = 0; m < torus.PointOrder; m++)
        {
            int point = m * n2, inverse = GroupAlgebra.Inverse(g, point);
            for (int j = 0; j < k; j++)
            {
                int c = GroupAlgebra.Multiply(g, GroupAlgebra.Multiply(g, point, u[j]), inverse);
                int at = Array.IndexOf(u, c);
                // A square ball is mapped to itself by every rotation and mirror of the torus; anything else is a bug.
                if (c >= n2 || at < 0)
                    throw new InvalidOperationException($"{g.Name}: the conjugate of translation {u[j]} by point element {m} is {c}, not in the lift's neighbourhood.");
                conjugates[m * k + j] = at;
            }
        }
        return new LiftPlan(torus, t, liftRadius, u.ToEquatableArray(), conjugates.ToEquatableArray(),
            SelfIsTranslations: ReferenceEquals(t, g) && liftRadius == groupRadius);
    }
}
