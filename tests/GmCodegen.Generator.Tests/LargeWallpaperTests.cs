namespace GmCodegen.Generator.Tests;

// p4m(28): 6,272 elements, K = 72; planned with rows (m, t1) and columns t2 (emitted gathers, not tables).
[GroupMatrix("p4m(28)")] public partial struct P4m28;

/// <summary>
/// p4m(28) is too large for the dense reference everywhere (|G|² = 39 M entries per channel pair), so each pass is
/// compared with the definition at random positions, computed from the type's own law (checked by the group tests).
/// </summary>
public class LargeWallpaperTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void P4m28_is_emitted_as_straight_line_gathers_and_compiles()
    {
        var outcome = Harness.Run("""
            using GmCodegen;
            namespace Big;
            [GroupMatrix("p4m(28)")]
            public partial struct P4m28;
            """);
        Assert.Empty(outcome.GeneratorDiagnostics);          // no GM0011: the gathers are not table-driven
        Assert.Empty(outcome.CompileDiagnostics);
        var source = outcome.Source("Big.P4m28.g.cs");
        var header = string.Join("\n", source.Split('\n').TakeWhile(line => line.StartsWith("//")));
        output.WriteLine(header);
        output.WriteLine($"{source.Length:N0} characters of generated source");
        Assert.Contains("|F| = 28", header);
        Assert.Contains("depending on the kernel element and the row", header);
        Assert.DoesNotContain("Gathers: table-driven", header);
    }

    [Theory]
    [InlineData(ChannelMode.Full, 2, 8, 8, 1)]    // backward-input as a panel pass (I ≥ 6)
    [InlineData(ChannelMode.Full, 1, 3, 5, 2)]    // backward-input through Z = Wᵀ·dy
    [InlineData(ChannelMode.Shared, 2, 3, 7, 2)]
    public void P4m28_matches_the_definition_at_random_positions(ChannelMode mode, int batch, int inCh, int outCh, int threads)
    {
        int l = P4m28.Order, k = P4m28.KernelSize;
        Assert.Equal(6272, l);
        Assert.Equal(72, k);
        var r = new Random(28 + inCh);
        var s = new GmShape(batch, inCh, outCh, mode);
        var x = Rand.Floats(r, batch * inCh * l);
        var w = Rand.Floats(r, KernelChecks.WeightLength(s, k));
        var bias = Rand.Floats(r, outCh);
        var dy = Rand.Floats(r, batch * outCh * l);
        var h = P4m28.KernelElements.ToArray();
        var hInv = h.Select(P4m28.Inverse).ToArray();
        double W(int o, int i, int q) => mode == ChannelMode.Full ? w[(o * inCh + i) * k + q] : w[o * k + q];

        var y = new float[batch * outCh * l];
        var dx = new float[x.Length];
        var dw = new float[w.Length];
        var db = new float[outCh];
        using (Threads.Use(threads))
        {
            P4m28.Forward(s, x, w, bias, y);
            P4m28.BackwardInput(s, dy, w, dx);
            P4m28.BackwardWeights(s, x, dy, dw, db);
        }

        static void Near(double expected, float actual, string what) =>
            Assert.True(Math.Abs(expected - actual) <= 1e-4 * (1 + Math.Abs(expected)), $"{what}: expected {expected:G9}, kernel {actual:G9}");
        for (int n = 0; n < 200; n++)
        {
            int b = r.Next(batch), o = r.Next(outCh), i = r.Next(inCh), a = r.Next(l);
            double yy = bias[o];
            for (int c = 0; c < inCh; c++)
                for (int q = 0; q < k; q++) yy += W(o, c, q) * x[(b * inCh + c) * l + P4m28.Multiply(a, hInv[q])];
            Near(yy, y[(b * outCh + o) * l + a], $"y[{b},{o},{a}]");

            double dxx = 0;
            for (int c = 0; c < outCh; c++)
                for (int q = 0; q < k; q++) dxx += W(c, i, q) * dy[(b * outCh + c) * l + P4m28.Multiply(a, h[q])];
            Near(dxx, dx[(b * inCh + i) * l + a], $"dx[{b},{i},{a}]");
        }
        for (int n = 0; n < 6; n++)
        {
            int o = r.Next(outCh), i = mode == ChannelMode.Full ? r.Next(inCh) : 0, q = r.Next(k);
            double dww = 0;
            for (int b = 0; b < batch; b++)
                for (int a = 0; a < l; a++)
                {
                    double xs = 0;
                    if (mode == ChannelMode.Full) xs = x[(b * inCh + i) * l + P4m28.Multiply(a, hInv[q])];
                    else for (int c = 0; c < inCh; c++) xs += x[(b * inCh + c) * l + P4m28.Multiply(a, hInv[q])];
                    dww += dy[(b * outCh + o) * l + a] * xs;
                }
            Near(dww, dw[mode == ChannelMode.Full ? (o * inCh + i) * k + q : o * k + q], $"dw[{o},{i},{q}]");
        }
        for (int o = 0; o < outCh; o++)
        {
            double sum = 0;
            for (int b = 0; b < batch; b++) for (int a = 0; a < l; a++) sum += dy[(b * outCh + o) * l + a];
            Near(sum, db[o], $"dbias[{o}]");
        }
    }
}
