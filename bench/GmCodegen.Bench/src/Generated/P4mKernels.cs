// The groups of issue 12's lifted rotated-MNIST network (`--end-to-end-p4m`), declared as the sample declares them
// (samples/RotatedMnist/Groups.cs): a 5×5 lift onto p4m(28), radius-1 GM blocks, the centred pool to p4m(14)
// (p4m(14)'s generators to (2, 0), (0, 2), ((27, 0), r), ((0, 27), f) = elements 56, 2, 1540, 3163) and the automatic
// one to p4m(7). Their own namespace keeps them apart from other suites' declarations of the same groups.
#if GM_GENERATED
using GmCodegen;

namespace GmCodegen.Bench.P4m;

[GroupMatrix("p4m(28)", Radius = 1, LiftRadius = 2)] public partial struct P4m28r1;
[GroupMatrix("p4m(14)", Radius = 1)] public partial struct P4m14r1;
[GroupMatrix("p4m(7)", Radius = 1)] public partial struct P4m7r1;
[GroupMatrix("C28 x C28", Radius = 1)] public partial struct C28r1;
[GroupMatrix("C14 x C14", Radius = 1)] public partial struct C14r1;
[GroupMatrix("C7 x C7", Radius = 1)] public partial struct C7r1;
[GroupPool(typeof(P4m28r1), typeof(P4m14r1), Embedding = "56, 2, 1540, 3163")] public partial struct PoolP4m28to14;
[GroupPool(typeof(P4m14r1), typeof(P4m7r1))] public partial struct PoolP4m14to7;
#endif
