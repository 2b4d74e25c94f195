namespace GmCodegen.Runtime.Tests;

// The pools the project declares (samples/RotatedMnist/Groups.cs, bench/POOLING.md's shapes), on the radius-1 types.
[GroupMatrix("C64 x C64", Radius = 1)] public partial struct PlanC64;
[GroupMatrix("C32 x C32", Radius = 1)] public partial struct PlanC32;
[GroupPool(typeof(PlanC64), typeof(PlanC32))] public partial struct PlanC64toC32;
[GroupMatrix("C28 x C28", Radius = 1)] public partial struct PlanC28;
[GroupMatrix("C14 x C14", Radius = 1)] public partial struct PlanC14;
[GroupMatrix("C7 x C7", Radius = 1)] public partial struct PlanC7;
[GroupPool(typeof(PlanC28), typeof(PlanC14))] public partial struct PlanC28toC14;
[GroupPool(typeof(PlanC14), typeof(PlanC7))] public partial struct PlanC14toC7;
[GroupMatrix("D14 x D14", Radius = 1)] public partial struct PlanD14;
[GroupMatrix("D7 x D7", Radius = 1)] public partial struct PlanD7;
[GroupPool(typeof(PlanD14), typeof(PlanD7))] public partial struct PlanD14toD7;
[GroupMatrix("p4m(28)", Radius = 1)] public partial struct PlanP4m28;
[GroupMatrix("p4m(14)", Radius = 1)] public partial struct PlanP4m14;
[GroupMatrix("p4m(7)", Radius = 1)] public partial struct PlanP4m7;
[GroupPool(typeof(PlanP4m28), typeof(PlanP4m14), Embedding = "56, 2, 1540, 3163")] public partial struct PlanP4m28to14;
[GroupPool(typeof(PlanP4m14), typeof(PlanP4m7))] public partial struct PlanP4m14to7;
[GroupMatrix("p4(28)", Radius = 1)] public partial struct PlanP4r28;
[GroupMatrix("p4(14)", Radius = 1)] public partial struct PlanP4r14;
[GroupMatrix("p4(7)", Radius = 1)] public partial struct PlanP4r7;
[GroupPool(typeof(PlanP4r28), typeof(PlanP4r14), Embedding = "56, 2, 1540")] public partial struct PlanP4r28to14;
[GroupPool(typeof(PlanP4r14), typeof(PlanP4r7))] public partial struct PlanP4r14to7;

/// <summary>
/// <see cref="PoolPlan"/>: which tables get the vector path over strided runs, and that the strided max forward is
/// bit-identical to the naive loop and to the general path (ties, NaNs at every j, ±0), directly and through
/// <see cref="GMPool{TPool}"/> on 1 and 2 threads.
/// </summary>
public class PoolStridedPlanTests
{
    static PoolPlan.Strided Strided<TPool>() where TPool : IGroupPool =>
        Assert.IsType<PoolPlan.Strided>(PoolEngine<TPool>.Plan);

    [Fact]
    public void The_declared_pools_and_the_test_grids_get_the_strided_plan()
    {
        // C2n x C2n, and D14 x D14 by ⟨r², f⟩ (whose right cosets are the pairs (2k, 2k + 1) in each factor): one run
        // per pooled image row, no rest.
        foreach (var (plan, n, rowLength) in new[]
        {
            (Strided<PlanC64toC32>(), 1024, 32), (Strided<PlanC28toC14>(), 196, 14), (Strided<PlanC14toC7>(), 49, 7),
            (Strided<PlanD14toD7>(), 196, 14), (Strided<MaxGrid36to18>(), 324, 18), (Strided<PoolGrid8to4>(), 16, 4),
            (Strided<PoolDih4to2>(), 16, 4), (Strided<MaxDih8to4>(), 8, 8),
        })
        {
            Assert.Empty(plan.Rest);
            Assert.Equal(n / rowLength, plan.Runs.Length);
            Assert.All(plan.Runs, r => Assert.Equal(rowLength, r.Length));
        }
        // C28 x C28: the run of pooled row s1 reads image rows 2·s1 and 2·s1 + 1, columns 0..27 in (0, 1) pairs.
        var c28 = Strided<PlanC28toC14>().Runs[3];
        Assert.Equal(42, c28.Output);
        Assert.Equal([168, 169, 196, 197], c28.Inputs.ToArray());
        Assert.Equal([168, 168, 196, 196], c28.Windows.ToArray());
        // p4m/p4 (28 → 14 centred, 14 → 7 standard): under the point elements that swap the axes a window's rows pair
        // j = 0 with j = 2, and the column that wraps around the torus (one per pooled image row) goes cell by cell.
        foreach (var (plan, rest, lengths) in new[]
        {
            (Strided<PlanP4m28to14>(), 56, new[] { 14, 13 }), (Strided<PlanP4r28to14>(), 28, [14, 13]),
            (Strided<PlanP4m14to7>(), 28, [7, 6]), (Strided<PlanP4r14to7>(), 14, [7, 6]),
        })
        {
            Assert.Equal(rest, plan.Rest.Length);
            Assert.Equal(lengths, plan.Runs.Select(r => r.Length).Distinct().Order().Reverse());
        }
        var swapped = Strided<PlanP4m28to14>().Runs.First(r => r.Inputs[1] != r.Inputs[0] + 1);
        Assert.Equal(swapped.Windows[0], swapped.Windows[2]);
        // p4m(8) → p4m(4) centred: runs of 4 hold exactly half of the outputs, the least a strided plan takes.
        var centred = Strided<PoolCentred8to4>();
        Assert.Equal(centred.Rest.Length, centred.Runs.Sum(r => r.Length));
    }

