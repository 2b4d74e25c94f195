namespace GmCodegen.Runtime.Tests;

/// <summary>
/// Issue 10's property test: random shapes, wrong lengths and overlapping spans fed to every kernel entry point, on
/// spans cut from one larger array whose every other float is a sentinel. Each call must either compute the naive
/// reference's result or throw ArgumentException, and must never write a float outside its output spans (a refused
/// call writes nothing at all).
/// </summary>
public class KernelArgumentPropertyTests
{
    const float Sentinel = -31337.25f;

    enum Pass { Forward, BackwardInput, BackwardWeights }

    /// <summary>A span of the arena: where it starts and how long it is.</summary>
    readonly record struct Slot(int Offset, int Length)
    {
        public int End => Offset + Length;
        public bool Overlaps(Slot o) => Length > 0 && o.Length > 0 && Offset < o.End && o.Offset < End;
    }

    public static TheoryData<string> Kernels => ["generated D4 x D4", "generated C8 x C8", "naive D4 x D4"];

    [Theory, MemberData(nameof(Kernels))]
    public void Every_call_is_correct_or_refused_and_never_writes_outside_its_outputs(string kernel)
    {
        int seed = kernel.Length * 7919 + kernel[10];
        var (correct, refused) = kernel switch
        {
            "generated D4 x D4" => Trials<GeneratedD4xD4>(seed),
            "generated C8 x C8" => Trials<GeneratedC8xC8>(seed),
            _ => Trials<D4xD4>(seed),
        };
        // The generator of cases must exercise both outcomes, or the property says little.
        Assert.True(correct >= 40, $"only {correct} calls ran");
        Assert.True(refused >= 40, $"only {refused} calls were refused");
    }

