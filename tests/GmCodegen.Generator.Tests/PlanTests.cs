using GmCodegen.Generator.Elaboration;
using GmCodegen.Generator.Model;
using GmCodegen.Generator.Parsing;
using GmCodegen.Generator.Planning;

namespace GmCodegen.Generator.Tests;

/// <summary>
/// The planner against brute force: for every family, kernel element, row and column, the plan's row map and in-row
/// permutation must give index(g·h_k⁻¹) (forward) and index(g·h_k) (backward), computed here from the group law.
/// </summary>
public class PlanTests
{
    static Group Elaborate(string expression)
    {
        var parsed = Parser.Parse(expression);
        Assert.Null(parsed.Error);
        var result = Elaborator.Elaborate(parsed.Syntax!);
        Assert.Null(result.Error);
        return result.Group!;
    }

    /// <summary>
    /// p4(n) = (Cn x Cn) ⋊ C4 as a Cayley table, independent of the generator's own family: element (t1, t2, r) at
    /// r·n² + t1·n + t2, (t, r)·(t', r') = (t + R^r·t', r + r'), R(t1, t2) = (−t2, t1) mod n.
    /// </summary>
    public static TableGroup P4Table(int n)
    {
        int order = 4 * n * n;
        (int, int, int) Split(int a) => (a / n % n, a % n, a / (n * n));
        int Index(int t1, int t2, int r) => ((r % 4 + 4) % 4) * n * n + ((t1 % n + n) % n) * n + (t2 % n + n) % n;
        (int, int) Rotate(int t1, int t2, int r)
        {
            for (int i = 0; i < r; i++) (t1, t2) = (-t2, t1);
            return (t1, t2);
        }
        var table = new int[order * order];
        for (int a = 0; a < order; a++)
        for (int b = 0; b < order; b++)
        {
            var (a1, a2, ar) = Split(a);
            var (b1, b2, br) = Split(b);
            var (c1, c2) = Rotate(b1, b2, ar);
            table[a * order + b] = Index(a1 + c1, a2 + c2, ar + br);
        }
        var inverses = Enumerable.Range(0, order).Select(a => Enumerable.Range(0, order).Single(b => table[a * order + b] == 0)).ToArray();
        return new TableGroup($"p4({n}) table", order, table.ToEquatableArray(), inverses.ToEquatableArray(),
            EquatableArray.Of(n, 1, n * n), "r·n² + t1·n + t2");
    }

    public static TheoryData<string, int> Families => new()
    {
        { "C8", 1 }, { "C5", 3 }, { "D4", 1 }, { "D5 x D5", 2 }, { "C8 x C8", 1 }, { "C5 x C7", 2 }, { "S4", 2 },
        { "S4", Neighbourhoods.WholeGroup }, { "A5", 1 }, { "Q8 x C3", 1 }, { "C2^3", 2 }, { "Perm((0 1 2 3), (0 1))", 1 },
        { "D3 x (C2 x C3)", 1 }, { "D14 x D14", 3 }, { "C5 x C16", 2 }, { "S5", 1 }, { "D20", 2 }, { "C12 x C12 x C3", 1 },
        { "D9 x D9", 2 }, { "C20 x C20", 2 }, { "C28", 2 },
        { "p4(5)", 1 }, { "p4(4)", 2 }, { "p4m(4)", 1 }, { "p4m(5)", 1 }, { "p4m(2)", 0 }, { "p4(3) x C2", 0 }, { "B3", 1 }, { "B3", 2 }, { "B4", 1 },
    };

