using System.Numerics;
using MathNet.Numerics.IntegralTransforms;

namespace GmCodegen.Fluids;

/// <summary>
/// A 2-D incompressible smoke solver on a periodic MAC grid (docs/smoke-plumes.md). One <see cref="Step"/>:
/// <list type="number">
/// <item>inflow: density += Dt·rate·mask;</item>
/// <item>semi-Lagrangian advection of U, V and the density by the current velocity (one backward Euler trace per
///   lattice point, bilinear interpolation with periodic wrap);</item>
/// <item>forces: V += Dt·b(x)·density (averaged onto the V faces), then drag on the velocity and decay of the density,
///   then vorticity confinement;</item>
/// <item>projection: the velocity minus the gradient of the pressure that solves the discrete Poisson equation exactly,
///   by FFT, so the discrete divergence is zero to rounding; the mean velocity (the Fourier zero mode) is removed too.</item>
/// </list>
/// Every operation is the same at every cell and wraps periodically, so the solver commutes with whole-cell
/// translations; only the forcing (b depends on x, the inflow sits somewhere) breaks the symmetry.
/// The solver owns its state and scratch buffers: one instance per simulation, not shared between threads.
/// </summary>
public sealed class PlumeSolver
{
    readonly PlumeSettings _s;
    readonly int _n;
    readonly double[] _buoyancy;   // [N] per column
    readonly double[] _inflow;     // [N, N]
    readonly double[] _inverseLaplacian; // [N, N] Fourier symbol 1/λ(k), 0 at k = 0
    readonly double[] _u2, _v2, _d2;    // advection targets
    readonly double[] _w, _fx, _fy;     // vorticity and confinement force at the corners
    readonly Complex[] _spectrum, _line; // [N, N] pressure workspace, [N] one row or column of it

    /// <summary>The current state, updated in place by <see cref="Step"/>: <see cref="FluidState.Clone"/> it to keep a frame.</summary>
    public FluidState State { get; }
    public int Steps { get; private set; }
    public PlumeSettings Settings => _s;
    public PlumeForcing Forcing { get; }

    /// <param name="settings">The physics; validated.</param>
    /// <param name="forcing">Inflow position and forcing shift; validated against the grid.</param>
    /// <param name="initial">Start state (copied); at rest and without smoke when null.</param>
    public PlumeSolver(PlumeSettings settings, PlumeForcing forcing, FluidState? initial = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(forcing);
        _s = settings.Validated();
        _n = _s.N;
        Forcing = forcing.Validated(_n);
        if (initial is not null && initial.N != _n)
            throw new ArgumentException($"The initial state is {initial.N}×{initial.N}, the settings say N = {_n}.", nameof(initial));
        State = initial?.Clone() ?? FluidState.Zero(_n);
        _buoyancy = forcing.BuoyancyByColumn(_s);
        _inflow = forcing.InflowMask(_s);
        _inverseLaplacian = InverseLaplacian(_n);
        _u2 = new double[_n * _n];
        _v2 = new double[_n * _n];
        _d2 = new double[_n * _n];
        _w = new double[_n * _n];
        _fx = new double[_n * _n];
        _fy = new double[_n * _n];
        _spectrum = new Complex[_n * _n];
        _line = new Complex[_n];
    }

