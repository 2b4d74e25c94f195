namespace GmCodegen.Fluids;

/// <summary>
/// The fields of a simulation on the periodic N×N MAC (staggered) grid, each [N, N] row-major (index y·N + x):
/// <see cref="U"/>[y, x] is the x-velocity on the face at (x + ½, y), <see cref="V"/>[y, x] the y-velocity on the face
/// at (x, y + ½), <see cref="Density"/>[y, x] the smoke density at the cell centre (x, y). A whole-cell shift maps each
/// of the three lattices onto itself, so translations by whole cells are exact symmetries of the discretisation.
/// </summary>
public sealed class FluidState
{
    public int N { get; }
    public double[] U { get; }
    public double[] V { get; }
    public double[] Density { get; }

    public FluidState(int n, double[] u, double[] v, double[] density)
    {
        if (n < 1) throw new ArgumentException($"N must be ≥ 1, was {n}.", nameof(n));
        long cells = (long)n * n;
        Check(u, cells, nameof(u));
        Check(v, cells, nameof(v));
        Check(density, cells, nameof(density));
        (N, U, V, Density) = (n, u, v, density);
    }

    static void Check(double[] field, long cells, string name)
    {
        ArgumentNullException.ThrowIfNull(field, name);
        if (field.LongLength != cells) throw new ArgumentException($"{name} must hold N·N = {cells} values, held {field.LongLength}.", name);
    }

    /// <summary>At rest and without smoke.</summary>
    public static FluidState Zero(int n)
    {
        if (n < 1) throw new ArgumentException($"N must be ≥ 1, was {n}.", nameof(n));
        return new(n, new double[n * n], new double[n * n], new double[n * n]);
    }

    public FluidState Clone() => new(N, (double[])U.Clone(), (double[])V.Clone(), (double[])Density.Clone());

    /// <summary>The state circularly shifted by (dx, dy) whole cells: result[y, x] = this[y − dy, x − dx].</summary>
    public FluidState Shifted(int dx, int dy) => new(N, Shift(U, N, dx, dy), Shift(V, N, dx, dy), Shift(Density, N, dx, dy));

    internal static double[] Shift(double[] f, int n, int dx, int dy)
    {
        var r = new double[f.Length];
        for (int y = 0; y < n; y++)
        {
            int ys = Grid.Wrap(y - dy, n);
            for (int x = 0; x < n; x++) r[y * n + x] = f[ys * n + Grid.Wrap(x - dx, n)];
        }
        return r;
    }

    /// <summary>
    /// The discrete divergence at each cell centre, [N, N]: (U[y, x] − U[y, x−1]) + (V[y, x] − V[y−1, x]) (cell size 1),
    /// the operator the projection makes exactly zero.
    /// </summary>
    public double[] Divergence() => PlumeFields.Divergence(N, U, V);
}
