using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GmCodegen;

/// <summary>
/// The one register-blocked FMA micro-kernel every generated kernel runs on: C[m, 0..n) (+)= Σ_r A[m, r]·B[r, 0..n),
/// 6 rows × 2 vectors of columns (12 accumulators), A read with arbitrary strides so that Wᵀ needs no copy.
/// A last row block of 1–4 rows runs a 2- or 4-row instance of the same body, and a last column strip of one vector
/// a one-vector instance, so remainders cost what they compute (32 rows = 5 × 6 + 2 for O = 32 layers; 49 = 8 × 6 + 1
/// rows of Wᵀ·dy for K = 49; 56 = 3 × 16 + 8 columns of dW for K = 49 plus the bias column).
/// Internal to the engine (the tests reach it through InternalsVisibleTo); still, every argument is checked before the
/// unchecked loops run — non-negative strides, every element read or written inside its span (in long arithmetic), C's
/// rows apart and C sharing no memory with A, B or the bias — so a wrong call throws instead of touching other memory.
/// </summary>
internal static class GmGemm
{
    /// <summary>Rows per register block.</summary>
    public const int Rows = 6;

    /// <param name="m">rows of C</param>
    /// <param name="n">columns of C, a multiple of Vector&lt;float&gt;.Count</param>
    /// <param name="depth">reduction length</param>
    /// <param name="a">A[i, r] at a[i·lda + r·aStep]</param>
    /// <param name="lda">A's row stride</param>
    /// <param name="aStep">A's stride along the reduction</param>
    /// <param name="b">B[r, j] at b[r·ldb + j]</param>
    /// <param name="ldb">B's row stride</param>
    /// <param name="c">C[i, j] at c[i·ldc + j]</param>
    /// <param name="ldc">C's row stride</param>
    /// <param name="accumulate">add to C instead of overwriting it</param>
    /// <param name="rowBias">empty, or one value per row of C added as it is stored (fused, so C is written once)</param>
    public static void Multiply(int m, int n, int depth, ReadOnlySpan<float> a, int lda, int aStep, ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc, bool accumulate, ReadOnlySpan<float> rowBias = default)
    {
        if (ldb < 0) throw new ArgumentException($"ldb must be ≥ 0, was {ldb}.", nameof(ldb));
        if (depth > 0 && n > 0 && (long)(depth - 1) * ldb + n > b.Length) throw new ArgumentException("B is too short.", nameof(b));
        if (!Check(m, n, depth, a, lda, aStep, b, c, ldc, accumulate, rowBias)) return;
        Core<Strided>(m, n, depth, a, lda, aStep, b, ldb, ref Unsafe.NullRef<int>(), c, ldc, accumulate, rowBias, bFitsL2: (long)depth * ldb <= Tiling.PanelFloats);
    }

    /// <summary>
    /// The same product with B's rows anywhere in <paramref name="b"/>: B[r, j] at b[bRows[r] + j] (rows may overlap).
    /// B is taken to be L2-resident (a packed buffer).
    /// </summary>
    public static void Multiply(int m, int n, int depth, ReadOnlySpan<float> a, int lda, int aStep, ReadOnlySpan<float> b, ReadOnlySpan<int> bRows,
        Span<float> c, int ldc, bool accumulate, ReadOnlySpan<float> rowBias = default)
    {
        if (depth < 0) throw new ArgumentException($"depth must be ≥ 0, was {depth}.", nameof(depth));
        if (bRows.Length < depth) throw new ArgumentException("One B row offset per reduction step is needed.", nameof(bRows));
        foreach (int off in bRows.Slice(0, depth))
            if (off < 0 || (long)off + Math.Max(n, 0) > b.Length) throw new ArgumentException($"B row offset {off} is out of range.", nameof(bRows));
        if (!Check(m, n, depth, a, lda, aStep, b, c, ldc, accumulate, rowBias)) return;
        Core<Offsets>(m, n, depth, a, lda, aStep, b, 0, ref MemoryMarshal.GetReference(bRows), c, ldc, accumulate, rowBias, bFitsL2: true);
    }

