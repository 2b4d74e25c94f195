namespace GmCodegen.Fluids;

/// <summary>One forecasting sample: predict frame <see cref="Target"/> of <see cref="Simulation"/> from the
/// <c>Window</c> frames before it.</summary>
public readonly record struct PlumeWindow(int Simulation, int Target);

/// <summary>One-step samples of a split as dense arrays: inputs [Count, 2·Window, N, N] (oldest frame first, each
/// frame U then V) and targets [Count, 2, N, N].</summary>
public sealed record PlumeSamples(float[] Inputs, float[] Targets, int Count, int InputChannels, int N, IReadOnlyList<PlumeWindow> Windows);

/// <summary>
/// Recorded smoke-plume simulations: velocity [S, T, 2, N, N] (U then V on the MAC faces, see <see cref="FluidState"/>)
/// and smoke density [S, T, N, N], as floats, with the splits of docs/smoke-plumes.md. Immutable once built.
/// </summary>
public sealed class PlumeDataset
{
    readonly float[] _velocity, _density;

    public PlumeDatasetOptions Options { get; }
    public int N => Options.Solver.N;
    public int Simulations => Options.Simulations;
    public int Frames => Options.Frames;
    public int Window => Options.Window;
    public int FrameLength => 2 * N * N;

    /// <summary>Simulations whose early frames are Train and later frames Future.</summary>
    public IReadOnlyList<int> TrainSimulations { get; }

    /// <summary>Held-out simulations (Domain).</summary>
    public IReadOnlyList<int> DomainSimulations { get; }

    internal PlumeDataset(PlumeDatasetOptions options, float[] velocity, float[] density)
    {
        Options = options;
        (_velocity, _density) = (velocity, density);
        TrainSimulations = Enumerable.Range(0, Simulations).Where(s => !options.IsDomain(s)).ToArray();
        DomainSimulations = Enumerable.Range(0, Simulations).Where(options.IsDomain).ToArray();
    }

    /// <summary>All velocity frames, [S, T, 2, N, N].</summary>
    public ReadOnlySpan<float> Velocity => _velocity;

    /// <summary>All density frames, [S, T, N, N].</summary>
    public ReadOnlySpan<float> Density => _density;

    /// <summary>Velocity frame t of a simulation, [2, N, N].</summary>
    public ReadOnlySpan<float> Frame(int simulation, int t)
    {
        CheckFrame(simulation, t);
        return _velocity.AsSpan((simulation * Frames + t) * FrameLength, FrameLength); // fits: Validated caps the size
    }

    /// <summary>Density frame t of a simulation, [N, N].</summary>
    public ReadOnlySpan<float> DensityFrame(int simulation, int t)
    {
        CheckFrame(simulation, t);
        return _density.AsSpan((simulation * Frames + t) * N * N, N * N);
    }

    void CheckFrame(int simulation, int t)
    {
        if (simulation < 0 || simulation >= Simulations)
            throw new ArgumentException($"simulation must lie in [0, {Simulations}), was {simulation}.", nameof(simulation));
        if (t < 0 || t >= Frames) throw new ArgumentException($"t must lie in [0, {Frames}), was {t}.", nameof(t));
    }

    /// <summary>The simulations of a split.</summary>
    public IReadOnlyList<int> SimulationsOf(PlumeSplit split) => split switch
    {
        PlumeSplit.Train or PlumeSplit.Future => TrainSimulations,
        PlumeSplit.Domain => DomainSimulations,
        _ => throw new ArgumentException($"Unknown split {split}.", nameof(split)),
    };

    /// <summary>
    /// The frames a split may use, [First, End): its windows' inputs and targets all lie inside, so Future never
    /// reads a frame Train could have seen, and Train/Domain never read a Future frame.
    /// </summary>
    public (int First, int End) FrameRange(PlumeSplit split) => split switch
    {
        PlumeSplit.Train or PlumeSplit.Domain => (0, Options.TrainFrames),
        PlumeSplit.Future => (Options.TrainFrames, Frames),
        _ => throw new ArgumentException($"Unknown split {split}.", nameof(split)),
    };

    /// <summary>Every one-step sample of a split, simulation by simulation, targets in time order.</summary>
    public IReadOnlyList<PlumeWindow> Windows(PlumeSplit split) => Rollouts(split, steps: 1, stride: 1);

