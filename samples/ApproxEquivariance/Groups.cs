using GmCodegen;

namespace ApproxEquivariance;

// The task lives on 16×16 periodic images: pixel (row, col) is element row·16 + col of C16 x C16, so a group
// translation is a circular shift of the image. Radius 1 gives the 3×3 neighbourhood (K = 9): the smallest
// support that is a genuine spatial filter, so the exact layer has 9 weights (+ bias) and an LDR-r layer's extra
// kernels c_j are 3×3 as well. w* and the symmetry-breaking map B live on the same 3×3 support, so every model
// can in principle express the equivariant part exactly and differs only in how much of B its structure admits.
[GroupMatrix("C16 x C16", Radius = 1)] public partial struct Torus;
