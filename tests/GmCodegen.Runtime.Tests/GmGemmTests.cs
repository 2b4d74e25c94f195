namespace GmCodegen.Runtime.Tests;

/// <summary>The register-blocked GEMM and the panel transpose against their naive twins.</summary>
public class GmGemmTests
{
    /// <summary>C (+)= A·B (+ bias) in double, with A read as a[i·lda + r·aStep].</summary>
    static double[] Naive(int m, int n, int depth, float[] a, int lda, int aStep, float[] b, int ldb, float[] c0, int ldc,
        bool accumulate, float[] bias)
    {
        var c = c0.Select(x => (double)x).ToArray();
        for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++)
        {
            double sum = accumulate ? c[i * ldc + j] : bias.Length > 0 ? bias[i] : 0;
            for (int r = 0; r < depth; r++) sum += (double)a[i * lda + r * aStep] * b[r * ldb + j];
            c[i * ldc + j] = sum;
        }
        return c;
    }

    public static TheoryData<int, int, int, bool> Shapes()
    {
        var data = new TheoryData<int, int, int, bool>();
        // Every row remainder of the 6-row block (2- and 4-row bodies), one-vector last strips, sizes either side of the panel-size switch
        // between row-blocks-outside and strips-outside, and the layer shapes that motivated them (32, 49 rows).
        foreach (int m in new[] { 1, 2, 3, 4, 5, 6, 7, 11, 32, 49 })
        foreach (var (n, depth) in new[] { (16, 1), (8, 3), (48, 9), (56, 49), (96, 49), (2048, 20), (2040, 20) })
            data.Add(m, n, depth, m % 2 == 0);
        data.Add(13, 32, 0, false);
        return data;
    }

    [Theory, MemberData(nameof(Shapes))]
    public void Multiply_matches_the_naive_product(int m, int n, int depth, bool transposedA)
    {
        var r = new Random(m * 1000 + n + depth);
        // A as rows (lda = depth, step 1) or read in place from its transpose (lda = 1, step = m), as Wᵀ·dy does.
        int lda = transposedA ? 1 : Math.Max(1, depth), aStep = transposedA ? m : 1;
        var a = Rand(r, Math.Max(1, m * depth));
        foreach (int ldb in new[] { n, n + 16 })        // packed panel, or B read in place with a longer stride
        foreach (int ldc in new[] { n, n + 3 })
        foreach (bool accumulate in new[] { false, true })
        foreach (bool withBias in new[] { false, true })
        {
            if (accumulate && withBias) continue;      // a bias is only fused when overwriting
            var b = Rand(r, Math.Max(1, depth) * ldb);
            var c = Rand(r, m * ldc);
            var bias = withBias ? Rand(r, m) : [];
            var expected = Naive(m, n, depth, a, lda, aStep, b, ldb, c, ldc, accumulate, bias);
            GmGemm.Multiply(m, n, depth, a, lda, aStep, b, ldb, c, ldc, accumulate, bias);
            for (int i = 0; i < m; i++)
            for (int j = 0; j < ldc; j++)
            {
                // Columns beyond n of a strided C are not C's: they must be left exactly as they were.
                double e = expected[i * ldc + j];
                Assert.True(Math.Abs(c[i * ldc + j] - e) <= 1e-5 * (1 + Math.Abs(e)) * Math.Max(1, depth),
                    $"C[{i},{j}] = {c[i * ldc + j]}, expected {e} (m {m} n {n} depth {depth} ldb {ldb} ldc {ldc} acc {accumulate} bias {withBias})");
            }
        }
    }

    [Theory]
    [InlineData(7, 24, 9)]
    [InlineData(32, 256, 288)]
    [InlineData(2, 8, 30)]
    public void Multiply_with_a_row_table_matches_the_naive_product(int m, int n, int depth)
    {
        var r = new Random(m + n + depth);
        var a = Rand(r, m * depth);
        var b = Rand(r, 4 * n + 64);
        // Rows anywhere, overlapping and repeated, as the shifted panel pass reads its windows.
        var rows = Enumerable.Range(0, depth).Select(_ => r.Next(0, b.Length - n + 1)).ToArray();
        var packed = rows.SelectMany(o => b.Skip(o).Take(n)).ToArray();
        var bias = Rand(r, m);
        var c = new float[m * n];
        GmGemm.Multiply(m, n, depth, a, depth, 1, b, rows, c, n, accumulate: false, bias);
        var expected = Naive(m, n, depth, a, depth, 1, packed, n, new float[m * n], n, accumulate: false, bias);
        for (int i = 0; i < c.Length; i++)
            Assert.True(Math.Abs(c[i] - expected[i]) <= 1e-5 * (1 + Math.Abs(expected[i])) * depth, $"C[{i}] = {c[i]}, expected {expected[i]}");
        Assert.Equal("bRows", Assert.Throws<ArgumentException>(() =>
            GmGemm.Multiply(m, n, depth, a, depth, 1, b, rows.Select(o => o + b.Length).ToArray(), c, n, false)).ParamName);
    }

    [Fact]
    public void Multiply_rejects_bad_arguments()
    {
        var ok = new float[64];
        Assert.Equal("n", Assert.Throws<ArgumentException>(() => GmGemm.Multiply(1, 12, 1, ok, 1, 1, ok, 16, ok, 16, false)).ParamName);
        Assert.Equal("a", Assert.Throws<ArgumentException>(() => GmGemm.Multiply(2, 16, 2, new float[3], 2, 1, ok, 16, ok, 16, false)).ParamName);
        Assert.Equal("b", Assert.Throws<ArgumentException>(() => GmGemm.Multiply(1, 16, 5, ok, 5, 1, ok, 16, ok, 16, false)).ParamName);
        Assert.Equal("c", Assert.Throws<ArgumentException>(() => GmGemm.Multiply(5, 16, 1, ok, 1, 1, ok, 16, ok, 16, false)).ParamName);
        Assert.Equal("rowBias", Assert.Throws<ArgumentException>(() => GmGemm.Multiply(2, 16, 1, ok, 1, 1, ok, 16, ok, 16, true, new float[2])).ParamName);
    }

    [Theory]
    [InlineData(5, 12, 16, 9, false)]
    [InlineData(17, 40, 24, 33, true)]
    [InlineData(8, 8, 9, 8, true)]
    public void Transpose_matches_the_naive_transpose(int rows, int cols, int ldd, int lds, bool ones)
    {
        var r = new Random(rows + cols);
        var src = Rand(r, (rows - 1) * lds + cols);
        var dst = Rand(r, cols * ldd);   // garbage that must be overwritten
        Panels.Transpose(src, rows, lds, cols, dst, ldd, ones);
        for (int t = 0; t < cols; t++)
        for (int c = 0; c < ldd; c++)
            Assert.Equal(c < rows ? src[c * lds + t] : ones && c == rows ? 1f : 0f, dst[t * ldd + c]);
    }

    static float[] Rand(Random r, int n) => Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
}
