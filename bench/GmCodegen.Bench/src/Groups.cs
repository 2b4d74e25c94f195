using GmCodegen;

namespace GmCodegen.Bench;

/// <summary>
/// The bench's own, independent elaboration of the groups it measures (docs/design.md: indexing and neighbourhoods), so that the naive kernel and
/// the libtorch peers can run before the generator emits anything, and so that the generated kernels are checked
/// against tables that were not produced by the generator itself.
/// </summary>
public sealed class FiniteGroup
{
    public required string Name { get; init; }
    public required int Order { get; init; }
    public required Func<int, int, int> Multiply { get; init; }
    public required Func<int, int> Inverse { get; init; }
    /// <summary>Neighbourhood of radius t in the reference implementation's order (duplicates dropped).</summary>
    public required Func<int, int[]> Neighbourhood { get; init; }

    static int Mod(int a, int n) => ((a % n) + n) % n;

    public static FiniteGroup Cyclic(int n) => new()
    {
        Name = $"C{n}", Order = n,
        Multiply = (a, b) => (a + b) % n,
        Inverse = a => Mod(-a, n),
        Neighbourhood = t => Distinct(Enumerable.Range(-t, 2 * t + 1).Select(i => Mod(i, n))),
    };

    /// <summary>Dn with 2n elements; (r,f) ↔ r + f·n; (r1,f1)(r2,f2) = (r1+r2, f1) if f2 = 0 else (r2−r1, 1−f1).</summary>
    public static FiniteGroup Dihedral(int n) => new()
    {
        Name = $"D{n}", Order = 2 * n,
        Multiply = (a, b) =>
        {
            int r1 = a % n, f1 = a / n, r2 = b % n, f2 = b / n;
            return f2 == 0 ? Mod(r1 + r2, n) + f1 * n : Mod(r2 - r1, n) + (1 - f1) * n;
        },
        Inverse = a => a / n == 0 ? Mod(-a, n) : a,
        Neighbourhood = t => Distinct(Enumerable.Range(-t, 2 * t + 1).SelectMany(i => new[] { Mod(i, n), Mod(i, n) + n })),
    };

    /// <summary>G x H: (g,h) ↔ g·|H| + h; neighbourhood = pairs, G's element slow.</summary>
    public static FiniteGroup Product(FiniteGroup g, FiniteGroup h) => new()
    {
        Name = $"{g.Name} x {h.Name}", Order = g.Order * h.Order,
        Multiply = (a, b) => g.Multiply(a / h.Order, b / h.Order) * h.Order + h.Multiply(a % h.Order, b % h.Order),
        Inverse = a => g.Inverse(a / h.Order) * h.Order + h.Inverse(a % h.Order),
        Neighbourhood = t => g.Neighbourhood(t).SelectMany(e1 => h.Neighbourhood(t).Select(e2 => e1 * h.Order + e2)).ToArray(),
    };

    /// <summary>
    /// p4m(n) = (Cn x Cn) ⋊ D4 (docs/design.md): element (t, m) at m·n² + t1·n + t2, m = r + 4f as the D4 above (the
    /// element s^f·ρ^r), (t, m)·(t', m') = (t + A(m)·t', m·m') with A(r, f) = F^f·R^r, R(t1, t2) = (−t2, t1),
    /// F(t1, t2) = (t1, −t2). Neighbourhood of radius t: the translations of Cn x Cn radius t (t1 slow) combined with
    /// all eight point-group elements, the point-group element slowest.
    /// </summary>
    public static FiniteGroup Wallpaper(int n)
    {
        var d4 = Dihedral(4);
        int nn = n * n;
        (int, int) A(int m, int t1, int t2)
        {
            for (int i = 0; i < m % 4; i++) (t1, t2) = (-t2, t1);
            return m / 4 == 1 ? (t1, -t2) : (t1, t2);
        }
        int Multiply(int a, int b)
        {
            int ma = a / nn, mb = b / nn;
            var (u1, u2) = A(ma, b % nn / n, b % n);
            return d4.Multiply(ma, mb) * nn + Mod(a % nn / n + u1, n) * n + Mod(a % n + u2, n);
        }
        int Inverse(int a)
        {
            int mi = d4.Inverse(a / nn);
            var (u1, u2) = A(mi, a % nn / n, a % n);
            return mi * nn + Mod(-u1, n) * n + Mod(-u2, n);
        }
        return new FiniteGroup
        {
            Name = $"p4m({n})", Order = 8 * nn, Multiply = Multiply, Inverse = Inverse,
            Neighbourhood = t => Distinct(
                from m in Enumerable.Range(0, 8) from t1 in Enumerable.Range(-t, 2 * t + 1) from t2 in Enumerable.Range(-t, 2 * t + 1)
                select m * nn + Mod(t1, n) * n + Mod(t2, n)),
        };
    }

