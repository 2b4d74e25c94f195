using System.Runtime.CompilerServices;

// The data tests reach SafeTensors' failure-injection hook (an interrupted save) without making it public API.
[assembly: InternalsVisibleTo("GmCodegen.Data.Tests")]
// The runtime tests compare the engine's internal helpers (GEMM operands, transposes, tiling) with naive twins.
[assembly: InternalsVisibleTo("GmCodegen.Runtime.Tests")]
[assembly: InternalsVisibleTo("GmCodegen.Generator.Tests")]
// The ONNX tests read the export's model message and the layers' export views.
[assembly: InternalsVisibleTo("GmCodegen.Onnx.Tests")]
