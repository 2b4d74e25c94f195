using System;
using System.Linq;
using GmCodegen;

/// <summary>
/// Checks a generated kernel's Forward against the dense definition built from the group's own tables
/// (y[b,o,a] = Σ_i Σ_k w[o,(i,)k] · x[b,i,g_a·h_k⁻¹] + bias[o]), in shared and full mode. Shared by the consumers
/// under tests/ (ExternalConsumer, PackageConsumer): each copies this file next to its Program.cs.
/// </summary>
static class DenseReference
{
    /// <summary>The number of modes whose max |error| is 1e-4 or more (0 when the kernel is right).</summary>
    public static int Check<T>(string name) where T : IGroupKernel =>
        Check<T>(name, ChannelMode.Shared) + Check<T>(name, ChannelMode.Full);

    static int Check<T>(string name, ChannelMode mode) where T : IGroupKernel
    {
        var r = new Random(1);
        var s = new GmShape(3, 2, 5, mode);
        bool full = mode == ChannelMode.Full;
        float[] Random(int n) => Enumerable.Range(0, n).Select(_ => (float)r.NextDouble() - 0.5f).ToArray();
        var x = Random(s.Batch * s.InChannels * T.Order);
        var w = Random(s.OutChannels * (full ? s.InChannels : 1) * T.KernelSize);
        var bias = Random(s.OutChannels);
        var y = new float[s.Batch * s.OutChannels * T.Order];
        T.Forward(s, x, w, bias, y);
        double worst = 0;
        for (int b = 0; b < s.Batch; b++)
        for (int o = 0; o < s.OutChannels; o++)
        for (int a = 0; a < T.Order; a++)
        {
            double acc = bias[o];
            for (int i = 0; i < s.InChannels; i++)
            for (int k = 0; k < T.KernelSize; k++)
                acc += w[(full ? o * s.InChannels + i : o) * T.KernelSize + k]
                     * x[(b * s.InChannels + i) * T.Order + T.Multiply(a, T.Inverse(T.KernelElements[k]))];
            worst = Math.Max(worst, Math.Abs(acc - y[(b * s.OutChannels + o) * T.Order + a]));
        }
        Console.WriteLine($"{name} ({mode}): |G| = {T.Order}, K = {T.KernelSize}, max |error| = {worst:E2}");
        return worst < 1e-4 ? 0 : 1;
    }
}