    [Fact]
    public void Tables_without_long_stride_2_runs_get_the_general_plan()
    {
        Assert.IsType<PoolPlan.General>(PoolEngine<MaxGrid6to3>.Plan);   // runs of 3, shorter than a vector step
        Assert.IsType<PoolPlan.General>(PoolEngine<MaxCyc4to2>.Plan);
        Assert.IsType<PoolPlan.General>(PoolEngine<PoolGrid4to2>.Plan);
        Assert.IsType<PoolPlan.General>(PoolEngine<PoolAuto4to2>.Plan);
    }

    [Fact]
    public void Plans_partition_the_outputs_and_follow_the_table()
    {
        Partition<PlanC64toC32>(); Partition<PlanC28toC14>(); Partition<PlanC14toC7>(); Partition<PlanD14toD7>();
        Partition<PlanP4m28to14>(); Partition<PlanP4m14to7>(); Partition<PlanP4r28to14>(); Partition<PlanP4r14to7>();
        Partition<PoolCentred8to4>(); Partition<MaxDih8to4>(); Partition<MaxGrid36to18>();
    }

    static void Partition<TPool>() where TPool : IGroupPool
    {
        var plan = Strided<TPool>();
        int m = TPool.Index;
        var cosets = TPool.Cosets.ToArray();
        var covered = plan.Rest.ToList();
        foreach (var run in plan.Runs)
            for (int q = 0; q < run.Length; q++)
            {
                covered.Add(run.Output + q);
                for (int j = 0; j < m; j++)
                {
                    Assert.Equal(cosets[(run.Output + q) * m + j], run.Inputs[j] + 2 * q);
                    Assert.Contains(run.Windows[j], run.Inputs);
                    Assert.Contains(run.Windows[j] + 1, run.Inputs);
                    Assert.True(run.Inputs[j] - run.Windows[j] is 0 or 1);
                }
            }
        covered.Sort();
        Assert.Equal(Enumerable.Range(0, TPool.SubgroupOrder), covered);
    }

    [Fact] public void C64_to_C32_matches_the_naive_loop_and_the_general_path() => Check<PlanC64toC32>(11);
    [Fact] public void C28_to_C14_matches_the_naive_loop_and_the_general_path() => Check<PlanC28toC14>(12);
    [Fact] public void C14_to_C7_matches_the_naive_loop_and_the_general_path() => Check<PlanC14toC7>(13);
    [Fact] public void D14_to_D7_matches_the_naive_loop_and_the_general_path() => Check<PlanD14toD7>(14);
    [Fact] public void P4m_28_to_14_centred_matches_the_naive_loop_and_the_general_path() => Check<PlanP4m28to14>(15, maxRows: 3);
    [Fact] public void P4m_14_to_7_matches_the_naive_loop_and_the_general_path() => Check<PlanP4m14to7>(16);
    [Fact] public void P4_28_to_14_centred_matches_the_naive_loop_and_the_general_path() => Check<PlanP4r28to14>(17, maxRows: 3);
    [Fact] public void P4_14_to_7_matches_the_naive_loop_and_the_general_path() => Check<PlanP4r14to7>(18);
    [Fact] public void Dihedral_8_to_4_with_a_rest_matches_the_naive_loop_and_the_general_path() => Check<MaxDih8to4>(19);
    [Fact] public void Centred_p4m_8_to_4_matches_the_naive_loop_and_the_general_path() => Check<PoolCentred8to4>(20);

