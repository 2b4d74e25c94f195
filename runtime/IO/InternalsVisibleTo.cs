using System.Runtime.CompilerServices;

// The data tests reach SafeTensors' failure-injection hook (an interrupted save) without making it public API.
[assembly: InternalsVisibleTo("GmCodegen.Data.Tests")]
