using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GmCodegen;

/// <summary>
/// The three passes of a GM convolution, composed from a generated <see cref="IGroupPlan"/> (the gathers) and
/// <see cref="GmGemm"/> (the arithmetic). Generated types are structs or classes; for structs the JIT specialises
/// this code per group, so the plan's sizes are constants and its gathers inline.
/// <list type="bullet">
/// <item>Forward: per position tile, gather the K shifted copies of each source channel into an L2-resident
/// (I'·K) × T panel, then y_tile = W · panel.</item>
/// <item>Backward-input: Z = Wᵀ·dy a few k at a time, then dx(c) = Σ_k Z_k(c·h_k) through the inverse
/// permutations — a gather-sum, never a scatter; in full mode with enough input channels, the forward's panel pass
/// over dy gathered through h_k with A = wᵀ.</item>
/// <item>Backward-weights: dW += dy_tile · panelᵀ, per batch chunk, the chunks summed in a fixed order; dbias rides
/// along as a column of ones in panelᵀ's padding where there is one.</item>
/// </list>
/// Shared weights (w[o,k]) use one source channel, s = Σ_i x[·,i,·], since w does not depend on i.
/// The hot methods skip tiered compilation (AggressiveOptimization): a training run or benchmark otherwise spends
/// its first calls in unoptimised code, where the gathers run several times slower.
/// </summary>
public static class GmEngine<TPlan> where TPlan : IGroupPlan
{
    static int L => TPlan.Order;
    static int K => TPlan.KernelSize;
    static int FS => TPlan.FastOrder;
    static int NS => TPlan.SlowOrder;
    /// <summary>Backward-input computes Z = Wᵀ·dy this many k at a time (8 register blocks; Z stays in L2).</summary>
    const int KernelBlock = 8 * GmGemm.Rows;

    /// <summary>y[b,o,a] = Σ_i Σ_k w[o,(i,)k]·x[b,i, g_a·h_k⁻¹] + bias[o]; y is overwritten.</summary>
    public static void Forward(in GmShape s, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y)
    {
        KernelSupport.CheckForward(L, K, s, x, w, bias, y);
        int channels = s.Mode == ChannelMode.Shared ? 1 : s.InChannels;   // panel source channels I'
        PanelPass(s.Batch, x, s.InChannels, channels, inverse: false, w, s.OutChannels, bias, y);
    }

    /// <summary>
    /// out[b, m, ·] = A · P_b (+ bias[m]) for every sample b, tile by tile: P_b's row c·K + k is src[b, c, ·] gathered
    /// through h_k — g_a·h_k⁻¹ (forward) or g_a·h_k (inverse) — for the tile's positions a. One panel channel over
    /// several source channels means shared weights: the panel is built from Σ_c src[b, c, ·]. A is [m, channels·K].
    /// </summary>
    static void PanelPass(int batch, ReadOnlySpan<float> src, int srcChannels, int channels, bool inverse,
        ReadOnlySpan<float> a, int m, ReadOnlySpan<float> bias, Span<float> output)
    {
        int depth = channels * K;                                          // reduction length
        int tileRows = KernelSupport.TileRows(depth, FS, NS);
        int tp = KernelSupport.Skewed(tileRows * FS);
        KernelSupport.ForBatch(batch, src, a, bias, output, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (b0, b1, src, a, bias, output) =>
        {
            using var sum = KernelSupport.Rent(channels == 1 && srcChannels > 1 ? L : 0);
            using var panel = KernelSupport.Rent(depth * tp);   // [I'·K, T]
            using var tile = KernelSupport.Rent(m * tp);        // [m, T]
            for (int b = b0; b < b1; b++)
            {
                var sb = Source(src.Slice(b * srcChannels * L, srcChannels * L), srcChannels, channels, sum.Span);
                for (int row0 = 0; row0 < NS; row0 += tileRows)
                {
                    int rows = Math.Min(tileRows, NS - row0), t = rows * FS, n = KernelSupport.Padded(t);
                    int ldp = KernelSupport.Skewed(t);
                    PackPanel(sb, channels, inverse, row0, rows, panel.Span, ldp);
                    // Whole vector blocks go straight into the output (bias fused); a ragged last tile goes through the tile buffer.
                    bool direct = t == n;
                    var c = direct ? output.Slice(b * m * L + row0 * FS) : tile.Span;
                    int ldc = direct ? L : n;
                    if (channels > 1 || !TPlan.TryForwardSharedUnrolled(m, n, a, bias, panel.Span, ldp, c, ldc))
                        GmGemm.Multiply(m, n, depth, a, depth, 1, panel.Span, ldp, c, ldc, accumulate: false, bias);
                    if (!direct)
                        for (int o = 0; o < m; o++)
                            tile.Span.Slice(o * n, t).CopyTo(output.Slice((b * m + o) * L + row0 * FS, t));
                }
            }
        });
    }

