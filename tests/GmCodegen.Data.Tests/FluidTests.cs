using GmCodegen.Fluids;
using Xunit.Abstractions;

namespace GmCodegen.Data.Tests;

/// <summary>The default data set, generated once (in memory, about 4 s on 2 cores) for the tests that need a full run.</summary>
static class DefaultPlumes
{
    static readonly Lazy<(PlumeDataset Data, double Seconds)> Data = new(() =>
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var data = PlumeDataset.Generate(new PlumeDatasetOptions());
        return (data, clock.Elapsed.TotalSeconds);
    });
    public static PlumeDataset Value => Data.Value.Data;
    /// <summary>How long generating it took (printed, never asserted: timings belong in bench/).</summary>
    public static double Seconds => Data.Value.Seconds;
}

public class FluidTests(ITestOutputHelper output) : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    /// <summary>A small data set: 2×2 simulations on a 16×16 grid, so cache tests take milliseconds.</summary>
    static PlumeDatasetOptions Tiny(int seed = 3) => new()
    {
        Solver = new PlumeSettings { N = 16, InflowRadius = 1.5 },
        GridX = 2, GridY = 2, WarmupSteps = 3, Frames = 14, TrainFrames = 8, Window = 2, DomainStride = 2, Seed = seed,
    };

    static double MaxAbs(ReadOnlySpan<double> a)
    {
        double m = 0;
        foreach (var x in a) m = Math.Max(m, Math.Abs(x));
        return m;
    }

    static double MaxAbsDifference(double[] a, double[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max();

    static FluidState Noise(int n, int seed)
    {
        var r = new Random(seed);
        var s = FluidState.Zero(n);
        for (int k = 0; k < n * n; k++) { s.U[k] = r.NextDouble() - 0.5; s.V[k] = r.NextDouble() - 0.3; s.Density[k] = r.NextDouble(); }
        return s;
    }

    [Theory]
    [InlineData(16)]
    [InlineData(24)] // not a power of two: MathNet's Bluestein path
    [InlineData(64)]
    public void Projection_makes_the_discrete_divergence_zero_and_is_a_projection(int n)
    {
        var s = Noise(n, n);
        double before = MaxAbs(s.Divergence());
        PlumeSolver.Project(s);
        double scale = Math.Max(MaxAbs(s.U), MaxAbs(s.V));
        double after = MaxAbs(s.Divergence());
        Assert.True(before > 0.1, $"the noise should start far from divergence-free, was {before}");
        Assert.True(after <= 1e-13 * scale, $"max |div| = {after:E2} after projection (velocity scale {scale:F3})");
        Assert.True(Math.Abs(s.U.Average()) < 1e-15 && Math.Abs(s.V.Average()) < 1e-15, "the mean velocity is removed");
        Assert.True(scale > 0.1, "the projection must not just zero the field");

        // Idempotent: projecting again changes nothing beyond rounding.
        var again = s.Clone();
        PlumeSolver.Project(again);
        Assert.True(MaxAbsDifference(again.U, s.U) < 1e-13 && MaxAbsDifference(again.V, s.V) < 1e-13);
    }

    [Fact]
    public void Projection_keeps_a_discrete_curl_which_is_already_divergence_free()
    {
        const int n = 20;
        var r = new Random(5);
        var psi = Enumerable.Range(0, n * n).Select(_ => r.NextDouble()).ToArray(); // at the corners
        var s = FluidState.Zero(n);
        for (int y = 0; y < n; y++)
        for (int x = 0; x < n; x++)
        {
            s.U[y * n + x] = psi[y * n + x] - psi[(y + n - 1) % n * n + x];
            s.V[y * n + x] = -(psi[y * n + x] - psi[y * n + (x + n - 1) % n]);
        }
        Assert.True(MaxAbs(s.Divergence()) < 1e-14);
        var projected = s.Clone();
        PlumeSolver.Project(projected);
        Assert.True(MaxAbsDifference(projected.U, s.U) < 1e-13, "U changed");
        Assert.True(MaxAbsDifference(projected.V, s.V) < 1e-13, "V changed");
    }

    [Fact]
    public void Solver_state_stays_divergence_free_and_the_stored_frames_to_float_rounding()
    {
        var settings = new PlumeSettings { N = 32 };
        var solver = new PlumeSolver(settings, new PlumeForcing(20.5, 6), PlumeSolver.RandomInitialState(settings, 1, 0));
        for (int t = 0; t < 30; t++)
        {
            solver.Step();
            var st = solver.State;
            double scale = Math.Max(MaxAbs(st.U), MaxAbs(st.V));
            Assert.True(MaxAbs(st.Divergence()) <= 1e-13 * scale, $"step {t}: max |div| {MaxAbs(st.Divergence()):E2}");
        }

        var data = DefaultPlumes.Value;
        double worst = 0;
        for (int sim = 0; sim < data.Simulations; sim++)
        for (int t = 0; t < data.Frames; t++)
        {
            var frame = data.Frame(sim, t);
            double scale = 0;
            foreach (var v in frame) scale = Math.Max(scale, Math.Abs(v));
            // Four float values, each rounded by at most scale·2⁻²⁴, enter one divergence.
            worst = Math.Max(worst, MaxAbs(PlumeFields.Divergence(data.N, frame)) / scale);
        }
        output.WriteLine($"stored frames: max |div| / max |u| = {worst:E2}");
        Assert.True(worst <= 4 * Math.Pow(2, -24), $"max |div| / max |u| = {worst:E2}");
    }

    [Fact]
    public void A_simulation_is_bit_identical_for_a_seed_and_differs_for_another()
    {
        var a = PlumeDataset.Generate(Tiny(seed: 3));
        var b = PlumeDataset.Generate(Tiny(seed: 3));
        var c = PlumeDataset.Generate(Tiny(seed: 4));
        Assert.True(a.Velocity.SequenceEqual(b.Velocity));
        Assert.True(a.Density.SequenceEqual(b.Density));
        Assert.False(a.Velocity.SequenceEqual(c.Velocity));

        // A data set's simulation equals the same simulation run on its own (parallel generation changes nothing).
        var o = Tiny(seed: 3);
        var (x, y) = o.InflowPosition(2);
        var solver = new PlumeSolver(o.Solver, new PlumeForcing(x, y), PlumeSolver.RandomInitialState(o.Solver, o.Seed, 2));
        solver.Run(o.WarmupSteps + 5 * o.StepsPerFrame);
        var frame = a.Frame(2, 5);
        int cells = o.Solver.N * o.Solver.N;
        for (int k = 0; k < cells; k++)
        {
            Assert.Equal((float)solver.State.U[k], frame[k]);
            Assert.Equal((float)solver.State.V[k], frame[cells + k]);
        }
    }

    [Fact]
    public void The_default_data_set_holds_the_simulations_bit_for_bit_as_run_alone()
    {
        var data = DefaultPlumes.Value;
        // Printed, not asserted: docs/smoke-plumes.md quotes this line from a Release run.
        output.WriteLine($"default data set ({data.Simulations} simulations × {data.Frames} frames, {data.N}²): generated in {DefaultPlumes.Seconds:F2} s on {KernelParallelism.MaxDegree} threads");
        var o = data.Options;
        int cells = data.N * data.N;
        foreach (int sim in new[] { 0, data.Simulations - 1 }) // the first and the last chunk of the parallel loop
        {
            var (x, y) = o.InflowPosition(sim);
            var solver = new PlumeSolver(o.Solver, new PlumeForcing(x, y), PlumeSolver.RandomInitialState(o.Solver, o.Seed, (ulong)sim));
            solver.Run(o.WarmupSteps);
            for (int t = 0; t < data.Frames; t++)
            {
                if (t > 0) solver.Run(o.StepsPerFrame);
                var frame = data.Frame(sim, t);
                var density = data.DensityFrame(sim, t);
                for (int k = 0; k < cells; k++)
                {
                    Assert.Equal((float)solver.State.U[k], frame[k]);
                    Assert.Equal((float)solver.State.V[k], frame[cells + k]);
                    Assert.Equal((float)solver.State.Density[k], density[k]);
                }
            }
        }
    }

    [Fact]
    public void The_default_run_has_no_NaN_and_the_plumes_rise_faster_where_buoyancy_is_stronger()
    {
        var data = DefaultPlumes.Value;
        int n = data.N, cells = n * n;
        foreach (var v in data.Velocity) Assert.True(float.IsFinite(v));
        foreach (var d in data.Density) Assert.True(float.IsFinite(d) && d >= 0);

        // Density-weighted mean upward velocity of the smoke per simulation, over all frames.
        var rise = new double[data.Simulations];
        for (int sim = 0; sim < data.Simulations; sim++)
        {
            double up = 0, mass = 0, maxSpeed = 0;
            for (int t = 0; t < data.Frames; t++)
            {
                var f = data.Frame(sim, t);
                var den = data.DensityFrame(sim, t);
                for (int y = 0; y < n; y++)
                for (int x = 0; x < n; x++)
                {
                    int k = y * n + x;
                    double vc = 0.5 * (f[cells + k] + f[cells + (y + n - 1) % n * n + x]);
                    up += den[k] * vc;
                    mass += den[k];
                }
                maxSpeed = Math.Max(maxSpeed, PlumeFields.Speed(n, f).Max());
            }
            rise[sim] = up / mass;
            var (ix, iy) = data.Options.InflowPosition(sim);
            output.WriteLine($"sim {sim,2} inflow ({ix,4:F1}, {iy,4:F1}) {(data.Options.IsDomain(sim) ? "domain" : "train ")}: smoke rises at {rise[sim]:F3} cells/step, max speed {maxSpeed:F3}");
            Assert.True(rise[sim] > 0.2, $"sim {sim}: the smoke should rise, mean upward velocity {rise[sim]:F3}");
            Assert.True(maxSpeed < 8, $"sim {sim}: max speed {maxSpeed:F3} cells/step is unphysically fast");
        }
        // Inflows well inside a half (≥ 6 cells from both boundaries, x = 0 and x = N/2).
        double Half(bool right) => Enumerable.Range(0, data.Simulations)
            .Where(s => data.Options.InflowPosition(s).X is var x && (right ? x >= 38 && x <= 58 : x >= 6 && x <= 26))
            .Average(s => rise[s]);
        output.WriteLine($"mean rise: left half (b = 0.1) {Half(false):F3}, right half (b = 0.2) {Half(true):F3}");
        Assert.True(Half(true) > 1.2 * Half(false));
    }

    [Theory]
    [InlineData(5, -3)]
    [InlineData(-11, 7)]
    [InlineData(16, 0)] // by half the domain: left and right buoyancy swap places with the plume
    public void Translating_the_initial_state_and_the_forcing_together_translates_the_solution(int dx, int dy)
    {
        var settings = new PlumeSettings { N = 32 };
        var start = PlumeSolver.RandomInitialState(settings, 9, 1);
        var a = new PlumeSolver(settings, new PlumeForcing(12.3, 5.7), start);
        var b = new PlumeSolver(settings, new PlumeForcing(12.3, 5.7, dx, dy), start.Shifted(dx, dy));
        a.Run(40);
        b.Run(40);
        var expected = a.State.Shifted(dx, dy);
        double scale = MaxAbs(a.State.V);
        double du = MaxAbsDifference(expected.U, b.State.U), dv = MaxAbsDifference(expected.V, b.State.V);
        double dd = MaxAbsDifference(expected.Density, b.State.Density);
        output.WriteLine($"shift ({dx}, {dy}): max |Δu| {du:E2}, |Δv| {dv:E2}, |Δdensity| {dd:E2} (velocity scale {scale:F3})");
        Assert.True(scale > 0.5, "the plume should be moving");
        Assert.True(du < 1e-9 * scale && dv < 1e-9 * scale && dd < 1e-9, "the shifted run should be the shifted solution");
    }

    [Fact]
    public void Only_the_forcing_breaks_the_symmetry_horizontal_moves_of_the_inflow_change_the_flow_vertical_ones_do_not()
    {
        var settings = new PlumeSettings { N = 32 };
        var start = PlumeSolver.RandomInitialState(settings, 9, 1);
        var a = new PlumeSolver(settings, new PlumeForcing(12, 5), start);
        // Inflow and initial state moved, buoyancy field not: vertically an exact symmetry (b depends on x only) ...
        var up = new PlumeSolver(settings, new PlumeForcing(12, 11), start.Shifted(0, 6));
        // ... horizontally not: the plume is moved into the right half, where b is twice as large.
        var right = new PlumeSolver(settings, new PlumeForcing(22, 5), start.Shifted(10, 0));
        foreach (var s in new[] { a, up, right }) s.Run(40);
        double scale = MaxAbs(a.State.V);
        double vertical = MaxAbsDifference(a.State.Shifted(0, 6).V, up.State.V);
        double horizontal = MaxAbsDifference(a.State.Shifted(10, 0).V, right.State.V);
        output.WriteLine($"max |Δv|: vertical move {vertical:E2}, horizontal move {horizontal:E2} (scale {scale:F3})");
        Assert.True(vertical < 1e-9 * scale);
        Assert.True(horizontal > 0.1 * scale);
    }

    [Fact]
    public void A_shifted_forcing_is_the_exact_circular_shift_of_the_unshifted_one()
    {
        var s = new PlumeSettings { N = 16, InflowRadius = 2.2 };
        var f = new PlumeForcing(3.4, 14.9);
        var g = f with { ShiftX = 5, ShiftY = -7 };
        Assert.Equal(FluidState.Shift(f.InflowMask(s), 16, 5, -7), g.InflowMask(s));
        var b = f.BuoyancyByColumn(s);
        Assert.Equal(Enumerable.Range(0, 16).Select(x => b[(x - 5 + 16) % 16]), g.BuoyancyByColumn(s));
        Assert.Equal([.. Enumerable.Repeat(0.1, 8), .. Enumerable.Repeat(0.2, 8)], b);
        Assert.True(f.InflowMask(s).Max() == 1 && f.InflowMask(s).Count(m => m > 0) < 40, "a small disc");
    }

    [Fact]
    public void Splits_are_disjoint_where_they_must_be_and_samples_hold_the_right_frames()
    {
        var data = DefaultPlumes.Value;
        var o = data.Options;
        Assert.Equal([3, 6, 9, 12], data.DomainSimulations);
        Assert.Empty(data.TrainSimulations.Intersect(data.DomainSimulations));
        Assert.Equal(data.Simulations, data.TrainSimulations.Count + data.DomainSimulations.Count);
        // Every inflow column differs, and the domain inflows lie in both halves.
        Assert.Equal(data.Simulations, Enumerable.Range(0, data.Simulations).Select(s => o.InflowPosition(s).X).Distinct().Count());
        Assert.Contains(data.DomainSimulations, s => o.InflowPosition(s).X < data.N / 2);
        Assert.Contains(data.DomainSimulations, s => o.InflowPosition(s).X >= data.N / 2);

        foreach (PlumeSplit split in Enum.GetValues<PlumeSplit>())
        {
            var (first, end) = data.FrameRange(split);
            var windows = data.Windows(split);
            Assert.Equal(data.SimulationsOf(split).Count * (end - first - o.Window), windows.Count);
            Assert.All(windows, w => Assert.True(w.Target - o.Window >= first && w.Target < end));
        }
        Assert.All(data.Windows(PlumeSplit.Train), w => Assert.True(w.Target < o.TrainFrames));
        Assert.All(data.Windows(PlumeSplit.Future), w => Assert.True(w.Target - o.Window >= o.TrainFrames));

        var samples = data.Samples(PlumeSplit.Future);
        Assert.Equal((2 * o.Window, data.N), (samples.InputChannels, samples.N));
        int frame = data.FrameLength;
        foreach (int i in new[] { 0, 7, samples.Count - 1 })
        {
            var w = samples.Windows[i];
            for (int k = 0; k < o.Window; k++)
                Assert.True(samples.Inputs.AsSpan((i * o.Window + k) * frame, frame).SequenceEqual(data.Frame(w.Simulation, w.Target - o.Window + k)));
            Assert.True(samples.Targets.AsSpan(i * frame, frame).SequenceEqual(data.Frame(w.Simulation, w.Target)));
        }

        var rollouts = data.Rollouts(PlumeSplit.Future, steps: 10);
        Assert.Equal(data.TrainSimulations.Count, rollouts.Count); // frames 44..59: one 10-step rollout each
        var truth = data.RolloutTruth(rollouts[1], 10);
        for (int k = 0; k < 10; k++)
            Assert.True(truth.AsSpan(k * frame, frame).SequenceEqual(data.Frame(rollouts[1].Simulation, rollouts[1].Target + k)));
        Assert.Equal(3 * data.DomainSimulations.Count, data.Rollouts(PlumeSplit.Domain, steps: 10).Count); // 4..33 in [0, 40)
    }

    /// <summary>Reference numbers for models trained on the data (printed for docs/smoke-plumes.md): the zero
    /// predictor and persistence (next frame = last frame), one step and over 10-step rollouts.</summary>
    [Fact]
    public void Persistence_beats_the_zero_predictor_on_every_split()
    {
        var data = DefaultPlumes.Value;
        static double Rmse(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
        {
            double e = 0;
            for (int k = 0; k < a.Length; k++) e += ((double)a[k] - b[k]) * ((double)a[k] - b[k]);
            return Math.Sqrt(e / a.Length);
        }
        var zero = new float[data.FrameLength];
        foreach (PlumeSplit split in Enum.GetValues<PlumeSplit>())
        {
            var windows = data.Windows(split);
            double zeroMse = windows.Average(w => Math.Pow(Rmse(data.Frame(w.Simulation, w.Target), zero), 2));
            double persistMse = windows.Average(w => Math.Pow(Rmse(data.Frame(w.Simulation, w.Target), data.Frame(w.Simulation, w.Target - 1)), 2));
            string line = $"{split}: one-step RMSE zero {Math.Sqrt(zeroMse):F4}, persistence {Math.Sqrt(persistMse):F4}";
            if (split != PlumeSplit.Train)
            {
                // RMSE of each rollout step, averaged over steps and rollouts.
                double rollout = data.Rollouts(split, steps: 10).Average(start =>
                {
                    var truth = data.RolloutTruth(start, 10);
                    var last = data.Frame(start.Simulation, start.Target - 1).ToArray();
                    return Enumerable.Range(0, 10).Average(k => Rmse(truth.AsSpan(k * data.FrameLength, data.FrameLength), last));
                });
                line += $"; 10-step rollout RMSE of persistence {rollout:F4}";
            }
            output.WriteLine(line);
            Assert.True(persistMse < 0.25 * zeroMse, line);
        }
    }

    [Fact]
    public void The_cache_is_reused_rebuilt_when_corrupted_and_keyed_by_the_parameters()
    {
        var o = Tiny();
        var first = PlumeCache.LoadOrGenerate(_dir.Path, o);
        Assert.Equal(PlumeCacheOutcome.Generated, first.Outcome);
        Assert.Equal(Path.Combine(_dir.Path, "data"), Path.GetDirectoryName(first.Path));
        Assert.Equal([first.Path], Directory.GetFiles(Path.Combine(_dir.Path, "data"))); // no temporary file left
        var written = File.GetLastWriteTimeUtc(first.Path);
        var bytes = File.ReadAllBytes(first.Path);

        var second = PlumeCache.LoadOrGenerate(_dir.Path, o);
        Assert.Equal(PlumeCacheOutcome.Reused, second.Outcome);
        Assert.Equal(written, File.GetLastWriteTimeUtc(first.Path));
        Assert.True(second.Data.Velocity.SequenceEqual(first.Data.Velocity));
        Assert.True(second.Data.Density.SequenceEqual(first.Data.Density));

        // One flipped bit anywhere — payload, hash, parameters — is detected, and the file is rebuilt to the same data.
        foreach (int at in new[] { bytes.Length - 5, bytes.Length / 2, 30, 9 })
        {
            var corrupted = (byte[])bytes.Clone();
            corrupted[at] ^= 0x10;
            File.WriteAllBytes(first.Path, corrupted);
            var rebuilt = PlumeCache.LoadOrGenerate(_dir.Path, o);
            output.WriteLine($"byte {at} flipped: {rebuilt.Outcome} ({rebuilt.Reason})");
            Assert.Equal(PlumeCacheOutcome.Rebuilt, rebuilt.Outcome);
            Assert.NotNull(rebuilt.Reason);
            Assert.Equal(bytes, File.ReadAllBytes(first.Path));
        }

        // Truncated.
        File.WriteAllBytes(first.Path, bytes[..^4]);
        Assert.Equal(PlumeCacheOutcome.Rebuilt, PlumeCache.LoadOrGenerate(_dir.Path, o).Outcome);

        // Other parameters: another file; and a file of other parameters under this name is refused.
        var other = o with { Solver = o.Solver with { BuoyancyRight = 0.3 } };
        string otherPath = PlumeCache.PathFor(_dir.Path, other);
        Assert.NotEqual(first.Path, otherPath);
        var fresh = PlumeCache.LoadOrGenerate(_dir.Path, other);
        Assert.Equal(PlumeCacheOutcome.Generated, fresh.Outcome);
        Assert.False(fresh.Data.Velocity.SequenceEqual(first.Data.Velocity));
        File.Copy(otherPath, first.Path, overwrite: true);
        Assert.Null(PlumeCache.TryRead(first.Path, o, out var reason));
        Assert.Contains("parameters", reason);
        Assert.Equal(PlumeCacheOutcome.Rebuilt, PlumeCache.LoadOrGenerate(_dir.Path, o).Outcome);
        Assert.Equal(bytes, File.ReadAllBytes(first.Path));
    }

    public static TheoryData<string, Action> BadArguments => new()
    {
        { "N", () => new PlumeSolver(new PlumeSettings { N = 0 }, new PlumeForcing(0, 0)) },
        { "N", () => PlumeDataset.Generate(new PlumeDatasetOptions { Solver = new PlumeSettings { N = -8 } }) },
        { "Dt", () => new PlumeSolver(new PlumeSettings { Dt = 0 }, new PlumeForcing(1, 1)) },
        { "Dt", () => new PlumeSolver(new PlumeSettings { Dt = double.NaN }, new PlumeForcing(1, 1)) },
        { "InflowRadius", () => new PlumeSolver(new PlumeSettings { InflowRadius = -1 }, new PlumeForcing(1, 1)) },
        { "DensityDecay", () => new PlumeSolver(new PlumeSettings { DensityDecay = -0.1 }, new PlumeForcing(1, 1)) },
        { "BuoyancyRight", () => new PlumeSolver(new PlumeSettings { BuoyancyRight = double.PositiveInfinity }, new PlumeForcing(1, 1)) },
        { "InflowX", () => new PlumeSolver(new PlumeSettings(), new PlumeForcing(64, 1)) },
        { "InflowY", () => new PlumeSolver(new PlumeSettings(), new PlumeForcing(1, -0.5)) },
        { "initial", () => new PlumeSolver(new PlumeSettings(), new PlumeForcing(1, 1), FluidState.Zero(32)) },
        { "steps", () => new PlumeSolver(new PlumeSettings { N = 8 }, new PlumeForcing(1, 1)).Run(-1) },
        { "u", () => new FluidState(4, new double[15], new double[16], new double[16]) },
        { "n", () => FluidState.Zero(0) },
        { "frame", () => PlumeFields.Speed(4, new float[16]) },
        { "GridX", () => new PlumeDatasetOptions { GridX = 0 }.Validated() },
        { "TrainFrames", () => new PlumeDatasetOptions { TrainFrames = 4, Window = 4 }.Validated() },
        { "Frames", () => new PlumeDatasetOptions { Frames = 44 }.Validated() },
        { "Window", () => new PlumeDatasetOptions { Window = 0 }.Validated() },
        { "StepsPerFrame", () => new PlumeDatasetOptions { StepsPerFrame = 0 }.Validated() },
        { "DomainStride", () => new PlumeDatasetOptions { DomainStride = 1 }.Validated() },
        { "DomainStride", () => new PlumeDatasetOptions { GridX = 1, GridY = 1, DomainStride = 2 }.Validated() },
        { "simulation", () => new PlumeDatasetOptions().InflowPosition(16) },
        { "directory", () => PlumeCache.PathFor(" ", new PlumeDatasetOptions()) },
        { "simulation", () => PlumeDataset.Generate(Tiny()).Frame(-1, 0) },
        { "t", () => PlumeDataset.Generate(Tiny()).Frame(0, 14) },
        { "steps", () => PlumeDataset.Generate(Tiny()).Rollouts(PlumeSplit.Future, 0) },
        { "steps", () => PlumeDataset.Generate(Tiny()).Rollouts(PlumeSplit.Future, 5) }, // frames [8, 14): window 2 + 5 > 6
        { "split", () => PlumeDataset.Generate(Tiny()).Windows((PlumeSplit)7) },
        { "destination", () => PlumeDataset.Generate(Tiny()).CopyInputs(new PlumeWindow(0, 5), new float[10]) },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void Bad_arguments_throw_ArgumentException_naming_the_argument(string name, Action call)
    {
        var e = Assert.ThrowsAny<ArgumentException>(call);
        Assert.Equal(name, e.ParamName);
    }
}
