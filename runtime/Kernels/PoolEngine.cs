using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace GmCodegen;

/// <summary>
/// The kernels behind every generated <see cref="IGroupPool"/>: plain passes driven by the coset table
/// Cosets[s·m + j] = index(emb(s)·r_j) (docs/design.md#pooling-over-subgroup-cosets). Max and mean read each row of x
/// once through the table; the transpose works one coset at a time on whole H-rows (TensorPrimitives), gathering or
/// scattering them through that coset's column of the table. Nothing is allocated per call beyond pooled scratch (an H-row, or max pooling's small block of gathered coset columns).
/// </summary>
public static class PoolEngine<TPool> where TPool : IGroupPool
{
    static readonly int L = TPool.Order, N = TPool.SubgroupOrder, M = TPool.Index;

    /// <summary>The coset table by column: ByCoset[j·n + s] = Cosets[s·m + j], checked once to be a permutation of G.</summary>
    static readonly int[] ByCoset = Columns();

    static int[] Columns()
    {
        var cosets = TPool.Cosets;
        if (L <= 0 || N <= 0 || (long)N * M != L || cosets.Length != L)
            throw new InvalidOperationException($"{typeof(TPool).Name}: inconsistent pool tables (|G| = {L}, |H| = {N}, index {M}, {cosets.Length} coset entries).");
        var seen = new bool[L];
        var columns = new int[L];
        for (int s = 0; s < N; s++)
            for (int j = 0; j < M; j++)
            {
                int a = cosets[s * M + j];
                if ((uint)a >= (uint)L || seen[a])
                    throw new InvalidOperationException($"{typeof(TPool).Name}: the cosets do not partition G (entry [{s}·{M} + {j}] = {a}).");
                seen[a] = true;
                columns[j * N + s] = a;
            }
        return columns;
    }

    static void CheckRows(int rows)
    {
        if (rows < 0) throw new ArgumentException($"rows must be ≥ 0, was {rows}.", nameof(rows));
    }

    // ---- max and mean: x[r, a] on G → z[r, s] on H -------------------------------------------------------------

    /// <summary>How the kernels walk the table (<see cref="PoolPlan"/>), derived once from it; internal for the tests.</summary>
    internal static readonly PoolPlan Plan = PoolPlan.Of(TPool.Cosets, N, M);

    /// <summary>
    /// z[r,s] = max_j x[r, Cosets[s·m + j]] and argmax[r,s] = the element Cosets[s·m + j] that attains it (ties: the
    /// first j). Strictly greater keeps the first j on ties; a NaN never wins after j = 0 and a NaN at j = 0 is kept,
    /// as in a comparison-based scalar max. A <see cref="PoolPlan.Strided"/> table is read per run with whole vectors
    /// (<see cref="MaxRun"/>) and its rest cell by cell; any other through blocks of the general gather (<see cref="MaxRowGeneral"/>).
    /// Both paths compare in j order with the same selects, so they agree bit for bit.
    /// </summary>
    public static void MaxForward(int rows, ReadOnlySpan<float> x, Span<float> z, Span<int> argmax)
    {
        CheckRows(rows);
        KernelChecks.CheckLength(x.Length, (long)rows * L, nameof(x));
        KernelChecks.CheckLength(z.Length, (long)rows * N, nameof(z));
        KernelChecks.CheckLength(argmax.Length, (long)rows * N, nameof(argmax));
        KernelChecks.CheckDisjoint(z, nameof(z), x, nameof(x));
        if (rows == 0) return;
        if (Plan is PoolPlan.Strided strided)
        {
            for (int r = 0; r < rows; r++)
                MaxRowStrided(strided, x.Slice(r * L, L), z.Slice(r * N, N), argmax.Slice(r * N, N));
            return;
        }
        MaxForwardGeneral(rows, x, z, argmax);
    }

    /// <summary>The general path on every row, whatever the plan (the tests compare the two); lengths checked by the caller.</summary>
    internal static void MaxForwardGeneral(int rows, ReadOnlySpan<float> x, Span<float> z, Span<int> argmax)
    {
        using var rented = RentedBuffer.Rent(BlockSize * M);
        for (int r = 0; r < rows; r++)
            MaxRowGeneral(x.Slice(r * L, L), z.Slice(r * N, N), argmax.Slice(r * N, N), rented.Span);
    }

