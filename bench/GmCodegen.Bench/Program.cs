class P{static void Main(){System.Console.WriteLine(TorchSharp.torch.__version__);}}
