namespace GmCodegen.Runtime.Tests;

/// <summary>
/// A finite group by formula with its radius-t neighbourhood (docs/design.md: indexing, neighbourhoods): the tests' stand-in for what
/// the generator elaborates, so that the runtime is tested independently of the generator.
/// </summary>
public sealed record FiniteGroup(string Name, int Order, Func<int, int, int> Mul, Func<int, int> Inv, int[] Kernel)
{
    /// <summary>Cn: k ↔ k mod n; neighbourhood i mod n for i = −t..t, repeats dropped.</summary>
    public static FiniteGroup Cyclic(int n, int t) =>
        new($"C{n}", n, (a, b) => (a + b) % n, a => (n - a) % n,
            [.. Enumerable.Range(-t, 2 * t + 1).Select(i => ((i % n) + n) % n).Distinct()]);

    /// <summary>Dn with 2n elements (r, f) ↔ r + f·n; (r1,f1)(r2,f2) = (r1+r2, f1) if f2 = 0 else (r2−r1, 1−f1).</summary>
    public static FiniteGroup Dihedral(int n, int t)
    {
        int Mul(int a, int b)
        {
            int r1 = a % n, f1 = a / n, r2 = b % n, f2 = b / n;
            return f2 == 0 ? (r1 + r2) % n + f1 * n : ((r2 - r1) % n + n) % n + (1 - f1) * n;
        }
        int Inv(int a) => a < n ? (n - a) % n : a;
        var kernel = Enumerable.Range(-t, 2 * t + 1).SelectMany(i => new[] { ((i % n) + n) % n, ((i % n) + n) % n + n }).Distinct();
        return new($"D{n}", 2 * n, Mul, Inv, [.. kernel]);
    }

    /// <summary>G x H: (g, h) ↔ g·|H| + h, componentwise; neighbourhood all pairs, G's slow.</summary>
    public static FiniteGroup operator *(FiniteGroup g, FiniteGroup h) =>
        new($"{g.Name}x{h.Name}", g.Order * h.Order,
            (a, b) => g.Mul(a / h.Order, b / h.Order) * h.Order + h.Mul(a % h.Order, b % h.Order),
            a => g.Inv(a / h.Order) * h.Order + h.Inv(a % h.Order),
            [.. g.Kernel.SelectMany(e1 => h.Kernel.Select(e2 => e1 * h.Order + e2))]);
}

// Hand-made kernels: group maths by formula, convolution by the naive reference kernel.
#pragma warning disable CA1000
public struct C4xC4 : IGroupKernel
{
    internal static readonly FiniteGroup G = FiniteGroup.Cyclic(4, 1) * FiniteGroup.Cyclic(4, 1);
    public static int Order => G.Order;
    public static int KernelSize => G.Kernel.Length;
    public static ReadOnlySpan<int> KernelElements => G.Kernel;
    public static int Multiply(int a, int b) => G.Mul(a, b);
    public static int Inverse(int a) => G.Inv(a);
    public static void Forward(in GmShape s, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y) => NaiveGm<C4xC4>.Forward(s, x, w, bias, y);
    public static void BackwardInput(in GmShape s, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx) => NaiveGm<C4xC4>.BackwardInput(s, dy, w, dx);
    public static void BackwardWeights(in GmShape s, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw, Span<float> dbias) => NaiveGm<C4xC4>.BackwardWeights(s, x, dy, dw, dbias);
}

/// <summary>The 8×8 torus: GM convolution = circular 3×3 convolution. Used by the training tests.</summary>
public struct C8xC8 : IGroupKernel
{
    internal static readonly FiniteGroup G = FiniteGroup.Cyclic(8, 1) * FiniteGroup.Cyclic(8, 1);
    public static int Order => G.Order;
    public static int KernelSize => G.Kernel.Length;
    public static ReadOnlySpan<int> KernelElements => G.Kernel;
    public static int Multiply(int a, int b) => G.Mul(a, b);
    public static int Inverse(int a) => G.Inv(a);
    public static void Forward(in GmShape s, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y) => NaiveGm<C8xC8>.Forward(s, x, w, bias, y);
    public static void BackwardInput(in GmShape s, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx) => NaiveGm<C8xC8>.BackwardInput(s, dy, w, dx);
    public static void BackwardWeights(in GmShape s, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw, Span<float> dbias) => NaiveGm<C8xC8>.BackwardWeights(s, x, dy, dw, dbias);
}