    [Theory]
    [InlineData("p4(5)", 1)]
    [InlineData("p4m(4)", 1)]
    [InlineData("p4m(7)", 1)]
    [InlineData("p4m(28)", 1)]
    public void Wallpaper_groups_split_into_image_lines(string expression, int radius)
    {
        // Rows (m, t1), columns t2: every kernel element's column map is a cyclic shift (stride +1 runs) chosen by the
        // row's point-group part; the gathers are emitted code, not tables.
        var g = Elaborate(expression);
        int n = ((WallpaperGroup)g).N;
        var plan = Planner.Plan(g, Neighbourhoods.Of(g, radius).Elements);
        if (g.Order <= 800) MatchesBruteForce(g, plan);
        else MatchesAtRandom(g, plan, new Random(12), 20_000);
        Assert.False(plan.TableDriven, plan.TableDrivenReason);
        Assert.True(plan.FastOrder == n || plan.FastOrder == n * n, $"|F| = {plan.FastOrder}");
        if (plan.FastOrder == n) Assert.False(plan.RowIndependent);
        Assert.All(plan.FastForward.Concat(plan.FastBackward), p => Assert.All(p.Segments, s => Assert.True(s is Run { Stride: 1 } || s is Scattered, $"{s}")));
        // Shifts by −t..t along t2 (rows (m, t1)), or of the whole image by −t..t in both coordinates (rows m).
        Assert.InRange(plan.FastForward.Count, 1, plan.FastOrder == n ? 2 * radius + 1 : (2 * radius + 1) * (2 * radius + 1));
    }

