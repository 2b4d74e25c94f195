using System.IO.Compression;
using GmCodegen;

namespace GmCodegen.Bench;

/// <summary>
/// Check of the bench's own group tables against the reference vectors computed with the paper's code (the tests' copy,
/// `tests/GmCodegen.Generator.Tests/ReferenceVectors/gmconv-reference.bin.gz`; docs/design.md#reference-vectors): index
/// tables and NaiveGm's forward on the recorded inputs. Skipped when the file is missing.
/// </summary>
public static class ReferenceVectors
{
    public static List<Check> Verify(string repoRoot)
    {
        var checks = new List<Check>();
        string path = Path.GetFullPath(Path.Combine(repoRoot, "tests", "GmCodegen.Generator.Tests", "ReferenceVectors", "gmconv-reference.bin.gz"));
        if (!File.Exists(path)) { Console.WriteLine($"[tables] {path} not found: reference-vector check skipped"); return checks; }
        using var r = new BinaryReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress));
        int cases = r.ReadInt32();
        for (int n = 0; n < cases; n++)
        {
            string name = System.Text.Encoding.UTF8.GetString(r.ReadBytes(r.ReadInt32()));
            int k = r.ReadInt32(), l = r.ReadInt32(), b = r.ReadInt32(), i = r.ReadInt32(), o = r.ReadInt32();
            int[] idx = Enumerable.Range(0, k * l).Select(_ => r.ReadInt32()).ToArray();
            float[] F(int len) => Enumerable.Range(0, len).Select(_ => r.ReadSingle()).ToArray();
            float[] x = F(b * i * l), w = F(o * k), bias = F(o), y = F(b * o * l);
            var g = FiniteGroup.Parse(name);
            int radius = Enumerable.Range(0, l).FirstOrDefault(t => g.Neighbourhood(t).Length == k, -1);
            bool tableOk = radius >= 0 && g.Order == l && g.ForwardTable(radius).AsSpan().SequenceEqual(idx);
            var mine = new float[y.Length];
            NaiveGm.Forward(l, k, radius >= 0 ? g.ForwardTable(radius) : idx, new GmShape(b, i, o, ChannelMode.Shared), x, w, bias, mine);
            double err = mine.Zip(y, (p, q) => Math.Abs(p - q)).Max() / Math.Max(1e-30, y.Max(Math.Abs));
            checks.Add(new Check(name, radius, "Shared", "bench tables + NaiveGm vs paper's code", err, double.NaN, double.NaN, double.NaN, tableOk && err < 1e-4));
            Console.WriteLine($"[tables] {name} r{radius}: index table {(tableOk ? "identical" : "DIFFERENT")}, NaiveGm forward rel. error {err:E1}");
        }
        return checks;
    }
}
