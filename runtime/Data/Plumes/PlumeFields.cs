namespace GmCodegen.Fluids;

/// <summary>
/// Derived fields of a velocity frame on the MAC grid (layout of <see cref="FluidState"/>; a stored frame is
/// [2, N, N] = U then V), for checks and plots.
/// </summary>
public static class PlumeFields
{
    /// <summary>The discrete divergence at the cell centres, [N, N]: U[y, x] − U[y, x−1] + V[y, x] − V[y−1, x].</summary>
    public static double[] Divergence(int n, ReadOnlySpan<double> u, ReadOnlySpan<double> v)
    {
        CheckFields(n, u.Length, v.Length);
        var div = new double[n * n];
        for (int y = 0; y < n; y++)
        {
            int ym = Grid.Wrap(y - 1, n) * n, y0 = y * n;
            for (int x = 0; x < n; x++)
                div[y0 + x] = u[y0 + x] - u[y0 + Grid.Wrap(x - 1, n)] + v[y0 + x] - v[ym + x];
        }
        return div;
    }

    /// <summary>The divergence of a stored float frame [2, N, N], computed in double.</summary>
    public static double[] Divergence(int n, ReadOnlySpan<float> frame)
    {
        int cells = CheckFrame(n, frame.Length);
        ReadOnlySpan<float> u = frame[..cells], v = frame[cells..];
        var ud = new double[n * n];
        var vd = new double[n * n];
        for (int k = 0; k < ud.Length; k++) { ud[k] = u[k]; vd[k] = v[k]; }
        return Divergence(n, ud, vd);
    }

    /// <summary>Speed at the cell centres, [N, N]: |(mean of the two U faces, mean of the two V faces)|.</summary>
    public static float[] Speed(int n, ReadOnlySpan<float> frame)
    {
        int cells = CheckFrame(n, frame.Length);
        ReadOnlySpan<float> u = frame[..cells], v = frame[cells..];
        var speed = new float[n * n];
        for (int y = 0; y < n; y++)
        {
            int ym = Grid.Wrap(y - 1, n) * n, y0 = y * n;
            for (int x = 0; x < n; x++)
            {
                double uc = 0.5 * (u[y0 + x] + u[y0 + Grid.Wrap(x - 1, n)]), vc = 0.5 * (v[y0 + x] + v[ym + x]);
                speed[y0 + x] = (float)Math.Sqrt(uc * uc + vc * vc);
            }
        }
        return speed;
    }

    /// <summary>Vorticity ∂v/∂x − ∂u/∂y at the cell corners (x + ½, y + ½), [N, N]: the circulation around each corner.</summary>
    public static float[] Vorticity(int n, ReadOnlySpan<float> frame)
    {
        int cells = CheckFrame(n, frame.Length);
        ReadOnlySpan<float> u = frame[..cells], v = frame[cells..];
        var w = new float[n * n];
        for (int y = 0; y < n; y++)
        {
            int y0 = y * n, yp = Grid.Wrap(y + 1, n) * n;
            for (int x = 0; x < n; x++)
                w[y0 + x] = (float)((double)v[y0 + Grid.Wrap(x + 1, n)] - v[y0 + x] - ((double)u[yp + x] - u[y0 + x]));
        }
        return w;
    }

    /// <summary>N·N, after checking that a frame of <paramref name="length"/> values is [2, N, N].</summary>
    static int CheckFrame(int n, int length)
    {
        if (n < 1) throw new ArgumentException($"n must be ≥ 1, was {n}.", nameof(n));
        long cells = (long)n * n;
        if (length != 2 * cells) throw new ArgumentException($"A frame holds 2·N·N = {2 * cells} values, this one {length}.", "frame");
        return (int)cells;
    }

    static void CheckFields(int n, int uLength, int vLength)
    {
        if (n < 1) throw new ArgumentException($"n must be ≥ 1, was {n}.", nameof(n));
        long cells = (long)n * n;
        if (uLength != cells) throw new ArgumentException($"u must hold N·N = {cells} values, held {uLength}.", "u");
        if (vLength != cells) throw new ArgumentException($"v must hold N·N = {cells} values, held {vLength}.", "v");
    }
}
