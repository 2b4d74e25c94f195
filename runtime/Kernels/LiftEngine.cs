namespace GmCodegen;

/// <summary>
/// The three passes of the lift (<see cref="IGroupLift"/>), composed from a kernel on the translations
/// <typeparamref name="TTranslations"/> (<c>Cn x Cn</c> with the lift's neighbourhood; generated, so its plan runs on
/// <see cref="GmEngine{TPlan}"/>). For g = (t, m), y[b,o,g] = Σ_k w[o,i,k]·x[b,i, t − m·u_k·m⁻¹], and since m·u_k·m⁻¹ =
/// u_{c(m,k)} is another translation of the neighbourhood (<see cref="IGroupLift.LiftConjugates"/>), the lift is one
/// convolution on the translations from I channels to O·|P| channels (o, m), m fastest — whose output layout
/// [b, o, m, t] is exactly y[b, o, m·n² + t] — with the tied weights W'[(o,m), i, c(m,k)] = w[o,i,k]:
/// <list type="bullet">
/// <item>forward: y = conv(x; W', bias'[(o,m)] = bias[o]); no image is inflated to G;</item>
/// <item>backward-input: dx = convᵀ(dy; W'), the translation kernel's own backward-input;</item>
/// <item>backward-weights: dW' and dbias' from the translation kernel, then dw[o,i,k] = Σ_m dW'[(o,m), i, c(m,k)] and
/// dbias[o] = Σ_m dbias'[(o,m)], summed in m order (the same bits on any thread count, as the kernel's).</item>
/// </list>
/// On <c>Cn x Cn</c> itself (|P| = 1, c the identity) the lift is the GM convolution of the group, a circular convolution.
/// </summary>
public static class LiftEngine<TLift, TTranslations> where TLift : IGroupLift where TTranslations : IGroupKernel
{
    static int P => TLift.PointOrder;
    static int N2 => TLift.ImageSize;
    static int K => TLift.LiftKernelSize;

    /// <summary>Why the lift's tables disagree with the translation kernel, or null; computed once per pair of types.</summary>
    static readonly string? Problem = CheckTables();

    static string? CheckTables()
    {
        string name = typeof(TLift).Name;
        if (TLift.ImageSide <= 0 || (long)TLift.ImageSide * TLift.ImageSide != N2) return $"{name}: ImageSize {N2} is not ImageSide² ({TLift.ImageSide}²).";
        if (P <= 0 || (long)P * N2 != TLift.Order) return $"{name}: |G| = {TLift.Order} is not PointOrder {P} × ImageSize {N2}.";
        if (TTranslations.Order != N2) return $"{name}: the translation kernel {typeof(TTranslations).Name} has {TTranslations.Order} elements, not {N2}.";
        if (TTranslations.KernelSize != K || !TTranslations.KernelElements.SequenceEqual(TLift.LiftTranslations))
            return $"{name}: the translation kernel's neighbourhood is not the lift's {K} translations.";
        foreach (int u in TLift.LiftTranslations)
            if ((uint)u >= (uint)N2) return $"{name}: lift translation {u} is not below n² = {N2}.";
        var c = TLift.LiftConjugates;
        if (c.Length != (long)P * K) return $"{name}: LiftConjugates has {c.Length} entries, not {P}·{K}.";
        for (int m = 0; m < P; m++)
        {
            var seen = new bool[K];
            for (int k = 0; k < K; k++)
            {
                int j = c[m * K + k];
                if ((uint)j >= (uint)K || seen[j]) return $"{name}: LiftConjugates row {m} is not a permutation of 0..{K - 1}.";
                seen[j] = true;
            }
        }
        return null;
    }

    static void CheckOnce()
    {
        if (Problem is not null) throw new InvalidOperationException($"The lift tables are inconsistent: {Problem}");
    }

    /// <summary>The translation kernel's shape: the lift's, with O·|P| output channels; refuses one whose channels overflow.</summary>
    static GmShape Expanded(in GmShape s)
    {
        long outChannels = (long)s.OutChannels * P;
        if (outChannels > int.MaxValue) throw new ArgumentException($"{s} lifted to |P| = {P} needs {outChannels:N0} channels.", nameof(s));
        return s with { OutChannels = (int)outChannels };
    }

    static void CheckCommon(in GmShape s)
    {
        KernelChecks.CheckShape(TLift.Order, K, s);
        KernelChecks.CheckShape(N2, K, Expanded(s));
    }

