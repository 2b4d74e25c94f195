namespace GmCodegen.OnnxTests;

// Small groups for the per-layer cases: a product of cyclic groups (formula), a dihedral group, a Cayley-table group,
// and a pool between two tori.
[GroupMatrix("C4 x C4")] public partial struct Torus4;
[GroupMatrix("C8 x C8")] public partial struct Torus8;
[GroupMatrix("D4", Radius = 2)] public partial struct Dihedral4;
[GroupMatrix("S4")] public partial struct Symmetric4;
[GroupPool(typeof(Torus8), typeof(Torus4))] public partial struct Pool8to4;
// Semidirect products (translations and turns, with mirrors, of a 4×4 torus) and a signed-permutation group.
[GroupMatrix("p4m(4)")] public partial struct P4m4;
[GroupMatrix("p4m(2)", Radius = 0)] public partial struct P4m2;
[GroupPool(typeof(P4m4), typeof(P4m2))] public partial struct PoolP4m4to2;
[GroupMatrix("B3")] public partial struct Signed3;
// Lifting: the 4×4 torus as the image of p4m(4) (a 3×3 lift), with C4 x C4 as the translations of its filter bank.
[GroupMatrix("p4m(4)", Radius = 1, LiftRadius = 1)] public partial struct P4m4Lift;
[GroupMatrix("C4 x C4", Radius = 1)] public partial struct Torus4r1;
