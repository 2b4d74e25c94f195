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
/// along as one more column of panelᵀ, all ones.</item>
/// </list>
/// Shared weights (w[o,k]) use one source channel, s = Σ_i x[·,i,·], since w does not depend on i.
/// The hot methods skip tiered compilation (AggressiveOptimization): a training run or benchmark otherwise spends
/// its first calls in unoptimised code, where the gathers run several times slower.
/// Every pass checks its arguments first (<see cref="KernelChecks"/>: lengths, impossible shapes, outputs overlapping
/// inputs) and the plan's tables once per type (sizes and every row and permutation index in range), so the unchecked
/// loops below only ever see consistent sizes; the plan's gathers themselves are trusted (they are generated).
/// </summary>
public static class GmEngine<TPlan> where TPlan : IGroupPlan
{
    static int L => TPlan.Order;
    static int K => TPlan.KernelSize;
    static int FS => TPlan.FastOrder;
    static int NS => TPlan.SlowOrder;
    /// <summary>Backward-input computes Z = Wᵀ·dy this many k at a time (8 register blocks; Z stays in L2).</summary>
    const int KernelBlock = 8 * GmGemm.Rows;

    /// <summary>Why the plan's tables are inconsistent, or null; computed once per plan type.</summary>
    static readonly string? PlanProblem = CheckPlan();

    static string? CheckPlan()
    {
        string name = typeof(TPlan).Name;
        if (FS <= 0 || NS <= 0 || (long)FS * NS != L) return $"{name}: |F| = {FS} times |S| = {NS} is not |G| = {L}.";
        if (K <= 0 || K > L) return $"{name}: K = {K} is not in [1, {L}].";
        if (TPlan.KernelSlow.Length != K) return $"{name}: KernelSlow needs one entry per kernel element ({K}).";
        int slowMaps = 0;
        foreach (int js in TPlan.KernelSlow)
            if (js < 0) return $"{name}: KernelSlow holds {js}."; else slowMaps = Math.Max(slowMaps, js + 1);
        foreach (var (table, what) in new[] { (TPlan.SlowForward.ToArray(), "SlowForward"), (TPlan.SlowBackward.ToArray(), "SlowBackward") })
        {
            if (table.Length < (long)slowMaps * NS) return $"{name}: {what} has {table.Length} entries; KernelSlow needs {(long)slowMaps * NS}.";
            foreach (int row in table)
                if ((uint)row >= (uint)NS) return $"{name}: {what} holds row {row}, outside [0, {NS}).";
        }
        foreach (var (of, count, what) in new[] { (TPlan.FastForwardOf.ToArray(), TPlan.FastForwardCount, "FastForwardOf"), (TPlan.FastBackwardOf.ToArray(), TPlan.FastBackwardCount, "FastBackwardOf") })
        {
            if (count <= 0) return $"{name}: {what} names {count} permutations.";
            if (of.Length != (long)K * NS) return $"{name}: {what} has {of.Length} entries, not K·|S| = {(long)K * NS}.";
            foreach (int j in of)
                if ((uint)j >= (uint)count) return $"{name}: {what} holds permutation {j}, outside [0, {count}).";
        }
        // The shifts the shifted panel pass trusts: every row map of k is s ↦ s + d_k and k uses one permutation.
        foreach (var (shifts, slow, of, what) in new[] { (TPlan.ForwardShifts.ToArray(), TPlan.SlowForward.ToArray(), TPlan.FastForwardOf.ToArray(), "ForwardShifts"),
                                                         (TPlan.BackwardShifts.ToArray(), TPlan.SlowBackward.ToArray(), TPlan.FastBackwardOf.ToArray(), "BackwardShifts") })
        {
            if (shifts.Length == 0) continue;
            if (shifts.Length != K) return $"{name}: {what} has {shifts.Length} entries, not 0 or K = {K}.";
            for (int k = 0; k < K; k++)
            {
                int js = TPlan.KernelSlow[k];
                if (shifts[k] <= -NS || shifts[k] >= NS) return $"{name}: {what}[{k}] = {shifts[k]} is not a shift of {NS} rows.";
                for (int r = 0; r < NS; r++)
                    if (slow[js * NS + r] != ((r + shifts[k]) % NS + NS) % NS || of[k * NS + r] != of[k * NS])
                        return $"{name}: {what}[{k}] = {shifts[k]} does not match its row map or permutations at row {r}.";
            }
        }
        return null;
    }

