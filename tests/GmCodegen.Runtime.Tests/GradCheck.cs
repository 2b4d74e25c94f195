namespace GmCodegen.Runtime.Tests;

/// <summary>
/// Central finite differences of a projected loss L = Σ r ⊙ f(x) (summed in double), against a layer's
/// backward pass, for the input and for every parameter. Float32 forward passes limit the accuracy, so the
/// comparison is a relative error of whole gradient vectors, ‖analytic − numeric‖ / ‖numeric‖.
/// </summary>
public static class GradCheck
{
    public sealed record Result(string What, double RelativeError, int Checked);

    public static float[] RandomArray(Random rng, int n, double scale = 1, double awayFromZero = 0)
    {
        var v = new float[n];
        for (int j = 0; j < n; j++)
        {
            double g = Gaussian(rng) * scale;
            v[j] = (float)(g + Math.Sign(g) * awayFromZero);
        }
        return v;
    }

    public static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>Checks dL/dx and dL/dθ of <paramref name="layer"/> on a random batch; returns one result per tensor.</summary>
    public static List<Result> Check(Layer layer, int batch, int seed = 0, double h = 1e-2, double awayFromZero = 0,
        float[]? input = null, bool training = false)
    {
        var rng = new Random(seed);
        var x = input ?? RandomArray(rng, batch * layer.Input.Size, awayFromZero: awayFromZero);
        var r = RandomArray(rng, batch * layer.Output.Size);

        double Loss()
        {
            var y = layer.Forward(x, batch, training);
            double s = 0;
            for (int j = 0; j < r.Length; j++) s += (double)r[j] * y[j];
            return s;
        }

        // Analytic: one forward, one backward with dL/dy = r.
        Loss();
        foreach (var p in layer.Parameters) Array.Clear(p.Grad);
        layer.InputGradRequired = true;
        var dx = layer.Backward(r, batch).AsSpan(0, x.Length).ToArray();
        var grads = layer.Parameters.Select(p => p.Grad.ToArray()).ToList();

        double[] Numeric(float[] values)
        {
            var g = new double[values.Length];
            for (int j = 0; j < values.Length; j++)
            {
                float saved = values[j];
                values[j] = (float)(saved + h); double plus = Loss();
                values[j] = (float)(saved - h); double minus = Loss();
                values[j] = saved;
                g[j] = (plus - minus) / (2 * h);
            }
            return g;
        }

        var results = new List<Result> { new("input", Relative(dx, Numeric(x)), x.Length) };
        for (int k = 0; k < layer.Parameters.Count; k++)
            results.Add(new(layer.Parameters[k].Name, Relative(grads[k], Numeric(layer.Parameters[k].Value)), grads[k].Length));
        return results;
    }

    public static double Relative(float[] analytic, double[] numeric)
    {
        double diff = 0, norm = 0;
        for (int j = 0; j < numeric.Length; j++)
        {
            diff += (analytic[j] - numeric[j]) * (analytic[j] - numeric[j]);
            norm += numeric[j] * numeric[j];
        }
        return Math.Sqrt(diff) / Math.Max(Math.Sqrt(norm), 1e-6);
    }

    /// <summary>Asserts every tensor's gradient matches within <paramref name="tolerance"/> and that something non-trivial was checked.</summary>
    public static void AssertClose(List<Result> results, double tolerance = 2e-3)
    {
        foreach (var res in results)
            Assert.True(res.RelativeError <= tolerance,
                $"{res.What}: relative error {res.RelativeError:E2} over {res.Checked} values exceeds {tolerance:E0}");
    }
}
