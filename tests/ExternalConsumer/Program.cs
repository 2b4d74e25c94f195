using System;
using System.Linq;
using GmCodegen;

// Groups of this project's own, each checked against the dense definition built from its group law.
int failures = Check<QuaternionTimesC3>("Q8 x C3") + Check<D5TimesC7>("D5 x C7") + Check<Symmetric4>("S4");
Console.WriteLine(failures == 0 ? "external consumer: all kernels match the dense reference" : $"external consumer: {failures} mismatches");
return failures == 0 ? 0 : 1;

static int Check<T>(string name) where T : IGroupKernel
{
    var r = new Random(1);
    var s = new GmShape(3, 2, 5, ChannelMode.Full);
    float[] Random(int n) => Enumerable.Range(0, n).Select(_ => (float)r.NextDouble() - 0.5f).ToArray();
    var x = Random(s.Batch * s.InChannels * T.Order);
    var w = Random(s.OutChannels * s.InChannels * T.KernelSize);
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
            acc += w[(o * s.InChannels + i) * T.KernelSize + k] * x[(b * s.InChannels + i) * T.Order + T.Multiply(a, T.Inverse(T.KernelElements[k]))];
        worst = Math.Max(worst, Math.Abs(acc - y[(b * s.OutChannels + o) * T.Order + a]));
    }
    Console.WriteLine($"{name}: |G| = {T.Order}, K = {T.KernelSize}, max |error| = {worst:E2}");
    return worst < 1e-4 ? 0 : 1;
}

[GroupMatrix("Q8 x C3")] partial struct QuaternionTimesC3;
[GroupMatrix("D5 x C7", Radius = 2)] partial struct D5TimesC7;
[GroupMatrix("S4", Radius = 2)] partial class Symmetric4;
