namespace GmCodegen.Generator.Tests;

/// <summary>
/// The GM convolution by its definition, in double precision: each (o, i) weight row is expanded into the dense
/// |G| x |G| group matrix M[a, c] = Σ_k w_k·[c = g_a·h_k⁻¹], built from the group law alone (Multiply, Inverse).
/// Slow and obviously right; every generated kernel is compared with it.
/// </summary>
public static class DenseReference
{
    public static double[] GroupMatrix<T>(ReadOnlySpan<float> wRow) where T : IGroupKernel
    {
        int l = T.Order;
        var m = new double[l * l];
        var h = T.KernelElements;
        for (int a = 0; a < l; a++)
        for (int k = 0; k < T.KernelSize; k++)
            m[a * l + T.Multiply(a, T.Inverse(h[k]))] += wRow[k];
        return m;
    }

    static ReadOnlySpan<float> WeightRow<T>(in GmShape s, float[] w, int o, int i) where T : IGroupKernel =>
        s.Mode == ChannelMode.Shared ? w.AsSpan(o * T.KernelSize, T.KernelSize) : w.AsSpan((o * s.InChannels + i) * T.KernelSize, T.KernelSize);

    public static double[] Forward<T>(GmShape s, float[] x, float[] w, float[] bias) where T : IGroupKernel
    {
        int l = T.Order;
        var y = new double[s.Batch * s.OutChannels * l];
        for (int o = 0; o < s.OutChannels; o++)
        for (int i = 0; i < s.InChannels; i++)
        {
            var m = GroupMatrix<T>(WeightRow<T>(s, w, o, i));
            for (int b = 0; b < s.Batch; b++)
            for (int a = 0; a < l; a++)
            {
                double acc = 0;
                for (int c = 0; c < l; c++) acc += m[a * l + c] * x[(b * s.InChannels + i) * l + c];
                y[(b * s.OutChannels + o) * l + a] += acc;
            }
        }
        if (bias.Length > 0)
            for (int b = 0; b < s.Batch; b++)
            for (int o = 0; o < s.OutChannels; o++)
            for (int a = 0; a < l; a++) y[(b * s.OutChannels + o) * l + a] += bias[o];
        return y;
    }

    /// <summary>dx = Σ_o Mᵀ dy.</summary>
    public static double[] BackwardInput<T>(GmShape s, float[] dy, float[] w) where T : IGroupKernel
    {
        int l = T.Order;
        var dx = new double[s.Batch * s.InChannels * l];
        for (int o = 0; o < s.OutChannels; o++)
        for (int i = 0; i < s.InChannels; i++)
        {
            var m = GroupMatrix<T>(WeightRow<T>(s, w, o, i));
            for (int b = 0; b < s.Batch; b++)
            for (int c = 0; c < l; c++)
            {
                double acc = 0;
                for (int a = 0; a < l; a++) acc += m[a * l + c] * dy[(b * s.OutChannels + o) * l + a];
                dx[(b * s.InChannels + i) * l + c] += acc;
            }
        }
        return dx;
    }

    /// <summary>dw[o,(i,)k] = Σ_b Σ_a dy[b,o,a]·x[b,i,g_a·h_k⁻¹]; dbias[o] = Σ dy.</summary>
    public static (double[] dw, double[] dbias) BackwardWeights<T>(GmShape s, float[] x, float[] dy) where T : IGroupKernel
    {
        int l = T.Order, kk = T.KernelSize;
        var h = T.KernelElements;
        var dw = new double[s.Mode == ChannelMode.Shared ? s.OutChannels * kk : s.OutChannels * s.InChannels * kk];
        var db = new double[s.OutChannels];
        for (int b = 0; b < s.Batch; b++)
        for (int o = 0; o < s.OutChannels; o++)
        for (int a = 0; a < l; a++)
        {
            double g = dy[(b * s.OutChannels + o) * l + a];
            db[o] += g;
            for (int i = 0; i < s.InChannels; i++)
            for (int k = 0; k < kk; k++)
            {
                int wi = s.Mode == ChannelMode.Shared ? o * kk + k : (o * s.InChannels + i) * kk + k;
                dw[wi] += g * x[(b * s.InChannels + i) * l + T.Multiply(a, T.Inverse(h[k]))];
            }
        }
        return (dw, db);
    }
}

public static class Rand
{
    public static float[] Floats(Random r, int n) => Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
}

public static class Close
{
    /// <summary>Every element within atol + rtol·max|expected| (float accumulation against a double reference).</summary>
    public static void All(IReadOnlyList<double> expected, ReadOnlySpan<float> actual, double rtol = 1e-5, double atol = 1e-5, string what = "")
    {
        Assert.Equal(expected.Count, actual.Length);
        double scale = expected.Count == 0 ? 1 : Math.Max(1, expected.Max(Math.Abs));
        for (int n = 0; n < expected.Count; n++)
        {
            double err = Math.Abs(expected[n] - actual[n]);
            if (err > atol + rtol * scale)
                Assert.Fail($"{what}[{n}]: expected {expected[n]:G9}, got {actual[n]:G9} (|err| {err:G3} > {atol + rtol * scale:G3})");
        }
    }
}
