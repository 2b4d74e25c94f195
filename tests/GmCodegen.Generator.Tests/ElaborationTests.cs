using GmCodegen.Generator.Elaboration;
using GmCodegen.Generator.Parsing;

namespace GmCodegen.Generator.Tests;

/// <summary>The generator's stages called directly: the group law for every family at several sizes, and element-order counts.</summary>
public class ElaborationTests
{
    static Group Elaborate(string expression)
    {
        var parsed = Parser.Parse(expression);
        Assert.Null(parsed.Error);
        var result = Elaborator.Elaborate(parsed.Syntax!);
        Assert.Null(result.Error);
        return result.Group!;
    }

    public static TheoryData<string, int> Families => new()
    {
        { "C1", 1 }, { "C2", 2 }, { "C7", 7 }, { "Z12", 12 }, { "C60", 60 },
        { "D1", 2 }, { "D2", 4 }, { "D3", 6 }, { "D7", 14 }, { "D14", 28 },
        { "S1", 1 }, { "S2", 2 }, { "S3", 6 }, { "S4", 24 }, { "S5", 120 },
        { "A1", 1 }, { "A3", 3 }, { "A4", 12 }, { "A5", 60 },
        { "Q8", 8 }, { "C2^3", 8 }, { "C3 x D4", 24 }, { "(C2 x C3) x Q8", 48 },
        { "Perm((0 1 2 3), (0 1))", 24 }, { "Perm((0 1 2 3 4))", 5 }, { "Perm((0 1)(2 3), (0 2)(1 3))", 4 },
        { "Perm((0 1 2), (1 2 3))", 12 },
        { "p4(1)", 4 }, { "p4(3)", 36 }, { "p4(4)", 64 }, { "p4m(1)", 8 }, { "p4m(3)", 72 }, { "p4m(4)", 128 },
        { "B1", 2 }, { "B2", 8 }, { "B3", 48 }, { "B4", 384 }, { "p4(3) x C2", 72 }, { "C2 x p4m(2)", 64 },
    };

    [Theory, MemberData(nameof(Families))]
    public void Group_axioms_hold(string expression, int order)
    {
        var g = Elaborate(expression);
        Assert.Equal(order, g.Order);
        int n = g.Order;
        for (int a = 0; a < n; a++)
        {
            Assert.Equal(a, GroupAlgebra.Multiply(g, 0, a));
            Assert.Equal(a, GroupAlgebra.Multiply(g, a, 0));
            Assert.Equal(0, GroupAlgebra.Multiply(g, a, GroupAlgebra.Inverse(g, a)));
            var row = new HashSet<int>();
            for (int b = 0; b < n; b++)
            {
                int ab = GroupAlgebra.Multiply(g, a, b);
                Assert.InRange(ab, 0, n - 1);   // closure
                row.Add(ab);
                for (int c = 0; c < Math.Min(n, 16); c++)
                    Assert.Equal(GroupAlgebra.Multiply(g, ab, c), GroupAlgebra.Multiply(g, a, GroupAlgebra.Multiply(g, b, c)));
            }
            Assert.Equal(n, row.Count);
        }
    }

    /// <summary>Number of elements of each order: a fingerprint that tells the families apart.</summary>
    [Theory]
    [InlineData("C6", "1:1 2:1 3:2 6:2")]
    [InlineData("D4", "1:1 2:5 4:2")]
    [InlineData("D6", "1:1 2:7 3:2 6:2")]
    [InlineData("S3", "1:1 2:3 3:2")]
    [InlineData("S4", "1:1 2:9 3:8 4:6")]
    [InlineData("A4", "1:1 2:3 3:8")]
    [InlineData("A5", "1:1 2:15 3:20 5:24")]
    [InlineData("S5", "1:1 2:25 3:20 4:30 5:24 6:20")]
    [InlineData("Q8", "1:1 2:1 4:6")]
    [InlineData("C2^3", "1:1 2:7")]
    [InlineData("C2 x C4", "1:1 2:3 4:4")]
    [InlineData("Perm((0 1 2 3), (0 2))", "1:1 2:5 4:2")]   // D4 as permutations of a square's corners
    public void Element_order_counts_match_known_groups(string expression, string expected)
    {
        var g = Elaborate(expression);
        var counts = Enumerable.Range(0, g.Order).GroupBy(a => GroupAlgebra.ElementOrder(g, a)).OrderBy(x => x.Key);
        Assert.Equal(expected, string.Join(" ", counts.Select(c => $"{c.Key}:{c.Count()}")));
    }

