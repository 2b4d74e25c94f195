namespace GmCodegen.OnnxTests;

/// <summary>A network with a layer that has no ONNX form is refused with a message naming the layer, and nothing is written.</summary>
public sealed class FailureTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), $"onnx-fail-{Guid.NewGuid():N}");

    public FailureTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    /// <summary>A layer the exporter does not know: y = 2x.</summary>
    sealed class Doubler(string name, Shape shape) : Layer(name, shape, shape)
    {
        float[] _y = [];
        public override float[] Forward(float[] x, int batch, bool training)
        {
            CheckForward(x, batch);
            var y = Reuse(ref _y, batch * Input.Size);
            for (int j = 0; j < batch * Input.Size; j++) y[j] = 2 * x[j];
            return y;
        }
        public override float[] Backward(float[] dy, int batch) => throw new NotSupportedException();
    }

    static Network WithUnknownLayer()
    {
        var shape = new Shape(3, Torus4.Order);
        var conv = Network.Build(Layers.GMConv<Torus4>(3), shape, 1).Root;
        return new Network(new Sequential("", [conv, new Doubler("block.double", shape)]));
    }

    [Fact]
    public void An_unknown_layer_is_named_and_no_file_is_created()
    {
        string path = Path.Combine(_dir, "m.onnx");
        var e = Assert.Throws<NotSupportedException>(() => Onnx.Export(WithUnknownLayer(), path));
        Assert.Contains("Doubler 'block.double'", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(_dir));   // neither the file nor a temporary
    }

    [Fact]
    public void An_unknown_layer_leaves_an_existing_file_as_it_was()
    {
        string path = Path.Combine(_dir, "m.onnx");
        var good = Network.Build(Layers.GMConv<Torus4>(2), new Shape(3, Torus4.Order), 1);
        Onnx.Export(good, path);
        var before = File.ReadAllBytes(path);
        Assert.Throws<NotSupportedException>(() => Onnx.Export(WithUnknownLayer(), path));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void A_directory_as_the_destination_is_refused_and_arguments_are_checked()
    {
        var good = Network.Build(Layers.GMConv<Torus4>(2), new Shape(3, Torus4.Order), 1);
        Assert.Throws<IOException>(() => Onnx.Export(good, _dir));
        Assert.Throws<ArgumentException>(() => Onnx.Export(good, " "));
        Assert.Throws<ArgumentNullException>(() => Onnx.Export(null!, Path.Combine(_dir, "m.onnx")));
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void The_metadata_given_is_kept_and_the_version_is_added()
    {
        string path = Path.Combine(_dir, "m.onnx");
        var good = Network.Build(Layers.GMConv<Dihedral4>(2), new Shape(3, Dihedral4.Order), 1);
        Onnx.Export(good, path, new Dictionary<string, string> { ["radius"] = "2", ["note"] = "ε" });
        using var session = Ort.Session(path);
        var meta = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal("2", meta["radius"]);
        Assert.Equal("ε", meta["note"]);
        Assert.Equal("D4", meta[Onnx.GroupKey]);
        Assert.Equal(Onnx.Version, meta[Onnx.VersionKey]);
        Assert.Equal($"root: D4, K = {Dihedral4.KernelSize}", meta[Onnx.LayersKey]);
        Assert.Equal([-1, 3, Dihedral4.Order], session.InputMetadata["x"].Dimensions);
        Assert.Equal([-1, 2, Dihedral4.Order], session.OutputMetadata["y"].Dimensions);
    }
}