    /// <summary>
    /// Starts of autoregressive rollouts of <paramref name="steps"/> steps within a split: a rollout at
    /// (sim, t0) reads frames [t0 − Window, t0) and is compared with frames [t0, t0 + steps). Starts are the earliest
    /// possible one and then every <paramref name="stride"/> frames (default: non-overlapping rollouts).
    /// </summary>
    public IReadOnlyList<PlumeWindow> Rollouts(PlumeSplit split, int steps, int stride = 0)
    {
        if (steps < 1) throw new ArgumentException($"steps must be ≥ 1, was {steps}.", nameof(steps));
        if (stride < 0) throw new ArgumentException($"stride must be ≥ 0 (0: = steps), was {stride}.", nameof(stride));
        if (stride == 0) stride = steps;
        var (first, end) = FrameRange(split);
        if (end - first < Window + steps)
            throw new ArgumentException(
                $"The {split} split has frames [{first}, {end}): too few for a window of {Window} and {steps} steps.", nameof(steps));
        var starts = new List<PlumeWindow>();
        foreach (int sim in SimulationsOf(split))
            for (int t0 = first + Window; t0 + steps <= end; t0 += stride) starts.Add(new(sim, t0));
        return starts;
    }

    /// <summary>Copies the Window frames before <paramref name="w"/>.Target, oldest first, into [2·Window, N, N].</summary>
    public void CopyInputs(PlumeWindow w, Span<float> destination)
    {
        CheckFrame(w.Simulation, w.Target);
        if (w.Target < Window) throw new ArgumentException($"Target {w.Target} has fewer than Window = {Window} frames before it.", nameof(w));
        if (destination.Length != Window * FrameLength)
            throw new ArgumentException($"destination must hold 2·Window·N·N = {Window * FrameLength} floats, held {destination.Length}.", nameof(destination));
        for (int k = 0; k < Window; k++) Frame(w.Simulation, w.Target - Window + k).CopyTo(destination.Slice(k * FrameLength, FrameLength));
    }

    /// <summary>The true frames [t0, t0 + steps) of a rollout, [steps, 2, N, N].</summary>
    public float[] RolloutTruth(PlumeWindow start, int steps)
    {
        if (steps < 1) throw new ArgumentException($"steps must be ≥ 1, was {steps}.", nameof(steps));
        CheckFrame(start.Simulation, start.Target);
        if (start.Target + steps > Frames)
            throw new ArgumentException($"A rollout from frame {start.Target} of {steps} steps runs past frame {Frames - 1}.", nameof(steps));
        var truth = new float[steps * FrameLength];
        for (int k = 0; k < steps; k++) Frame(start.Simulation, start.Target + k).CopyTo(truth.AsSpan(k * FrameLength, FrameLength));
        return truth;
    }

    /// <summary>All one-step samples of a split as dense arrays.</summary>
    public PlumeSamples Samples(PlumeSplit split)
    {
        var windows = Windows(split);
        int inLength = Window * FrameLength;
        var inputs = new float[(long)windows.Count * inLength];
        var targets = new float[(long)windows.Count * FrameLength];
        for (int i = 0; i < windows.Count; i++)
        {
            CopyInputs(windows[i], inputs.AsSpan(i * inLength, inLength));
            Frame(windows[i].Simulation, windows[i].Target).CopyTo(targets.AsSpan(i * FrameLength, FrameLength));
        }
        return new(inputs, targets, windows.Count, 2 * Window, N, windows);
    }

    /// <summary>
    /// Runs every simulation (in parallel over simulations, each one sequential, so the bits do not depend on the
    /// thread count). Simulation s starts from <see cref="PlumeSolver.RandomInitialState"/>(Seed, stream s) with its
    /// inflow at <see cref="PlumeDatasetOptions.InflowPosition"/>(s).
    /// </summary>
    public static PlumeDataset Generate(PlumeDatasetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Validated();
        int n = o.Solver.N, cells = n * n, frames = o.Frames;
        var velocity = new float[(long)o.Simulations * frames * 2 * cells];
        var density = new float[(long)o.Simulations * frames * cells];
        long workPerSimulation = (long)(o.WarmupSteps + frames * o.StepsPerFrame) * cells * 64;
        BatchParallel.For(o.Simulations, workPerSimulation, sim =>
        {
            var (x, y) = o.InflowPosition(sim);
            var solver = new PlumeSolver(o.Solver, new PlumeForcing(x, y), PlumeSolver.RandomInitialState(o.Solver, o.Seed, (ulong)sim));
            solver.Run(o.WarmupSteps);
            for (int t = 0; t < frames; t++)
            {
                if (t > 0) solver.Run(o.StepsPerFrame);
                var s = solver.State;
                long frame = (long)sim * frames + t;
                var vel = velocity.AsSpan((int)(frame * 2 * cells), 2 * cells);
                var den = density.AsSpan((int)(frame * cells), cells);
                for (int k = 0; k < cells; k++)
                {
                    vel[k] = (float)s.U[k];
                    vel[cells + k] = (float)s.V[k];
                    den[k] = (float)s.Density[k];
                }
            }
        });
        return new PlumeDataset(o, velocity, density);
    }
}
