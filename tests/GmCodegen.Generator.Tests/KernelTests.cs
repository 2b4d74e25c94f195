namespace GmCodegen.Generator.Tests;

/// <summary>Every emitted kernel against the dense definition, in both channel modes, on 1 and 2 threads.</summary>
public class KernelTests
{
    public static TheoryData<string> GroupNames => new(Groups.All.Keys);

    [Theory, MemberData(nameof(GroupNames))]
    public void Kernels_match_dense_reference(string group) => Groups.All[group].MatchesDense();

    [Theory, MemberData(nameof(GroupNames))]
    public void Gradients_match_central_differences(string group) => Groups.All[group].GradientsMatchFiniteDifferences();

    [Theory, MemberData(nameof(GroupNames))]
    public void Forward_is_exactly_equivariant(string group) => Groups.All[group].Equivariant();

    [Theory, MemberData(nameof(GroupNames))]
    public void Group_law_holds(string group) => Groups.All[group].GroupLaw();

    /// <summary>Same inputs, same bits, whatever the thread count (the weight-gradient reduction is chunked independently of it).</summary>
    [Theory]
    [InlineData(3)]    // backward-input through Z = Wᵀ·dy
    [InlineData(12)]   // backward-input as a panel pass
    public void Results_do_not_depend_on_the_thread_count(int inChannels)
    {
        var r = new Random(5);
        var s = new GmShape(13, inChannels, 7, ChannelMode.Full);
        int l = D5xD5r2.Order;
        var x = Rand.Floats(r, s.Batch * s.InChannels * l);
        var w = Rand.Floats(r, KernelChecks.WeightLength(s, D5xD5r2.KernelSize));
        var dy = Rand.Floats(r, s.Batch * s.OutChannels * l);
        (float[], float[], float[], float[]) Run(int threads)
        {
            using var _ = Threads.Use(threads);
            var y = new float[dy.Length]; var dx = new float[x.Length]; var dw = new float[w.Length]; var db = new float[s.OutChannels];
            D5xD5r2.Forward(s, x, w, [], y);
            D5xD5r2.BackwardInput(s, dy, w, dx);
            D5xD5r2.BackwardWeights(s, x, dy, dw, db);
            return (y, dx, dw, db);
        }
        var one = Run(1);
        foreach (int threads in new[] { 2, 3, 8 })
        {
            var many = Run(threads);
            Assert.Equal(one.Item1, many.Item1);
            Assert.Equal(one.Item2, many.Item2);
            Assert.Equal(one.Item3, many.Item3);
            Assert.Equal(one.Item4, many.Item4);
        }
    }
}

/// <summary>The same checks for one group type, reached from a theory row by name.</summary>
public interface IGroupChecks
{
    void MatchesDense();
    void GradientsMatchFiniteDifferences();
    void Equivariant();
    void GroupLaw();
}

public sealed class Checks<T> : IGroupChecks where T : IGroupKernel
{
    public void MatchesDense()
    {
        var r = new Random(T.Order * 31 + T.KernelSize);
        // Odd sizes; 7 output channels exercise both the 6-row register block and its remainder; 12 input channels
        // take full-mode backward-input through the panel pass (3 through Z = Wᵀ·dy).
        foreach (var mode in new[] { ChannelMode.Shared, ChannelMode.Full })
        foreach (var (batch, inCh, outCh) in new[] { (3, 3, 7), (1, 1, 1), (2, 2, 13), (2, 12, 5) })
        foreach (int threads in new[] { 1, 2 })
        {
            var s = new GmShape(batch, inCh, outCh, mode);
            int l = T.Order;
            var x = Rand.Floats(r, batch * inCh * l);
            var w = Rand.Floats(r, KernelChecks.WeightLength(s, T.KernelSize));
            var bias = Rand.Floats(r, outCh);
            var dy = Rand.Floats(r, batch * outCh * l);
            using var _ = Threads.Use(threads);
            string tag = $"{typeof(T).Name} {mode} B{batch} I{inCh} O{outCh} threads {threads}";

            var y = new float[batch * outCh * l];
            T.Forward(s, x, w, bias, y);
            Close.All(DenseReference.Forward<T>(s, x, w, bias), y, what: "y " + tag);
            T.Forward(s, x, w, [], y);
            Close.All(DenseReference.Forward<T>(s, x, w, []), y, what: "y (no bias) " + tag);

            var dx = Enumerable.Repeat(float.NaN, x.Length).ToArray();   // overwritten, whatever it held
            T.BackwardInput(s, dy, w, dx);
            Close.All(DenseReference.BackwardInput<T>(s, dy, w), dx, what: "dx " + tag);

            var dw = Enumerable.Repeat(float.NaN, w.Length).ToArray();
            var db = Enumerable.Repeat(float.NaN, outCh).ToArray();
            T.BackwardWeights(s, x, dy, dw, db);
            var (edw, edb) = DenseReference.BackwardWeights<T>(s, x, dy);
            Close.All(edw, dw, what: "dw " + tag);
            Close.All(edb, db, what: "dbias " + tag);
            T.BackwardWeights(s, x, dy, dw, []);
            Close.All(edw, dw, what: "dw (no bias) " + tag);
        }
    }

