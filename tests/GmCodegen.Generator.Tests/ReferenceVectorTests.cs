using System.IO.Compression;
using System.Text;

namespace GmCodegen.Generator.Tests;

/// <summary>
/// Index tables and forward outputs computed by the paper's published code (ReferenceVectors/, format in
/// docs/design.md#reference-vectors): our conventions must match them number for number.
/// </summary>
public class ReferenceVectorTests
{
    sealed record Case(string Name, int K, int L, int B, int I, int O, int[] Index, float[] X, float[] W, float[] Bias, float[] Y);

    static List<Case> Load()
    {
        using var raw = typeof(ReferenceVectorTests).Assembly.GetManifestResourceStream("gmconv-reference.bin.gz")!;
        using var gz = new GZipStream(raw, CompressionMode.Decompress);
        using var r = new BinaryReader(gz);
        int count = r.ReadInt32();
        var cases = new List<Case>();
        for (int c = 0; c < count; c++)
        {
            string name = Encoding.UTF8.GetString(r.ReadBytes(r.ReadInt32()));
            int k = r.ReadInt32(), l = r.ReadInt32(), b = r.ReadInt32(), i = r.ReadInt32(), o = r.ReadInt32();
            int[] Ints(int n) => Enumerable.Range(0, n).Select(_ => r.ReadInt32()).ToArray();
            float[] Floats(int n) => Enumerable.Range(0, n).Select(_ => r.ReadSingle()).ToArray();
            cases.Add(new Case(name, k, l, b, i, o, Ints(k * l), Floats(b * i * l), Floats(o * k), Floats(o), Floats(b * o * l)));
        }
        return cases;
    }

    [Fact]
    public void File_holds_the_two_documented_cases() =>
        Assert.Equal(["C8 x C8", "D5 x D5"], Load().Select(c => c.Name));

    [Fact]
    public void C8xC8_radius1_matches_the_reference_code() => Check<C8xC8r1>(Load().Single(c => c.Name == "C8 x C8"));

    [Fact]
    public void D5xD5_radius2_matches_the_reference_code() => Check<D5xD5r2>(Load().Single(c => c.Name == "D5 x D5"));

    static void Check<T>(Case c) where T : IGroupKernel
    {
        Assert.Equal(c.L, T.Order);
        Assert.Equal(c.K, T.KernelSize);
        Assert.Equal(c.Index, NaiveGm.ForwardTable<T>());
        var s = new GmShape(c.B, c.I, c.O, ChannelMode.Shared);
        var y = new float[c.Y.Length];
        T.Forward(s, c.X, c.W, c.Bias, y);
        for (int n = 0; n < y.Length; n++)
            Assert.True(Math.Abs(y[n] - c.Y[n]) <= 1e-4f * (1 + Math.Abs(c.Y[n])), $"{c.Name} y[{n}]: reference {c.Y[n]}, ours {y[n]}");
    }
}
