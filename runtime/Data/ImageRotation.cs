namespace GmCodegen;

/// <summary>Rotation of square or rectangular grey images about their centre, as rotated MNIST is made.</summary>
public static class ImageRotation
{
    /// <summary>
    /// Rotates <paramref name="src"/> ([rows, cols] row-major) by <paramref name="angle"/> radians counter-clockwise as
    /// displayed (row index growing downwards) about the centre ((cols−1)/2, (rows−1)/2) — (13.5, 13.5) for MNIST, the
    /// point a 90° turn maps onto itself on the pixel grid. Each output pixel samples the source at the inversely rotated
    /// position with bilinear interpolation; positions outside the image read as 0.
    /// </summary>
    public static void Rotate(ReadOnlySpan<float> src, Span<float> dst, int rows, int cols, double angle)
    {
        if (rows <= 0 || cols <= 0) throw new ArgumentException($"Image size {rows}×{cols} must be positive.");
        if (src.Length != (long)rows * cols) throw new ArgumentException($"src has length {src.Length}; expected {rows}×{cols}.", nameof(src));
        if (dst.Length != (long)rows * cols) throw new ArgumentException($"dst has length {dst.Length}; expected {rows}×{cols}.", nameof(dst));
        if (src.Overlaps(dst)) throw new ArgumentException("src and dst must not overlap: every output pixel reads several inputs.");

        double cx = (cols - 1) / 2.0, cy = (rows - 1) / 2.0, c = Math.Cos(angle), s = Math.Sin(angle);
        for (int y = 0; y < rows; y++)
        {
            for (int x = 0; x < cols; x++)
            {
                double dx = x - cx, dy = y - cy;
                // Inverse of the on-screen counter-clockwise turn (x right, y down): source = R(θ)·(p − c) + c.
                double sx = c * dx - s * dy + cx, sy = s * dx + c * dy + cy;
                dst[y * cols + x] = (float)Bilinear(src, rows, cols, sx, sy);
            }
        }
    }

    static double Bilinear(ReadOnlySpan<float> src, int rows, int cols, double x, double y)
    {
        double fx0 = Math.Floor(x), fy0 = Math.Floor(y);
        if (fx0 < -1 || fy0 < -1 || fx0 >= cols || fy0 >= rows) return 0; // all four neighbours outside
        int x0 = (int)fx0, y0 = (int)fy0;
        double wx = x - fx0, wy = y - fy0;
        return (1 - wy) * ((1 - wx) * At(src, rows, cols, x0, y0) + wx * At(src, rows, cols, x0 + 1, y0))
             + wy * ((1 - wx) * At(src, rows, cols, x0, y0 + 1) + wx * At(src, rows, cols, x0 + 1, y0 + 1));
    }

    static double At(ReadOnlySpan<float> src, int rows, int cols, int x, int y) =>
        (uint)x < (uint)cols && (uint)y < (uint)rows ? src[y * cols + x] : 0.0;
}
