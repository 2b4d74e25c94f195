namespace GmCodegen.Generator.Tests;

/// <summary>Which table of an otherwise correct plan (C5 x C16 radius 2, whose rows move by shifts) is spoiled.</summary>
public interface IFlaw
{
    /// <summary>The spoiled copy of a table; <paramref name="table"/> names it.</summary>
    static abstract int[] Spoil(string table, int[] values);
}

/// <summary>One forward row uses a permutation the plan does not have.</summary>
public struct PermutationOutOfRange : IFlaw
{
    public static int[] Spoil(string table, int[] values)
    {
        if (table == "FastForwardOf") values[values.Length - 1] = C5xC16r2Plan.FastForwardCount;
        return values;
    }
}

/// <summary>A row shift that does not match its row map.</summary>
public struct ShiftOffByOne : IFlaw
{
    public static int[] Spoil(string table, int[] values)
    {
        if (table == "ForwardShifts") values[0] += 1;
        return values;
    }
}

/// <summary>A backward permutation table one row short.</summary>
public struct BackwardTableShort : IFlaw
{
    public static int[] Spoil(string table, int[] values) => table == "FastBackwardOf" ? values[..^1] : values;
}

/// <summary>The generated plan's members, read through the interface (they are explicit implementations).</summary>
public static class C5xC16r2Plan
{
    public static int FastForwardCount => Of<C5xC16r2>.FastForwardCount;

    public static class Of<T> where T : IGroupPlan
    {
        public static int FastOrder => T.FastOrder;
        public static int SlowOrder => T.SlowOrder;
        public static int FastForwardCount => T.FastForwardCount;
        public static int FastBackwardCount => T.FastBackwardCount;
        public static int[] Table(string name) => name switch
        {
            "KernelSlow" => T.KernelSlow.ToArray(),
            "SlowForward" => T.SlowForward.ToArray(),
            "SlowBackward" => T.SlowBackward.ToArray(),
            "FastForwardOf" => T.FastForwardOf.ToArray(),
            "FastBackwardOf" => T.FastBackwardOf.ToArray(),
            "ForwardShifts" => T.ForwardShifts.ToArray(),
            "BackwardShifts" => T.BackwardShifts.ToArray(),
            _ => throw new ArgumentException(name, nameof(name)),
        };
        public static void GatherForward(int j, ref float src, ReadOnlySpan<int> rowMap, ref float dst) => T.GatherForward(j, ref src, rowMap, ref dst);
        public static void GatherBackward(int j, ref float src, ReadOnlySpan<int> rowMap, ref float dst) => T.GatherBackward(j, ref src, rowMap, ref dst);
        public static void GatherAddBackward(int j, ref float src, ReadOnlySpan<int> rowMap, ref float dst) => T.GatherAddBackward(j, ref src, rowMap, ref dst);
        public static bool TryForwardSharedUnrolled(int m, int n, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, ReadOnlySpan<float> panel, int ldp, Span<float> c, int ldc) =>
            T.TryForwardSharedUnrolled(m, n, w, bias, panel, ldp, c, ldc);
    }
}

/// <summary>C5 x C16 radius 2's generated plan with one table spoiled by <typeparamref name="TFlaw"/>.</summary>
public struct Broken<TFlaw> : IGroupPlan where TFlaw : IFlaw
{
    static readonly Dictionary<string, int[]> Tables = new[] { "KernelSlow", "SlowForward", "SlowBackward", "FastForwardOf", "FastBackwardOf", "ForwardShifts", "BackwardShifts" }
        .ToDictionary(n => n, n => TFlaw.Spoil(n, C5xC16r2Plan.Of<C5xC16r2>.Table(n)));
    public static int Order => C5xC16r2.Order;
    public static int KernelSize => C5xC16r2.KernelSize;
    public static ReadOnlySpan<int> KernelElements => C5xC16r2.KernelElements;
    public static int Multiply(int a, int b) => C5xC16r2.Multiply(a, b);
    public static int Inverse(int a) => C5xC16r2.Inverse(a);
    public static void Forward(in GmShape s, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y) => GmEngine<Broken<TFlaw>>.Forward(s, x, w, bias, y);
    public static void BackwardInput(in GmShape s, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx) => GmEngine<Broken<TFlaw>>.BackwardInput(s, dy, w, dx);
    public static void BackwardWeights(in GmShape s, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw, Span<float> dbias) => GmEngine<Broken<TFlaw>>.BackwardWeights(s, x, dy, dw, dbias);

