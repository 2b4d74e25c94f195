namespace GmCodegen.Fluids;

/// <summary>Which part of a <see cref="PlumeDataset"/> (docs/smoke-plumes.md, "Splits").</summary>
public enum PlumeSplit
{
    /// <summary>Training simulations, early frames: targets t in [Window, TrainFrames).</summary>
    Train,
    /// <summary>Training simulations, later frames: inputs and targets in [TrainFrames, Frames), never seen in training.</summary>
    Future,
    /// <summary>Held-out simulations (inflow positions never trained on), over the same early frames as Train.</summary>
    Domain,
}

/// <summary>
/// How a smoke-plume data set is made: <see cref="GridX"/>×<see cref="GridY"/> simulations, one per inflow position,
/// each run <see cref="WarmupSteps"/> steps and then recorded for <see cref="Frames"/> frames, one every
/// <see cref="StepsPerFrame"/> steps. Part of the cache key: every property is written into the cache header.
/// </summary>
public sealed record PlumeDatasetOptions
{
    /// <summary>The solver's physics (grid size included).</summary>
    public PlumeSettings Solver { get; init; } = new();

    /// <summary>Inflow positions across (columns of the sheared lattice, see <see cref="InflowPosition"/>).</summary>
    public int GridX { get; init; } = 4;

    /// <summary>Inflow positions up.</summary>
    public int GridY { get; init; } = 4;

    /// <summary>Steps run before the first recorded frame, so the plume has formed.</summary>
    public int WarmupSteps { get; init; } = 20;

    /// <summary>Recorded frames per simulation.</summary>
    public int Frames { get; init; } = 60;

    /// <summary>Solver steps between recorded frames.</summary>
    public int StepsPerFrame { get; init; } = 1;

    /// <summary>Frames [0, TrainFrames) are the early part (Train, Domain); [TrainFrames, Frames) the later part (Future).</summary>
    public int TrainFrames { get; init; } = 40;

    /// <summary>Past frames a model sees (2·Window input channels).</summary>
    public int Window { get; init; } = 4;

    /// <summary>Simulation (ix, iy) is held out (Domain) when (ix + iy) mod DomainStride = DomainStride − 1.</summary>
    public int DomainStride { get; init; } = 4;

    /// <summary>Seeds the random initial swirl of every simulation (stream = simulation index).</summary>
    public int Seed { get; init; } = 0;

    public int Simulations => GridX * GridY;

    /// <summary>Simulation index of lattice position (ix, iy): iy·GridX + ix.</summary>
    public int SimulationIndex(int ix, int iy) => iy * GridX + ix;

    public bool IsDomain(int simulation)
    {
        CheckSimulation(simulation);
        int ix = simulation % GridX, iy = simulation / GridX;
        return (ix + iy) % DomainStride == DomainStride - 1;
    }

    /// <summary>
    /// The inflow centre of a simulation, in cells: a sheared lattice, x = (ix + (iy + ½)/GridY)·N/GridX and
    /// y = (iy + ½)·N/GridY, so every simulation has its own column (the direction in which translation symmetry is
    /// broken) and the columns are evenly spaced by N/(GridX·GridY).
    /// </summary>
    public (double X, double Y) InflowPosition(int simulation)
    {
        CheckSimulation(simulation);
        int ix = simulation % GridX, iy = simulation / GridX, n = Solver.N;
        return ((ix + (iy + 0.5) / GridY) * n / GridX, (iy + 0.5) * n / GridY);
    }

    void CheckSimulation(int simulation)
    {
        if (simulation < 0 || simulation >= Simulations)
            throw new ArgumentException($"simulation must lie in [0, {Simulations}), was {simulation}.", nameof(simulation));
    }

    /// <summary>This, if usable; otherwise an <see cref="ArgumentException"/> naming the property.</summary>
    public PlumeDatasetOptions Validated()
    {
        ArgumentNullException.ThrowIfNull(Solver, nameof(Solver));
        Solver.Validated();
        AtLeast(GridX, 1, nameof(GridX));
        AtLeast(GridY, 1, nameof(GridY));
        if ((long)GridX * GridY > 1024) throw new ArgumentException($"GridX·GridY = {(long)GridX * GridY} simulations is more than 1024.", nameof(GridX));
        AtLeast(WarmupSteps, 0, nameof(WarmupSteps));
        AtLeast(StepsPerFrame, 1, nameof(StepsPerFrame));
        AtLeast(Window, 1, nameof(Window));
        if (TrainFrames <= Window)
            throw new ArgumentException($"TrainFrames ({TrainFrames}) must exceed Window ({Window}) so that Train has a sample.", nameof(TrainFrames));
        if (Frames <= TrainFrames + Window)
            throw new ArgumentException($"Frames ({Frames}) must exceed TrainFrames + Window ({TrainFrames + Window}) so that Future has a sample.", nameof(Frames));
        // The cache file is read and hashed as one byte array, so the payload stays under 2 GB.
        long bytes = (long)Simulations * Frames * 3 * Solver.N * Solver.N * sizeof(float);
        if (bytes > int.MaxValue - 65536)
            throw new ArgumentException($"{Simulations} simulations × {Frames} frames of {Solver.N}² cells ({bytes} bytes) is more than the 2 GB a cache file may hold.", nameof(Frames));
        AtLeast(DomainStride, 2, nameof(DomainStride));
        int domain = Enumerable.Range(0, Simulations).Count(IsDomain);
        if (domain == 0 || domain == Simulations)
            throw new ArgumentException(
                $"DomainStride = {DomainStride} on a {GridX}×{GridY} grid holds out {domain} of {Simulations} simulations; both Train and Domain need one.",
                nameof(DomainStride));
        return this;
    }

    static void AtLeast(int value, int min, string name)
    {
        if (value < min) throw new ArgumentException($"{name} must be ≥ {min}, was {value}.", name);
    }
}