    static void MaxRowStrided(PoolPlan.Strided plan, ReadOnlySpan<float> xr, Span<float> zr, Span<int> ar)
    {
        ref float x0 = ref MemoryMarshal.GetReference(xr);
        ref float z0 = ref MemoryMarshal.GetReference(zr);
        ref int a0 = ref MemoryMarshal.GetReference(ar);
        foreach (var run in plan.Runs)
        {
            if (M == 4 && run.Length >= 8) MaxRun8x4(run, ref x0, ref z0, ref a0);
            else MaxRun(run, ref x0, ref z0, ref a0);
        }
        foreach (int s in plan.Rest) (zr[s], ar[s]) = MaxCell(xr, s);
    }

    /// <summary>
    /// One run, 4 outputs per step: each coset j's values are the even or odd lanes of 8 consecutive floats from its
    /// window, its elements Inputs[j] + 2·(q + lane); then the same compare-and-select over j as the general path.
    /// The plan guarantees every load is inside the row (<see cref="PoolRun"/>) and every store inside z's row.
    /// </summary>
    static void MaxRun(PoolRun run, ref float x0, ref float z0, ref int a0)
    {
        var inputs = run.Inputs.AsSpan();
        var windows = run.Windows.AsSpan();
        var lanes = Vector128.Create(0, 2, 4, 6);
        foreach (int q in new VectorSteps(run.Length, 4))
        {
            var best = Strided(ref x0, inputs[0], windows[0], q);
            var arg = Vector128.Create(inputs[0] + 2 * q) + lanes;
            for (int j = 1; j < inputs.Length; j++)
                Select(Strided(ref x0, inputs[j], windows[j], q), Vector128.Create(inputs[j] + 2 * q) + lanes, ref best, ref arg);
            best.StoreUnsafe(ref z0, (nuint)(run.Output + q));
            arg.StoreUnsafe(ref a0, (nuint)(run.Output + q));
        }
    }

    /// <summary>
    /// <see cref="MaxRun"/> for the 2×2 windows (m = 4) of runs of at least 8: 8 outputs per step, the four cosets'
    /// starts and windows in registers, the same four-way compare-and-select in j order (the general loop spends
    /// most of its time on the per-j bookkeeping).
    /// </summary>
    static void MaxRun8x4(PoolRun run, ref float x0, ref float z0, ref int a0)
    {
        var inputs = run.Inputs.AsSpan();
        var windows = run.Windows.AsSpan();
        var (i0, i1, i2, i3) = (inputs[0], inputs[1], inputs[2], inputs[3]);
        var (w0, w1, w2, w3) = (windows[0], windows[1], windows[2], windows[3]);
        var lanes = Vector256.Create(0, 2, 4, 6, 8, 10, 12, 14);
        foreach (int q in new VectorSteps(run.Length, 8))
        {
            var q2 = Vector256.Create(2 * q) + lanes;
            var best = Strided(ref x0, i0, w0, q);
            var arg = Vector256.Create(i0) + q2;
            Select(Strided(ref x0, i1, w1, q), Vector256.Create(i1) + q2, ref best, ref arg);
            Select(Strided(ref x0, i2, w2, q), Vector256.Create(i2) + q2, ref best, ref arg);
            Select(Strided(ref x0, i3, w3, q), Vector256.Create(i3) + q2, ref best, ref arg);
            best.StoreUnsafe(ref z0, (nuint)(run.Output + q));
            arg.StoreUnsafe(ref a0, (nuint)(run.Output + q));
        }

        static Vector256<float> Strided(ref float x0, int input, int window, int q)
        {
            int at = window + 2 * q;
            var lo = Vector256.LoadUnsafe(ref x0, (nuint)at);
            var hi = Vector256.LoadUnsafe(ref x0, (nuint)(at + 8));
            return input == window ? VectorPairs.Evens(lo, hi) : VectorPairs.Odds(lo, hi);
        }
    }

    /// <summary>The running max step: take v (and its elements) where it is strictly greater than best.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Select(Vector256<float> v, Vector256<int> elements, ref Vector256<float> best, ref Vector256<int> arg)
    {
        var gt = Vector256.GreaterThan(v, best);
        best = Vector256.ConditionalSelect(gt, v, best);
        arg = Vector256.ConditionalSelect(gt.AsInt32(), elements, arg);
    }

    /// <inheritdoc cref="Select(Vector256{float}, Vector256{int}, ref Vector256{float}, ref Vector256{int})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Select(Vector128<float> v, Vector128<int> elements, ref Vector128<float> best, ref Vector128<int> arg)
    {
        var gt = Vector128.GreaterThan(v, best);
        best = Vector128.ConditionalSelect(gt, v, best);
        arg = Vector128.ConditionalSelect(gt.AsInt32(), elements, arg);
    }