    /// <summary>dx[b,i,c] = Σ_o Σ_k w[o,(i,)k]·dy[b,o, c·h_k]; dx is overwritten.</summary>
    public static void BackwardInput(in GmShape s, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx)
    {
        KernelSupport.CheckBackwardInput(L, K, s, dy, w, dx);
        if (BackwardInputAsPanelPass(s))
        {
            // Full weights over enough input channels: dx[b,i,·] = Σ_(o,k) w[o,i,k]·dy[b,o, ·h_k] is the forward's
            // shape with I and O swapped and gathers through h_k, so it runs as one (A = wᵀ [I, O·K], no Z round trip).
            using var wt = KernelSupport.Rent(s.InChannels * s.OutChannels * K);
            for (int o = 0; o < s.OutChannels; o++)
                for (int i = 0; i < s.InChannels; i++)
                    w.Slice((o * s.InChannels + i) * K, K).CopyTo(wt.Span.Slice((i * s.OutChannels + o) * K, K));
            PanelPass(s.Batch, dy, s.OutChannels, s.OutChannels, inverse: true, wt.Span, s.InChannels, ReadOnlySpan<float>.Empty, dx);
            return;
        }
        var shape = s;
        int channels = s.Mode == ChannelMode.Shared ? 1 : s.InChannels;
        int depth = channels * K;
        int lp = KernelSupport.Padded(L);     // columns computed
        int ld = KernelSupport.Skewed(L);     // row stride of the dy copy and of Z
        KernelSupport.ForBatch(s.Batch, dy, w, ReadOnlySpan<float>.Empty, dx, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (b0, b1, dy, w, _, dx) =>
        {
            using var dyPadded = KernelSupport.Rent(ld == L ? 0 : shape.OutChannels * ld);   // [O, ld]
            using var z = KernelSupport.Rent(KernelBlock * ld);                            // [48, ld]
            for (int b = b0; b < b1; b++)
            {
                var dyb = dy.Slice(b * shape.OutChannels * L, shape.OutChannels * L);
                if (ld != L) dyb = KernelSupport.PadRows(dyb, shape.OutChannels, L, ld, dyPadded.Span);
                // Rows r = i·K + k of Z = Wᵀ·dy[b] (Wᵀ read in place: lda = 1, step = depth) in blocks of 48 across
                // channels, so the micro-kernel's row blocks stay full even for small K; each row is then gathered
                // through the inverse permutation into dx[b, i] while the block is still in L2.
                var dxb = dx.Slice(b * shape.InChannels * L, channels * L);
                dxb.Clear();
                ref float zr = ref MemoryMarshal.GetReference(z.Span);
                ref float dxr = ref MemoryMarshal.GetReference(dxb);
                for (int r0 = 0; r0 < depth; r0 += KernelBlock)
                {
                    int rb = Math.Min(KernelBlock, depth - r0);
                    GmGemm.Multiply(rb, lp, shape.OutChannels, w.Slice(r0), 1, depth, dyb, ld, z.Span, ld, accumulate: false);
                    for (int r = r0; r < r0 + rb; r++)
                    {
                        int i = r / K, k = r - i * K;
                        TPlan.GatherAddBackward(TPlan.KernelFast[k], ref Unsafe.Add(ref zr, (r - r0) * ld),
                            TPlan.SlowBackward.Slice(TPlan.KernelSlow[k] * NS, NS), ref Unsafe.Add(ref dxr, i * L));
                    }
                }
                // Shared weights: every input channel receives the same gradient.
                for (int c = channels; c < shape.InChannels; c++)
                    dxb.Slice(0, L).CopyTo(dx.Slice((b * shape.InChannels + c) * L, L));
            }
        });
    }

    /// <summary>
    /// Full mode with input channels that fill the 6-row register blocks (≤ 20 % of computed rows dropped) runs
    /// backward-input as a panel pass; otherwise (shared weights, few inputs) Z = Wᵀ·dy has the better shape.
    /// </summary>
    internal static bool BackwardInputAsPanelPass(in GmShape s) =>
        s.Mode == ChannelMode.Full && s.InChannels >= GmGemm.Rows
        && (s.InChannels + GmGemm.Rows - 1) / GmGemm.Rows * GmGemm.Rows * 5 <= s.InChannels * 6;

