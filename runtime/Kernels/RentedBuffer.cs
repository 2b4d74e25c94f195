namespace GmCodegen;

/// <summary>A pooled float buffer; dispose returns it. Kernels rent per call and per worker, so steady state allocates nothing.</summary>
internal readonly struct RentedBuffer(float[]? array, int length) : IDisposable
{
    public static RentedBuffer Rent(int length) =>
        length <= 0 ? default : new RentedBuffer(System.Buffers.ArrayPool<float>.Shared.Rent(length), length);

    public Span<float> Span => array is null ? Span<float>.Empty : array.AsSpan(0, length);
    public void Dispose() { if (array is not null) System.Buffers.ArrayPool<float>.Shared.Return(array); }
}