    [Theory, MemberData(nameof(Families))]
    public void Plan_equals_brute_force(string expression, int radius)
    {
        var g = Elaborate(expression);
        var plan = Planner.Plan(g, Neighbourhoods.Of(g, radius).Elements);
        MatchesBruteForce(g, plan);
        if (g is ProductGroup)
            Assert.True(plan.RowIndependent, "a direct product's in-row permutations depend on the kernel element only");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Semidirect_table_group_plans_equal_brute_force(int n)
    {
        var g = P4Table(n);
        var hs = Neighbourhoods.Of(g, 1).Elements;
        var plan = Planner.Plan(g, hs);
        MatchesBruteForce(g, plan);
        // Every split the law allows, checked the same way: rows (r, t1) with columns t2, and rows r with columns t.
        var (forward, backward) = Maps(g, hs);
        foreach (int d in Enumerable.Range(1, g.Order).Where(d => g.Order % d == 0))
            if (Planner.Factorise(d, hs, forward, backward) is { } split) MatchesBruteForce(g, split);
        var byRow = Planner.Factorise(n, hs, forward, backward);
        Assert.NotNull(byRow);
        Assert.NotNull(Planner.Factorise(n * n, hs, forward, backward));
        Assert.Null(Planner.Factorise(2 * n, hs, forward, backward));   // rows of two image lines are split by odd shifts
        // A rotated kernel element shifts the columns by an amount that depends on the row's rotation.
        Assert.False(byRow!.RowIndependent);
        Assert.True(byRow.FastForward.Count < hs.Length * byRow.SlowOrder, "permutations are deduplicated by content");
        Assert.All(byRow.FastForward, p => Assert.All(p.Segments, s => Assert.True(s is Run { Stride: 1 } || s is Scattered)));
    }

    [Fact]
    public void Direct_products_keep_todays_split_and_permutation_count()
    {
        var g = Elaborate("D14 x D14");
        var hs = Neighbourhoods.Of(g, 3).Elements;
        var plan = Planner.Plan(g, hs);
        Assert.Equal(28, plan.FastOrder);
        Assert.Equal(hs.Select(h => h % 28).Distinct().Count(), plan.FastForward.Count);
        Assert.Equal(plan.FastForward.Count, plan.FastBackward.Count);
        Assert.Empty(plan.ForwardShifts);   // D14's row maps include reflections

        var c = Elaborate("C5 x C16");
        var cp = Planner.Plan(c, Neighbourhoods.Of(c, 2).Elements);
        Assert.Equal(16, cp.FastOrder);
        Assert.Equal(cp.KernelSize, cp.ForwardShifts.Count);
        Assert.Equal(cp.ForwardShifts.Select(d => -d), cp.BackwardShifts);
    }

    [Fact]
    public void Split_of_a_single_dihedral_group_uses_its_rotation_rows()
    {
        // D20 (index r + 20·f): rows f, columns r; a reflection swaps the two rows, a rotation keeps them.
        var g = Elaborate("D20");
        var plan = Planner.Plan(g, Neighbourhoods.Of(g, 2).Elements);
        MatchesBruteForce(g, plan);
        Assert.Equal(20, plan.FastOrder);
        for (int k = 0; k < plan.KernelSize; k++)
        {
            int js = plan.KernelSlow[k];
            int[] expected = plan.KernelElements[k] >= 20 ? [1, 0] : [0, 1];
            Assert.Equal(expected, plan.SlowForward.Skip(2 * js).Take(2));
        }
    }

    static (int[][] Forward, int[][] Backward) Maps(Group g, int[] hs) =>
        (hs.Select(h => Enumerable.Range(0, g.Order).Select(a => GroupAlgebra.Multiply(g, a, GroupAlgebra.Inverse(g, h))).ToArray()).ToArray(),
         hs.Select(h => Enumerable.Range(0, g.Order).Select(a => GroupAlgebra.Multiply(g, a, h)).ToArray()).ToArray());

    /// <summary>The plan's tables reproduce both position maps everywhere; shifts and table sizes are consistent.</summary>
    static void MatchesBruteForce(Group g, KernelPlan plan)
    {
        int fs = plan.FastOrder, ns = plan.SlowOrder, kernel = plan.KernelSize;
        Assert.Equal(g.Order, fs * ns);
        Assert.Equal(kernel * ns, plan.FastForwardOf.Count);
        Assert.Equal(kernel * ns, plan.FastBackwardOf.Count);
        Assert.Equal(plan.FastForward.Count, plan.FastForward.Select(p => p.Map).Distinct().Count());
        Assert.Equal(plan.FastBackward.Count, plan.FastBackward.Select(p => p.Map).Distinct().Count());
        for (int k = 0; k < kernel; k++)
        {
            int h = plan.KernelElements[k], hInv = GroupAlgebra.Inverse(g, h), js = plan.KernelSlow[k];
            for (int s = 0; s < ns; s++)
            {
                var pf = plan.FastForward[plan.FastForwardOf[k * ns + s]];
                var pb = plan.FastBackward[plan.FastBackwardOf[k * ns + s]];
                Assert.Equal(fs, pf.Map.Count);
                for (int c = 0; c < fs; c++)
                {
                    int a = s * fs + c;
                    Assert.Equal(GroupAlgebra.Multiply(g, a, hInv), plan.SlowForward[js * ns + s] * fs + pf.Map[c]);
                    Assert.Equal(GroupAlgebra.Multiply(g, a, h), plan.SlowBackward[js * ns + s] * fs + pb.Map[c]);
                }
                // The segments say the same as the map.
                Assert.Equal(pf.Map.Items, Expand(pf.Segments, fs));
                Assert.Equal(pb.Map.Items, Expand(pb.Segments, fs));
            }
            foreach (var (shifts, slow) in new[] { (plan.ForwardShifts, plan.SlowForward), (plan.BackwardShifts, plan.SlowBackward) })
                if (shifts.Count > 0)
                    for (int s = 0; s < ns; s++) Assert.Equal(((s + shifts[k]) % ns + ns) % ns, slow[js * ns + s]);
        }
    }

    /// <summary><see cref="MatchesBruteForce"/> at random (k, position) pairs, for groups too large to check everywhere.</summary>
    static void MatchesAtRandom(Group g, KernelPlan plan, Random r, int samples)
    {
        int fs = plan.FastOrder, ns = plan.SlowOrder;
        for (int i = 0; i < samples; i++)
        {
            int k = r.Next(plan.KernelSize), a = r.Next(g.Order), s = a / fs, c = a % fs, h = plan.KernelElements[k], js = plan.KernelSlow[k];
            Assert.Equal(GroupAlgebra.Multiply(g, a, GroupAlgebra.Inverse(g, h)),
                plan.SlowForward[js * ns + s] * fs + plan.FastForward[plan.FastForwardOf[k * ns + s]].Map[c]);
            Assert.Equal(GroupAlgebra.Multiply(g, a, h),
                plan.SlowBackward[js * ns + s] * fs + plan.FastBackward[plan.FastBackwardOf[k * ns + s]].Map[c]);
        }
    }

    static int[] Expand(EquatableArray<Segment> segments, int fs)
    {
        var map = Enumerable.Repeat(-1, fs).ToArray();
        foreach (var segment in segments)
            switch (segment)
            {
                case Run r: for (int t = 0; t < r.Length; t++) map[r.DstStart + t] = r.SrcStart + r.Stride * t; break;
                case Scattered sc: for (int t = 0; t < sc.Length; t++) map[sc.DstStart + t] = sc.Sources[t]; break;
            }
        return map;
    }
}