    // Rows 1, 2, 3 (and 5, 7 on the small groups): a NaN or a tie lands on every j of some cell in every row.
    static void Check<TPool>(int seed, int maxRows = 7) where TPool : IGroupPool
    {
        int l = TPool.Order, n = TPool.SubgroupOrder;
        var rng = new Random(seed);
        foreach (var (rows, specials) in Cases(maxRows))
        {
            var x = PoolMaxForwardTests.Draw(rng, rows * l, specials);
            var (z, a) = (new float[rows * n], new int[rows * n]);
            var (zRef, aRef) = (new float[rows * n], new int[rows * n]);
            var (zGen, aGen) = (new float[rows * n], new int[rows * n]);
            z.AsSpan().Fill(123f);
            a.AsSpan().Fill(-7);
            PoolEngine<TPool>.MaxForward(rows, x, z, a);
            PoolMaxForwardTests.NaiveMaxForward<TPool>(rows, x, zRef, aRef);
            PoolEngine<TPool>.MaxForwardGeneral(rows, x, zGen, aGen);
            Assert.Equal(aRef, a);
            Assert.Equal(Bits(zRef), Bits(z));
            Assert.Equal(aGen, a);
            Assert.Equal(Bits(zGen), Bits(z));
        }
    }

    /// <summary>Row counts 1, 2, 3, 5, 7 (up to <paramref name="maxRows"/>), each without and with the case's twist.</summary>
    static IEnumerable<(int Rows, bool Twist)> Cases(int maxRows) =>
        from rows in new[] { 1, 2, 3, 5, 7 } where rows <= maxRows from twist in new[] { false, true } select (rows, twist);

    /// <summary>The reference backward: clear dx, then dx[r, argmax[r,s]] = dz[r,s].</summary>
    static void NaiveMaxBackward<TPool>(int rows, float[] dz, int[] argmax, float[] dx) where TPool : IGroupPool
    {
        int l = TPool.Order, n = TPool.SubgroupOrder;
        Array.Clear(dx);
        for (int r = 0; r < rows; r++)
            for (int s = 0; s < n; s++) dx[r * l + argmax[r * n + s]] = dz[r * n + s];
    }

    [Fact] public void Backward_C28_to_C14_matches_clear_and_scatter() => CheckBackward<PlanC28toC14>(31);
    [Fact] public void Backward_D14_to_D7_matches_clear_and_scatter() => CheckBackward<PlanD14toD7>(32);
    [Fact] public void Backward_p4m_28_to_14_centred_with_a_rest_matches_clear_and_scatter() => CheckBackward<PlanP4m28to14>(33, maxRows: 3);
    [Fact] public void Backward_centred_p4m_8_to_4_matches_clear_and_scatter() => CheckBackward<PoolCentred8to4>(34);
    [Fact] public void Backward_general_table_matches_clear_and_scatter() => CheckBackward<MaxGrid6to3>(35);

    // The arg-max of the forward (each in its cell), and arbitrary elements of G in one row.
    static void CheckBackward<TPool>(int seed, int maxRows = 7) where TPool : IGroupPool
    {
        int l = TPool.Order, n = TPool.SubgroupOrder;
        var rng = new Random(seed);
        foreach (var (rows, stray) in Cases(maxRows))
        {
            var x = PoolMaxForwardTests.Draw(rng, rows * l, specials: true);
            var dz = PoolMaxForwardTests.Draw(rng, rows * n, specials: true);
            var (z, a) = (new float[rows * n], new int[rows * n]);
            PoolEngine<TPool>.MaxForward(rows, x, z, a);
            if (stray)
                for (int s = 0; s < n; s += 3) a[(rows - 1) * n + s] = rng.Next(l);
            var dx = new float[rows * l];
            var dxRef = new float[rows * l];
            dx.AsSpan().Fill(123f);
            PoolEngine<TPool>.MaxBackward(rows, dz, a, dx);
            NaiveMaxBackward<TPool>(rows, dz, a, dxRef);
            Assert.Equal(Bits(dxRef), Bits(dx));
        }
    }

    static IEnumerable<int> Bits(float[] z) => z.Select(BitConverter.SingleToInt32Bits);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void The_layer_on_a_batch_matches_the_naive_loop_on_any_thread_count(int threads)
    {
        int saved = KernelParallelism.MaxDegree;
        KernelParallelism.MaxDegree = threads;
        try
        {
            Layer<PlanC28toC14>(batch: 9, channels: 5, seed: 21);
            Layer<PlanD14toD7>(batch: 9, channels: 5, seed: 22);
            Layer<MaxGrid6to3>(batch: 9, channels: 40, seed: 23);
        }
        finally { KernelParallelism.MaxDegree = saved; }
    }

    static void Layer<TPool>(int batch, int channels, int seed) where TPool : IGroupPool
    {
        int rows = batch * channels, n = TPool.SubgroupOrder;
        var x = PoolMaxForwardTests.Draw(new Random(seed), rows * TPool.Order, specials: true);
        var pool = new GMPool<TPool>("pool", channels, PoolKind.Max);
        var z = pool.Forward(x, batch, training: true);
        var (zRef, aRef) = (new float[rows * n], new int[rows * n]);
        PoolMaxForwardTests.NaiveMaxForward<TPool>(rows, x, zRef, aRef);
        Assert.Equal(Bits(zRef), Bits(z[..(rows * n)]));
    }
}
