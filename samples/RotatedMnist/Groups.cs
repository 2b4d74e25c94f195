using GmCodegen;

namespace RotatedMnist;

// The groups the sample can run on. A 28×28 image is a map on a 784-element group: pixel (row, col) is element
// row·28 + col, so on C28 x C28 a group translation is a circular shift of the image, and on D14 x D14 (the paper's
// choice) the same pixels carry the dihedral action on rows and columns.
[GroupMatrix("D14 x D14", Radius = 3)] public partial struct D14xD14r3;
[GroupMatrix("D14 x D14", Radius = 1)] public partial struct D14xD14r1;
[GroupMatrix("D14 x D14", Radius = 2)] public partial struct D14xD14r2;
[GroupMatrix("C28 x C28", Radius = 3)] public partial struct C28xC28r3;
[GroupMatrix("C28 x C28", Radius = 1)] public partial struct C28xC28r1;
[GroupMatrix("C28 x C28", Radius = 2)] public partial struct C28xC28r2;

// --pool: the subgroups the pooled networks narrow to, and the coset pools between them (docs/design.md#pooling-over-subgroup-cosets).
// C28 x C28 → C14 x C14 → C7 x C7 are two 2×2 max pools with stride 2; D14 x D14 → D7 x D7 is ⟨r², f⟩ in each factor.
// A pool is declared on the radius-1 types but works after any radius: layers match groups by name, not by type.
[GroupMatrix("C14 x C14", Radius = 1)] public partial struct C14xC14r1;
[GroupMatrix("C7 x C7", Radius = 1)] public partial struct C7xC7r1;
[GroupMatrix("D7 x D7", Radius = 1)] public partial struct D7xD7r1;
[GroupPool(typeof(C28xC28r1), typeof(C14xC14r1))] public partial struct PoolC28toC14;
[GroupPool(typeof(C14xC14r1), typeof(C7xC7r1))] public partial struct PoolC14toC7;
[GroupPool(typeof(D14xD14r1), typeof(D7xD7r1))] public partial struct PoolD14toD7;

// The lifted G-CNNs (--group "p4m(28)" | "p4(28)", docs/design.md#lifting): images lift onto p4m(28) (5×5 lift,
// LiftRadius = 2), then pool to p4m(14) and p4m(7). The first pool's embedding is centred: p4m(14)'s generators go
// to translation (2, 0), translation (0, 2), the rotation ((27, 0), r) and the mirror ((0, 27), f) of p4m(28) (element
// indices 56, 2, 1540, 3163) — the rotation and mirror about the image centre (13.5, 13.5), numpy's rot90 and fliplr —
// so that they are in the subgroup the network ends on. The second pool is the automatic (t, m) ↦ (2t, m): p4m(7)'s
// (0, r) then goes to (0, r) in p4m(14) and on to ((27, 0), r) in p4m(28). (Centring the second pool too, with 13,
// would send it to ((25, 0), r), and rot90 of the image would not be in the innermost subgroup.) p4 likewise, without f.
[GroupMatrix("p4m(28)", Radius = 1, LiftRadius = 2)] public partial struct P4m28r1;
[GroupMatrix("p4m(14)", Radius = 1)] public partial struct P4m14r1;
[GroupMatrix("p4m(7)", Radius = 1)] public partial struct P4m7r1;
[GroupPool(typeof(P4m28r1), typeof(P4m14r1), Embedding = "56, 2, 1540, 3163")] public partial struct PoolP4m28to14;
[GroupPool(typeof(P4m14r1), typeof(P4m7r1))] public partial struct PoolP4m14to7;
[GroupMatrix("p4(28)", Radius = 1, LiftRadius = 2)] public partial struct P4r28r1;
[GroupMatrix("p4(14)", Radius = 1)] public partial struct P4r14r1;
[GroupMatrix("p4(7)", Radius = 1)] public partial struct P4r7r1;
[GroupPool(typeof(P4r28r1), typeof(P4r14r1), Embedding = "56, 2, 1540")] public partial struct PoolP4r28to14;
[GroupPool(typeof(P4r14r1), typeof(P4r7r1))] public partial struct PoolP4r14to7;