    /// <summary>One output through the table: the first strictly greater value in j order, and its element.</summary>
    static (float Max, int Arg) MaxCell(ReadOnlySpan<float> xr, int s)
    {
        var cell = TPool.Cosets.Slice(s * M, M);
        int arg = cell[0];
        float best = xr[arg];
        for (int j = 1; j < M; j++)
        {
            float v = xr[cell[j]];
            bool gt = v > best;
            best = gt ? v : best;
            arg = gt ? cell[j] : arg;
        }
        return (best, arg);
    }

    /// <summary>x[window + 2q + 2k + odd] for k = 0..3: 8 consecutive floats, deinterleaved.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector128<float> Strided(ref float x0, int input, int window, int q)
    {
        int at = window + 2 * q;
        var lo = Vector128.LoadUnsafe(ref x0, (nuint)at);
        var hi = Vector128.LoadUnsafe(ref x0, (nuint)(at + 4));
        return input == window ? VectorPairs.Evens(lo, hi) : VectorPairs.Odds(lo, hi);
    }

    /// <summary>
    /// One row through the general path: blocks of b outputs (<see cref="BlockSize"/>), each a scalar gather of the
    /// block's m coset columns g[j·b + q] = x[r, ByCoset[j·n + s0 + q]] into a small pooled buffer (it stays in L1),
    /// then a branch-free vector pass over q that keeps the running max and its element with compare-and-select.
    /// </summary>
    static void MaxRowGeneral(ReadOnlySpan<float> xr, Span<float> zr, Span<int> ar, Span<float> g)
    {
        int b = BlockSize;
        if (b < Vector<float>.Count)
        {
            // A subgroup smaller than one vector: the same compare-and-select, one output at a time.
            for (int s = 0; s < N; s++) (zr[s], ar[s]) = MaxCell(xr, s);
            return;
        }
        // Blocks of b outputs, the last one moved back to end at n (it recomputes a few outputs: same values).
        for (int s0 = 0; ; s0 += b)
        {
            if (s0 > N - b) s0 = N - b;
            Gather(xr, s0, b, g);
            MaxOverCosets(g, s0, b, zr, ar);
            if (s0 == N - b) break;
        }
    }

    /// <summary>
    /// Outputs per gather block: at most 256, so the block's m columns (m·b floats) stay in L1 next to the row of x;
    /// n is split into equal blocks rounded up to whole vectors, so the moved-back last block overlaps little.
    /// </summary>
    static readonly int BlockSize = Blocks();

    static int Blocks()
    {
        int w = Vector<float>.Count, count = (N + 255) / 256, b = (N + count - 1) / count;
        return Math.Min(N, (b + w - 1) / w * w);
    }

    /// <summary>g[j·b + q] = xr[ByCoset[j·n + s0 + q]]; ByCoset is a checked permutation of 0..L−1, so every read is in xr.</summary>
    static void Gather(ReadOnlySpan<float> xr, int s0, int b, Span<float> g)
    {
        ref float x0 = ref MemoryMarshal.GetReference(xr);
        for (int j = 0; j < M; j++)
        {
            var column = ByCoset.AsSpan(j * N + s0, b);
            var gj = g.Slice(j * b, b);
            for (int q = 0; q < column.Length; q++) gj[q] = Unsafe.Add(ref x0, column[q]);
        }
    }

    /// <summary>zr[s0 + q] = max_j g[j·b + q], ar[s0 + q] = ByCoset[j·n + s0 + q] of the first j attaining it.</summary>
    static void MaxOverCosets(ReadOnlySpan<float> g, int s0, int b, Span<float> zr, Span<int> ar)
    {
        int w = Vector<float>.Count;   // b ≥ w: MaxRowGeneral takes smaller subgroups cell by cell
        ref float g0 = ref MemoryMarshal.GetReference(g);
        ref int c0 = ref MemoryMarshal.GetArrayDataReference(ByCoset);
        ref float z0 = ref MemoryMarshal.GetReference(zr);
        ref int a0 = ref MemoryMarshal.GetReference(ar);
        // Whole vectors, the last one moved back to end at b (it recomputes a few lanes from g: same values).
        for (int q = 0; ; q += w)
        {
            if (q > b - w) q = b - w;
            var best = Vector.LoadUnsafe(ref g0, (nuint)q);
            var arg = Vector.LoadUnsafe(ref c0, (nuint)(s0 + q));
            for (int j = 1; j < M; j++)
            {
                var v = Vector.LoadUnsafe(ref g0, (nuint)(j * b + q));
                var gt = Vector.GreaterThan(v, best);
                best = Vector.ConditionalSelect(gt, v, best);
                arg = Vector.ConditionalSelect(Vector.AsVectorInt32(gt), Vector.LoadUnsafe(ref c0, (nuint)(j * N + s0 + q)), arg);
            }
            best.StoreUnsafe(ref z0, (nuint)(s0 + q));
            arg.StoreUnsafe(ref a0, (nuint)(s0 + q));
            if (q == b - w) break;
        }
    }