    /// <summary>ℓ = Σ r·y; the kernels' gradients against central differences of ℓ computed in double.</summary>
    public void GradientsMatchFiniteDifferences()
    {
        var r = new Random(7 + T.Order);
        foreach (var mode in new[] { ChannelMode.Shared, ChannelMode.Full })
        {
            var s = new GmShape(2, 2, 3, mode);
            int l = T.Order;
            var x = Rand.Floats(r, s.Batch * s.InChannels * l);
            var w = Rand.Floats(r, KernelChecks.WeightLength(s, T.KernelSize));
            var bias = Rand.Floats(r, s.OutChannels);
            var rr = Rand.Floats(r, s.Batch * s.OutChannels * l);
            double Loss(float[] xx, float[] ww, float[] bb) =>
                DenseReference.Forward<T>(s, xx, ww, bb).Select((v, n) => v * rr[n]).Sum();

            var dx = new float[x.Length];
            var dw = new float[w.Length];
            var db = new float[bias.Length];
            T.BackwardInput(s, rr, w, dx);
            T.BackwardWeights(s, x, rr, dw, db);

            // The loss is linear in each argument, so a large step is exact up to rounding.
            const float eps = 0.5f;
            double Central(float[] p, int n, Func<double> loss)
            {
                float keep = p[n];
                p[n] = keep + eps; double up = loss();
                p[n] = keep - eps; double down = loss();
                p[n] = keep;
                return (up - down) / (2 * eps);
            }
            void Near(double fd, float analytic, string what) =>
                Assert.True(Math.Abs(fd - analytic) <= 1e-4 * (1 + Math.Abs(fd)), $"{typeof(T).Name} {mode} {what}: finite difference {fd:G9}, kernel {analytic:G9}");
            foreach (int n in Sample(r, x.Length)) Near(Central(x, n, () => Loss(x, w, bias)), dx[n], $"dx[{n}]");
            foreach (int n in Sample(r, w.Length)) Near(Central(w, n, () => Loss(x, w, bias)), dw[n], $"dw[{n}]");
            for (int n = 0; n < bias.Length; n++) Near(Central(bias, n, () => Loss(x, w, bias)), db[n], $"dbias[{n}]");
        }
    }

    static IEnumerable<int> Sample(Random r, int n) => n <= 24 ? Enumerable.Range(0, n) : Enumerable.Range(0, 24).Select(_ => r.Next(n));

    /// <summary>Forward(L_u x) = L_u Forward(x), (L_u x)(a) = x(u⁻¹·g_a), for every u (or a sample for large groups).</summary>
    public void Equivariant()
    {
        var r = new Random(3);
        int l = T.Order;
        foreach (var mode in new[] { ChannelMode.Shared, ChannelMode.Full })
        {
            var s = new GmShape(1, 2, 3, mode);
            var x = Rand.Floats(r, s.InChannels * l);
            var w = Rand.Floats(r, KernelChecks.WeightLength(s, T.KernelSize));
            var bias = Rand.Floats(r, s.OutChannels);
            var y = new float[s.OutChannels * l];
            T.Forward(s, x, w, bias, y);
            var us = l <= 64 ? Enumerable.Range(0, l) : Enumerable.Range(0, 16).Select(_ => r.Next(l));
            foreach (int u in us)
            {
                var yu = new float[y.Length];
                T.Forward(s, Translate(x, s.InChannels, u), w, bias, yu);
                var expected = Translate(y, s.OutChannels, u);
                for (int n = 0; n < y.Length; n++)
                    Assert.True(Math.Abs(expected[n] - yu[n]) <= 1e-4f * (1 + Math.Abs(expected[n])), $"{typeof(T).Name} {mode} u={u} at {n}: {expected[n]} vs {yu[n]}");
            }
        }
    }

    static float[] Translate(float[] f, int channels, int u)
    {
        int l = T.Order, uInv = T.Inverse(u);
        var g = new float[f.Length];
        for (int c = 0; c < channels; c++)
        for (int a = 0; a < l; a++) g[c * l + a] = f[c * l + T.Multiply(uInv, a)];
        return g;
    }

    public void GroupLaw()
    {
        int l = T.Order;
        var r = new Random(11);
        var elems = l <= 48 ? Enumerable.Range(0, l).ToArray() : Enumerable.Range(0, 48).Select(_ => r.Next(l)).Append(0).ToArray();
        foreach (int a in elems)
        {
            Assert.Equal(a, T.Multiply(0, a));
            Assert.Equal(a, T.Multiply(a, 0));
            Assert.Equal(0, T.Multiply(a, T.Inverse(a)));
            Assert.Equal(0, T.Multiply(T.Inverse(a), a));
            foreach (int b in elems)
            {
                int ab = T.Multiply(a, b);
                Assert.InRange(ab, 0, l - 1);
                foreach (int c in elems.Take(12))
                    Assert.Equal(T.Multiply(ab, c), T.Multiply(a, T.Multiply(b, c)));
            }
        }
        // Each row of the Cayley table is a permutation (a Latin square), for the checked rows.
        foreach (int a in elems.Take(8))
            Assert.Equal(l, Enumerable.Range(0, l).Select(b => T.Multiply(a, b)).Distinct().Count());
        Assert.Equal(T.KernelSize, T.KernelElements.ToArray().Distinct().Count());
    }
}

/// <summary>Temporarily sets the kernels' thread count.</summary>
public sealed class Threads : IDisposable
{
    static readonly object Gate = new();
    readonly int _previous;
    Threads(int n) { Monitor.Enter(Gate); _previous = KernelParallelism.MaxDegree; KernelParallelism.MaxDegree = n; }
    public static Threads Use(int n) => new(n);
    public void Dispose() { KernelParallelism.MaxDegree = _previous; Monitor.Exit(Gate); }
}