    /// <summary>Validates the shared arguments; false when there is nothing to multiply (C is then already final).</summary>
    static bool Check(int m, int n, int depth, ReadOnlySpan<float> a, int lda, int aStep, ReadOnlySpan<float> b, Span<float> c, int ldc,
        bool accumulate, ReadOnlySpan<float> rowBias)
    {
        int v = Vector<float>.Count;
        if (m < 0) throw new ArgumentException($"m must be ≥ 0, was {m}.", nameof(m));
        if (n < 0) throw new ArgumentException($"n must be ≥ 0, was {n}.", nameof(n));
        if (depth < 0) throw new ArgumentException($"depth must be ≥ 0, was {depth}.", nameof(depth));
        if (lda < 0) throw new ArgumentException($"lda must be ≥ 0, was {lda}.", nameof(lda));
        if (aStep < 0) throw new ArgumentException($"aStep must be ≥ 0, was {aStep}.", nameof(aStep));
        if (m == 0 || n == 0) return false;
        if (n % v != 0) throw new ArgumentException($"n = {n} must be a multiple of {v}.", nameof(n));
        // Rows of C closer than n apart would overlap: each row's stores would overwrite the previous row's results.
        if (m > 1 && ldc < n) throw new ArgumentException($"ldc = {ldc} must be ≥ n = {n} (rows of C must not overlap).", nameof(ldc));
        if ((long)(m - 1) * Math.Max(ldc, 0) + n > c.Length) throw new ArgumentException("C is too short.", nameof(c));
        if (!rowBias.IsEmpty && (rowBias.Length < m || accumulate))
            throw new ArgumentException("A row bias needs one value per row and overwriting mode.", nameof(rowBias));
        if (depth > 0 && (long)(m - 1) * lda + (long)(depth - 1) * aStep >= a.Length) throw new ArgumentException("A is too short.", nameof(a));
        KernelChecks.CheckDisjoint(c, nameof(c), a, nameof(a));
        KernelChecks.CheckDisjoint(c, nameof(c), b, nameof(b));
        KernelChecks.CheckDisjoint(c, nameof(c), rowBias, nameof(rowBias));
        if (depth == 0) { if (!accumulate) for (int i = 0; i < m; i++) c.Slice(i * ldc, n).Fill(rowBias.IsEmpty ? 0f : rowBias[i]); return false; }
        return true;
    }

    /// <summary>How B's rows are found: a fixed stride, or a table of offsets.</summary>
    interface IRowAddressing { static abstract bool Table { get; } }
    struct Strided : IRowAddressing { public static bool Table => false; }
    struct Offsets : IRowAddressing { public static bool Table => true; }