    static int[] Distinct(IEnumerable<int> xs) => xs.Distinct().ToArray();   // keeps first occurrences, in order

    /// <summary>"C32 x C32", "D14 x D14", "C8", ... (the subset of the expression language the bench needs).</summary>
    public static FiniteGroup Parse(string expr)
    {
        if (expr.StartsWith("p4m(") && expr.EndsWith(')')) return Wallpaper(int.Parse(expr[4..^1]));
        var parts = expr.Split('x', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        FiniteGroup One(string p) => p[0] switch
        {
            'C' => Cyclic(int.Parse(p[1..])),
            'D' => Dihedral(int.Parse(p[1..])),
            _ => throw new ArgumentException($"bench group parser: unsupported factor '{p}'"),
        };
        var acc = One(parts[0]);
        foreach (var p in parts.Skip(1)) acc = Product(acc, One(p));
        return acc;
    }

    /// <summary>idx[k·L + a] = index(g_a · h_k⁻¹).</summary>
    public int[] ForwardTable(int radius)
    {
        var h = Neighbourhood(radius);
        var idx = new int[h.Length * Order];
        for (int k = 0; k < h.Length; k++)
        {
            int hInv = Inverse(h[k]);
            for (int a = 0; a < Order; a++) idx[k * Order + a] = Multiply(a, hInv);
        }
        return idx;
    }
}

/// <summary>One benchmark configuration of issue 4.</summary>
public sealed record BenchConfig(string Name, string Group, int Radius, int Batch, int In, int Out, ChannelMode Mode)
{
    public static readonly BenchConfig[] All =
    [
        new("rotmnist-first", "D14 x D14", 3, 128, 1, 120, ChannelMode.Shared),
        new("rotmnist-deep", "D14 x D14", 3, 128, 120, 120, ChannelMode.Shared),
        new("cifar-first", "C32 x C32", 3, 256, 3, 120, ChannelMode.Shared),
        new("cifar-full", "C32 x C32", 1, 64, 32, 32, ChannelMode.Full),
        new("plume", "C64 x C64", 1, 32, 120, 120, ChannelMode.Full),
    ];

    /// <summary>
    /// Issue 12's configurations, measured by `--kernels` (generated kernels only, against the FMA peak; libtorch's
    /// gather peer would need a B·I·K·|G| tensor of 0.9 GB on p4m-inner): an inner p4m(28) layer, two rotated-MNIST
    /// sized shared layers whose fast factor (18, 20) is not a multiple of the vector width, and a three-factor product.
    /// The lifted first p4m layer is the `lift` work's (GMLift), measured with it.
    /// </summary>
    public static readonly BenchConfig[] Planner =
    [
        new("p4m-inner", "p4m(28)", 1, 64, 8, 8, ChannelMode.Full),
        new("d9-shared", "D9 x D9", 2, 128, 120, 120, ChannelMode.Shared),
        new("c20-shared", "C20 x C20", 2, 128, 120, 120, ChannelMode.Shared),
        new("c12c3-full", "C12 x C12 x C3", 1, 32, 32, 32, ChannelMode.Full),
        // Hook for the lifted first p4m(28) layer (images → p4m(28), B = 64, 1 → 8 channels): add it here when the
        // `lift` branch's GMLift kernel has landed, with its runner in Generated/GeneratedKernels.cs.
    ];

    public static BenchConfig Get(string name) => All.Concat(Planner).Single(c => c.Name == name);

    FiniteGroup? _g; int[]? _idx;
    public FiniteGroup G => _g ??= FiniteGroup.Parse(Group);
    public int[] Idx => _idx ??= G.ForwardTable(Radius);
    public int L => G.Order;
    public int K => Idx.Length / L;
    /// <summary>Cyclic product Cn x Cn: the image torus, where libtorch's conv2d is a peer.</summary>
    public bool IsTorus => Group.Replace(" ", "") is var s && s.StartsWith('C') && s.Split('x') is [var a, var b] && a == b;
    public int Side => (int)Math.Round(Math.Sqrt(L));
    public GmShape Shape(int batch) => new(batch, In, Out, Mode);
    public int WeightLength => Mode == ChannelMode.Shared ? Out * K : Out * In * K;

    /// <summary>
    /// Minimal multiply-adds ×2 of one pass (forward, backward-input or backward-weights), the FLOP count used for
    /// every GFLOP/s in the report: 2·B·O·K·L in shared mode (the input channels summed first, O(B·I·L) extra),
    /// 2·B·O·I·K·L in full mode. A formulation that does more work (the published shared layer gathers every input
    /// channel) is still credited with this count, so its GFLOP/s reads as "effective".
    /// </summary>
    public double PassFlops => 2.0 * Batch * Out * K * L * (Mode == ChannelMode.Full ? In : 1);

    public override string ToString() => Name;
}