    /// <summary>y[b,o,g] = Σ_i Σ_k w[o,(i,)k]·x[b,i, pixel(g·u_k⁻¹·o)] + bias[o]; y is overwritten.</summary>
    public static void Forward(in GmShape s, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y)
    {
        CheckCommon(s);
        KernelChecks.CheckLength(x.Length, (long)s.Batch * s.InChannels * N2, nameof(x));
        KernelChecks.CheckLength(w.Length, KernelChecks.WeightCount(s, K), nameof(w));
        if (bias.Length != 0) KernelChecks.CheckLength(bias.Length, s.OutChannels, nameof(bias));
        KernelChecks.CheckLength(y.Length, (long)s.Batch * s.OutChannels * TLift.Order, nameof(y));
        KernelChecks.CheckDisjoint(y, nameof(y), x, nameof(x));
        KernelChecks.CheckDisjoint(y, nameof(y), w, nameof(w));
        KernelChecks.CheckDisjoint(y, nameof(y), bias, nameof(bias));
        CheckOnce();
        var e = Expanded(s);
        using var wide = RentedBuffer.Rent(KernelChecks.WeightLength(e, K));
        using var wideBias = RentedBuffer.Rent(bias.IsEmpty ? 0 : e.OutChannels);
        Tie(s, w, wide.Span);
        PointChannels.Spread(bias, P, wideBias.Span);
        TTranslations.Forward(e, x, wide.Span, wideBias.Span, y);
    }

    /// <summary>dx[b,i,p] = Σ_o Σ_k Σ_(g: pixel(g·u_k⁻¹·o) = p) w[o,(i,)k]·dy[b,o,g]; dx is overwritten.</summary>
    public static void BackwardInput(in GmShape s, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx)
    {
        CheckCommon(s);
        KernelChecks.CheckLength(dy.Length, (long)s.Batch * s.OutChannels * TLift.Order, nameof(dy));
        KernelChecks.CheckLength(w.Length, KernelChecks.WeightCount(s, K), nameof(w));
        KernelChecks.CheckLength(dx.Length, (long)s.Batch * s.InChannels * N2, nameof(dx));
        KernelChecks.CheckDisjoint(dx, nameof(dx), dy, nameof(dy));
        KernelChecks.CheckDisjoint(dx, nameof(dx), w, nameof(w));
        CheckOnce();
        var e = Expanded(s);
        using var wide = RentedBuffer.Rent(KernelChecks.WeightLength(e, K));
        Tie(s, w, wide.Span);
        TTranslations.BackwardInput(e, dy, wide.Span, dx);
    }

    /// <summary>dw[o,(i,)k] = Σ_b Σ_g dy[b,o,g]·x[b,i, pixel(g·u_k⁻¹·o)], dbias[o] = Σ dy; both overwritten.</summary>
    public static void BackwardWeights(in GmShape s, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw, Span<float> dbias)
    {
        CheckCommon(s);
        KernelChecks.CheckLength(x.Length, (long)s.Batch * s.InChannels * N2, nameof(x));
        KernelChecks.CheckLength(dy.Length, (long)s.Batch * s.OutChannels * TLift.Order, nameof(dy));
        KernelChecks.CheckLength(dw.Length, KernelChecks.WeightCount(s, K), nameof(dw));
        if (dbias.Length != 0) KernelChecks.CheckLength(dbias.Length, s.OutChannels, nameof(dbias));
        KernelChecks.CheckDisjoint(dw, nameof(dw), x, nameof(x));
        KernelChecks.CheckDisjoint(dw, nameof(dw), dy, nameof(dy));
        KernelChecks.CheckDisjoint(dw, nameof(dw), dbias, nameof(dbias));
        KernelChecks.CheckDisjoint(dbias, nameof(dbias), x, nameof(x));
        KernelChecks.CheckDisjoint(dbias, nameof(dbias), dy, nameof(dy));
        CheckOnce();
        var e = Expanded(s);
        using var wide = RentedBuffer.Rent(KernelChecks.WeightLength(e, K));
        using var wideBias = RentedBuffer.Rent(dbias.IsEmpty ? 0 : e.OutChannels);
        TTranslations.BackwardWeights(e, x, dy, wide.Span, wideBias.Span);
        // dw[o,i,k] = Σ_m dW'[(o,m), i, c(m,k)]: the tied weights' gradients summed back, in m order.
        var c = TLift.LiftConjugates;
        int inner = s.Mode == ChannelMode.Shared ? 1 : s.InChannels;
        dw.Clear();
        for (int o = 0; o < s.OutChannels; o++)
            for (int m = 0; m < P; m++)
                for (int i = 0; i < inner; i++)
                {
                    var from = wide.Span.Slice(((o * P + m) * inner + i) * K, K);
                    var to = dw.Slice((o * inner + i) * K, K);
                    for (int k = 0; k < K; k++) to[k] += from[c[m * K + k]];
                }
        PointChannels.Fold(wideBias.Span, P, dbias);
    }

