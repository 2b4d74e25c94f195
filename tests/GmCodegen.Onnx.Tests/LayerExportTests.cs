namespace GmCodegen.OnnxTests;

/// <summary>
/// Every layer kind the runtime has, exported alone (or with the layers it needs around it) and run in ONNX Runtime:
/// outputs equal <see cref="Network.Forward"/>'s within 1e-4 relative at batch sizes 1 and 37. Parameters are moved off
/// their inits first (so relaxed scales, LayerNorm's γ and β and PReLU's slope are not the identity they start as).
/// </summary>
public class LayerExportTests
{
    static readonly Shape T4x3 = new(3, Torus4.Order), T8x3 = new(3, Torus8.Order);

    /// <summary>Name → (network, input shape). One or more cases per layer kind.</summary>
    static readonly Dictionary<string, (Func<Spec> Spec, Shape Input)> Cases = new()
    {
        ["GMConv shared"] = (() => Layers.GMConv<Torus4>(5), T4x3),
        ["GMConv shared, one input channel ([batch, |G|] input)"] = (() => Layers.GMConv<Torus4>(4), new Shape(1, Torus4.Order)),
        ["GMConv full"] = (() => Layers.GMConv<Torus4>(4, ChannelMode.Full), T4x3),
        ["GMConv full without bias on D4"] = (() => Layers.GMConv<Dihedral4>(3, ChannelMode.Full, bias: false), new Shape(2, Dihedral4.Order)),
        ["GMConv shared on S4 (Cayley table)"] = (() => Layers.GMConv<Symmetric4>(3), new Shape(2, Symmetric4.Order)),
        ["GMConv full on p4m(4) (semidirect)"] = (() => Layers.GMConv<P4m4>(3, ChannelMode.Full), new Shape(2, P4m4.Order)),
        ["GMConv shared on B3 (signed permutations)"] = (() => Layers.GMConv<Signed3>(3), new Shape(2, Signed3.Order)),
        ["GMPool max p4m(4) → p4m(2)"] = (() => Layers.GMPool<PoolP4m4to2>(), new Shape(3, P4m4.Order)),
        ["RelaxedGMConv ldr:2 shared"] = (() => Layers.RelaxedGMConv<Torus4>(4, Relaxation.Parse("ldr:2")), T4x3),
        ["RelaxedGMConv ldr:1:per-channel full"] = (() => Layers.RelaxedGMConv<Torus4>(4, Relaxation.Parse("ldr:1:per-channel"), ChannelMode.Full), T4x3),
        ["RelaxedGMConv ldr:2 without bias on D4"] = (() => Layers.RelaxedGMConv<Dihedral4>(2, Relaxation.Parse("ldr:2"), bias: false), new Shape(2, Dihedral4.Order)),
        ["RelaxedGMConv classification full"] = (() => Layers.RelaxedGMConv<Torus4>(3, Relaxation.Parse("classification"), ChannelMode.Full), T4x3),
        ["RelaxedGMConv regression shared"] = (() => Layers.RelaxedGMConv<Torus4>(3, Relaxation.Parse("regression")), T4x3),
        ["GMPool max"] = (() => Layers.GMPool<Pool8to4>(), T8x3),
        ["GMPool mean"] = (() => Layers.GMPool<Pool8to4>(PoolKind.Mean), T8x3),
        ["GMTransposePool"] = (() => Layers.GMTransposePool<Pool8to4>(4), T4x3),
        ["GMTransposePool without bias"] = (() => Layers.GMTransposePool<Pool8to4>(2, bias: false), T4x3),
        ["GMPool then GMTransposePool"] = (() => Layers.GMPool<Pool8to4>() >> Layers.GMTransposePool<Pool8to4>(2), T8x3),
        ["GMLift full on p4m(4) (image → group)"] = (() => Layers.GMLift<P4m4Lift>(3), new Shape(2, 16)),
        ["GMLift shared on C4 x C4, one image channel"] = (() => Layers.GMLift<Torus4>(3, ChannelMode.Shared), new Shape(1, 16)),
        ["GMLift without bias"] = (() => Layers.GMLift<P4m4Lift>(2, bias: false), new Shape(3, 16)),
        ["GMProject max on p4m(4) (group → image)"] = (() => Layers.GMProject<P4m4Lift>(), new Shape(3, P4m4Lift.Order)),
        ["GMProject mean"] = (() => Layers.GMProject<P4m4Lift>(PoolKind.Mean), new Shape(3, P4m4Lift.Order)),
        ["GMConv on p4m(4) as its filter bank"] = (() => Layers.GMConv<FilterBank<P4m4Lift, Torus4r1>>(3, ChannelMode.Full), new Shape(2, P4m4Lift.Order)),
        ["Lift → GM block → projection → Linear"] = (() => Layers.GMLift<P4m4Lift>(3) >> Layers.GMConv<P4m4Lift>(4, ChannelMode.Full) >> Layers.PReLU()
            >> Layers.GMProject<P4m4Lift>() >> Layers.Linear(2), new Shape(1, 16)),
        ["LayerNorm affine"] = (() => Layers.LayerNorm(), T4x3),
        ["LayerNorm without affine, eps 1e-3"] = (() => Layers.LayerNorm(affine: false, eps: 1e-3f), T4x3),
        ["PReLU"] = (() => Layers.PReLU(), T4x3),
        ["PReLU shared by two layers"] = (() => Layers.PReLU("act") >> Layers.GMConv<Torus4>(3) >> Layers.PReLU("act"), T4x3),
        ["ReLU"] = (() => Layers.ReLU(), T4x3),
        ["Linear on [C, |G|]"] = (() => Layers.Linear(5), T4x3),
        ["Linear without bias, twice"] = (() => Layers.Linear(6, bias: false) >> Layers.Linear(3), T4x3),
        ["ChannelMix"] = (() => Layers.ChannelMix(4), T4x3),
        ["ChannelMix without bias"] = (() => Layers.ChannelMix(2, bias: false), T4x3),
        ["GlobalMaxPool"] = (() => Layers.GlobalMaxPool(), T4x3),
        ["GlobalMeanPool then Linear"] = (() => Layers.GlobalMeanPool() >> Layers.Linear(2), T4x3),
        ["Dropout (left out in inference)"] = (() => Layers.GMConv<Torus4>(3) >> Layers.Dropout(0.5) >> Layers.ReLU(), T4x3),
        ["Residual (identity shortcut)"] = (() => Layers.Residual(Layers.GMConv<Torus4>(3) >> Layers.ReLU()), T4x3),
        ["Residual (1×1 mix shortcut)"] = (() => Layers.Residual(Layers.GMConv<Torus4>(5, ChannelMode.Full) >> Layers.LayerNorm()), T4x3),
        ["Sequential of everything"] = (() =>
            Layers.Residual(Layers.RelaxedGMConv<Torus8>(4, Relaxation.Parse("ldr:1"), ChannelMode.Full) >> Layers.LayerNorm(affine: false) >> Layers.PReLU("act"))
            >> Layers.GMPool<Pool8to4>() >> Layers.GMConv<Torus4>(6) >> Layers.ReLU() >> Layers.GMTransposePool<Pool8to4>(3)
            >> Layers.ChannelMix(2) >> Layers.GlobalMaxPool() >> Layers.Dropout(0.3) >> Layers.Linear(4).Named("head"), T8x3),
    };

