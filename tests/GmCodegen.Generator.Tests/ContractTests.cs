namespace GmCodegen.Generator.Tests;

/// <summary>Wrong buffer lengths fail at the call, naming the argument and the expected length.</summary>
public class ContractTests
{
    static readonly GmShape S = new(2, 3, 4, ChannelMode.Shared);   // C8: L = 8, K = 3

    [Fact]
    public void Forward_names_the_wrong_argument()
    {
        var e = Assert.Throws<ArgumentException>(() => C8r1.Forward(S, new float[47], new float[12], [], new float[64]));
        Assert.Equal("x", e.ParamName);
        Assert.Contains("48", e.Message);
        Assert.Equal("w", Assert.Throws<ArgumentException>(() => C8r1.Forward(S, new float[48], new float[13], [], new float[64])).ParamName);
        Assert.Equal("bias", Assert.Throws<ArgumentException>(() => C8r1.Forward(S, new float[48], new float[12], new float[3], new float[64])).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => C8r1.Forward(S, new float[48], new float[12], [], new float[65])).ParamName);
        var full = S with { Mode = ChannelMode.Full };
        Assert.Contains("36", Assert.Throws<ArgumentException>(() => C8r1.Forward(full, new float[48], new float[12], [], new float[64])).Message);
    }

    [Fact]
    public void Backward_passes_name_the_wrong_argument()
    {
        Assert.Equal("dy", Assert.Throws<ArgumentException>(() => C8r1.BackwardInput(S, new float[63], new float[12], new float[48])).ParamName);
        Assert.Equal("dx", Assert.Throws<ArgumentException>(() => C8r1.BackwardInput(S, new float[64], new float[12], new float[49])).ParamName);
        Assert.Equal("dw", Assert.Throws<ArgumentException>(() => C8r1.BackwardWeights(S, new float[48], new float[64], new float[11], [])).ParamName);
        Assert.Equal("dbias", Assert.Throws<ArgumentException>(() => C8r1.BackwardWeights(S, new float[48], new float[64], new float[12], new float[5])).ParamName);
    }

    [Fact]
    public void Bad_shapes_and_elements_are_refused()
    {
        Assert.Throws<ArgumentException>(() => C8r1.Forward(S with { InChannels = 0 }, [], new float[12], [], new float[64]));
        Assert.Throws<ArgumentOutOfRangeException>(() => C8r1.Multiply(8, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => C8r1.Inverse(-1));
    }

    [Fact]
    public void Empty_batch_is_a_no_op()
    {
        var s = S with { Batch = 0 };
        C8r1.Forward(s, [], new float[12], [], []);
        var dw = new float[12];
        Array.Fill(dw, 5f);
        C8r1.BackwardWeights(s, [], [], dw, []);
        Assert.All(dw, v => Assert.Equal(0f, v));
    }

    /// <summary>The plan's gathers through the interface, as the engine calls them (explicit static implementations).</summary>
    static void Gather<T>(int direction, int j, float[] src, float[] dst) where T : IGroupPlan
    {
        var rows = Enumerable.Range(0, T.SlowOrder).ToArray();
        if (direction == 0) T.GatherForward(j, ref src[0], rows, ref dst[0]);
        else if (direction == 1) T.GatherBackward(j, ref src[0], rows, ref dst[0]);
        else T.GatherAddBackward(j, ref src[0], rows, ref dst[0]);
    }

    static void GathersRefuseAnUnknownPermutation<T>() where T : IGroupPlan
    {
        var src = Enumerable.Range(1, T.Order).Select(v => (float)v).ToArray();
        for (int direction = 0; direction < 3; direction++)
        {
            int count = direction == 0 ? T.FastForwardCount : T.FastBackwardCount;   // distinct in-row permutations
            Assert.Equal(count, (direction == 0 ? T.FastForwardOf : T.FastBackwardOf).ToArray().Max() + 1);
            for (int j = 0; j < count; j++)
            {
                var moved = new float[T.Order];
                Gather<T>(direction, j, src, moved);
                Assert.DoesNotContain(0f, moved);                   // a real permutation fills every position
            }
            foreach (int bad in new[] { -1, count, int.MaxValue })
            {
                var dst = new float[T.Order];
                var e = Assert.Throws<ArgumentOutOfRangeException>(() => Gather<T>(direction, bad, src, dst));
                Assert.Equal("j", e.ParamName);
                Assert.All(dst, v => Assert.Equal(0f, v));
            }
        }
    }

    [Fact] public void Unrolled_gathers_refuse_an_unknown_permutation() => GathersRefuseAnUnknownPermutation<D5xD5r2>();
    [Fact] public void Table_driven_gathers_refuse_an_unknown_permutation() => GathersRefuseAnUnknownPermutation<S5Dense>();

    static bool Unrolled<T>(int m, int n, float[] w, float[] p, int ldp, float[] c, int ldc) where T : IGroupPlan =>
        T.TryForwardSharedUnrolled(m, n, w, [], p, ldp, c, ldc);

    [Fact]
    public void Unrolled_micro_kernel_refuses_bad_sizes_and_strides()
    {
        int v = System.Numerics.Vector<float>.Count, k = C8r1.KernelSize;
        float[] w = new float[2 * k], p = new float[k * v], c = new float[2 * v];
        Assert.True(Unrolled<C8r1>(2, v, w, p, v, c, v));
        Assert.Equal("m", Assert.Throws<ArgumentOutOfRangeException>(() => Unrolled<C8r1>(-1, v, w, p, v, c, v)).ParamName);
        Assert.Equal("n", Assert.Throws<ArgumentOutOfRangeException>(() => Unrolled<C8r1>(2, -v, w, p, v, c, v)).ParamName);
        Assert.Equal("n", Assert.Throws<ArgumentOutOfRangeException>(() => Unrolled<C8r1>(2, v - 1, w, p, v, c, v)).ParamName);
        Assert.Equal("ldp", Assert.Throws<ArgumentOutOfRangeException>(() => Unrolled<C8r1>(2, v, w, p, -v, c, v)).ParamName);
        Assert.Equal("ldc", Assert.Throws<ArgumentOutOfRangeException>(() => Unrolled<C8r1>(2, v, w, p, v, c, -v)).ParamName);
        Assert.Throws<ArgumentException>(() => Unrolled<C8r1>(3, v, w, p, v, c, v));               // w, c too short
        Assert.Throws<ArgumentException>(() => Unrolled<C8r1>(2, v, w, p, 2 * v, c, v));           // p too short
        Assert.True(Unrolled<C8r1>(0, v, [], [], v, [], v));
    }

    [Fact]
    public void Unrolled_micro_kernel_matches_the_naive_product()
    {
        var r = new Random(9);
        int v = System.Numerics.Vector<float>.Count, k = C8r1.KernelSize, m = 3, n = 2 * v, ldp = n + 5, ldc = n + 3;
        var w = Rand.Floats(r, m * k);
        var p = Rand.Floats(r, (k - 1) * ldp + n);
        var c = new float[(m - 1) * ldc + n];
        Assert.True(Unrolled<C8r1>(m, n, w, p, ldp, c, ldc));
        for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++)
        {
            double expected = Enumerable.Range(0, k).Sum(q => (double)w[i * k + q] * p[q * ldp + j]);
            Assert.True(Math.Abs(c[i * ldc + j] - expected) <= 1e-5 * (1 + Math.Abs(expected)), $"c[{i},{j}]");
        }
    }
}