    /// <summary>W'[(o,m), (i,) c(m,k)] = w[o,(i,)k]: the lift's weights as the translation kernel's, one copy per m.</summary>
    static void Tie(in GmShape s, ReadOnlySpan<float> w, Span<float> wide)
    {
        var c = TLift.LiftConjugates;
        int inner = s.Mode == ChannelMode.Shared ? 1 : s.InChannels;
        for (int o = 0; o < s.OutChannels; o++)
            for (int m = 0; m < P; m++)
                for (int i = 0; i < inner; i++)
                {
                    var from = w.Slice((o * inner + i) * K, K);
                    var to = wide.Slice(((o * P + m) * inner + i) * K, K);
                    for (int k = 0; k < K; k++) to[c[m * K + k]] = from[k];
                }
    }
}

/// <summary>
/// Bias over the (o, m) channels both engines hand to the translation kernel: O·|P| channels, m fastest, so that
/// channel o·|P| + m is output o's map on point element m.
/// </summary>
internal static class PointChannels
{
    /// <summary>wide[o·|P| + m] = bias[o] for every m (nothing for an empty bias).</summary>
    public static void Spread(ReadOnlySpan<float> bias, int pointOrder, Span<float> wide)
    {
        for (int o = 0; o < bias.Length; o++) wide.Slice(o * pointOrder, pointOrder).Fill(bias[o]);
    }

    /// <summary>sum[o] = Σ_m wide[o·|P| + m], summed in m order (the same bits on any thread count).</summary>
    public static void Fold(ReadOnlySpan<float> wide, int pointOrder, Span<float> sum)
    {
        for (int o = 0; o < sum.Length; o++)
        {
            float total = 0;
            for (int m = 0; m < pointOrder; m++) total += wide[o * pointOrder + m];
            sum[o] = total;
        }
    }
}

/// <summary>
/// Features on a torus group back to images (docs/design.md#lifting): y[r,p] = max_m x[r, m·n² + p] (the first m on
/// ties) or the mean over m, for rows r = b·c. The point group permutes the m blocks of a translated feature map, so
/// the projection of an equivariant map is an equivariant image (on the translations, and under the point group
/// acting on pixels). Every method checks its arguments and throws <see cref="ArgumentException"/> naming the argument.
/// </summary>
public static class PointProjection
{
    static void Check(int rows, int pointOrder, int imageSize, int xLength, int yLength, string x, string y)
    {
        if (rows < 0) throw new ArgumentException($"rows must be ≥ 0, was {rows}.", nameof(rows));
        if (pointOrder <= 0) throw new ArgumentException($"pointOrder must be > 0, was {pointOrder}.", nameof(pointOrder));
        if (imageSize <= 0) throw new ArgumentException($"imageSize must be > 0, was {imageSize}.", nameof(imageSize));
        KernelChecks.CheckLength(xLength, (long)rows * pointOrder * imageSize, x);
        KernelChecks.CheckLength(yLength, (long)rows * imageSize, y);
    }

