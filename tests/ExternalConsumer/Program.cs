using System;
using GmCodegen;

// Groups of this project's own, each checked against the dense definition built from its group law (DenseReference.cs).
int failures = DenseReference.Check<QuaternionTimesC3>("Q8 x C3") + DenseReference.Check<D5TimesC7>("D5 x C7")
             + DenseReference.Check<Symmetric4>("S4") + DenseReference.Check<Wallpaper4>("p4m(4)")
             + DenseReference.Check<SignedPermutations3>("B3");
Console.WriteLine(failures == 0 ? "external consumer: all kernels match the dense reference" : $"external consumer: {failures} mismatches");
return failures == 0 ? 0 : 1;

[GroupMatrix("Q8 x C3")] partial struct QuaternionTimesC3;
[GroupMatrix("D5 x C7", Radius = 2)] partial struct D5TimesC7;
[GroupMatrix("S4", Radius = 2)] partial class Symmetric4;
[GroupMatrix("p4m(4)")] partial struct Wallpaper4;
[GroupMatrix("B3", Radius = 2)] partial struct SignedPermutations3;