    static (int Correct, int Refused) Trials<T>(int seed) where T : IGroupKernel
    {
        var r = new Random(seed);
        int correct = 0, refused = 0;
        for (int trial = 0; trial < 240; trial++)
        {
            var pass = (Pass)r.Next(3);
            var mode = r.Next(8) == 0 ? (ChannelMode)7 : r.Next(2) == 0 ? ChannelMode.Shared : ChannelMode.Full;
            int batch = Pick(r, [3, 2, 1, 0, -1]), inCh = Pick(r, [2, 7, 1, 6, 0, -2]), outCh = Pick(r, [3, 1, 6, 0]);
            var s = new GmShape(batch, inCh, outCh, mode);
            int l = T.Order, k = T.KernelSize;
            int xs = Math.Max(0, batch * inCh * l), ys = Math.Max(0, batch * outCh * l);
            int ws = Math.Max(0, mode == ChannelMode.Full ? outCh * inCh * k : outCh * k);
            int bs = r.Next(3) == 0 ? 0 : Math.Max(0, outCh);
            // Lengths: mostly right, sometimes a few floats off.
            int Len(int n) => r.Next(10) == 0 ? Math.Max(0, n + r.Next(-3, 4)) : n;
            Slot[] slots = pass switch
            {
                Pass.Forward => [new(0, Len(xs)), new(0, Len(ws)), new(0, Len(bs)), new(0, Len(ys))],          // x, w, bias | y
                Pass.BackwardInput => [new(0, Len(ys)), new(0, Len(ws)), new(0, Len(xs))],                     // dy, w | dx
                _ => [new(0, Len(xs)), new(0, Len(ys)), new(0, Len(ws)), new(0, Len(bs))],                     // x, dy | dw, dbias
            };
            int firstOutput = pass switch { Pass.Forward => 3, Pass.BackwardInput => 2, _ => 2 };
            var arena = Place(r, slots, overlap: r.Next(3) == 0);
            var before = (float[])arena.Clone();
            var copies = slots.Select(sl => arena.AsSpan(sl.Offset, sl.Length).ToArray()).ToArray();
            Span<float> S(int j) => arena.AsSpan(slots[j].Offset, slots[j].Length);

            bool ran;
            try
            {
                switch (pass)
                {
                    case Pass.Forward: T.Forward(s, S(0), S(1), S(2), S(3)); break;
                    case Pass.BackwardInput: T.BackwardInput(s, S(0), S(1), S(2)); break;
                    default: T.BackwardWeights(s, S(0), S(1), S(2), S(3)); break;
                }
                ran = true;
            }
            catch (ArgumentException)
            {
                ran = false;
            }
            string what = $"trial {trial}: {pass} {s} lengths [{string.Join(", ", slots.Select(sl => sl.Length))}] at [{string.Join(", ", slots.Select(sl => sl.Offset))}]";

            // Nothing outside the outputs changes, ever; a refused call changes nothing at all.
            var written = new bool[arena.Length];
            if (ran)
                foreach (var sl in slots[firstOutput..])
                    for (int i = sl.Offset; i < sl.End; i++) written[i] = true;
            for (int i = 0; i < arena.Length; i++)
                if (!written[i] && BitConverter.SingleToInt32Bits(arena[i]) != BitConverter.SingleToInt32Bits(before[i]))
                    Assert.Fail($"{what}: float {i} of the arena changed from {before[i]} to {arena[i]}");
            if (!ran) { refused++; continue; }

            // It ran, so the call was valid: the outputs are the naive kernel's on copies of the inputs.
            Assert.True(slots[firstOutput..].All(o => slots[..firstOutput].All(i => !o.Overlaps(i))) &&
                        (slots.Length - firstOutput < 2 || !slots[firstOutput].Overlaps(slots[firstOutput + 1])), $"{what}: overlapping outputs were accepted");
            var expected = slots[firstOutput..].Select(sl => new float[sl.Length]).ToArray();
            switch (pass)
            {
                case Pass.Forward: NaiveGm<T>.Forward(s, copies[0], copies[1], copies[2], expected[0]); break;
                case Pass.BackwardInput: NaiveGm<T>.BackwardInput(s, copies[0], copies[1], expected[0]); break;
                default: NaiveGm<T>.BackwardWeights(s, copies[0], copies[1], expected[0], expected[1]); break;
            }
            for (int o = 0; o < expected.Length; o++)
            {
                var got = S(firstOutput + o);
                for (int i = 0; i < got.Length; i++)
                    Assert.True(Math.Abs(got[i] - expected[o][i]) <= 1e-3f * (1 + Math.Abs(expected[o][i])),
                        $"{what}: output {o}[{i}] = {got[i]}, expected {expected[o][i]}");
            }
            correct++;
        }
        return (correct, refused);
    }

    /// <summary>
    /// Lays the slots out in one arena with sentinel gaps and guard regions; with <paramref name="overlap"/>, one slot is
    /// moved onto another (so an output may share memory with an input, or inputs with each other). Slots get random values.
    /// </summary>
    static float[] Place(Random r, Slot[] slots, bool overlap)
    {
        int at = 16 + r.Next(8);
        for (int j = 0; j < slots.Length; j++)
        {
            slots[j] = slots[j] with { Offset = at };
            at += slots[j].Length + r.Next(0, 9);
        }
        if (overlap && slots.Length > 1)
        {
            int a = r.Next(slots.Length), b = (a + 1 + r.Next(slots.Length - 1)) % slots.Length;
            int shift = slots[b].Length == 0 ? 0 : r.Next(-Math.Min(slots[a].Length, 5), slots[b].Length);
            slots[a] = slots[a] with { Offset = Math.Max(0, slots[b].Offset + shift) };
        }
        int size = slots.Max(sl => sl.End) + 16 + r.Next(8);
        var arena = new float[size];
        Array.Fill(arena, Sentinel);
        foreach (var sl in slots)
            for (int i = sl.Offset; i < sl.End; i++) arena[i] = (float)(r.NextDouble() * 2 - 1);
        return arena;
    }