    static void Core<TB>(int m, int n, int depth, ReadOnlySpan<float> a, int lda, int aStep, ReadOnlySpan<float> b, int ldb, ref int bRows,
        Span<float> c, int ldc, bool accumulate, ReadOnlySpan<float> rowBias, bool bFitsL2) where TB : struct, IRowAddressing
    {
        int v = Vector<float>.Count;
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref MemoryMarshal.GetReference(b);
        ref float cr = ref MemoryMarshal.GetReference(c);
        ref float biasRef = ref MemoryMarshal.GetReference(rowBias);
        bool hasBias = !rowBias.IsEmpty;
        if (!accumulate && bFitsL2)
        {
            // Overwriting C from a packed B that fits in L2 (the panel passes): row blocks outside, so each block of A
            // stays in L1 and every row of C is written front to back — a few store streams instead of one per row
            // of C (5-8 % on the forwards; accumulating GEMMs measured slightly slower this way).
            for (int i0 = 0; i0 < m; i0 += Rows)
                for (int j = 0; j < n; j += 2 * v)
                    Block<TB>(Math.Min(Rows, m - i0), n - j > v, depth, ref Unsafe.Add(ref ar, i0 * lda), lda, aStep,
                        ref Unsafe.Add(ref br, j), ldb, ref bRows, ref Unsafe.Add(ref cr, i0 * ldc + j), ldc, accumulate,
                        hasBias, ref Unsafe.Add(ref biasRef, hasBias ? i0 : 0));
            return;
        }
        // Otherwise column strips outside, row blocks inside: the strip of B (depth × 2 vectors) stays in L1 for all
        // of A, which matters when B is read in place with a long row stride (Wᵀ·dy in backward-input).
        for (int j = 0; j < n; j += 2 * v)
            for (int i0 = 0; i0 < m; i0 += Rows)
                Block<TB>(Math.Min(Rows, m - i0), n - j > v, depth, ref Unsafe.Add(ref ar, i0 * lda), lda, aStep,
                    ref Unsafe.Add(ref br, j), ldb, ref bRows, ref Unsafe.Add(ref cr, i0 * ldc + j), ldc, accumulate,
                    hasBias, ref Unsafe.Add(ref biasRef, hasBias ? i0 : 0));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Block<TB>(int rows, bool wide, int depth, ref float a, int lda, int aStep, ref float b, int ldb, ref int bRows, ref float c, int ldc,
        bool accumulate, bool hasBias, ref float bias) where TB : struct, IRowAddressing
    {
        if (wide) Block<Two, TB>(rows, depth, ref a, lda, aStep, ref b, ldb, ref bRows, ref c, ldc, accumulate, hasBias, ref bias);
        else Block<One, TB>(rows, depth, ref a, lda, aStep, ref b, ldb, ref bRows, ref c, ldc, accumulate, hasBias, ref bias);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Block<W, TB>(int rows, int depth, ref float a, int lda, int aStep, ref float b, int ldb, ref int bRows, ref float c, int ldc,
        bool accumulate, bool hasBias, ref float bias) where W : struct, ISize where TB : struct, IRowAddressing
    {
        if (rows > 4) Block<Six, W, TB>(rows, depth, ref a, lda, aStep, ref b, ldb, ref bRows, ref c, ldc, accumulate, hasBias, ref bias);
        else if (rows > 2) Block<Four, W, TB>(rows, depth, ref a, lda, aStep, ref b, ldb, ref bRows, ref c, ldc, accumulate, hasBias, ref bias);
        else Block<Two, W, TB>(rows, depth, ref a, lda, aStep, ref b, ldb, ref bRows, ref c, ldc, accumulate, hasBias, ref bias);
    }

    /// <summary>Register-block height (rows) or width (vectors) as a type: the JIT compiles one straight-line body per size.</summary>
    interface ISize { static abstract int Value { get; } }
    struct Six : ISize { public static int Value => 6; }
    struct Four : ISize { public static int Value => 4; }
    struct Two : ISize { public static int Value => 2; }
    struct One : ISize { public static int Value => 1; }

    /// <summary>
    /// One H × W-vector block (H = 6, 4 or 2, rows ≤ H; W = 2 or 1). Missing rows reuse the last real row (their results are
    /// computed and dropped), so one body serves every count up to H; rows of the accumulator grid beyond H are
    /// compiled away.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Block<H, W, TB>(int rows, int depth, ref float a, int lda, int aStep, ref float b, int ldb, ref int bRows, ref float c, int ldc,
        bool accumulate, bool hasBias, ref float bias) where H : struct, ISize where W : struct, ISize where TB : struct, IRowAddressing
    {
        int v = Vector<float>.Count;
        int last = rows - 1;
        int o1 = Math.Min(1, last) * lda, o2 = Math.Min(2, last) * lda, o3 = Math.Min(3, last) * lda;
        int o4 = Math.Min(4, last) * lda, o5 = Math.Min(5, last) * lda;
        Vector<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
            c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        if (hasBias)
        {
            // Start from the bias: the same as adding it at the end, without a second pass over C.
            c00 = c01 = new Vector<float>(bias); c10 = c11 = new Vector<float>(Unsafe.Add(ref bias, Math.Min(1, last)));
            if (H.Value > 2) { c20 = c21 = new Vector<float>(Unsafe.Add(ref bias, Math.Min(2, last))); c30 = c31 = new Vector<float>(Unsafe.Add(ref bias, Math.Min(3, last))); }
            if (H.Value > 4) { c40 = c41 = new Vector<float>(Unsafe.Add(ref bias, Math.Min(4, last))); c50 = c51 = new Vector<float>(Unsafe.Add(ref bias, Math.Min(5, last))); }
        }
        if (accumulate)
        {
            Load<W>(ref c, 0, ldc, rows, v, ref c00, ref c01); Load<W>(ref c, 1, ldc, rows, v, ref c10, ref c11);
            if (H.Value > 2) { Load<W>(ref c, 2, ldc, rows, v, ref c20, ref c21); Load<W>(ref c, 3, ldc, rows, v, ref c30, ref c31); }
            if (H.Value > 4) { Load<W>(ref c, 4, ldc, rows, v, ref c40, ref c41); Load<W>(ref c, 5, ldc, rows, v, ref c50, ref c51); }
        }
        // Walk A and B by reference increments (or B through its row table): no index arithmetic beyond two adds.
        ref float ak = ref a;
        ref float bk = ref b;
        for (int r = 0; r < depth; r++)
        {
            if (TB.Table) bk = ref Unsafe.Add(ref b, Unsafe.Add(ref bRows, r));
            var b0 = Vector.LoadUnsafe(ref bk);
            var b1 = W.Value > 1 ? Vector.LoadUnsafe(ref bk, (nuint)v) : default;
            var w = new Vector<float>(ak); c00 = Vector.FusedMultiplyAdd(w, b0, c00); if (W.Value > 1) c01 = Vector.FusedMultiplyAdd(w, b1, c01);
            w = new Vector<float>(Unsafe.Add(ref ak, o1)); c10 = Vector.FusedMultiplyAdd(w, b0, c10); if (W.Value > 1) c11 = Vector.FusedMultiplyAdd(w, b1, c11);
            if (H.Value > 2)
            {
                w = new Vector<float>(Unsafe.Add(ref ak, o2)); c20 = Vector.FusedMultiplyAdd(w, b0, c20); if (W.Value > 1) c21 = Vector.FusedMultiplyAdd(w, b1, c21);
                w = new Vector<float>(Unsafe.Add(ref ak, o3)); c30 = Vector.FusedMultiplyAdd(w, b0, c30); if (W.Value > 1) c31 = Vector.FusedMultiplyAdd(w, b1, c31);
            }
            if (H.Value > 4)
            {
                w = new Vector<float>(Unsafe.Add(ref ak, o4)); c40 = Vector.FusedMultiplyAdd(w, b0, c40); if (W.Value > 1) c41 = Vector.FusedMultiplyAdd(w, b1, c41);
                w = new Vector<float>(Unsafe.Add(ref ak, o5)); c50 = Vector.FusedMultiplyAdd(w, b0, c50); if (W.Value > 1) c51 = Vector.FusedMultiplyAdd(w, b1, c51);
            }
            ak = ref Unsafe.Add(ref ak, aStep);
            if (!TB.Table) bk = ref Unsafe.Add(ref bk, ldb);
        }
        Store<W>(ref c, 0, ldc, rows, v, c00, c01); Store<W>(ref c, 1, ldc, rows, v, c10, c11);
        if (H.Value > 2) { Store<W>(ref c, 2, ldc, rows, v, c20, c21); Store<W>(ref c, 3, ldc, rows, v, c30, c31); }
        if (H.Value > 4) { Store<W>(ref c, 4, ldc, rows, v, c40, c41); Store<W>(ref c, 5, ldc, rows, v, c50, c51); }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Load<W>(ref float c, int row, int ldc, int rows, int v, ref Vector<float> lo, ref Vector<float> hi) where W : struct, ISize
    {
        if (row >= rows) return;
        lo = Vector.LoadUnsafe(ref c, (nuint)(row * ldc));
        if (W.Value > 1) hi = Vector.LoadUnsafe(ref c, (nuint)(row * ldc + v));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Store<W>(ref float c, int row, int ldc, int rows, int v, Vector<float> lo, Vector<float> hi) where W : struct, ISize
    {
        if (row >= rows) return;
        lo.StoreUnsafe(ref c, (nuint)(row * ldc));
        if (W.Value > 1) hi.StoreUnsafe(ref c, (nuint)(row * ldc + v));
    }
}