    /// <summary>y[r,p] = max_m x[r, m·n² + p]; argmax[r,p] = the m chosen (the first on ties).</summary>
    public static void MaxForward(int rows, int pointOrder, int imageSize, ReadOnlySpan<float> x, Span<float> y, Span<int> argmax)
    {
        Check(rows, pointOrder, imageSize, x.Length, y.Length, nameof(x), nameof(y));
        KernelChecks.CheckLength(argmax.Length, (long)rows * imageSize, nameof(argmax));
        KernelChecks.CheckDisjoint(y, nameof(y), x, nameof(x));
        int l = pointOrder * imageSize;
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * l, l);
            var yr = y.Slice(r * imageSize, imageSize);
            var ar = argmax.Slice(r * imageSize, imageSize);
            xr.Slice(0, imageSize).CopyTo(yr);
            ar.Clear();
            for (int m = 1; m < pointOrder; m++)
            {
                var block = xr.Slice(m * imageSize, imageSize);
                for (int p = 0; p < imageSize; p++)
                    if (block[p] > yr[p]) { yr[p] = block[p]; ar[p] = m; }
            }
        }
    }

    /// <summary>dx[r, m·n² + p] = dy[r,p] where m = argmax[r,p], 0 elsewhere; dx is overwritten.</summary>
    public static void MaxBackward(int rows, int pointOrder, int imageSize, ReadOnlySpan<float> dy, ReadOnlySpan<int> argmax, Span<float> dx)
    {
        Check(rows, pointOrder, imageSize, dx.Length, dy.Length, nameof(dx), nameof(dy));
        KernelChecks.CheckLength(argmax.Length, (long)rows * imageSize, nameof(argmax));
        KernelChecks.CheckDisjoint(dx, nameof(dx), dy, nameof(dy));
        int l = pointOrder * imageSize;
        dx.Clear();
        for (int r = 0; r < rows; r++)
            for (int p = 0; p < imageSize; p++)
            {
                int m = argmax[r * imageSize + p];
                if ((uint)m >= (uint)pointOrder) throw new ArgumentException($"argmax holds {m}, not a point-group element below {pointOrder}.", nameof(argmax));
                dx[r * l + m * imageSize + p] = dy[r * imageSize + p];
            }
    }

    /// <summary>y[r,p] = (1/|P|)·Σ_m x[r, m·n² + p].</summary>
    public static void MeanForward(int rows, int pointOrder, int imageSize, ReadOnlySpan<float> x, Span<float> y)
    {
        Check(rows, pointOrder, imageSize, x.Length, y.Length, nameof(x), nameof(y));
        KernelChecks.CheckDisjoint(y, nameof(y), x, nameof(x));
        int l = pointOrder * imageSize;
        float scale = 1f / pointOrder;
        for (int r = 0; r < rows; r++)
        {
            var yr = y.Slice(r * imageSize, imageSize);
            x.Slice(r * l, imageSize).CopyTo(yr);
            for (int m = 1; m < pointOrder; m++)
                System.Numerics.Tensors.TensorPrimitives.Add(yr, x.Slice(r * l + m * imageSize, imageSize), yr);
            System.Numerics.Tensors.TensorPrimitives.Multiply(yr, scale, yr);
        }
    }

    /// <summary>dx[r, m·n² + p] = dy[r,p] / |P|; dx is overwritten.</summary>
    public static void MeanBackward(int rows, int pointOrder, int imageSize, ReadOnlySpan<float> dy, Span<float> dx)
    {
        Check(rows, pointOrder, imageSize, dx.Length, dy.Length, nameof(dx), nameof(dy));
        KernelChecks.CheckDisjoint(dx, nameof(dx), dy, nameof(dy));
        int l = pointOrder * imageSize;
        float scale = 1f / pointOrder;
        for (int r = 0; r < rows; r++)
            for (int m = 0; m < pointOrder; m++)
                System.Numerics.Tensors.TensorPrimitives.Multiply(dy.Slice(r * imageSize, imageSize), scale, dx.Slice(r * l + m * imageSize, imageSize));
    }
}

/// <summary>
/// The full-mode GM convolution on a torus group G (<see cref="IGroupLift"/>) run as one convolution on the translations
/// <typeparamref name="TTranslations"/> from I·|P| channels (i, m') to O·|P| channels (o, m) — the G-CNN's "filter bank":
/// for g = (t, m), x[b,i, g·h_k⁻¹] = x[b,i, (t − v, m')] with h_k = (−v, m')⁻¹·(0, m), so
/// y[b,o,(t,m)] = Σ_(i,m') Σ_v W'[(o,m),(i,m'),v]·x[b,i,(t − v, m')] with W' = w[o,i,k(m,m',v)] (0 when h is not in the
/// neighbourhood). The layouts agree: x[b,i,m'·n² + t] is channel i·|P| + m' of the translation kernel's input. Same
/// result as <typeparamref name="TGroup"/>'s own kernel, to rounding; <see cref="FilterBank{TGroup, TTranslations}"/> is
/// TGroup with these passes, for <see cref="GMConv{TGroup}"/>. The translation kernel's neighbourhood must contain every v used.
/// </summary>
public static class FilterBankEngine<TGroup, TTranslations> where TGroup : IGroupLift where TTranslations : IGroupKernel
{
    static int P => TGroup.PointOrder;
    static int N2 => TGroup.ImageSize;
    static int K => TGroup.KernelSize;
    static int KT => TTranslations.KernelSize;