    public static int FastOrder => C5xC16r2Plan.Of<C5xC16r2>.FastOrder;
    public static int SlowOrder => C5xC16r2Plan.Of<C5xC16r2>.SlowOrder;
    public static int FastForwardCount => C5xC16r2Plan.Of<C5xC16r2>.FastForwardCount;
    public static int FastBackwardCount => C5xC16r2Plan.Of<C5xC16r2>.FastBackwardCount;
    public static ReadOnlySpan<int> KernelSlow => Tables["KernelSlow"];
    public static ReadOnlySpan<int> SlowForward => Tables["SlowForward"];
    public static ReadOnlySpan<int> SlowBackward => Tables["SlowBackward"];
    public static ReadOnlySpan<int> FastForwardOf => Tables["FastForwardOf"];
    public static ReadOnlySpan<int> FastBackwardOf => Tables["FastBackwardOf"];
    public static ReadOnlySpan<int> ForwardShifts => Tables["ForwardShifts"];
    public static ReadOnlySpan<int> BackwardShifts => Tables["BackwardShifts"];
    public static void GatherForward(int j, ref float src, ReadOnlySpan<int> rowMap, ref float dst) => C5xC16r2Plan.Of<C5xC16r2>.GatherForward(j, ref src, rowMap, ref dst);
    public static void GatherBackward(int j, ref float src, ReadOnlySpan<int> rowMap, ref float dst) => C5xC16r2Plan.Of<C5xC16r2>.GatherBackward(j, ref src, rowMap, ref dst);
    public static void GatherAddBackward(int j, ref float src, ReadOnlySpan<int> rowMap, ref float dst) => C5xC16r2Plan.Of<C5xC16r2>.GatherAddBackward(j, ref src, rowMap, ref dst);
    public static bool TryForwardSharedUnrolled(int m, int n, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, ReadOnlySpan<float> panel, int ldp, Span<float> c, int ldc) =>
        C5xC16r2Plan.Of<C5xC16r2>.TryForwardSharedUnrolled(m, n, w, bias, panel, ldp, c, ldc);
}

/// <summary>The engine checks a plan's permutation and shift tables once per type and refuses an inconsistent one.</summary>
public class PlanCheckTests
{
    static string Refusal<T>() where T : IGroupPlan
    {
        var s = new GmShape(1, 2, 2, ChannelMode.Full);
        int l = T.Order;
        var e = Assert.Throws<InvalidOperationException>(() =>
            T.Forward(s, new float[2 * l], new float[KernelChecks.WeightLength(s, T.KernelSize)], [], new float[2 * l]));
        return e.Message;
    }

    [Fact]
    public void A_permutation_outside_the_plan_is_refused() => Assert.Contains("FastForwardOf holds permutation", Refusal<Broken<PermutationOutOfRange>>());

    [Fact]
    public void A_shift_that_does_not_match_its_row_map_is_refused() => Assert.Contains("ForwardShifts[0]", Refusal<Broken<ShiftOffByOne>>());

    [Fact]
    public void A_short_permutation_table_is_refused() => Assert.Contains("FastBackwardOf has", Refusal<Broken<BackwardTableShort>>());

    [Fact]
    public void The_unspoiled_copy_runs_and_matches_the_generated_type()
    {
        // The wrapper itself is sound: with nothing spoiled it gives the generated kernel's result.
        var r = new Random(4);
        var s = new GmShape(2, 3, 4, ChannelMode.Full);
        int l = C5xC16r2.Order;
        var x = Rand.Floats(r, 2 * 3 * l);
        var w = Rand.Floats(r, KernelChecks.WeightLength(s, C5xC16r2.KernelSize));
        float[] y1 = new float[2 * 4 * l], y2 = new float[2 * 4 * l];
        C5xC16r2.Forward(s, x, w, [], y1);
        Broken<NoFlaw>.Forward(s, x, w, [], y2);
        Assert.Equal(y1, y2);
    }
}

/// <summary>Spoils nothing.</summary>
public struct NoFlaw : IFlaw
{
    public static int[] Spoil(string table, int[] values) => values;
}