    /// <summary>
    /// A seeded random start without smoke: a smooth divergence-free swirl, the discrete curl of a stream function
    /// made of <see cref="InitialModes"/> random sinusoids (wavenumbers −3…3 per axis, random phases), scaled so its
    /// largest face velocity is <see cref="PlumeSettings.InitialNoise"/>. It makes each plume sway its own way. The
    /// same (seed, stream) gives the same bits.
    /// </summary>
    public static FluidState RandomInitialState(PlumeSettings settings, int seed, ulong stream)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var s = settings.Validated();
        int n = s.N;
        var rng = DataRng.For(seed, stream);
        var psi = new double[n * n]; // at the corners (x + ½, y + ½)
        for (int m = 0; m < InitialModes; m++)
        {
            int kx = rng.NextInt(7) - 3, ky = rng.NextInt(7) - 3;
            double amplitude = rng.NextDouble(), phase = 2 * Math.PI * rng.NextDouble();
            for (int y = 0; y < n; y++)
            for (int x = 0; x < n; x++)
                psi[y * n + x] += amplitude * Math.Sin(2 * Math.PI * (kx * (x + 0.5) + ky * (y + 0.5)) / n + phase);
        }
        var state = FluidState.Zero(n);
        double max = 0;
        for (int y = 0; y < n; y++)
        {
            int ym = Grid.Wrap(y - 1, n) * n, y0 = y * n;
            for (int x = 0; x < n; x++)
            {
                int xm = Grid.Wrap(x - 1, n);
                // U = ∂ψ/∂y on the face (x + ½, y), V = −∂ψ/∂x on (x, y + ½): D(U, V) = 0 by construction.
                state.U[y0 + x] = psi[y0 + x] - psi[ym + x];
                state.V[y0 + x] = -(psi[y0 + x] - psi[y0 + xm]);
                max = Math.Max(max, Math.Max(Math.Abs(state.U[y0 + x]), Math.Abs(state.V[y0 + x])));
            }
        }
        double scale = max > 0 ? s.InitialNoise / max : 0;
        for (int k = 0; k < n * n; k++) { state.U[k] *= scale; state.V[k] *= scale; }
        Project(n, state.U, state.V, InverseLaplacian(n), new Complex[n * n], new Complex[n]); // the mean, and rounding
        return state;
    }

    /// <summary>Sinusoids in the random initial stream function.</summary>
    public const int InitialModes = 8;

    /// <summary>Advances <paramref name="steps"/> time steps.</summary>
    public void Run(int steps)
    {
        if (steps < 0) throw new ArgumentException($"steps must be ≥ 0, was {steps}.", nameof(steps));
        for (int k = 0; k < steps; k++) Step();
    }

    public void Step()
    {
        var (u, v, d) = (State.U, State.V, State.Density);
        int n = _n;
        double dt = _s.Dt;

        // 1. Inflow.
        double add = dt * _s.InflowRate;
        for (int k = 0; k < d.Length; k++) d[k] += add * _inflow[k];

        // 2. Advection: each lattice point looks back along the velocity at that point, -Dt·vel (in cells).
        for (int y = 0; y < n; y++)
        {
            int ym = Grid.Wrap(y - 1, n) * n, y0 = y * n, yp = Grid.Wrap(y + 1, n) * n;
            for (int x = 0; x < n; x++)
            {
                int xm = Grid.Wrap(x - 1, n), xp = Grid.Wrap(x + 1, n);
                // Density at (x, y): both velocity components averaged from their two faces.
                double uc = 0.5 * (u[y0 + xm] + u[y0 + x]), vc = 0.5 * (v[ym + x] + v[y0 + x]);
                _d2[y0 + x] = Sample(d, n, x, y, -dt * uc, -dt * vc);
                // U at (x + ½, y): V from the four faces around it.
                double vu = 0.25 * (v[y0 + x] + v[y0 + xp] + v[ym + x] + v[ym + xp]);
                _u2[y0 + x] = Sample(u, n, x, y, -dt * u[y0 + x], -dt * vu);
                // V at (x, y + ½): U from the four faces around it.
                double uv = 0.25 * (u[y0 + x] + u[y0 + xm] + u[yp + x] + u[yp + xm]);
                _v2[y0 + x] = Sample(v, n, x, y, -dt * uv, -dt * v[y0 + x]);
            }
        }

        // 3. Forces: buoyancy on the V faces, drag, decay (implicit, so any Dt is stable).
        double drag = 1 / (1 + dt * _s.VelocityDamping), fade = 1 / (1 + dt * _s.DensityDecay);
        for (int y = 0; y < n; y++)
        {
            int y0 = y * n, yp = Grid.Wrap(y + 1, n) * n;
            for (int x = 0; x < n; x++)
            {
                double lift = _buoyancy[x] * 0.5 * (_d2[y0 + x] + _d2[yp + x]);
                v[y0 + x] = (_v2[y0 + x] + dt * lift) * drag;
                u[y0 + x] = _u2[y0 + x] * drag;
            }
        }
        for (int k = 0; k < d.Length; k++) d[k] = _d2[k] * fade;
        if (_s.VorticityConfinement > 0) Confine(n, u, v, dt * _s.VorticityConfinement, _w, _fx, _fy);

        // 4. Projection.
        Project(n, u, v, _inverseLaplacian, _spectrum, _line);
        Steps++;
    }

    /// <summary>
    /// Vorticity confinement (a standard ingredient of smoke solvers): puts back the small swirls that the
    /// interpolation of semi-Lagrangian advection smears out. At each cell corner, with ω the circulation around it
    /// and n = ∇|ω| / |∇|ω|| (central differences between corners), the force is ε·(n_y ω, −n_x ω), pushing
    /// towards the eddy's core; it is averaged onto the faces. (U, V) += <paramref name="strength"/>·force.
    /// </summary>
    static void Confine(int n, double[] u, double[] v, double strength, double[] w, double[] fx, double[] fy)
    {
        for (int y = 0; y < n; y++)
        {
            int y0 = y * n, yp = Grid.Wrap(y + 1, n) * n;
            for (int x = 0; x < n; x++)
                w[y0 + x] = v[y0 + Grid.Wrap(x + 1, n)] - v[y0 + x] - (u[yp + x] - u[y0 + x]);
        }
        for (int y = 0; y < n; y++)
        {
            int ym = Grid.Wrap(y - 1, n) * n, y0 = y * n, yp = Grid.Wrap(y + 1, n) * n;
            for (int x = 0; x < n; x++)
            {
                int xm = Grid.Wrap(x - 1, n), xp = Grid.Wrap(x + 1, n);
                double gx = 0.5 * (Math.Abs(w[y0 + xp]) - Math.Abs(w[y0 + xm]));
                double gy = 0.5 * (Math.Abs(w[yp + x]) - Math.Abs(w[ym + x]));
                double norm = 1 / (Math.Sqrt(gx * gx + gy * gy) + 1e-12);
                fx[y0 + x] = gy * norm * w[y0 + x];
                fy[y0 + x] = -gx * norm * w[y0 + x];
            }
        }
        for (int y = 0; y < n; y++)
        {
            int ym = Grid.Wrap(y - 1, n) * n, y0 = y * n;
            for (int x = 0; x < n; x++)
            {
                // U face (x + ½, y) between corners (x + ½, y ± ½); V face (x, y + ½) between corners (x ± ½, y + ½).
                u[y0 + x] += strength * 0.5 * (fx[ym + x] + fx[y0 + x]);
                v[y0 + x] += strength * 0.5 * (fy[y0 + Grid.Wrap(x - 1, n)] + fy[y0 + x]);
            }
        }
    }

    /// <summary>
    /// Bilinear sample of the periodic field f (on its own lattice) at lattice point (x, y) displaced by (dx, dy) cells.
    /// The displacement is split into whole cells and a fraction before it is added to the index, so the arithmetic
    /// does not depend on (x, y): shifted inputs give bitwise shifted outputs.
    /// </summary>
    static double Sample(double[] f, int n, int x, int y, double dx, double dy)
    {
        double fx = Math.Floor(dx), fy = Math.Floor(dy);
        double tx = dx - fx, ty = dy - fy;
        int x0 = Grid.Wrap(x + (int)fx, n), y0 = Grid.Wrap(y + (int)fy, n);
        int x1 = x0 + 1 == n ? 0 : x0 + 1, y1 = y0 + 1 == n ? 0 : y0 + 1;
        double bottom = (1 - tx) * f[y0 * n + x0] + tx * f[y0 * n + x1];
        double top = (1 - tx) * f[y1 * n + x0] + tx * f[y1 * n + x1];
        return (1 - ty) * bottom + ty * top;
    }

    /// <summary>
    /// 1/λ(k) for the 5-point Laplacian L = D·G (D the backward-difference divergence to the cell centres, G the
    /// forward-difference gradient to the faces): λ(kx, ky) = −4 sin²(π kx/N) − 4 sin²(π ky/N). λ vanishes only at
    /// k = 0 (the mean, set to 0 here); unlike a collocated grid's central differences (symbol sin(2πk/N)), the
    /// Nyquist modes are not in its null space, so no checkerboard pressure mode survives.
    /// </summary>
    internal static double[] InverseLaplacian(int n)
    {
        var inv = new double[n * n];
        for (int ky = 0; ky < n; ky++)
        {
            double sy = Math.Sin(Math.PI * ky / n);
            for (int kx = 0; kx < n; kx++)
            {
                double sx = Math.Sin(Math.PI * kx / n);
                double lambda = -4 * (sx * sx + sy * sy);
                inv[ky * n + kx] = kx == 0 && ky == 0 ? 0 : 1 / lambda;
            }
        }
        return inv;
    }

    /// <summary>The pressure projection of <see cref="Step"/> on its own, in place: afterwards the discrete
    /// divergence (<see cref="FluidState.Divergence"/>) is zero to rounding and the mean velocity is zero.</summary>
    public static void Project(FluidState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        int n = state.N;
        Project(n, state.U, state.V, InverseLaplacian(n), new Complex[n * n], new Complex[n]);
    }

    /// <summary>
    /// In place: (U, V) ← (U, V) − G p with L p = D(U, V), p solved in Fourier space (row and column FFTs by MathNet; λ is real and
    /// even in k, so the exponent sign convention does not matter), then the mean of U and of V removed. Afterwards
    /// D(U, V) = D(U, V) − L p = 0 up to rounding. Removing the mean is the frame in which the box has no net momentum:
    /// the mean of the buoyancy is balanced by a uniform background pressure gradient (the weight of the column).
    /// </summary>
    internal static void Project(int n, double[] u, double[] v, double[] inverseLaplacian, Complex[] spectrum, Complex[] line)
    {
        for (int y = 0; y < n; y++)
        {
            int ym = Grid.Wrap(y - 1, n) * n, y0 = y * n;
            for (int x = 0; x < n; x++)
            {
                int xm = Grid.Wrap(x - 1, n);
                spectrum[y0 + x] = new Complex(u[y0 + x] - u[y0 + xm] + v[y0 + x] - v[ym + x], 0);
            }
        }
        Transform2D(spectrum, n, line, forward: true);
        for (int k = 0; k < spectrum.Length; k++) spectrum[k] *= inverseLaplacian[k];
        Transform2D(spectrum, n, line, forward: false);

        double meanU = 0, meanV = 0;
        for (int y = 0; y < n; y++)
        {
            int y0 = y * n, yp = Grid.Wrap(y + 1, n) * n;
            for (int x = 0; x < n; x++)
            {
                int xp = Grid.Wrap(x + 1, n);
                double p = spectrum[y0 + x].Real;
                u[y0 + x] -= spectrum[y0 + xp].Real - p;
                v[y0 + x] -= spectrum[yp + x].Real - p;
                meanU += u[y0 + x];
                meanV += v[y0 + x];
            }
        }
        meanU /= n * n;
        meanV /= n * n;
        for (int k = 0; k < u.Length; k++) { u[k] -= meanU; v[k] -= meanV; }
    }

    /// <summary>
    /// The 2-D DFT of an [N, N] row-major array in place, as 1-D transforms of the rows and then of the columns
    /// (MathNet's managed provider has no multi-dimensional transform). Matlab convention: e^{−i…} forward, 1/N on
    /// each inverse pass, so forward then inverse is the identity.
    /// </summary>
    static void Transform2D(Complex[] a, int n, Complex[] line, bool forward)
    {
        for (int pass = 0; pass < 2; pass++)
        {
            // pass 0: rows (stride 1), pass 1: columns (stride n).
            int stride = pass == 0 ? 1 : n, step = pass == 0 ? n : 1;
            for (int r = 0; r < n; r++)
            {
                int start = r * step;
                for (int k = 0; k < n; k++) line[k] = a[start + k * stride];
                if (forward) Fourier.Forward(line, FourierOptions.Matlab);
                else Fourier.Inverse(line, FourierOptions.Matlab);
                for (int k = 0; k < n; k++) a[start + k * stride] = line[k];
            }
        }
    }
}