    static void CheckPlanOnce()
    {
        if (PlanProblem is not null) throw new InvalidOperationException($"The group plan is inconsistent: {PlanProblem}");
    }

    /// <summary>y[b,o,a] = Σ_i Σ_k w[o,(i,)k]·x[b,i, g_a·h_k⁻¹] + bias[o]; y is overwritten.</summary>
    public static void Forward(in GmShape s, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y)
    {
        KernelChecks.CheckForward(L, K, s, x, w, bias, y);
        CheckPlanOnce();
        if (s.Batch == 0) return;
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
        if (channels > 1 && (inverse ? InverseWindows : ForwardWindows) is { } windows
            && ShiftedPanelPass(batch, src, channels, inverse, windows, a, m, bias, output))
            return;
        int depth = channels * K;                                          // reduction length
        int tileRows = Tiling.TileRows(depth, FS, NS, m);
        int tp = Tiling.Skewed(tileRows * FS);
        int panelFloats = Scratch((long)depth * tp), tileFloats = Scratch((long)m * tp);
        BatchParallel.ForBatch(batch, src, a, bias, output, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (b0, b1, src, a, bias, output) =>
        {
            using var sum = RentedBuffer.Rent(channels == 1 && srcChannels > 1 ? L : 0);
            using var panel = RentedBuffer.Rent(panelFloats);  // [I'·K, T]
            using var tile = RentedBuffer.Rent(tileFloats);    // [m, T]
            for (int b = b0; b < b1; b++)
            {
                var sb = Source(src.Slice(b * srcChannels * L, srcChannels * L), srcChannels, channels, sum.Span);
                for (int row0 = 0; row0 < NS; row0 += tileRows)
                {
                    int rows = Math.Min(tileRows, NS - row0), t = rows * FS, n = Tiling.Padded(t);
                    int ldp = Tiling.Skewed(t);
                    PackPanel(sb, channels, inverse, row0, rows, panel.Span, ldp);
                    var c = TileTarget(output, tile.Span, b, m, row0, t, n, out int ldc);
                    if (channels > 1 || !TPlan.TryForwardSharedUnrolled(m, n, a, bias, panel.Span, ldp, c, ldc))
                        GmGemm.Multiply(m, n, depth, a, depth, 1, panel.Span, ldp, c, ldc, accumulate: false, bias);
                    FlushTile(tile.Span, output, b, m, row0, t, n);
                }
            }
        });
    }

