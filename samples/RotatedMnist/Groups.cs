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
