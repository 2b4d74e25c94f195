namespace GmCodegen.Runtime.Tests;

/// <summary>Issue 10, cases 2–4: one test per refused argument of the kernels and the engine's helpers.</summary>
public class KernelRefusalTests
{
    static readonly int V = System.Numerics.Vector<float>.Count;

    static string Refused(Action call) => Assert.Throws<ArgumentException>(call).ParamName!;

    [Fact]
    public void The_gemm_refuses_every_negative_or_overlapping_stride_by_name()
    {
        var a = new float[64];
        var b = new float[64];
        var c = new float[64];
        var neighbour = new float[16];   // the eight floats landed in a neighbouring array: must stay untouched
        Array.Fill(neighbour, 7f);
        Assert.Equal("ldc", Refused(() => GmGemm.Multiply(2, V, 1, a, 1, 1, b, V, c, -V, false)));
        Assert.Equal("ldc", Refused(() => GmGemm.Multiply(2, V, 1, a, 1, 1, b, V, c, -1_000_000_000, false)));
        Assert.Equal("ldc", Refused(() => GmGemm.Multiply(2, 2 * V, 1, a, 1, 1, b, 2 * V, c, V, false)));   // rows of C would overlap
        Assert.Equal("lda", Refused(() => GmGemm.Multiply(2, V, 1, a, -4, 1, b, V, c, V, false)));
        Assert.Equal("aStep", Refused(() => GmGemm.Multiply(1, V, 2, a, 1, -1, b, V, c, V, false)));
        Assert.Equal("ldb", Refused(() => GmGemm.Multiply(1, V, 2, a, 1, 1, b, -V, c, V, false)));
        Assert.Equal("m", Refused(() => GmGemm.Multiply(-1, V, 1, a, 1, 1, b, V, c, V, false)));
        Assert.Equal("n", Refused(() => GmGemm.Multiply(1, -V, 1, a, 1, 1, b, V, c, V, false)));
        Assert.Equal("depth", Refused(() => GmGemm.Multiply(1, V, -1, a, 1, 1, b, V, c, V, false)));
        Assert.Equal("depth", Refused(() => GmGemm.Multiply(1, V, -1, a, 1, 1, b, new int[1], c, V, false)));
        // Long arithmetic: (m-1)·lda would wrap around in int.
        Assert.Equal("a", Refused(() => GmGemm.Multiply(3, V, 1, a, int.MaxValue, 1, b, V, c, V, false)));
        Assert.Equal("c", Refused(() => GmGemm.Multiply(3, V, 1, a, 1, 1, b, V, c, int.MaxValue, false)));
        Assert.Equal("b", Refused(() => GmGemm.Multiply(1, V, 3, a, 1, 1, b, int.MaxValue, c, V, false)));
        // C sharing memory with an operand.
        Assert.Equal("c", Refused(() => GmGemm.Multiply(1, V, 1, a, 1, 1, b, V, a.AsSpan(4), V, false)));
        Assert.Equal("c", Refused(() => GmGemm.Multiply(1, V, 1, a, 1, 1, b, V, b, V, false)));
        Assert.Equal("c", Refused(() => GmGemm.Multiply(1, V, 1, a, 1, 1, b, V, c, V, false, c.AsSpan(V, 1))));
        Assert.Equal("bRows", Refused(() => GmGemm.Multiply(1, V, 2, a, 1, 1, b, [0, -1], c, V, false)));
        Assert.Equal("bRows", Refused(() => GmGemm.Multiply(1, V, 2, a, 1, 1, b, [0, b.Length - V + 1], c, V, false)));
        Assert.All(neighbour, x => Assert.Equal(7f, x));
    }

    [Fact]
    public void The_transpose_refuses_negative_strides_and_short_or_overlapping_buffers()
    {
        var src = new float[64];
        var dst = new float[64];
        Assert.Throws<ArgumentException>(() => Panels.Transpose(src, 2, -8, 8, dst, 8));
        Assert.Throws<ArgumentException>(() => Panels.Transpose(src, 2, 8, -1, dst, 8));
        Assert.Equal("ldd", Refused(() => Panels.Transpose(src, 8, 8, 8, dst, 4)));
        Assert.Equal("src", Refused(() => Panels.Transpose(src, 9, 8, 8, dst, 16)));
        Assert.Equal("dst", Refused(() => Panels.Transpose(src, 8, 8, 8, dst, 9)));
        Assert.Equal("dst", Refused(() => Panels.Transpose(src, 2, 8, 8, src.AsSpan(16), 4)));
    }

