namespace GmCodegen.OnnxTests;

// Small groups for the per-layer cases: a product of cyclic groups (formula), a dihedral group, a Cayley-table group,
// and a pool between two tori.
[GroupMatrix("C4 x C4")] public partial struct Torus4;
[GroupMatrix("C8 x C8")] public partial struct Torus8;
[GroupMatrix("D4", Radius = 2)] public partial struct Dihedral4;
[GroupMatrix("S4")] public partial struct Symmetric4;
[GroupPool(typeof(Torus8), typeof(Torus4))] public partial struct Pool8to4;
