using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Runtime.InteropServices;

namespace GmCodegen;

/// <summary>Copies between panels and their operands: padded rows, channel sums, transposes, the weight-gradient unpacking.</summary>
internal static class Panels
{
    /// <summary>Copies rows of length <paramref name="length"/> into rows of <paramref name="padded"/> zero-filled to that width.</summary>
    public static ReadOnlySpan<float> PadRows(ReadOnlySpan<float> src, int rows, int length, int padded, Span<float> dst)
    {
        for (int r = 0; r < rows; r++)
        {
            src.Slice(r * length, length).CopyTo(dst.Slice(r * padded, length));
            dst.Slice(r * padded + length, padded - length).Clear();
        }
        return dst.Slice(0, rows * padded);
    }

    /// <summary>s[a] = Σ_i x[i,a] over <paramref name="channels"/> rows of length <paramref name="order"/>.</summary>
    public static ReadOnlySpan<float> SumChannels(ReadOnlySpan<float> x, int channels, int order, Span<float> s)
    {
        x.Slice(0, order).CopyTo(s);
        for (int i = 1; i < channels; i++)
            System.Numerics.Tensors.TensorPrimitives.Add(s, x.Slice(i * order, order), s);
        return s;
    }

    /// <summary>
    /// dst[t·ldd + r] = src[r·lds + t] for r &lt; rows, t &lt; cols; columns [rows, ldd) of dst are zeroed, except
    /// column rows, which is 1 when <paramref name="onesColumn"/> (so that a GEMM over dst also sums its other operand).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Transpose(ReadOnlySpan<float> src, int rows, int lds, int cols, Span<float> dst, int ldd, bool onesColumn = false)
    {
        if (rows < 0 || cols < 0 || lds < 0 || ldd < 0) throw new ArgumentException($"Transpose sizes must be ≥ 0 (rows {rows}, lds {lds}, cols {cols}, ldd {ldd}).");
        if (rows + (onesColumn ? 1 : 0) > ldd) throw new ArgumentException($"ldd = {ldd} is narrower than the {rows} transposed rows.", nameof(ldd));
        if (rows > 0 && cols > 0 && (long)(rows - 1) * lds + cols > src.Length) throw new ArgumentException("src is too short.", nameof(src));
        if ((long)cols * ldd > dst.Length) throw new ArgumentException("dst is too short.", nameof(dst));
        KernelChecks.CheckDisjoint(dst, nameof(dst), src, nameof(src));
        ref float s = ref MemoryMarshal.GetReference(src);
        ref float d = ref MemoryMarshal.GetReference(dst);
        int r0 = 0;
        if (Avx.IsSupported)
            for (; r0 + 8 <= rows; r0 += 8)
            {
                int t0 = 0;
                for (; t0 + 8 <= cols; t0 += 8)
                    Transpose8x8(ref Unsafe.Add(ref s, r0 * lds + t0), lds, ref Unsafe.Add(ref d, t0 * ldd + r0), ldd);
                for (; t0 < cols; t0++)
                    for (int r = r0; r < r0 + 8; r++) Unsafe.Add(ref d, t0 * ldd + r) = Unsafe.Add(ref s, r * lds + t0);
            }
        for (; r0 < rows; r0++)
            for (int t = 0; t < cols; t++) Unsafe.Add(ref d, t * ldd + r0) = Unsafe.Add(ref s, r0 * lds + t);
        for (int t = 0; t < cols; t++) dst.Slice(t * ldd + rows, ldd - rows).Clear();
        if (onesColumn)
            for (int t = 0; t < cols; t++) Unsafe.Add(ref d, t * ldd + rows) = 1f;
    }

    /// <summary>The classic AVX 8×8 transpose: unpack pairs, shuffle quads, swap 128-bit halves.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Transpose8x8(ref float src, int lds, ref float dst, int ldd)
    {
        var r0 = Vector256.LoadUnsafe(ref src); var r1 = Vector256.LoadUnsafe(ref src, (nuint)lds);
        var r2 = Vector256.LoadUnsafe(ref src, (nuint)(2 * lds)); var r3 = Vector256.LoadUnsafe(ref src, (nuint)(3 * lds));
        var r4 = Vector256.LoadUnsafe(ref src, (nuint)(4 * lds)); var r5 = Vector256.LoadUnsafe(ref src, (nuint)(5 * lds));
        var r6 = Vector256.LoadUnsafe(ref src, (nuint)(6 * lds)); var r7 = Vector256.LoadUnsafe(ref src, (nuint)(7 * lds));
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var s0 = Avx.Shuffle(t0, t2, 0x44); var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44); var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44); var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44); var s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(s0, s4, 0x20).StoreUnsafe(ref dst);
        Avx.Permute2x128(s1, s5, 0x20).StoreUnsafe(ref dst, (nuint)ldd);
        Avx.Permute2x128(s2, s6, 0x20).StoreUnsafe(ref dst, (nuint)(2 * ldd));
        Avx.Permute2x128(s3, s7, 0x20).StoreUnsafe(ref dst, (nuint)(3 * ldd));
        Avx.Permute2x128(s0, s4, 0x31).StoreUnsafe(ref dst, (nuint)(4 * ldd));
        Avx.Permute2x128(s1, s5, 0x31).StoreUnsafe(ref dst, (nuint)(5 * ldd));
        Avx.Permute2x128(s2, s6, 0x31).StoreUnsafe(ref dst, (nuint)(6 * ldd));
        Avx.Permute2x128(s3, s7, 0x31).StoreUnsafe(ref dst, (nuint)(7 * ldd));
    }

    /// <summary>dw[o·depth + r] = total[o·dp + r]; dbias[o] = total[o·dp + depth] (the GEMM's column of ones).</summary>
    public static void FinishWeights(in GmShape s, int depth, int dp, ReadOnlySpan<float> total, Span<float> dw, Span<float> dbias)
    {
        for (int o = 0; o < s.OutChannels; o++)
            total.Slice(o * dp, depth).CopyTo(dw.Slice(o * depth, depth));
        if (!dbias.IsEmpty)
            for (int o = 0; o < s.OutChannels; o++) dbias[o] = total[o * dp + depth];
    }
}