    public static void MaxBackward(int rows, ReadOnlySpan<float> dz, ReadOnlySpan<int> argmax, Span<float> dx)
    {
        CheckRows(rows);
        KernelChecks.CheckLength(dz.Length, (long)rows * N, nameof(dz));
        KernelChecks.CheckLength(argmax.Length, (long)rows * N, nameof(argmax));
        KernelChecks.CheckLength(dx.Length, (long)rows * L, nameof(dx));
        KernelChecks.CheckDisjoint(dx, nameof(dx), dz, nameof(dz));
        dx.Clear();
        for (int r = 0; r < rows; r++)
        {
            var dxr = dx.Slice(r * L, L);
            var dzr = dz.Slice(r * N, N);
            var ar = argmax.Slice(r * N, N);
            for (int s = 0; s < N; s++)
            {
                int a = ar[s];
                if ((uint)a >= (uint)L) throw new ArgumentException($"argmax[{r * N + s}] = {a} is not an element of G (|G| = {L}).", nameof(argmax));
                dxr[a] = dzr[s];
            }
        }
    }

    public static void MeanForward(int rows, ReadOnlySpan<float> x, Span<float> z)
    {
        CheckRows(rows);
        KernelChecks.CheckLength(x.Length, (long)rows * L, nameof(x));
        KernelChecks.CheckLength(z.Length, (long)rows * N, nameof(z));
        KernelChecks.CheckDisjoint(z, nameof(z), x, nameof(x));
        var cosets = TPool.Cosets;
        float scale = 1f / M;
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * L, L);
            var zr = z.Slice(r * N, N);
            for (int s = 0; s < N; s++)
            {
                var cell = cosets.Slice(s * M, M);
                float sum = 0;
                for (int j = 0; j < M; j++) sum += xr[cell[j]];
                zr[s] = sum * scale;
            }
        }
    }

    public static void MeanBackward(int rows, ReadOnlySpan<float> dz, Span<float> dx)
    {
        CheckRows(rows);
        KernelChecks.CheckLength(dz.Length, (long)rows * N, nameof(dz));
        KernelChecks.CheckLength(dx.Length, (long)rows * L, nameof(dx));
        KernelChecks.CheckDisjoint(dx, nameof(dx), dz, nameof(dz));
        var cosets = TPool.Cosets;
        float scale = 1f / M;
        for (int r = 0; r < rows; r++)
        {
            var dxr = dx.Slice(r * L, L);
            var dzr = dz.Slice(r * N, N);
            for (int s = 0; s < N; s++)
            {
                float g = dzr[s] * scale;
                var cell = cosets.Slice(s * M, M);
                for (int j = 0; j < M; j++) dxr[cell[j]] = g;
            }
        }
    }

    // ---- the learned transpose: z[b,i,s] on H → y[b,o,a] on G ---------------------------------------------------

    static void CheckShape(in PoolShape s)
    {
        if (s.Batch < 0) throw new ArgumentException($"Batch must be ≥ 0, was {s.Batch}.", nameof(s));
        if (s.InChannels <= 0) throw new ArgumentException($"InChannels must be > 0, was {s.InChannels}.", nameof(s));
        if (s.OutChannels <= 0) throw new ArgumentException($"OutChannels must be > 0, was {s.OutChannels}.", nameof(s));
        if ((long)s.Batch * s.OutChannels * L > Array.MaxLength || (long)s.Batch * s.InChannels * N > Array.MaxLength
            || (long)s.InChannels * s.OutChannels * M > Array.MaxLength)
            throw new ArgumentException($"{s} needs more floats than an array can hold.", nameof(s));
    }

    static void CheckBias(int length, int outChannels, string name)
    {
        if (length != 0 && length != outChannels)
            throw new ArgumentException($"{name} has length {length}; expected 0 (no bias) or {outChannels}.", name);
    }

    public static void TransposeForward(in PoolShape s, ReadOnlySpan<float> z, ReadOnlySpan<float> u, ReadOnlySpan<float> bias, Span<float> y)
    {
        CheckShape(s);
        int I = s.InChannels, O = s.OutChannels;
        KernelChecks.CheckLength(z.Length, (long)s.Batch * I * N, nameof(z));
        KernelChecks.CheckLength(u.Length, (long)I * O * M, nameof(u));
        CheckBias(bias.Length, O, nameof(bias));
        KernelChecks.CheckLength(y.Length, (long)s.Batch * O * L, nameof(y));
        KernelChecks.CheckDisjoint(y, nameof(y), z, nameof(z));
        KernelChecks.CheckDisjoint(y, nameof(y), u, nameof(u));
        KernelChecks.CheckDisjoint(y, nameof(y), bias, nameof(bias));
        using var rented = RentedBuffer.Rent(N);
        var t = rented.Span;   // one H-row: Σ_i u[i,o,j]·z[b,i,:]
        for (int b = 0; b < s.Batch; b++)
            for (int o = 0; o < O; o++)
            {
                var yo = y.Slice((b * O + o) * L, L);
                float beta = bias.IsEmpty ? 0f : bias[o];
                for (int j = 0; j < M; j++)
                {
                    t.Fill(beta);
                    for (int i = 0; i < I; i++)
                        TensorPrimitives.MultiplyAdd(z.Slice((b * I + i) * N, N), u[(i * O + o) * M + j], t, t);
                    var column = ByCoset.AsSpan(j * N, N);
                    for (int q = 0; q < N; q++) yo[column[q]] = t[q];
                }
            }
    }

    static void CheckOutputDisjoint(ReadOnlySpan<float> output, string name, ReadOnlySpan<float> z, ReadOnlySpan<float> u, ReadOnlySpan<float> dy)
    {
        KernelChecks.CheckDisjoint(output, name, z, nameof(z));
        KernelChecks.CheckDisjoint(output, name, u, nameof(u));
        KernelChecks.CheckDisjoint(output, name, dy, nameof(dy));
    }

    public static void TransposeBackward(in PoolShape s, ReadOnlySpan<float> z, ReadOnlySpan<float> u, ReadOnlySpan<float> dy,
        Span<float> dz, Span<float> du, Span<float> dbias)
    {
        CheckShape(s);
        int I = s.InChannels, O = s.OutChannels;
        KernelChecks.CheckLength(z.Length, (long)s.Batch * I * N, nameof(z));
        KernelChecks.CheckLength(u.Length, (long)I * O * M, nameof(u));
        KernelChecks.CheckLength(dy.Length, (long)s.Batch * O * L, nameof(dy));
        KernelChecks.CheckLength(dz.Length, (long)s.Batch * I * N, nameof(dz));
        KernelChecks.CheckLength(du.Length, (long)I * O * M, nameof(du));
        CheckBias(dbias.Length, O, nameof(dbias));
        CheckOutputDisjoint(dz, nameof(dz), z, u, dy);
        CheckOutputDisjoint(du, nameof(du), z, u, dy);
        CheckOutputDisjoint(dbias, nameof(dbias), z, u, dy);
        KernelChecks.CheckDisjoint(dz, nameof(dz), du, nameof(du));
        KernelChecks.CheckDisjoint(dz, nameof(dz), dbias, nameof(dbias));
        KernelChecks.CheckDisjoint(du, nameof(du), dbias, nameof(dbias));

        dz.Clear();
        du.Clear();
        dbias.Clear();
        using var rented = RentedBuffer.Rent(N);
        var g = rented.Span;   // one coset's H-row of dy: g[s] = dy[b,o, emb(s)·r_j]
        for (int b = 0; b < s.Batch; b++)
            for (int o = 0; o < O; o++)
            {
                var dyo = dy.Slice((b * O + o) * L, L);
                if (!dbias.IsEmpty) dbias[o] += TensorPrimitives.Sum(dyo);
                for (int j = 0; j < M; j++)
                {
                    var column = ByCoset.AsSpan(j * N, N);
                    for (int q = 0; q < N; q++) g[q] = dyo[column[q]];
                    for (int i = 0; i < I; i++)
                    {
                        var zi = z.Slice((b * I + i) * N, N);
                        var dzi = dz.Slice((b * I + i) * N, N);
                        int w = (i * O + o) * M + j;
                        du[w] += TensorPrimitives.Dot(g, zi);
                        TensorPrimitives.MultiplyAdd(g, u[w], dzi, dzi);
                    }
                }
            }
    }
}
