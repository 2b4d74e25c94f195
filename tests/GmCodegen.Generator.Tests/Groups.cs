using GmCodegen;

namespace GmCodegen.Generator.Tests;

// Groups whose emitted kernels the tests check against dense references.
[GroupMatrix("C8")] public partial struct C8r1;
[GroupMatrix("C6 x C4", Radius = 0)] public partial struct C6xC4r0;          // K = 1: the unrolled micro-kernel has one term
[GroupMatrix("C5", Radius = 3)] public partial struct C5r3;               // wraps: 7 > 5
[GroupMatrix("D4")] public partial struct D4r1;
[GroupMatrix("D5 x D5", Radius = 2)] public partial struct D5xD5r2;
[GroupMatrix("C8 x C8")] public partial struct C8xC8r1;
[GroupMatrix("C4 x C4")] public partial struct C4xC4r1;
[GroupMatrix("C5 x C7", Radius = 2)] public partial struct C5xC7r2;      // |G| = 35, not a multiple of the vector width
[GroupMatrix("S4", Radius = 2)] public partial struct S4r2;
[GroupMatrix("S4", Radius = GroupMatrixAttribute.WholeGroup)] public partial struct S4Dense;
[GroupMatrix("A5")] public partial class A5r1;
[GroupMatrix("Q8 x C3")] public partial struct Q8xC3;
[GroupMatrix("C2^3", Radius = 2)] public partial struct C2Cubed;
[GroupMatrix("Perm((0 1 2 3), (0 1))")] public partial struct PermS4;
[GroupMatrix("D3 x (C2 x C3)")] public partial struct D3xC2xC3;
[GroupMatrix("D14 x D14", Radius = 3)] public partial struct D14xD14r3;
[GroupMatrix("C5 x C16", Radius = 2)] public partial struct C5xC16r2;      // slow rows C5 are cyclic shifts that wrap: the shifted panel pass
[GroupMatrix("p4(5)")] public partial struct P4n5;                        // (C5 x C5) ⋊ C4, K = 9·4
[GroupMatrix("p4m(4)")] public partial struct P4mn4;                      // (C4 x C4) ⋊ D4, K = 9·8
[GroupMatrix("p4(3) x C2", Radius = 0)] public partial struct P4n3xC2;    // a wallpaper factor in a product
[GroupMatrix("B3", Radius = 2)] public partial struct B3r2;               // signed permutations, a Cayley ball
[GroupMatrix("B4")] public partial struct B4r1;
#pragma warning disable GM0011 // the point of this one: too many irregular gathers to unroll, so it is table-driven
[GroupMatrix("S5", Radius = GroupMatrixAttribute.WholeGroup)] public partial struct S5Dense;
#pragma warning restore GM0011

public static class Groups
{
    public static readonly IReadOnlyDictionary<string, IGroupChecks> All = new Dictionary<string, IGroupChecks>
    {
        ["C8"] = new Checks<C8r1>(),
        ["C6 x C4 r0"] = new Checks<C6xC4r0>(),
        ["C5 r3"] = new Checks<C5r3>(),
        ["D4"] = new Checks<D4r1>(),
        ["D5 x D5 r2"] = new Checks<D5xD5r2>(),
        ["C8 x C8"] = new Checks<C8xC8r1>(),
        ["C4 x C4"] = new Checks<C4xC4r1>(),
        ["C5 x C7 r2"] = new Checks<C5xC7r2>(),
        ["S4 r2"] = new Checks<S4r2>(),
        ["S4 whole"] = new Checks<S4Dense>(),
        ["A5"] = new Checks<A5r1>(),
        ["Q8 x C3"] = new Checks<Q8xC3>(),
        ["C2^3 r2"] = new Checks<C2Cubed>(),
        ["Perm S4"] = new Checks<PermS4>(),
        ["D3 x (C2 x C3)"] = new Checks<D3xC2xC3>(),
        ["D14 x D14 r3"] = new Checks<D14xD14r3>(),
        ["C5 x C16 r2"] = new Checks<C5xC16r2>(),
        ["S5 whole (table-driven)"] = new Checks<S5Dense>(),
        ["p4(5)"] = new Checks<P4n5>(),
        ["p4m(4)"] = new Checks<P4mn4>(),
        ["p4(3) x C2 r0"] = new Checks<P4n3xC2>(),
        ["B3 r2"] = new Checks<B3r2>(),
    };
}