    /// <summary>dx[b,i,c] = Σ_o Σ_k w[o,(i,)k]·dy[b,o, c·h_k]; dx is overwritten.</summary>
    public static void BackwardInput(in GmShape s, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx)
    {
        KernelChecks.CheckBackwardInput(L, K, s, dy, w, dx);
        CheckPlanOnce();
        if (s.Batch == 0) return;
        if (BackwardInputAsPanelPass(s))
        {
            // Full weights over enough input channels: dx[b,i,·] = Σ_(o,k) w[o,i,k]·dy[b,o, ·h_k] is the forward's
            // shape with I and O swapped and gathers through h_k, so it runs as one (A = wᵀ [I, O·K], no Z round trip).
            using var wt = RentedBuffer.Rent(w.Length);
            for (int o = 0; o < s.OutChannels; o++)
                for (int i = 0; i < s.InChannels; i++)
                    w.Slice((o * s.InChannels + i) * K, K).CopyTo(wt.Span.Slice((i * s.OutChannels + o) * K, K));
            PanelPass(s.Batch, dy, s.OutChannels, s.OutChannels, inverse: true, wt.Span, s.InChannels, ReadOnlySpan<float>.Empty, dx);
            return;
        }
        var shape = s;
        int channels = s.Mode == ChannelMode.Shared ? 1 : s.InChannels;
        int depth = channels * K;
        int lp = Tiling.Padded(L);     // columns computed
        int ld = Tiling.Skewed(L);     // row stride of the dy copy and of Z
        int paddedFloats = ld == L ? 0 : Scratch((long)s.OutChannels * ld), zFloats = Scratch((long)KernelBlock * ld);
        BatchParallel.ForBatch(s.Batch, dy, w, ReadOnlySpan<float>.Empty, dx, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (b0, b1, dy, w, _, dx) =>
        {
            using var dyPadded = RentedBuffer.Rent(paddedFloats);   // [O, ld]
            using var z = RentedBuffer.Rent(zFloats);               // [48, ld]
            for (int b = b0; b < b1; b++)
            {
                var dyb = dy.Slice(b * shape.OutChannels * L, shape.OutChannels * L);
                if (ld != L) dyb = Panels.PadRows(dyb, shape.OutChannels, L, ld, dyPadded.Span);
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
                        Gather(k, inverse: true, add: true, ref Unsafe.Add(ref zr, (r - r0) * ld), 0, NS, ref Unsafe.Add(ref dxr, i * L));
                    }
                }
                // Shared weights: every input channel receives the same gradient.
                for (int c = channels; c < shape.InChannels; c++)
                    dxb.Slice(0, L).CopyTo(dx.Slice((b * shape.InChannels + c) * L, L));
            }
        });
    }

    /// <summary>
    /// A scratch buffer's length, computed in long by the caller; checked before any worker starts, so that a shape whose
    /// scratch cannot exist fails at the call with an ArgumentException (not wrapped by the parallel loop, never wrapped around).
    /// </summary>
    static int Scratch(long floats) => floats <= Array.MaxLength
        ? (int)floats
        : throw new ArgumentException($"This shape needs a kernel scratch buffer of {floats:N0} floats, more than an array can hold.", "s");

    /// <summary>
    /// Where a panel pass's GEMM writes the tile at rows [row0, ·) of sample b: whole vector blocks (t = n) straight into
    /// the output (bias fused), a ragged last tile into the tile buffer, which <see cref="FlushTile"/> then copies.
    /// </summary>
    static Span<float> TileTarget(Span<float> output, Span<float> tile, int b, int m, int row0, int t, int n, out int ldc)
    {
        ldc = t == n ? L : n;
        return t == n ? output.Slice(b * m * L + row0 * FS) : tile;
    }

    static void FlushTile(ReadOnlySpan<float> tile, Span<float> output, int b, int m, int row0, int t, int n)
    {
        if (t == n) return;
        for (int o = 0; o < m; o++)
            tile.Slice(o * n, t).CopyTo(output.Slice((b * m + o) * L + row0 * FS, t));
    }

    /// <summary>
    /// The plan's row shifts per direction (<see cref="IGroupPlan.ForwardShifts"/>: every row map of k is
    /// s ↦ s + d_k mod |S|, one permutation per k: the C32 x C32 and C64 x C64 layers) as windows; null when the plan has none.
    /// </summary>
    static readonly ShiftWindows? ForwardWindows = PlanProblem is null ? ShiftWindows.Of(TPlan.ForwardShifts, TPlan.FastForwardOf) : null,
        InverseWindows = PlanProblem is null ? ShiftWindows.Of(TPlan.BackwardShifts, TPlan.FastBackwardOf) : null;

    /// <summary>
    /// The windows of the shifted panel pass, fixed per group and direction: the distinct permutations, each one's
    /// range of shifts [Lo, Hi], and per k its shift and its permutation's position in <see cref="Fast"/>.
    /// </summary>
    sealed record ShiftWindows(int[] Shift, int[] Fast, int[] Lo, int[] Hi, int[] FastOf)
    {
        /// <summary>Rows a window has beyond the tile's, summed over the permutations.</summary>
        public int Extra { get; } = Enumerable.Range(0, Fast.Length).Sum(f => Hi[f] - Lo[f]);

        public static ShiftWindows? Of(ReadOnlySpan<int> shifts, ReadOnlySpan<int> fastOf)
        {
            if (shifts.Length == 0) return null;
            var d = shifts.ToArray();
            var kf = new int[K];
            for (int k = 0; k < K; k++) kf[k] = fastOf[k * NS];   // the same in every row (checked with the plan)
            var fast = kf.Distinct().ToArray();
            var lo = fast.Select(j => Enumerable.Range(0, K).Where(k => kf[k] == j).Min(k => d[k])).ToArray();
            var hi = fast.Select(j => Enumerable.Range(0, K).Where(k => kf[k] == j).Max(k => d[k])).ToArray();
            return new ShiftWindows(d, fast, lo, hi, kf.Select(j => Array.IndexOf(fast, j)).ToArray());
        }
    }

    /// <summary>
    /// <see cref="PanelPass"/> for several channels when the slow row maps are shifts: panel row (i, k) is then the
    /// in-row permutation FastForwardOf[k·|S|] (the same in every row) of channel i over a window of rows, moved by d_k rows. So each channel is gathered
    /// once per distinct fast permutation over the union of its windows, and the GEMM reads panel row (i, k) at its
    /// offset there — on C32 x C32 radius 1 with 8-row tiles, 30 gathered rows per channel instead of 72. Returns false,
    /// doing nothing, when the windows would not save a quarter of the gathers (one-row tiles: plume's 120 channels).
    /// </summary>
    static bool ShiftedPanelPass(int batch, ReadOnlySpan<float> src, int channels, bool inverse, ShiftWindows layout,
        ReadOnlySpan<float> a, int m, ReadOnlySpan<float> bias, Span<float> output)
    {
        int depth = channels * K;
        var (shifts, fast, lo, hi, fastOf, extra) = (layout.Shift, layout.Fast, layout.Lo, layout.Hi, layout.FastOf, layout.Extra);
        // A channel's windows take (rows·|fast| + extra)·|F| floats; all channels together stay within the panel budget.
        int tileRows = Tiling.TileRowsOf((Tiling.PanelFloats / (channels * FS) - extra) / fast.Length, FS, NS);
        if (4 * (tileRows * fast.Length + extra) > 3 * K * tileRows) return false;
        int window = Scratch(((long)tileRows * fast.Length + extra) * FS);  // floats per channel
        int windowFloats = Scratch((long)channels * window + 2 * System.Numerics.Vector<float>.Count);
        int tileFloats = Scratch((long)m * Tiling.Padded(tileRows * FS));
        BatchParallel.ForBatch(batch, src, a, bias, output, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (b0, b1, src, a, bias, output) =>
        {
            using var windows = RentedBuffer.Rent(windowFloats);
            using var tile = RentedBuffer.Rent(tileFloats);
            var rowMap = new int[tileRows + extra];
            var start = new int[fast.Length];
            var rowsOf = new int[depth];
            for (int b = b0; b < b1; b++)
            {
                var sb = src.Slice(b * channels * L, channels * L);
                for (int row0 = 0; row0 < NS; row0 += tileRows)
                {
                    int rows = Math.Min(tileRows, NS - row0), t = rows * FS, n = Tiling.Padded(t);
                    // Windows of channel i: for each fast permutation f, rows row0 + lo_f .. row0 + rows + hi_f (cyclic).
                    for (int f = 0, at = 0; f < fast.Length; at += (rows + hi[f] - lo[f]) * FS, f++) start[f] = at;
                    for (int i = 0; i < channels; i++)
                    {
                        ref float s = ref MemoryMarshal.GetReference(sb.Slice(i * L, L));
                        for (int f = 0; f < fast.Length; f++)
                        {
                            int count = rows + hi[f] - lo[f];
                            for (int e = 0; e < count; e++) rowMap[e] = ((row0 + lo[f] + e) % NS + NS) % NS;
                            ref float dst = ref windows.Span[i * window + start[f]];
                            if (inverse) TPlan.GatherBackward(fast[f], ref s, rowMap.AsSpan(0, count), ref dst);
                            else TPlan.GatherForward(fast[f], ref s, rowMap.AsSpan(0, count), ref dst);
                        }
                    }
                    // Panel row i·K + k starts d_k - lo_f rows into window f of channel i; the tail [t, n) reads the
                    // next rows' values, which only reach C's dropped columns.
                    for (int i = 0; i < channels; i++)
                        for (int k = 0; k < K; k++)
                            rowsOf[i * K + k] = i * window + start[fastOf[k]] + (shifts[k] - lo[fastOf[k]]) * FS;
                    var c = TileTarget(output, tile.Span, b, m, row0, t, n, out int ldc);
                    GmGemm.Multiply(m, n, depth, a, depth, 1, windows.Span, rowsOf, c, ldc, accumulate: false, bias);
                    FlushTile(tile.Span, output, b, m, row0, t, n);
                }
            }
        });
        return true;
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
        KernelChecks.CheckBackwardWeights(L, K, s, x, dy, dw, dbias);
        CheckPlanOnce();
        if (s.Batch == 0) { dw.Clear(); dbias.Clear(); return; }
        var shape = s;
        int channels = s.Mode == ChannelMode.Shared ? 1 : s.InChannels;
        int depth = channels * K;
        // Pᵀ gets one more column, of ones, when dbias is wanted: the GEMM then also sums dy, instead of a second pass
        // over dy (126 MB on cifar-first); columns are padded to whole vectors (GmGemm runs a one-vector last strip).
        bool fuseBias = !dbias.IsEmpty;
        int v = System.Numerics.Vector<float>.Count;
        int dp = (depth + (fuseBias ? 1 : 0) + v - 1) / v * v;
        int tileRows = Tiling.TileRows(depth, FS, NS, s.OutChannels);
        int tp = Tiling.Padded(tileRows * FS);
        int panelFloats = Scratch((long)depth * tp), transposedFloats = Scratch((long)tp * dp);
        using var total = RentedBuffer.Rent(Scratch((long)shape.OutChannels * dp));   // [O, R padded]
        BatchParallel.ForBatchReduce(s.Batch, x, dy, total.Span, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (b0, b1, x, dy, partial) =>
        {
            using var sum = RentedBuffer.Rent(channels == 1 && shape.InChannels > 1 ? L : 0);
            using var panel = RentedBuffer.Rent(panelFloats);           // [R, T]
            using var transposed = RentedBuffer.Rent(transposedFloats); // [T, R padded]
            for (int b = b0; b < b1; b++)
            {
                var src = Source(x.Slice(b * shape.InChannels * L, shape.InChannels * L), shape.InChannels, channels, sum.Span);
                for (int row0 = 0; row0 < NS; row0 += tileRows)
                {
                    int rows = Math.Min(tileRows, NS - row0), t = rows * FS, n = Tiling.Padded(t);
                    PackPanel(src, channels, inverse: false, row0, rows, panel.Span, n);
                    // dW[o, r] += Σ_t dy[b,o,row0·FS + t]·P[r, t], as a GEMM over Pᵀ (t rows, r contiguous).
                    Panels.Transpose(panel.Span, depth, n, t, transposed.Span, dp, onesColumn: fuseBias);
                    GmGemm.Multiply(shape.OutChannels, dp, t, dy.Slice(b * shape.OutChannels * L + row0 * FS), L, 1,
                        transposed.Span, dp, partial, dp, accumulate: true);
                }
            }
        });
        Panels.FinishWeights(s, depth, dp, total.Span, dw, dbias);
    }

    /// <summary>The panel's source channels: x[b] itself, or for shared weights over several inputs, Σ_i x[b,i,·].</summary>
    static ReadOnlySpan<float> Source(ReadOnlySpan<float> xb, int inChannels, int channels, Span<float> sum) =>
        channels == 1 && inChannels > 1 ? Panels.SumChannels(xb, inChannels, L, sum) : xb;

    /// <summary>
    /// Panel row i·K + k = gather k (through h_k⁻¹, or h_k when inverse) of rows [row0, row0+rows) of source channel
    /// i (row stride tp), zero-padded to whole vector blocks: the K shifted copies of every channel for one position tile.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void PackPanel(ReadOnlySpan<float> src, int channels, bool inverse, int row0, int rows, Span<float> panel, int tp)
    {
        int t = rows * FS;
        if (src.Length < (long)channels * L || panel.Length < (long)channels * K * tp || row0 < 0 || rows < 0 || row0 + rows > NS || t > tp)
            throw new ArgumentException("Panel buffers are too short.");
        for (int i = 0; i < channels; i++)
        {
            ref float s = ref MemoryMarshal.GetReference(src.Slice(i * L, L));
            for (int k = 0; k < K; k++)
            {
                var dst = panel.Slice((i * K + k) * tp, tp);
                Gather(k, inverse, add: false, ref s, row0, rows, ref MemoryMarshal.GetReference(dst));
                dst.Slice(t, Tiling.Padded(t) - t).Clear();   // the GEMM's columns; the stride's skew gap is never read
            }
        }
    }

    /// <summary>
    /// Output rows [row0, row0 + rows) of gather k (through h_k⁻¹, or h_k when inverse; accumulating when add) into
    /// dst (row stride |F|, dst at row row0): one gather call per maximal run of rows that share a permutation — one
    /// call for a direct product, a few for a semidirect one (p4m: one per block of rows with the same point-group part).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Gather(int k, bool inverse, bool add, ref float src, int row0, int rows, ref float dst)
    {
        var of = (inverse ? TPlan.FastBackwardOf : TPlan.FastForwardOf).Slice(k * NS + row0, rows);
        var rowMap = (inverse ? TPlan.SlowBackward : TPlan.SlowForward).Slice(TPlan.KernelSlow[k] * NS + row0, rows);
        for (int e = 0; e < rows;)
        {
            int j = of[e], end = e + 1;
            while (end < rows && of[end] == j) end++;
            var map = rowMap.Slice(e, end - e);
            ref float d = ref Unsafe.Add(ref dst, e * FS);
            if (!inverse) TPlan.GatherForward(j, ref src, map, ref d);
            else if (add) TPlan.GatherAddBackward(j, ref src, map, ref d);
            else TPlan.GatherBackward(j, ref src, map, ref d);
            e = end;
        }
    }
}
