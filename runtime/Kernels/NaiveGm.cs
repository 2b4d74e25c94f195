namespace GmCodegen;

/// <summary>
/// The unspecialised, table-driven GM convolution: the same maths as a generated kernel, with the gather
/// maps held in index tables. It is the reference twin of every generated kernel and the "naive" peer in the
/// benchmarks; it is deliberately plain scalar code.
/// </summary>
public static class NaiveGm
{
    /// <summary>idx[k*L + a] = index(g_a · h_k⁻¹), the forward gather map.</summary>
    public static int[] ForwardTable<TGroup>() where TGroup : IGroupKernel
    {
        int l = TGroup.Order, kk = TGroup.KernelSize;
        var h = TGroup.KernelElements;
        var table = new int[kk * l];
        for (int k = 0; k < kk; k++)
        {
            int hInv = TGroup.Inverse(h[k]);
            for (int a = 0; a < l; a++) table[k * l + a] = TGroup.Multiply(a, hInv);
        }
        return table;
    }

    /// <summary>Forward with an explicit table (<see cref="ForwardTable{TGroup}"/>); y overwritten.</summary>
    public static void Forward(int order, int kernelSize, ReadOnlySpan<int> idx, in GmShape s,
        ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y)
    {
        KernelChecks.CheckForward(order, kernelSize, s, x, w, bias, y);
        CheckTable(order, kernelSize, idx);
        int l = order, kk = kernelSize;
        for (int b = 0; b < s.Batch; b++)
        for (int o = 0; o < s.OutChannels; o++)
        for (int a = 0; a < l; a++)
        {
            float acc = bias.IsEmpty ? 0f : bias[o];
            for (int i = 0; i < s.InChannels; i++)
            for (int k = 0; k < kk; k++)
                acc += WeightAt(s, kk, w, o, i, k) * x[(b * s.InChannels + i) * l + idx[k * l + a]];
            y[(b * s.OutChannels + o) * l + a] = acc;
        }
    }

    /// <summary>dx[b,i,idx(a,k)] += w·dy[b,o,a], written as the scatter the definition states; dx overwritten.</summary>
    public static void BackwardInput(int order, int kernelSize, ReadOnlySpan<int> idx, in GmShape s,
        ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx)
    {
        KernelChecks.CheckBackwardInput(order, kernelSize, s, dy, w, dx);
        CheckTable(order, kernelSize, idx);
        int l = order, kk = kernelSize;
        dx.Clear();
        for (int b = 0; b < s.Batch; b++)
        for (int o = 0; o < s.OutChannels; o++)
        for (int a = 0; a < l; a++)
        {
            float g = dy[(b * s.OutChannels + o) * l + a];
            for (int i = 0; i < s.InChannels; i++)
            for (int k = 0; k < kk; k++)
                dx[(b * s.InChannels + i) * l + idx[k * l + a]] += WeightAt(s, kk, w, o, i, k) * g;
        }
    }

    /// <summary>dw[o,(i,)k] = Σ_b Σ_a dy[b,o,a]·x[b,i,idx(a,k)], dbias[o] = Σ dy; both overwritten.</summary>
    public static void BackwardWeights(int order, int kernelSize, ReadOnlySpan<int> idx, in GmShape s,
        ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw, Span<float> dbias)
    {
        KernelChecks.CheckBackwardWeights(order, kernelSize, s, x, dy, dw, dbias);
        CheckTable(order, kernelSize, idx);
        int l = order, kk = kernelSize;
        dw.Clear();
        dbias.Clear();
        for (int b = 0; b < s.Batch; b++)
        for (int o = 0; o < s.OutChannels; o++)
        for (int a = 0; a < l; a++)
        {
            float g = dy[(b * s.OutChannels + o) * l + a];
            if (!dbias.IsEmpty) dbias[o] += g;
            for (int i = 0; i < s.InChannels; i++)
            for (int k = 0; k < kk; k++)
            {
                int wi = s.Mode == ChannelMode.Shared ? o * kk + k : (o * s.InChannels + i) * kk + k;
                dw[wi] += g * x[(b * s.InChannels + i) * l + idx[k * l + a]];
            }
        }
    }

    /// <summary>The table must hold K·|G| element indices in [0, |G|) (cheap next to the naive kernel's own work).</summary>
    static void CheckTable(int order, int kernelSize, ReadOnlySpan<int> idx)
    {
        KernelChecks.CheckLength(idx.Length, (long)order * kernelSize, nameof(idx));
        for (int j = 0; j < idx.Length; j++)
            if ((uint)idx[j] >= (uint)order)
                throw new ArgumentException($"idx[{j}] = {idx[j]} is not an element index in [0, {order}).", nameof(idx));
    }

    static float WeightAt(in GmShape s, int kk, ReadOnlySpan<float> w, int o, int i, int k) =>
        s.Mode == ChannelMode.Shared ? w[o * kk + k] : w[(o * s.InChannels + i) * kk + k];
}

/// <summary>A naive kernel bound to a group type: <c>NaiveGm&lt;RotGroup&gt;.Forward(...)</c>.</summary>
public static class NaiveGm<TGroup> where TGroup : IGroupKernel
{
    static readonly int[] Table = NaiveGm.ForwardTable<TGroup>();

    public static void Forward(in GmShape s, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y) =>
        NaiveGm.Forward(TGroup.Order, TGroup.KernelSize, Table, s, x, w, bias, y);

    public static void BackwardInput(in GmShape s, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx) =>
        NaiveGm.BackwardInput(TGroup.Order, TGroup.KernelSize, Table, s, dy, w, dx);

    public static void BackwardWeights(in GmShape s, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw, Span<float> dbias) =>
        NaiveGm.BackwardWeights(TGroup.Order, TGroup.KernelSize, Table, s, x, dy, dw, dbias);
}