    static int Pick(Random r, int[] values) => values[Math.Min(values.Length - 1, (int)(values.Length * Math.Pow(r.NextDouble(), 2)))];

    [Fact]
    public void The_gemm_is_correct_or_refused_for_random_strides_and_overlaps_and_never_writes_outside_C()
    {
        var r = new Random(99);
        int v = System.Numerics.Vector<float>.Count, correct = 0, refused = 0;
        for (int trial = 0; trial < 1500; trial++)
        {
            int m = r.Next(-1, 9), n = v * r.Next(-1, 4) + (r.Next(8) == 0 ? 3 : 0), depth = r.Next(-1, 7);
            int Stride(int typical) => r.Next(6) == 0 ? -r.Next(1, 40) : r.Next(8) == 0 ? 0 : typical + r.Next(0, 5);
            int lda = Stride(Math.Max(depth, 1)), aStep = Stride(1), ldb = Stride(Math.Max(n, 1)), ldc = Stride(Math.Max(n, 1));
            bool accumulate = r.Next(2) == 0, withBias = !accumulate && r.Next(2) == 0;
            int Need(long n0) => (int)Math.Clamp(n0 + (r.Next(6) == 0 ? r.Next(-4, 2) : 0), 0, 4000);
            var slots = new Slot[]
            {
                new(0, Need((long)Math.Max(m - 1, 0) * Math.Abs(lda) + (long)Math.Max(depth - 1, 0) * Math.Abs(aStep) + 1)),   // A
                new(0, Need((long)Math.Max(depth - 1, 0) * Math.Abs(ldb) + Math.Max(n, 0))),                                // B
                new(0, withBias ? Need(Math.Max(m, 0)) : 0),                                                                // bias
                new(0, Need((long)Math.Max(m - 1, 0) * Math.Abs(ldc) + Math.Max(n, 0))),                                    // C
            };
            var arena = Place(r, slots, overlap: r.Next(4) == 0);
            var before = (float[])arena.Clone();
            var (a, b, bias, c) = (slots[0], slots[1], slots[2], slots[3]);
            bool ran;
            try
            {
                GmGemm.Multiply(m, n, depth, arena.AsSpan(a.Offset, a.Length), lda, aStep, arena.AsSpan(b.Offset, b.Length), ldb,
                    arena.AsSpan(c.Offset, c.Length), ldc, accumulate, arena.AsSpan(bias.Offset, bias.Length));
                ran = true;
            }
            catch (ArgumentException) { ran = false; }
            string what = $"trial {trial}: m {m} n {n} depth {depth} lda {lda} aStep {aStep} ldb {ldb} ldc {ldc} acc {accumulate} slots [{string.Join(", ", slots)}]";
            var written = new bool[arena.Length];
            if (ran)
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++) written[c.Offset + i * ldc + j] = true;
            for (int i = 0; i < arena.Length; i++)
                if (!written[i] && BitConverter.SingleToInt32Bits(arena[i]) != BitConverter.SingleToInt32Bits(before[i]))
                    Assert.Fail($"{what}: float {i} changed from {before[i]} to {arena[i]}");
            if (!ran) { refused++; continue; }
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double e = accumulate ? before[c.Offset + i * ldc + j] : bias.Length > 0 ? before[bias.Offset + i] : 0;   // an empty bias is no bias
                    for (int q = 0; q < depth; q++)
                        e += (double)before[a.Offset + i * lda + q * aStep] * before[b.Offset + q * ldb + j];
                    float got = arena[c.Offset + i * ldc + j];
                    Assert.True(Math.Abs(got - e) <= 1e-4 * (1 + Math.Abs(e)) * Math.Max(1, depth), $"{what}: C[{i},{j}] = {got}, expected {e}");
                }
            correct++;
        }
        Assert.True(correct >= 200 && refused >= 200, $"{correct} ran, {refused} refused");
    }
}