    [Theory]
    [InlineData(ChannelMode.Full)]
    [InlineData(ChannelMode.Shared)]
    public void Outputs_overlapping_inputs_are_refused_naming_both(ChannelMode mode)
    {
        // The Forward(shape, buf, w, bias, buf) and BackwardInput with dy and dx the same array.
        int l = GeneratedD4xD4.Order, k = GeneratedD4xD4.KernelSize;
        var s = new GmShape(2, 3, 3, mode);
        var buf = GradCheck.RandomArray(new Random(1), 2 * 3 * l);
        var w = GradCheck.RandomArray(new Random(2), KernelChecks.WeightLength(s, k));
        var bias = new float[3];
        var copy = (float[])buf.Clone();
        var e = Assert.Throws<ArgumentException>(() => GeneratedD4xD4.Forward(s, buf, w, bias, buf));
        Assert.Equal("y", e.ParamName);
        Assert.Contains("x", e.Message);
        Assert.Equal(copy, buf);
        e = Assert.Throws<ArgumentException>(() => GeneratedD4xD4.BackwardInput(s, buf, w, buf));
        Assert.Equal("dx", e.ParamName);
        Assert.Contains("dy", e.Message);
        Assert.Equal("y", Refused(() => NaiveGm<D4xD4>.Forward(s, copy, w, buf.AsSpan(5, 3), buf)));   // y over the bias
        GeneratedD4xD4.Forward(s, buf, w, bias, new float[buf.Length]);   // a y of its own is fine
    }

    [Fact]
    public void Backward_weights_outputs_may_not_overlap_the_inputs_or_each_other()
    {
        int l = GeneratedC8xC8.Order, k = GeneratedC8xC8.KernelSize;
        var s = new GmShape(1, 2, 2, ChannelMode.Full);
        var x = new float[2 * l];
        var dy = new float[2 * l];
        var dw = new float[2 * 2 * k + 2];
        Assert.Equal("dw", Refused(() => GeneratedC8xC8.BackwardWeights(s, x, dy, x.AsSpan(0, 2 * 2 * k), [])));
        Assert.Equal("dw", Refused(() => GeneratedC8xC8.BackwardWeights(s, x, dy, dw.AsSpan(0, 2 * 2 * k), dw.AsSpan(2 * 2 * k - 1, 2))));
        Assert.Equal("dbias", Refused(() => GeneratedC8xC8.BackwardWeights(s, x, dy, dw.AsSpan(0, 2 * 2 * k), dy.AsSpan(0, 2))));
        Assert.Equal("dbias", Refused(() => NaiveGm<C8xC8>.BackwardWeights(s, x, dy, dw.AsSpan(0, 2 * 2 * k), x.AsSpan(5, 2))));
        GeneratedC8xC8.BackwardWeights(s, x, dy, dw.AsSpan(0, 2 * 2 * k), dw.AsSpan(2 * 2 * k, 2));   // adjacent, not overlapping: fine
    }

    [Fact]
    public void Impossible_shapes_are_refused_in_long_arithmetic()
    {
        // The GmShape(1, 65536, 65536, Full) on C8 x C8: O·I·K = 3.9e10 weights wrapped to 0 in int, so w = [] passed.
        var s = new GmShape(1, 65536, 65536, ChannelMode.Full);
        var e = Assert.Throws<ArgumentException>(() => GeneratedC8xC8.Forward(s, new float[65536 * 64], [], [], new float[1]));
        Assert.Equal("s", e.ParamName);
        Assert.Contains("more than an array can hold", e.Message);
        Assert.Equal(65536L * 65536 * 9, KernelChecks.WeightCount(s, 9));
        Assert.Equal("s", Refused(() => KernelChecks.WeightLength(s, 9)));
        Assert.Equal("s", Refused(() => NaiveGm<C8xC8>.BackwardInput(new GmShape(1 << 20, 1 << 10, 1, ChannelMode.Shared), [], new float[9], [])));
        Assert.Equal("s", Refused(() => GeneratedC8xC8.BackwardWeights(new GmShape(-1, 1, 1, ChannelMode.Shared), [], [], new float[9], [])));
        // A batch of zero is a valid no-op that still clears the weight gradients.
        var dw = Enumerable.Repeat(5f, 9).ToArray();
        var db = new[] { 5f };
        GeneratedC8xC8.BackwardWeights(new GmShape(0, 1, 1, ChannelMode.Shared), [], [], dw, db);
        Assert.All(dw, v => Assert.Equal(0f, v));
        Assert.Equal(0f, db[0]);
    }

    [Fact]
    public void The_naive_kernel_refuses_a_table_of_the_wrong_size_or_with_indices_out_of_range()
    {
        int l = C4xC4.Order, k = C4xC4.KernelSize;
        var s = new GmShape(1, 1, 1, ChannelMode.Shared);
        var table = NaiveGm.ForwardTable<C4xC4>();
        var (x, w, y) = (new float[l], new float[k], new float[l]);
        NaiveGm.Forward(l, k, table, s, x, w, [], y);
        Assert.Equal("idx", Refused(() => NaiveGm.Forward(l, k, table.AsSpan(1), s, x, w, [], y)));
        var bad = (int[])table.Clone();
        bad[5] = l;
        Assert.Equal("idx", Refused(() => NaiveGm.Forward(l, k, bad, s, x, w, [], y)));
        bad[5] = -1;
        Assert.Equal("idx", Refused(() => NaiveGm.BackwardInput(l, k, bad, s, y, w, x)));
        Assert.Equal("kernelSize", Refused(() => NaiveGm.BackwardWeights(l, l + 1, table, s, x, y, w, [])));
        Assert.Equal("order", Refused(() => NaiveGm.Forward(0, k, table, s, x, w, [], y)));
    }
}
