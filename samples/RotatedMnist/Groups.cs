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
