using GmCodegen;

namespace GmCodegen.Generator.Tests;

// Groups whose emitted kernels the tests check against dense references.
[GroupMatrix("C8")] public partial struct C8r1;
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