    /// <summary>[(m·|P| + m')·K_T + v] = k with h_k = (−u_v, m')⁻¹·(0, m), or −1; and why it cannot be built, or null.</summary>
    static readonly (int[] Bank, string? Problem) Table = Build();

    static (int[], string?) Build()
    {
        string name = typeof(TGroup).Name;
        if (TTranslations.Order != N2 || (long)P * N2 != TGroup.Order)
            return ([], $"{name}: {typeof(TTranslations).Name} has {TTranslations.Order} elements, not the image's {N2}.");
        var index = new Dictionary<int, int>();
        var h = TGroup.KernelElements;
        for (int k = 0; k < K; k++) index[h[k]] = k;
        var u = TTranslations.KernelElements;
        var bank = new int[P * P * KT];
        int used = 0;
        for (int m = 0; m < P; m++)
            for (int m2 = 0; m2 < P; m2++)
                for (int v = 0; v < KT; v++)
                {
                    // (−v, m') as an element of G: the translation −v (pixel index of T's inverse of u_v) followed by m'.
                    int minusV = TTranslations.Inverse(u[v]);
                    int target = TGroup.Multiply(minusV, m2 * N2);
                    int hk = TGroup.Multiply(TGroup.Inverse(target), m * N2);
                    bank[(m * P + m2) * KT + v] = index.TryGetValue(hk, out int k) ? k : -1;
                    if (bank[(m * P + m2) * KT + v] >= 0) used++;
                }
        // Every (m, h_k) pair must be reached once, else the translation kernel misses part of the neighbourhood.
        return used == P * K ? (bank, null)
            : (bank, $"{name}: the translations of {typeof(TTranslations).Name} reach {used} of the {P * K} (m, h_k) pairs; its neighbourhood is too small.");
    }

    static int[] Bank => Table.Problem is null ? Table.Bank : throw new InvalidOperationException($"The filter bank cannot be built: {Table.Problem}");

    static GmShape Wide(in GmShape s)
    {
        if (s.Mode != ChannelMode.Full) throw new ArgumentException("The filter bank runs full-mode convolutions only.", nameof(s));
        long i = (long)s.InChannels * P, o = (long)s.OutChannels * P;
        if (i > int.MaxValue || o > int.MaxValue) throw new ArgumentException($"{s} needs more than {int.MaxValue} translation channels.", nameof(s));
        return s with { InChannels = (int)i, OutChannels = (int)o };
    }

    /// <summary>W'[(o,m),(i,m'),v] = w[o,i,k(m,m',v)] (0 where no k).</summary>
    static void Expand(in GmShape s, ReadOnlySpan<float> w, Span<float> wide)
    {
        var bank = Bank;
        int ip = s.InChannels * P;
        for (int o = 0; o < s.OutChannels; o++)
            for (int m = 0; m < P; m++)
                for (int i = 0; i < s.InChannels; i++)
                    for (int m2 = 0; m2 < P; m2++)
                    {
                        var to = wide.Slice(((o * P + m) * ip + i * P + m2) * KT, KT);
                        var from = w.Slice((o * s.InChannels + i) * K, K);
                        var row = bank.AsSpan((m * P + m2) * KT, KT);
                        for (int v = 0; v < KT; v++) to[v] = row[v] < 0 ? 0 : from[row[v]];
                    }
    }

    /// <summary>y[b,o,a] = Σ_i Σ_k w[o,i,k]·x[b,i, g_a·h_k⁻¹] + bias[o]; y is overwritten.</summary>
    public static void Forward(in GmShape s, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y)
    {
        KernelChecks.CheckForward(TGroup.Order, K, s, x, w, bias, y);
        var e = Wide(s);
        KernelChecks.CheckShape(N2, KT, e);
        using var wide = RentedBuffer.Rent(KernelChecks.WeightLength(e, KT));
        using var wideBias = RentedBuffer.Rent(bias.IsEmpty ? 0 : e.OutChannels);
        Expand(s, w, wide.Span);
        PointChannels.Spread(bias, P, wideBias.Span);
        TTranslations.Forward(e, x, wide.Span, wideBias.Span, y);
    }

    /// <summary>dx[b,i,c] = Σ_o Σ_k w[o,i,k]·dy[b,o, c·h_k]; dx is overwritten.</summary>
    public static void BackwardInput(in GmShape s, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx)
    {
        KernelChecks.CheckBackwardInput(TGroup.Order, K, s, dy, w, dx);
        var e = Wide(s);
        KernelChecks.CheckShape(N2, KT, e);
        using var wide = RentedBuffer.Rent(KernelChecks.WeightLength(e, KT));
        Expand(s, w, wide.Span);
        TTranslations.BackwardInput(e, dy, wide.Span, dx);
    }

