using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace GmCodegen.OnnxTests;

/// <summary>ONNX Runtime (CPU) on an exported model, and the comparison with <see cref="Network.Forward"/>.</summary>
static class Ort
{
    /// <summary>The model's output y for a batch of inputs x[b, Input.Size], fed as [batch, C, L] or [batch, L] for one channel.</summary>
    public static float[] Run(InferenceSession session, Shape input, float[] x, int batch)
    {
        int[] dims = input.Channels == 1 ? [batch, input.Positions] : [batch, input.Channels, input.Positions];
        var tensor = new DenseTensor<float>(x.AsMemory(0, batch * input.Size), dims);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("x", tensor)]);
        var y = results.Single(r => r.Name == "y");
        return [.. y.AsEnumerable<float>()];
    }

    public static InferenceSession Session(byte[] model) => new(model, new SessionOptions { IntraOpNumThreads = 1 });
    public static InferenceSession Session(string path) => new(path, new SessionOptions { IntraOpNumThreads = 1 });

    /// <summary>max |onnx − gm| / max |gm| over the batch: the relative error the tests bound by 1e-4.</summary>
    public static double RelativeError(ReadOnlySpan<float> onnx, ReadOnlySpan<float> gm)
    {
        Assert.Equal(gm.Length, onnx.Length);
        double diff = 0, scale = 0;
        for (int j = 0; j < gm.Length; j++)
        {
            Assert.True(float.IsFinite(gm[j]) && float.IsFinite(onnx[j]), $"non-finite output at {j}: gm {gm[j]}, onnx {onnx[j]}");
            diff = Math.Max(diff, Math.Abs(onnx[j] - (double)gm[j]));
            scale = Math.Max(scale, Math.Abs(gm[j]));
        }
        Assert.True(scale > 0, "the network's outputs are all zero: the comparison would say nothing");
        return diff / scale;
    }

    /// <summary>
    /// ONNX Runtime on the export of <paramref name="network"/> agrees with its inference forward at batch sizes 1 and 37
    /// on <paramref name="inputs"/> (at least 37 samples); returns the larger relative error.
    /// </summary>
    public static double CheckAgrees(Network network, float[] inputs, string what, byte[]? model = null)
    {
        model ??= Onnx.Serialize(network);
        using var session = Session(model);
        double worst = 0;
        foreach (int batch in new[] { 1, 37 })
        {
            var x = inputs.AsSpan(0, batch * network.Input.Size).ToArray();
            var gm = network.Forward(x, batch).AsSpan(0, batch * network.Output.Size).ToArray();
            var onnx = Run(session, network.Input, x, batch);
            double error = RelativeError(onnx, gm);
            Assert.True(error <= 1e-4, $"{what}, batch {batch}: ONNX Runtime differs from Network.Forward by {error:E2} relative");
            worst = Math.Max(worst, error);
        }
        return worst;
    }

    /// <summary>Uniform values in [−1, 1) from a seed.</summary>
    public static float[] Uniform(int count, int seed)
    {
        var rng = new Random(seed);
        var v = new float[count];
        for (int j = 0; j < count; j++) v[j] = (float)(2 * rng.NextDouble() - 1);
        return v;
    }
}
