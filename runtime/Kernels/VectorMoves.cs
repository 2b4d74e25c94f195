using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Runtime.InteropServices;

namespace GmCodegen;

/// <summary>
/// The vector moves of the generated gathers: dst[d + t] (+)= src[s + t], or src[s + w-1-t] for the reversed forms
/// (w = 8 or 4 lanes). The generated code owns the bounds: they are compile-time constants the planner checked
/// against |F|, so these moves do no checks of their own and are meant for generated code only.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class VectorMoves
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Copy8(ref float src, int s, ref float dst, int d) =>
        Vector256.LoadUnsafe(ref src, (nuint)s).StoreUnsafe(ref dst, (nuint)d);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Copy4(ref float src, int s, ref float dst, int d) =>
        Vector128.LoadUnsafe(ref src, (nuint)s).StoreUnsafe(ref dst, (nuint)d);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CopyReversed8(ref float src, int s, ref float dst, int d) =>
        Reverse(Vector256.LoadUnsafe(ref src, (nuint)s)).StoreUnsafe(ref dst, (nuint)d);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CopyReversed4(ref float src, int s, ref float dst, int d) =>
        Reverse(Vector128.LoadUnsafe(ref src, (nuint)s)).StoreUnsafe(ref dst, (nuint)d);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Add8(ref float src, int s, ref float dst, int d) =>
        (Vector256.LoadUnsafe(ref dst, (nuint)d) + Vector256.LoadUnsafe(ref src, (nuint)s)).StoreUnsafe(ref dst, (nuint)d);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Add4(ref float src, int s, ref float dst, int d) =>
        (Vector128.LoadUnsafe(ref dst, (nuint)d) + Vector128.LoadUnsafe(ref src, (nuint)s)).StoreUnsafe(ref dst, (nuint)d);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddReversed8(ref float src, int s, ref float dst, int d) =>
        (Vector256.LoadUnsafe(ref dst, (nuint)d) + Reverse(Vector256.LoadUnsafe(ref src, (nuint)s))).StoreUnsafe(ref dst, (nuint)d);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddReversed4(ref float src, int s, ref float dst, int d) =>
        (Vector128.LoadUnsafe(ref dst, (nuint)d) + Reverse(Vector128.LoadUnsafe(ref src, (nuint)s))).StoreUnsafe(ref dst, (nuint)d);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> Reverse(Vector256<float> v) =>
        Avx2.IsSupported ? Avx2.PermuteVar8x32(v, Vector256.Create(7, 6, 5, 4, 3, 2, 1, 0)) : Vector256.Shuffle(v, Vector256.Create(7, 6, 5, 4, 3, 2, 1, 0));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector128<float> Reverse(Vector128<float> v) =>
        Sse.IsSupported ? Sse.Shuffle(v, v, 0b00_01_10_11) : Vector128.Shuffle(v, Vector128.Create(3, 2, 1, 0));
}