    /// <summary>dw[o,(i,)k] = Σ_b Σ_a dy[b,o,a]·x[b,i, g_a·h_k⁻¹], dbias[o] = Σ_b Σ_a dy[b,o,a]; both overwritten.</summary>
    public static void BackwardWeights(in GmShape s, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw, Span<float> dbias)
    {
        KernelSupport.CheckBackwardWeights(L, K, s, x, dy, dw, dbias);
        var shape = s;
        int channels = s.Mode == ChannelMode.Shared ? 1 : s.InChannels;
        int depth = channels * K;
        // Pᵀ gets one more column, of ones, when dbias is wanted: the GEMM then also sums dy, instead of a second pass
        // over dy (126 MB on cifar-first); columns are padded to whole vectors (GmGemm runs a one-vector last strip).
        bool fuseBias = !dbias.IsEmpty;
        int v = System.Numerics.Vector<float>.Count;
        int dp = (depth + (fuseBias ? 1 : 0) + v - 1) / v * v;
        int tileRows = KernelSupport.TileRows(depth, FS, NS);
        int tp = KernelSupport.Padded(tileRows * FS);
        using var total = KernelSupport.Rent(shape.OutChannels * dp);   // [O, R padded]
        KernelSupport.ForBatchReduce(s.Batch, x, dy, total.Span, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (b0, b1, x, dy, partial) =>
        {
            using var sum = KernelSupport.Rent(channels == 1 && shape.InChannels > 1 ? L : 0);
            using var panel = KernelSupport.Rent(depth * tp);        // [R, T]
            using var transposed = KernelSupport.Rent(tp * dp);      // [T, R padded]
            for (int b = b0; b < b1; b++)
            {
                var src = Source(x.Slice(b * shape.InChannels * L, shape.InChannels * L), shape.InChannels, channels, sum.Span);
                for (int row0 = 0; row0 < NS; row0 += tileRows)
                {
                    int rows = Math.Min(tileRows, NS - row0), t = rows * FS, n = KernelSupport.Padded(t);
                    PackPanel(src, channels, inverse: false, row0, rows, panel.Span, n);
                    // dW[o, r] += Σ_t dy[b,o,row0·FS + t]·P[r, t], as a GEMM over Pᵀ (t rows, r contiguous).
                    KernelSupport.Transpose(panel.Span, depth, n, t, transposed.Span, dp, onesColumn: fuseBias);
                    GmGemm.Multiply(shape.OutChannels, dp, t, dy.Slice(b * shape.OutChannels * L + row0 * FS), L, 1,
                        transposed.Span, dp, partial, dp, accumulate: true);
                }
            }
        });
        KernelSupport.FinishWeights(s, depth, dp, total.Span, dw, dbias);
    }

    /// <summary>The panel's source channels: x[b] itself, or for shared weights over several inputs, Σ_i x[b,i,·].</summary>
    static ReadOnlySpan<float> Source(ReadOnlySpan<float> xb, int inChannels, int channels, Span<float> sum) =>
        channels == 1 && inChannels > 1 ? KernelSupport.SumChannels(xb, inChannels, L, sum) : xb;

    /// <summary>
    /// Panel row i·K + k = gather k (through h_k⁻¹, or h_k when inverse) of rows [row0, row0+rows) of source channel
    /// i (row stride tp), zero-padded to whole vector blocks: the K shifted copies of every channel for one position tile.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void PackPanel(ReadOnlySpan<float> src, int channels, bool inverse, int row0, int rows, Span<float> panel, int tp)
    {
        int t = rows * FS;
        if (src.Length < channels * L || panel.Length < channels * K * tp || row0 + rows > NS || t > tp)
            throw new ArgumentException("Panel buffers are too short.");
        for (int i = 0; i < channels; i++)
        {
            ref float s = ref MemoryMarshal.GetReference(src.Slice(i * L, L));
            for (int k = 0; k < K; k++)
            {
                var dst = panel.Slice((i * K + k) * tp, tp);
                if (inverse)
                    TPlan.GatherBackward(TPlan.KernelFast[k], ref s, TPlan.SlowBackward.Slice(TPlan.KernelSlow[k] * NS + row0, rows),
                        ref MemoryMarshal.GetReference(dst));
                else
                    TPlan.GatherForward(TPlan.KernelFast[k], ref s, TPlan.SlowForward.Slice(TPlan.KernelSlow[k] * NS + row0, rows),
                        ref MemoryMarshal.GetReference(dst));
                dst.Slice(t, KernelSupport.Padded(t) - t).Clear();   // the GEMM's columns; the stride's skew gap is never read
            }
        }
    }
}
