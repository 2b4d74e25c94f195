namespace GmCodegen;

/// <summary>
/// Argument checks shared by generated and naive kernels, so that a wrong buffer length, an impossible shape or an
/// output that overlaps another buffer fails at the call with the arguments' names, never deep inside a kernel.
/// Sizes are computed in long: a shape whose buffers cannot exist (more than <see cref="Array.MaxLength"/> floats)
/// is refused here rather than wrapping around in int arithmetic.
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

    /// <summary>Checks the shape and that every buffer it implies can exist on a group of <paramref name="order"/> elements.</summary>
    public static void CheckShape(int order, int kernelSize, in GmShape s)
    {
        if (order <= 0) throw new ArgumentException($"The group order must be > 0, was {order}.", nameof(order));
        if (kernelSize <= 0 || kernelSize > order)
            throw new ArgumentException($"The kernel size must be in [1, {order}], was {kernelSize}.", nameof(kernelSize));
        CheckShape(s);
        CheckFits((long)s.Batch * s.InChannels * order, "x", s);
        CheckFits((long)s.Batch * s.OutChannels * order, "y", s);
        CheckFits(WeightCount(s, kernelSize), "w", s);
    }

    static void CheckFits(long floats, string what, in GmShape s)
    {
        if (floats > Array.MaxLength)
            throw new ArgumentException($"{s} needs {floats:N0} floats for {what}, more than an array can hold ({Array.MaxLength:N0}).", nameof(s));
    }

    /// <summary>w's length: O·K (shared) or O·I·K (full), in long so that no shape wraps around.</summary>
    public static long WeightCount(in GmShape s, int kernelSize) =>
        s.Mode == ChannelMode.Shared ? (long)s.OutChannels * kernelSize : (long)s.OutChannels * s.InChannels * kernelSize;

    /// <summary><see cref="WeightCount"/> as an array length; refuses a shape whose weights cannot be an array.</summary>
    public static int WeightLength(in GmShape s, int kernelSize)
    {
        long n = WeightCount(s, kernelSize);
        return n <= Array.MaxLength
            ? (int)n
            : throw new ArgumentException($"{s} with K = {kernelSize} needs {n:N0} weights, more than an array can hold.", nameof(s));
    }

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

    /// <summary>
    /// Refuses an output span that shares memory with another buffer of the same call: kernels read their inputs
    /// after they have started writing their outputs, so aliasing gives silently wrong results.
    /// </summary>
    public static void CheckDisjoint(ReadOnlySpan<float> output, string outputName, ReadOnlySpan<float> other, string otherName)
    {
        if (output.Overlaps(other))
            throw new ArgumentException($"{outputName} and {otherName} overlap; {outputName} must not share memory with {otherName}.", outputName);
    }

    public static void CheckForward(int order, int kernelSize, in GmShape s,
        ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y)
    {
        CheckShape(order, kernelSize, s);
        CheckLength(x.Length, (long)s.Batch * s.InChannels * order, nameof(x));
        CheckLength(w.Length, WeightCount(s, kernelSize), nameof(w));
        CheckBias(bias.Length, s.OutChannels, nameof(bias));
        CheckLength(y.Length, (long)s.Batch * s.OutChannels * order, nameof(y));
        CheckDisjoint(y, nameof(y), x, nameof(x));
        CheckDisjoint(y, nameof(y), w, nameof(w));
        CheckDisjoint(y, nameof(y), bias, nameof(bias));
    }

    public static void CheckBackwardInput(int order, int kernelSize, in GmShape s,
        ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx)
    {
        CheckShape(order, kernelSize, s);
        CheckLength(dy.Length, (long)s.Batch * s.OutChannels * order, nameof(dy));
        CheckLength(w.Length, WeightCount(s, kernelSize), nameof(w));
        CheckLength(dx.Length, (long)s.Batch * s.InChannels * order, nameof(dx));
        CheckDisjoint(dx, nameof(dx), dy, nameof(dy));
        CheckDisjoint(dx, nameof(dx), w, nameof(w));
    }

    public static void CheckBackwardWeights(int order, int kernelSize, in GmShape s,
        ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw, Span<float> dbias)
    {
        CheckShape(order, kernelSize, s);
        CheckLength(x.Length, (long)s.Batch * s.InChannels * order, nameof(x));
        CheckLength(dy.Length, (long)s.Batch * s.OutChannels * order, nameof(dy));
        CheckLength(dw.Length, WeightCount(s, kernelSize), nameof(dw));
        CheckBias(dbias.Length, s.OutChannels, nameof(dbias));
        CheckDisjoint(dw, nameof(dw), x, nameof(x));
        CheckDisjoint(dw, nameof(dw), dy, nameof(dy));
        CheckDisjoint(dw, nameof(dw), dbias, nameof(dbias));
        CheckDisjoint(dbias, nameof(dbias), x, nameof(x));
        CheckDisjoint(dbias, nameof(dbias), dy, nameof(dy));
    }
}