/// <summary>A non-abelian group, not dense at radius 1 (8 elements, 6 in the kernel).</summary>
public struct D4 : IGroupKernel
{
    internal static readonly FiniteGroup G = FiniteGroup.Dihedral(4, 1);
    public static int Order => G.Order;
    public static int KernelSize => G.Kernel.Length;
    public static ReadOnlySpan<int> KernelElements => G.Kernel;
    public static int Multiply(int a, int b) => G.Mul(a, b);
    public static int Inverse(int a) => G.Inv(a);
    public static void Forward(in GmShape s, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y) => NaiveGm<D4>.Forward(s, x, w, bias, y);
    public static void BackwardInput(in GmShape s, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx) => NaiveGm<D4>.BackwardInput(s, dy, w, dx);
    public static void BackwardWeights(in GmShape s, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw, Span<float> dbias) => NaiveGm<D4>.BackwardWeights(s, x, dy, dw, dbias);
}

/// <summary>D4 x D4 (64 elements, 36 in the kernel): the shape of the paper's image groups, small.</summary>
public struct D4xD4 : IGroupKernel
{
    internal static readonly FiniteGroup G = FiniteGroup.Dihedral(4, 1) * FiniteGroup.Dihedral(4, 1);
    public static int Order => G.Order;
    public static int KernelSize => G.Kernel.Length;
    public static ReadOnlySpan<int> KernelElements => G.Kernel;
    public static int Multiply(int a, int b) => G.Mul(a, b);
    public static int Inverse(int a) => G.Inv(a);
    public static void Forward(in GmShape s, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y) => NaiveGm<D4xD4>.Forward(s, x, w, bias, y);
    public static void BackwardInput(in GmShape s, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx) => NaiveGm<D4xD4>.BackwardInput(s, dy, w, dx);
    public static void BackwardWeights(in GmShape s, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw, Span<float> dbias) => NaiveGm<D4xD4>.BackwardWeights(s, x, dy, dw, dbias);
}

/// <summary>The paper's rotated-MNIST group at radius 3 (784 elements, 196 in the kernel); only built, never run.</summary>
public struct D14xD14 : IGroupKernel
{
    internal static readonly FiniteGroup G = FiniteGroup.Dihedral(14, 3) * FiniteGroup.Dihedral(14, 3);
    public static int Order => G.Order;
    public static int KernelSize => G.Kernel.Length;
    public static ReadOnlySpan<int> KernelElements => G.Kernel;
    public static int Multiply(int a, int b) => G.Mul(a, b);
    public static int Inverse(int a) => G.Inv(a);
    public static void Forward(in GmShape s, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y) => NaiveGm<D14xD14>.Forward(s, x, w, bias, y);
    public static void BackwardInput(in GmShape s, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx) => NaiveGm<D14xD14>.BackwardInput(s, dy, w, dx);
    public static void BackwardWeights(in GmShape s, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw, Span<float> dbias) => NaiveGm<D14xD14>.BackwardWeights(s, x, dy, dw, dbias);
}
#pragma warning restore CA1000

public class TestGroupTests
{
    public static TheoryData<string> Groups => ["C4xC4", "C8xC8", "D4", "D4xD4", "D14xD14"];

    static FiniteGroup Get(string name) => name switch
    {
        "C4xC4" => C4xC4.G, "C8xC8" => C8xC8.G, "D4" => D4.G, "D4xD4" => D4xD4.G, _ => D14xD14.G,
    };

    [Theory, MemberData(nameof(Groups))]
    public void Formulas_satisfy_the_group_axioms(string name)
    {
        var g = Get(name);
        var rng = new Random(1);
        for (int trial = 0; trial < 2000; trial++)
        {
            int a = rng.Next(g.Order), b = rng.Next(g.Order), c = rng.Next(g.Order);
            Assert.Equal(g.Mul(g.Mul(a, b), c), g.Mul(a, g.Mul(b, c)));
            Assert.Equal(a, g.Mul(a, 0));
            Assert.Equal(a, g.Mul(0, a));
            Assert.Equal(0, g.Mul(a, g.Inv(a)));
        }
        Assert.Equal(g.Kernel.Length, g.Kernel.Distinct().Count());
    }

    [Fact]
    public void Neighbourhood_sizes_follow_the_design()
    {
        Assert.Equal(9, C4xC4.KernelSize);
        Assert.Equal(6, D4.KernelSize);
        Assert.Equal(196, D14xD14.KernelSize);
        Assert.Equal(784, D14xD14.Order);
        Assert.True(FiniteGroup.Dihedral(4, 1).Mul(1, 4) != FiniteGroup.Dihedral(4, 1).Mul(4, 1), "D4 must be non-abelian");
    }
}
