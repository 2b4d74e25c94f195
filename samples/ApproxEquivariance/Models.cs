using GmCodegen;

namespace ApproxEquivariance;

/// <summary>The one-layer models compared (each with a bias). Closed hierarchy; <see cref="All"/> is the sweep's order.</summary>
public abstract record Model(string Name)
{
    /// <summary>Exactly equivariant: M = GM(w), K = 9 weights.</summary>
    public sealed record Exact() : Model("exact GM");
    /// <summary>M = GM(w) + Σ_{j≤r} diag(a_j)·GM(c_j): 9 + 9r kernel weights and 256r position scales; starts at a_j = 0.</summary>
    public sealed record Ldr(int Rank) : Model($"LDR-{Rank}");
    /// <summary>The reference code's regression relaxation, M = diag(e/‖e‖)·GM(w): 9 weights and 256 position scales.</summary>
    public sealed record Regression() : Model("regression");
    /// <summary>Unstructured: <c>Layers.Linear(|G|)</c> on the [1, |G|] input; its weight [out, in] is M.</summary>
    public sealed record Dense() : Model("dense");

    public static IReadOnlyList<Model> All => [new Exact(), new Ldr(1), new Ldr(4), new Regression(), new Dense()];

    public Spec Spec => this switch
    {
        Exact => Layers.GMConv<Torus>(1),
        Ldr l => Layers.RelaxedGMConv<Torus>(1, new Relaxation.LowDisplacementRank(l.Rank)),
        Regression => Layers.RelaxedGMConv<Torus>(1, new Relaxation.Regression()),
        Dense => Layers.Linear(Torus.Order),
        _ => throw new InvalidOperationException($"no spec for {Name}"),
    };
}