    /// <summary>dw[o,i,k] = Σ_b Σ_a dy[b,o,a]·x[b,i, g_a·h_k⁻¹], dbias[o] = Σ dy; both overwritten.</summary>
    public static void BackwardWeights(in GmShape s, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw, Span<float> dbias)
    {
        KernelChecks.CheckBackwardWeights(TGroup.Order, K, s, x, dy, dw, dbias);
        var e = Wide(s);
        KernelChecks.CheckShape(N2, KT, e);
        var bank = Bank;
        using var wide = RentedBuffer.Rent(KernelChecks.WeightLength(e, KT));
        using var wideBias = RentedBuffer.Rent(dbias.IsEmpty ? 0 : e.OutChannels);
        TTranslations.BackwardWeights(e, x, dy, wide.Span, wideBias.Span);
        // dw[o,i,k] = Σ over the (m, m', v) that read w[o,i,k], in a fixed order.
        int ip = s.InChannels * P;
        dw.Clear();
        for (int o = 0; o < s.OutChannels; o++)
            for (int m = 0; m < P; m++)
                for (int i = 0; i < s.InChannels; i++)
                    for (int m2 = 0; m2 < P; m2++)
                    {
                        var from = wide.Span.Slice(((o * P + m) * ip + i * P + m2) * KT, KT);
                        var to = dw.Slice((o * s.InChannels + i) * K, K);
                        var row = bank.AsSpan((m * P + m2) * KT, KT);
                        for (int v = 0; v < KT; v++) if (row[v] >= 0) to[row[v]] += from[v];
                    }
        PointChannels.Fold(wideBias.Span, P, dbias);
    }
}

/// <summary>
/// <typeparamref name="TGroup"/> (a torus group: p4(n), p4m(n)) with its GM convolution run by
/// <see cref="FilterBankEngine{TGroup, TTranslations}"/> on <typeparamref name="TTranslations"/> (full mode only), everything
/// else — the group, its name, neighbourhood and lift — TGroup's own. <c>GMConv&lt;FilterBank&lt;P4m28, C28xC28&gt;&gt;</c> is
/// then the same layer as <c>GMConv&lt;P4m28&gt;</c> in full mode (same parameters and names, same results to rounding),
/// and lives on the same group as far as <see cref="Shape.Group"/> and the pools are concerned.
/// </summary>
public readonly struct FilterBank<TGroup, TTranslations> : IGroupLift where TGroup : IGroupLift where TTranslations : IGroupKernel
{
    public static int Order => TGroup.Order;
    public static int KernelSize => TGroup.KernelSize;
    public static string? GroupName => TGroup.GroupName;
    public static ReadOnlySpan<int> KernelElements => TGroup.KernelElements;
    public static int Multiply(int a, int b) => TGroup.Multiply(a, b);
    public static int Inverse(int a) => TGroup.Inverse(a);
    public static void Forward(in GmShape s, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y) =>
        FilterBankEngine<TGroup, TTranslations>.Forward(s, x, w, bias, y);
    public static void BackwardInput(in GmShape s, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx) =>
        FilterBankEngine<TGroup, TTranslations>.BackwardInput(s, dy, w, dx);
    public static void BackwardWeights(in GmShape s, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw, Span<float> dbias) =>
        FilterBankEngine<TGroup, TTranslations>.BackwardWeights(s, x, dy, dw, dbias);

    public static int ImageSide => TGroup.ImageSide;
    public static int ImageSize => TGroup.ImageSize;
    public static int PointOrder => TGroup.PointOrder;
    public static string ImageGroupName => TGroup.ImageGroupName;
    public static int LiftKernelSize => TGroup.LiftKernelSize;
    public static ReadOnlySpan<int> LiftTranslations => TGroup.LiftTranslations;
    public static ReadOnlySpan<int> LiftConjugates => TGroup.LiftConjugates;
    public static void LiftForward(in GmShape s, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y) =>
        TGroup.LiftForward(s, x, w, bias, y);
    public static void LiftBackwardInput(in GmShape s, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx) =>
        TGroup.LiftBackwardInput(s, dy, w, dx);
    public static void LiftBackwardWeights(in GmShape s, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw, Span<float> dbias) =>
        TGroup.LiftBackwardWeights(s, x, dy, dw, dbias);
}
