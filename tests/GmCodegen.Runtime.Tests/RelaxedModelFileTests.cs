namespace GmCodegen.Runtime.Tests;

/// <summary>Relaxed networks in model files: bit-for-bit round trips, and exact/relaxed mismatches named tensor by tensor.</summary>
public sealed class RelaxedModelFileTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("gm-relaxed-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static Network Build(Relaxation? relaxation, int seed) =>
        Network.Build(Architectures.GmCnn<D4xD4>(3, channels: 4, mode: ChannelMode.Full, relaxation: relaxation), new Shape(1, 64), seed);

    /// <summary>Departs from the init (a_j = 0 would make a round trip of zeros prove little).</summary>
    static void Randomise(Network net, int seed)
    {
        var rng = new Random(seed);
        foreach (var p in net.Parameters) GradCheck.RandomArray(rng, p.Size, 0.3).CopyTo(p.Value, 0);
    }

    [Theory]
    [InlineData("ldr:2")]
    [InlineData("ldr:1:per-channel")]
    [InlineData("regression")]
    [InlineData("classification")]
    public void A_relaxed_network_reloads_bit_for_bit(string text)
    {
        var relaxation = Relaxation.Parse(text);
        var saved = Build(relaxation, seed: 1);
        Randomise(saved, 2);
        string path = Path.Combine(_dir, "m.safetensors");
        SafeTensors.Save(path, saved.Parameters, new Dictionary<string, string> { ["relaxation"] = relaxation.ToString() });

        var loaded = Build(Relaxation.Parse(SafeTensors.ReadMetadata(path)["relaxation"]), seed: 9);
        SafeTensors.Load(path, loaded.Parameters);
        Assert.Equal(saved.Parameters.Select(p => p.Name), loaded.Parameters.Select(p => p.Name));
        for (int k = 0; k < saved.Parameters.Count; k++)
            Assert.Equal(saved.Parameters[k].Value.Select(BitConverter.SingleToInt32Bits), loaded.Parameters[k].Value.Select(BitConverter.SingleToInt32Bits));
        var x = GradCheck.RandomArray(new Random(3), 4 * 64);
        Assert.Equal(saved.Forward(x, 4).AsSpan(0, 12).ToArray(), loaded.Forward(x, 4).AsSpan(0, 12).ToArray());
    }

    [Fact]
    public void Loading_a_relaxed_model_into_an_exact_network_names_the_extra_tensors()
    {
        string path = Path.Combine(_dir, "relaxed.safetensors");
        SafeTensors.Save(path, Build(new Relaxation.LowDisplacementRank(1), 1).Parameters);
        var exact = Build(null, 1);
        var before = exact.Parameters.Select(p => p.Value.ToArray()).ToList();
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path, exact.Parameters));
        foreach (var name in new[] { "block0.conv.relax.c", "block0.conv.relax.a", "block1.conv.relax.c", "block1.conv.relax.a" })
            Assert.Contains($"'{name}'", e.Message);
        Assert.Contains("the model does not", e.Message);
        Assert.Equal(before, exact.Parameters.Select(p => p.Value));   // nothing loaded
    }

    [Fact]
    public void Loading_an_exact_model_into_a_relaxed_network_names_the_missing_tensors()
    {
        string path = Path.Combine(_dir, "exact.safetensors");
        SafeTensors.Save(path, Build(null, 1).Parameters);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path, Build(new Relaxation.Regression(), 1).Parameters));
        Assert.Contains("tensor 'block0.conv.relax.e' is missing", e.Message);
        Assert.Contains("tensor 'block1.conv.relax.e' is missing", e.Message);
    }

    [Fact]
    public void A_different_rank_is_a_shape_mismatch()
    {
        string path = Path.Combine(_dir, "ldr2.safetensors");
        SafeTensors.Save(path, Build(new Relaxation.LowDisplacementRank(2), 1).Parameters);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path, Build(new Relaxation.LowDisplacementRank(3), 1).Parameters));
        Assert.Contains("'block0.conv.relax.c' has shape [2, 4, 1, 36]", e.Message);
    }
}
