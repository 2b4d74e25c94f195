using GmCodegen;

namespace SmokePlume;

// The plume grid: cell (y, x) of the 64×64 periodic box is element y·64 + x of C64 x C64, so a group translation is
// a circular shift of the velocity field, an exact symmetry of the solver that only the buoyancy (stronger for
// x ≥ 32) breaks. Radius 1 gives 3×3 filters. The pool halves both axes (2×2 windows, stride 2) onto C32 x C32.
[GroupMatrix("C64 x C64", Radius = 1)] public partial struct Grid64;
[GroupMatrix("C32 x C32", Radius = 1)] public partial struct Grid32;
[GroupPool(typeof(Grid64), typeof(Grid32))] public partial struct Pool64to32;

// A small copy of the same network for the tests: 16×16 plumes (the solver and data set take any N).
[GroupMatrix("C16 x C16", Radius = 1)] public partial struct Grid16;
[GroupMatrix("C8 x C8", Radius = 1)] public partial struct Grid8;
[GroupPool(typeof(Grid16), typeof(Grid8))] public partial struct Pool16to8;
