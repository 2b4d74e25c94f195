using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace GmCodegen;

/// <summary>
/// Deinterleaving of adjacent pairs of floats, for the pools' 2×2 windows: one shuffle on x86
/// (shufps) and Arm64 (uzp); elsewhere the same bits through 64-bit lanes (no float arithmetic, so
/// every path is exact, NaN payloads and signed zeros included).
/// </summary>
internal static class VectorPairs
{
    /// <summary>(lo0, lo2, hi0, hi2): the even elements of the 8 floats lo ++ hi.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Evens(Vector128<float> lo, Vector128<float> hi) =>
        Sse.IsSupported ? Sse.Shuffle(lo, hi, 0b10_00_10_00)
        : AdvSimd.Arm64.IsSupported ? AdvSimd.Arm64.UnzipEven(lo, hi)
        : Vector128.Narrow(lo.AsUInt64(), hi.AsUInt64()).AsSingle();

    /// <summary>(lo1, lo3, hi1, hi3): the odd elements of the 8 floats lo ++ hi.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Odds(Vector128<float> lo, Vector128<float> hi) =>
        Sse.IsSupported ? Sse.Shuffle(lo, hi, 0b11_01_11_01)
        : AdvSimd.Arm64.IsSupported ? AdvSimd.Arm64.UnzipOdd(lo, hi)
        : Vector128.Narrow(Vector128.ShiftRightLogical(lo.AsUInt64(), 32), Vector128.ShiftRightLogical(hi.AsUInt64(), 32)).AsSingle();

    /// <summary>The even elements of the 16 floats lo ++ hi, in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Evens(Vector256<float> lo, Vector256<float> hi) =>
        Avx2.IsSupported ? InOrder(Avx.Shuffle(lo, hi, 0b10_00_10_00))
        : Vector256.Narrow(lo.AsUInt64(), hi.AsUInt64()).AsSingle();

    /// <summary>The odd elements of the 16 floats lo ++ hi, in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Odds(Vector256<float> lo, Vector256<float> hi) =>
        Avx2.IsSupported ? InOrder(Avx.Shuffle(lo, hi, 0b11_01_11_01))
        : Vector256.Narrow(Vector256.ShiftRightLogical(lo.AsUInt64(), 32), Vector256.ShiftRightLogical(hi.AsUInt64(), 32)).AsSingle();

    // shufps works per 128-bit lane: (lo0 lo2 hi0 hi2 | lo4 lo6 hi4 hi6) → (lo0 lo2 lo4 lo6 hi0 hi2 hi4 hi6).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> InOrder(Vector256<float> v) => Avx2.Permute4x64(v.AsDouble(), 0b11_01_10_00).AsSingle();
}

/// <summary>
/// The offsets q = 0, w, 2w, … of w-lane steps over a run of <c>length</c> ≥ w outputs, the last one moved back to
/// end at length (it recomputes a few outputs from the same inputs: the same values). <c>foreach (int q in new VectorSteps(n, 4))</c>.
/// </summary>
internal ref struct VectorSteps(int length, int width)
{
    int _q = -width;
    bool _last;

    public readonly VectorSteps GetEnumerator() => this;
    public readonly int Current => _q;

    public bool MoveNext()
    {
        if (_last) return false;
        _q += width;
        if (_q >= length - width) { _q = length - width; _last = true; }
        return true;
    }
}
