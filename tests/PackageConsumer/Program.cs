using System;
using GmCodegen;

// Groups of this project's own, each checked against the dense definition built from its group law (DenseReference.cs,
// copied from tests/ExternalConsumer by check.sh).
int failures = DenseReference.Check<D4TimesC5>("D4 x C5") + DenseReference.Check<Symmetric4>("S4")
             + DenseReference.Check<S3TimesC2>("Perm((0 1 2), (0 1), (3 4))");
// The ONNX export through the package (its OnnxSharp and Google.Protobuf dependencies, and `Onnx` naming the exporter).
var network = Network.Build(Layers.GMConv<D4TimesC5>(2) >> Layers.GlobalMaxPool() >> Layers.Linear(3), new Shape(1, D4TimesC5.Order), seed: 1);
string onnx = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"package-consumer-{Guid.NewGuid():N}.onnx");
Onnx.Export(network, onnx);
long onnxBytes = new System.IO.FileInfo(onnx).Length;
System.IO.File.Delete(onnx);
if (onnxBytes < 100) { Console.WriteLine($"package consumer: the ONNX export wrote {onnxBytes} bytes"); failures++; }
Console.WriteLine(failures == 0 ? "package consumer: all kernels match the dense reference" : $"package consumer: {failures} mismatches");
return failures == 0 ? 0 : 1;

[GroupMatrix("D4 x C5", Radius = 1)] partial struct D4TimesC5;
[GroupMatrix("S4")] partial class Symmetric4;
[GroupMatrix("Perm((0 1 2), (0 1), (3 4))")] partial struct S3TimesC2;