    public static TheoryData<string> Names => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public void ONNX_Runtime_gives_the_layers_outputs(string name)
    {
        var (spec, input) = Cases[name];
        var network = Network.Build(spec(), input, seed: 7);
        Perturb(network, seed: 11);
        Ort.CheckAgrees(network, Ort.Uniform(37 * input.Size, seed: 3), name);
    }

    /// <summary>The layer kinds the cases cover, as Layer.Kind stems, so that a new layer kind without a case is noticed.</summary>
    [Fact]
    public void Every_layer_kind_of_the_runtime_has_a_case()
    {
        var covered = Cases.Values.SelectMany(c => Network.Build(c.Spec(), c.Input, 1).Layers).Select(l => l.GetType().Name.Split('`')[0]).ToHashSet();
        var kinds = typeof(Layer).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(Layer)) && !t.IsAbstract && t.IsPublic)
            .Select(t => t.Name.Split('`')[0]);
        string[] missing = [.. kinds.Where(k => !covered.Contains(k))];
        Assert.True(missing.Length == 0, $"layer kinds without an ONNX case: {string.Join(", ", missing)}");
    }

    /// <summary>Every parameter moved by U(−0.5, 0.5), so no part of a layer sits at a value that would hide a mistake.</summary>
    internal static void Perturb(Network network, int seed)
    {
        var rng = new Random(seed);
        foreach (var p in network.Parameters)
            for (int j = 0; j < p.Size; j++) p.Value[j] += (float)(rng.NextDouble() - 0.5);
    }
}
