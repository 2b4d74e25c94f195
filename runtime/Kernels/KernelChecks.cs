namespace GmCodegen;

/// <summary>
/// Argument checks shared by generated and naive kernels, so that a wrong buffer length fails at the call with the
/// argument's name and the expected length, never deep inside a kernel.
/// </summary>
public static class KernelChecks
{
    public static void CheckShape(in GmShape s)
    {
        if (s.Batch < 0) throw new ArgumentException($"Batch must be ≥ 0, was {s.Batch}.", nameof(s));
        if (s.InChannels <= 0) throw new ArgumentException($"InChannels must be > 0, was {s.InChannels}.", nameof(s));
        if (s.OutChannels <= 0) throw new ArgumentException($"OutChannels must be > 0, was {s.OutChannels}.", nameof(s));
        if (s.Mode is not (ChannelMode.Shared or ChannelMode.Full)) throw new ArgumentException($"Unknown channel mode {s.Mode}.", nameof(s));
    }

    public static int WeightLength(in GmShape s, int kernelSize) =>
        s.Mode == ChannelMode.Shared ? s.OutChannels * kernelSize : s.OutChannels * s.InChannels * kernelSize;

    public static void CheckLength(int actual, long expected, string name)
    {
        if (actual != expected)
            throw new ArgumentException($"{name} has length {actual}; expected {expected}.", name);
    }

    static void CheckBias(int actual, int outChannels, string name)
    {
        if (actual != 0 && actual != outChannels)
            throw new ArgumentException($"{name} has length {actual}; expected 0 (no bias) or {outChannels}.", name);
    }

    public static void CheckForward(int order, int kernelSize, in GmShape s,
        ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y)
    {
        CheckShape(s);
        CheckLength(x.Length, (long)s.Batch * s.InChannels * order, nameof(x));
        CheckLength(w.Length, WeightLength(s, kernelSize), nameof(w));
        CheckBias(bias.Length, s.OutChannels, nameof(bias));
        CheckLength(y.Length, (long)s.Batch * s.OutChannels * order, nameof(y));
    }

    public static void CheckBackwardInput(int order, int kernelSize, in GmShape s,
        ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx)
    {
        CheckShape(s);
        CheckLength(dy.Length, (long)s.Batch * s.OutChannels * order, nameof(dy));
        CheckLength(w.Length, WeightLength(s, kernelSize), nameof(w));
        CheckLength(dx.Length, (long)s.Batch * s.InChannels * order, nameof(dx));
    }

    public static void CheckBackwardWeights(int order, int kernelSize, in GmShape s,
        ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw, Span<float> dbias)
    {
        CheckShape(s);
        CheckLength(x.Length, (long)s.Batch * s.InChannels * order, nameof(x));
        CheckLength(dy.Length, (long)s.Batch * s.OutChannels * order, nameof(dy));
        CheckLength(dw.Length, WeightLength(s, kernelSize), nameof(dw));
        CheckBias(dbias.Length, s.OutChannels, nameof(dbias));
    }
}
