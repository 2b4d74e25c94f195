using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace GmCodegen.Data.Tests;

public class SafeTensorsTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    static readonly Dictionary<string, string> Meta = new()
    {
        ["group"] = "D14 x D14",
        ["architecture"] = "gmcnn(radius=3, blocks=[120,120], \"shared\")",
        ["note"] = "p4(7) = (C7 x C7) ⋊ C4",
    };

    /// <summary>A small model; values drawn from <paramref name="seed"/>, plus awkward floats (NaN payloads, −0, ∞,
    /// subnormals) to prove the round trip is bitwise.</summary>
    static List<Parameter> Model(int seed)
    {
        var ps = new List<Parameter>
        {
            new("block0.conv.weight", 4, 2, 7),
            new("block0.conv.bias", 4) { Decay = false },
            new("head.weight", 10, 4),
            new("prelu.alpha", 1),
        };
        var r = new Random(seed);
        foreach (var p in ps)
            for (int i = 0; i < p.Size; i++) p.Value[i] = (float)(r.NextDouble() * 2 - 1);
        var w = ps[0].Value;
        w[0] = BitConverter.Int32BitsToSingle(0x7FC01234); // NaN with a payload
        w[1] = -0f;
        w[2] = float.PositiveInfinity;
        w[3] = float.Epsilon;
        w[4] = BitConverter.Int32BitsToSingle(unchecked((int)0xFFBADBAD));
        return ps;
    }

    /// <summary>Same names and shapes, values set to a sentinel so an unwanted write shows.</summary>
    static List<Parameter> Blank(List<Parameter> like, float sentinel = 12345f) =>
        like.Select(p => { var q = new Parameter(p.Name, [.. p.Shape]); Array.Fill(q.Value, sentinel); return q; }).ToList();

    static int[] Bits(IEnumerable<Parameter> ps) => ps.SelectMany(p => p.Value.Select(BitConverter.SingleToInt32Bits)).ToArray();

    static void AssertUntouched(List<Parameter> ps, float sentinel = 12345f) =>
        Assert.All(ps, p => Assert.All(p.Value, v => Assert.Equal(sentinel, v)));

    /// <summary>Writes a safetensors file by hand (header JSON as given, unpadded), for layouts the writer never makes.</summary>
    static void WriteRaw(string path, string json, byte[] data)
    {
        var header = Encoding.UTF8.GetBytes(json);
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        File.WriteAllBytes(path, bytes);
    }

    [Fact]
    public void Save_then_load_reproduces_values_bit_for_bit_and_metadata()
    {
        var model = Model(1);
        string path = _dir.File("m.safetensors");
        SafeTensors.Save(path, model, Meta);

        var loaded = Blank(model);
        var meta = SafeTensors.Load(path, loaded);
        Assert.Equal(Bits(model), Bits(loaded));
        Assert.Equal(Meta.OrderBy(kv => kv.Key), meta.OrderBy(kv => kv.Key));
        Assert.Equal(Meta.OrderBy(kv => kv.Key), SafeTensors.ReadMetadata(path).OrderBy(kv => kv.Key));

        // Saving over an existing file replaces it.
        var other = Model(2);
        SafeTensors.Save(path, other);
        SafeTensors.Load(path, loaded);
        Assert.Equal(Bits(other), Bits(loaded));
        Assert.Empty(SafeTensors.ReadMetadata(path));
        Assert.Single(Directory.GetFiles(_dir.Path)); // no temp files left behind
    }

    [Fact]
    public void The_layout_is_the_safetensors_format_byte_by_byte()
    {
        var model = Model(3);
        string path = _dir.File("layout.safetensors");
        SafeTensors.Save(path, model, Meta);
        var bytes = File.ReadAllBytes(path);

        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, n % 8); // data section 8-aligned
        int dataStart = 8 + (int)n;
        Assert.Equal(dataStart + model.Sum(p => 4 * p.Size), bytes.Length);

        var json = Encoding.UTF8.GetString(bytes, 8, (int)n);
        Assert.StartsWith("{", json);
        Assert.Equal(json.TrimEnd(' '), json.TrimEnd(' ').TrimEnd()); // only space padding
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal(model.Count + 1, root.EnumerateObject().Count());
        Assert.Equal("D14 x D14", root.GetProperty("__metadata__").GetProperty("group").GetString());

        foreach (var p in model)
        {
            var e = root.GetProperty(p.Name);
            Assert.Equal("F32", e.GetProperty("dtype").GetString());
            Assert.Equal(p.Shape, e.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()));
            var off = e.GetProperty("data_offsets").EnumerateArray().Select(v => v.GetInt64()).ToArray();
            Assert.Equal(4L * p.Size, off[1] - off[0]);
            for (int i = 0; i < p.Size; i++)
            {
                int bits = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(dataStart + (int)off[0] + 4 * i));
                Assert.Equal(BitConverter.SingleToInt32Bits(p.Value[i]), bits);
            }
        }
    }

    [Fact]
    public void A_hand_written_file_loads()
    {
        var data = new byte[24];
        for (int i = 0; i < 6; i++) BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4 * i), i + 0.5f);
        string path = _dir.File("hand.safetensors");
        WriteRaw(path, """{"b":{"dtype":"F32","shape":[2],"data_offsets":[16,24]},"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"__metadata__":{"k":"v"}}""", data);
        var a = new Parameter("a", 2, 2);
        var b = new Parameter("b", 2);
        var meta = SafeTensors.Load(path, [b, a]);
        Assert.Equal([0.5f, 1.5f, 2.5f, 3.5f], a.Value);
        Assert.Equal([4.5f, 5.5f], b.Value);
        Assert.Equal("v", meta["k"]);
    }

    [Theory]
    [InlineData(1, "truncated")]
    [InlineData(100, "truncated")]
    [InlineData(-1, "truncated")]   // cut inside the header
    [InlineData(-2, "too short")]   // cut inside the length
    public void A_truncated_file_is_rejected_and_the_model_untouched(int cut, string expected)
    {
        var model = Model(4);
        string path = _dir.File("t.safetensors");
        SafeTensors.Save(path, model);
        var bytes = File.ReadAllBytes(path);
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        int keep = cut switch { -1 => 8 + headerLength / 2, -2 => 5, _ => bytes.Length - cut };
        File.WriteAllBytes(path, bytes[..keep]);

        var target = Blank(model);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path, target));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
        AssertUntouched(target);
    }

    [Fact]
    public void A_corrupted_header_is_rejected_and_the_model_untouched()
    {
        var model = Model(5);
        string path = _dir.File("c.safetensors");
        SafeTensors.Save(path, model);
        var good = File.ReadAllBytes(path);
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(good);
        var target = Blank(model);

        void Expect(byte[] bytes, string expected)
        {
            File.WriteAllBytes(path, bytes);
            var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path, target));
            Assert.Contains(path, e.Message);
            Assert.Contains(expected, e.Message);
            AssertUntouched(target);
        }

        var json = (byte[])good.Clone();
        json[8 + headerLength / 2] = (byte)'#';
        Expect(json, "not valid JSON");

        var length = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(length, 1UL << 40);
        Expect(length, "declares a header");

        var notObject = (byte[])good.Clone();
        notObject[8] = (byte)'[';
        Expect(notObject, "does not start with '{'");

        // A digit changed inside data_offsets: the tensors no longer tile the data section.
        var text = Encoding.UTF8.GetString(good, 8, headerLength);
        var offsets = text.Replace("\"data_offsets\":[0,", "\"data_offsets\":[4,");
        Assert.NotEqual(text, offsets);
        var shifted = (byte[])good.Clone();
        Encoding.UTF8.GetBytes(offsets).CopyTo(shifted, 8);
        Expect(shifted, "block0.conv.weight");
    }

    [Fact]
    public void Overlapping_gapped_or_padded_layouts_are_rejected()
    {
        string path = _dir.File("layout.safetensors");
        var target = new List<Parameter> { new("a", 2), new("b", 2) };
        foreach (var p in target) Array.Fill(p.Value, 12345f);
        void Expect(string json, int dataBytes, string expected)
        {
            WriteRaw(path, json, new byte[dataBytes]);
            var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path, target));
            Assert.Contains(expected, e.Message);
            AssertUntouched(target);
        }
        Expect("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12, "overlapping");
        Expect("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}}""", 20, "gap");
        Expect("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""", 20, "after the last tensor");
        Expect("""{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""", 16, "shape needs 12");
        Expect("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""", 16, "twice");
        Expect("""{"a":{"dtype":"F99","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""", 16, "unknown dtype");
    }

    [Fact]
    public void A_missing_or_renamed_tensor_is_rejected_by_name_and_the_model_untouched()
    {
        var model = Model(6);
        string path = _dir.File("n.safetensors");
        SafeTensors.Save(path, model);

        var renamed = Blank(model);
        renamed[2] = new Parameter("head.kernel", 10, 4);
        Array.Fill(renamed[2].Value, 12345f);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path, renamed));
        Assert.Contains("'head.kernel' is missing", e.Message);
        Assert.Contains("'head.weight'", e.Message); // the extra one in the file
        AssertUntouched(renamed); // including block0.*, which matched and precede the bad one
    }

    [Fact]
    public void Extra_tensors_are_rejected_unless_allowed()
    {
        var model = Model(7);
        string path = _dir.File("x.safetensors");
        SafeTensors.Save(path, model);
        var subset = Blank(model).Take(2).ToList();

        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path, subset));
        Assert.Contains("the model does not", e.Message);
        AssertUntouched(subset);

        SafeTensors.Load(path, subset, allowExtraTensors: true);
        Assert.Equal(Bits(model.Take(2)), Bits(subset));
    }

    [Fact]
    public void A_wrong_shape_is_rejected_with_both_shapes_and_the_model_untouched()
    {
        var model = Model(8);
        string path = _dir.File("s.safetensors");
        SafeTensors.Save(path, model);
        var target = Blank(model);
        target[2] = new Parameter("head.weight", 4, 10); // same size, transposed shape
        Array.Fill(target[2].Value, 12345f);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path, target));
        Assert.Contains("'head.weight'", e.Message);
        Assert.Contains("[10, 4]", e.Message);
        Assert.Contains("[4, 10]", e.Message);
        AssertUntouched(target);
    }

    [Fact]
    public void A_wrong_dtype_is_rejected_and_the_model_untouched()
    {
        string path = _dir.File("d.safetensors");
        WriteRaw(path, """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F64","shape":[2],"data_offsets":[8,24]}}""", new byte[24]);
        var target = new List<Parameter> { new("a", 2), new("b", 2) };
        foreach (var p in target) Array.Fill(p.Value, 12345f);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path, target));
        Assert.Contains("'b' has dtype F64; expected F32", e.Message);
        AssertUntouched(target);
    }

    /// <summary>Passes writes through until a byte budget is spent, then fails as a full disk or a crash would.</summary>
    sealed class FailingStream(Stream inner, long budget) : Stream
    {
        long _written;
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            int n = (int)Math.Min(buffer.Length, budget - _written);
            inner.Write(buffer[..n]);
            _written += n;
            if (n < buffer.Length) throw new IOException("simulated failure: no space left on device");
        }
        public override void Flush() => inner.Flush();
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _written; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    [Fact]
    public void An_interrupted_save_leaves_the_previous_file_intact()
    {
        var v1 = Model(9);
        string path = _dir.File("model.safetensors");
        SafeTensors.Save(path, v1, Meta);
        var before = File.ReadAllBytes(path);

        var v2 = Model(10);
        var buffer = new MemoryStream();
        SafeTensors.Write(buffer, v2);
        long total = buffer.Length; // what the save of v2 would write
        foreach (long budget in new[] { 0L, 5, 100, total / 2, total - 1 })
        {
            var e = Assert.Throws<IOException>(() => SafeTensors.Save(path, v2, null, s => new FailingStream(s, budget)));
            Assert.Contains("simulated", e.Message);
            Assert.Equal(before, File.ReadAllBytes(path));
            Assert.Equal([path], Directory.GetFiles(_dir.Path)); // the partial temp file is gone
        }
        var loaded = Blank(v1);
        SafeTensors.Load(path, loaded);
        Assert.Equal(Bits(v1), Bits(loaded));

        // A save that cannot even create its temp file leaves nothing behind either.
        string nowhere = Path.Combine(_dir.Path, "no-such-dir", "m.safetensors");
        Assert.Throws<DirectoryNotFoundException>(() => SafeTensors.Save(nowhere, v2));
        Assert.False(Directory.Exists(Path.GetDirectoryName(nowhere)));
    }

    [Fact]
    public void Duplicate_or_reserved_parameter_names_cannot_be_saved()
    {
        string path = _dir.File("dup.safetensors");
        Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, [new Parameter("w", 2), new Parameter("w", 3)]));
        Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, [new Parameter("__metadata__", 2)]));
        Assert.Empty(Directory.GetFiles(_dir.Path));
    }

    [Fact]
    public void Missing_file_and_non_safetensors_file_are_reported_by_name()
    {
        string missing = _dir.File("none.safetensors");
        Assert.Contains(missing, Assert.Throws<FileNotFoundException>(() => SafeTensors.Load(missing, [new Parameter("a", 1)])).Message);

        string idx = _dir.File("digits.idx.gz");
        IdxFile.WriteLabels(idx, new byte[100]);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.ReadHeader(idx));
        Assert.Contains(idx, e.Message);
    }
}