    [Fact]
    public void Dihedral_and_product_indexing_follow_the_documented_conventions()
    {
        var d = Elaborate("D5");
        // (r1,f1)(r2,f2) = (r1+r2, f1) if f2 = 0, else (r2−r1, 1−f1); index r + f·n.
        Assert.Equal(3, GroupAlgebra.Multiply(d, 1, 2));
        Assert.Equal(5 + 1, GroupAlgebra.Multiply(d, 1, 5 + 2));      // (1,0)(2,1) = (1,1)
        Assert.Equal(4, GroupAlgebra.Multiply(d, 5 + 1, 5 + 0));       // (1,1)(0,1) = (4,0)
        var p = Elaborate("C3 x C4");
        Assert.Equal(1 * 4 + 3, GroupAlgebra.Multiply(p, 0 * 4 + 1, 1 * 4 + 2)); // (0,1)(1,2) = (1,3)
    }

    [Fact]
    public void Neighbourhoods_follow_the_reference_order()
    {
        Assert.Equal([6, 7, 0, 1, 2], Neighbourhoods.Of(Elaborate("C8"), 2).Elements);
        Assert.Equal([4, 9, 0, 5, 1, 6], Neighbourhoods.Of(Elaborate("D5"), 1).Elements);
        Assert.Equal([3 * 4 + 3, 3 * 4 + 0, 3 * 4 + 1, 0 * 4 + 3, 0, 1, 1 * 4 + 3, 1 * 4 + 0, 1 * 4 + 1],
            Neighbourhoods.Of(Elaborate("C4 x C4"), 1).Elements);
        var wrapped = Neighbourhoods.Of(Elaborate("C3"), 2);    // −2..2 mod 3 = 1 2 0 1 2
        Assert.Equal([1, 2, 0], wrapped.Elements);
        Assert.Equal(2, wrapped.Dropped);
        Assert.Equal(Enumerable.Range(0, 24), Neighbourhoods.Of(Elaborate("S4"), Neighbourhoods.WholeGroup).Elements);
        // A Cayley ball: identity, then the generators and their inverses, by word length then index.
        var s4 = Elaborate("S4");
        var ball = Neighbourhoods.Of(s4, 1).Elements;
        Assert.Equal(0, ball[0]);
        Assert.Equal(ball.Skip(1).Order(), ball.Skip(1));
        Assert.Equal(4, ball.Length);   // e, (0 1), (0 1 2 3) and its inverse
    }

    [Fact]
    public void Nested_products_flatten_to_the_same_indexing()
    {
        var a = Elaborate("(C2 x C3) x C4");
        var b = Elaborate("C2 x C3 x C4");
        Assert.Equal(a, b);
        Assert.Equal(Elaborate("C2 x C2 x C2"), Elaborate("C2^3"));
    }
}

/// <summary>
/// The group law is written once (Elaboration/GroupLaw.cs): the generator evaluates it, the GroupLaw template prints it.
/// The emitted Multiply and Inverse must agree with the evaluation everywhere.
/// </summary>
public class EmittedLawTests
{
    static void Agrees<T>(string expression) where T : IGroupKernel
    {
        var g = Elaborator.Elaborate(Parser.Parse(expression).Syntax!).Group!;
        Assert.Equal(g.Order, T.Order);
        int step = Math.Max(1, g.Order / 64);          // every pair for small groups, a lattice of them for large ones
        for (int a = 0; a < g.Order; a++)
        {
            Assert.Equal(GroupAlgebra.Inverse(g, a), T.Inverse(a));
            for (int b = a % step; b < g.Order; b += step)
                Assert.Equal(GroupAlgebra.Multiply(g, a, b), T.Multiply(a, b));
        }
    }

    [Fact] public void Cyclic() => Agrees<C5xC7r2>("C5 x C7");
    [Fact] public void Dihedral() => Agrees<D4r1>("D4");
    [Fact] public void Dihedral_products() => Agrees<D14xD14r3>("D14 x D14");
    [Fact] public void Tables() => Agrees<S4r2>("S4");
    [Fact] public void Mixed_products() => Agrees<Q8xC3>("Q8 x C3");
    [Fact] public void Nested_products() => Agrees<D3xC2xC3>("D3 x (C2 x C3)");
    [Fact] public void Rotations_and_translations() => Agrees<P4n5>("p4(5)");
    [Fact] public void Rotations_mirrors_and_translations() => Agrees<P4mn4>("p4m(4)");
    [Fact] public void Wallpaper_in_a_product() => Agrees<P4n3xC2>("p4(3) x C2");
    [Fact] public void Signed_permutations() => Agrees<B3r2>("B3");
    [Fact] public void Signed_permutations_of_four() => Agrees<B4r1>("B4");
}
