namespace GmCodegen.Fluids;

/// <summary>
/// The physics and numerics of one smoke-plume simulation (docs/smoke-plumes.md). Everything is in grid units: the
/// cell size is 1, so speeds are cells per time unit and <see cref="Dt"/>·speed is a displacement in cells. Upward is
/// +y (increasing row index).
/// </summary>
public sealed record PlumeSettings
{
    /// <summary>Cells per side of the periodic N×N grid.</summary>
    public int N { get; init; } = 64;

    /// <summary>Time step.</summary>
    public double Dt { get; init; } = 1.0;

    /// <summary>Upward force per unit density in the left half of the domain (columns x &lt; N/2).</summary>
    public double BuoyancyLeft { get; init; } = 0.1;

    /// <summary>Upward force per unit density in the right half (columns x ≥ N/2): the translation-symmetry breaking.</summary>
    public double BuoyancyRight { get; init; } = 0.2;

    /// <summary>Radius of the inflow disc, in cells (its edge is anti-aliased over one cell).</summary>
    public double InflowRadius { get; init; } = 3.0;

    /// <summary>Density added per unit time at the centre of the inflow disc.</summary>
    public double InflowRate { get; init; } = 0.5;

    /// <summary>Density decays as exp(−decay·t): old smoke fades instead of filling the periodic box.</summary>
    public double DensityDecay { get; init; } = 0.02;

    /// <summary>Linear drag on the velocity (per unit time): a terminal speed for the plume, so it stays within a cell or two per step.</summary>
    public double VelocityDamping { get; init; } = 0.05;

    /// <summary>Strength ε of the vorticity confinement, which keeps eddies alive against the advection's numerical diffusion (0: off).</summary>
    public double VorticityConfinement { get; init; } = 0.3;

    /// <summary>Largest face velocity of the seeded random initial swirl, so simulations are not laminar copies of each other.</summary>
    public double InitialNoise { get; init; } = 0.3;

    /// <summary>This, if every parameter is usable; otherwise an <see cref="ArgumentException"/> naming the parameter.</summary>
    public PlumeSettings Validated()
    {
        if (N < 4) throw new ArgumentException($"The grid needs at least 4 cells per side, N was {N}.", nameof(N));
        if (N > 4096) throw new ArgumentException($"N = {N} is larger than this solver is meant for (≤ 4096).", nameof(N));
        Positive(Dt, nameof(Dt));
        Finite(BuoyancyLeft, nameof(BuoyancyLeft));
        Finite(BuoyancyRight, nameof(BuoyancyRight));
        Positive(InflowRadius, nameof(InflowRadius));
        NonNegative(InflowRate, nameof(InflowRate));
        NonNegative(DensityDecay, nameof(DensityDecay));
        NonNegative(VelocityDamping, nameof(VelocityDamping));
        NonNegative(InitialNoise, nameof(InitialNoise));
        NonNegative(VorticityConfinement, nameof(VorticityConfinement));
        return this;
    }

    static void Finite(double v, string name)
    {
        if (!double.IsFinite(v)) throw new ArgumentException($"{name} must be finite, was {v}.", name);
    }

    static void Positive(double v, string name)
    {
        if (!(double.IsFinite(v) && v > 0)) throw new ArgumentException($"{name} must be finite and > 0, was {v}.", name);
    }

    static void NonNegative(double v, string name)
    {
        if (!(double.IsFinite(v) && v >= 0)) throw new ArgumentException($"{name} must be finite and ≥ 0, was {v}.", name);
    }
}

/// <summary>
/// Where one simulation's smoke comes from: the inflow disc's centre (in cells; x = column, y = row), and a whole-cell
/// circular shift applied to the whole forcing (the buoyancy field and the inflow). Shifting the forcing and the
/// initial state by the same (dx, dy) shifts the solution by (dx, dy): the solver itself is translation equivariant,
/// only the forcing is not.
/// </summary>
public sealed record PlumeForcing(double InflowX, double InflowY, int ShiftX = 0, int ShiftY = 0)
{
    public PlumeForcing Validated(int n)
    {
        if (!(double.IsFinite(InflowX) && InflowX >= 0 && InflowX < n))
            throw new ArgumentException($"The inflow centre's x must lie in [0, {n}), was {InflowX}.", nameof(InflowX));
        if (!(double.IsFinite(InflowY) && InflowY >= 0 && InflowY < n))
            throw new ArgumentException($"The inflow centre's y must lie in [0, {n}), was {InflowY}.", nameof(InflowY));
        return this;
    }

    /// <summary>Buoyancy coefficient of each column, [N]: left/right halves of the unshifted domain, then shifted.</summary>
    internal double[] BuoyancyByColumn(PlumeSettings s)
    {
        int n = s.N;
        var b = new double[n];
        for (int x = 0; x < n; x++)
        {
            int x0 = Grid.Wrap(x - ShiftX, n); // the unshifted column this one shows
            b[x] = x0 < n / 2 ? s.BuoyancyLeft : s.BuoyancyRight;
        }
        return b;
    }

    /// <summary>
    /// The inflow's weight in each cell, [N, N] row-major: 1 inside the disc, falling linearly to 0 over the cell
    /// around its edge, at periodic distance from the centre; computed on the unshifted grid and then moved by the
    /// shift, so a shifted forcing is an exact (bitwise) circular shift of the unshifted one.
    /// </summary>
    internal double[] InflowMask(PlumeSettings s)
    {
        int n = s.N;
        var mask = new double[n * n];
        for (int y = 0; y < n; y++)
        for (int x = 0; x < n; x++)
        {
            int x0 = Grid.Wrap(x - ShiftX, n), y0 = Grid.Wrap(y - ShiftY, n);
            double dx = Grid.PeriodicOffset(x0 - InflowX, n), dy = Grid.PeriodicOffset(y0 - InflowY, n);
            double r = Math.Sqrt(dx * dx + dy * dy);
            mask[y * n + x] = Math.Clamp(s.InflowRadius + 0.5 - r, 0.0, 1.0);
        }
        return mask;
    }
}

/// <summary>Index arithmetic on the periodic grid.</summary>
internal static class Grid
{
    /// <summary>k mod n in [0, n).</summary>
    public static int Wrap(int k, int n)
    {
        int r = k % n;
        return r < 0 ? r + n : r;
    }

    /// <summary>The representative of d modulo n in [−n/2, n/2).</summary>
    public static double PeriodicOffset(double d, int n)
    {
        double r = d - n * Math.Floor(d / n);
        return r >= n / 2.0 ? r - n : r;
    }
}
