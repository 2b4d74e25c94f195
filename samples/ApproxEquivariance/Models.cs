using GmCodegen;

namespace ApproxEquivariance;

/// <summary>The one-layer models compared (each with a bias). Closed hierarchy; <see cref="All"/> is the sweep's order.</summary>
public abstract record Model(string Name)
{
    /// <summary>Exactly equivariant: M = GM(w), K = 9 weights.</summary>
    public sealed record Exact() : Model("exact GM");
    /// <summary>Unstructured: <c>Layers.Linear(|G|)</c> on the [1, |G|] input; its weight [out, in] is M.</summary>
    public sealed record Dense() : Model("dense");

    public static IReadOnlyList<Model> All => [new Exact(), new Dense()];

    public Spec Spec => this switch
    {
        Exact => Layers.GMConv<Torus>(1),
        Dense => Layers.Linear(Torus.Order),
        _ => throw new InvalidOperationException($"no spec for {Name}"),
    };
}
