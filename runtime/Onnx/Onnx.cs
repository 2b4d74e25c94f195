using System.Reflection;
using Google.Protobuf;
using static GmCodegen.OnnxGraph;
using Proto = global::Onnx;

namespace GmCodegen;

/// <summary>
/// Writes a trained <see cref="Network"/> as an ONNX model (docs/onnx.md) that ONNX Runtime runs with the network's
/// inference outputs (<see cref="Network.Forward"/> with <c>training: false</c>). The model has one input, <c>x</c>, of
/// shape [batch, channels, |G|] (or [batch, |G|] for one channel), and one output, <c>y</c>, of shape [batch, channels,
/// positions] ([batch, n] when either is 1), with a symbolic batch dimension. GM layers become a <c>Gather</c> through the
/// precomputed index table idx(a, k) = index(g_a·h_k⁻¹) followed by a <c>MatMul</c>; coset pooling a <c>Gather</c> through
/// the coset table followed by <c>ReduceMax</c>/<c>ReduceMean</c>; dropout is left out (it is the identity in inference).
/// </summary>
public static class Onnx
{
    /// <summary>The operator set the models use (LayerNormalization needs 17; ONNX Runtime 1.31 runs it).</summary>
    public const int Opset = 17;
    /// <summary>The ONNX IR version written: 8, the one that goes with opset 17.</summary>
    public const int IrVersion = 8;
    /// <summary>The metadata key holding the GmCodegen version that wrote the model.</summary>
    public const string VersionKey = "gmcodegen.version";
    /// <summary>The metadata key holding the group the input lives on (when a layer of the network knows it).</summary>
    public const string GroupKey = "gmcodegen.group";
    /// <summary>The metadata key listing each GM layer's group and kernel size K (one "name: group, K = k" line each).</summary>
    public const string LayersKey = "gmcodegen.layers";

    /// <summary>GmCodegen's version, as written to <see cref="VersionKey"/>.</summary>
    public static string Version { get; } =
        typeof(Onnx).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(Onnx).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>
    /// Writes <paramref name="network"/> to <paramref name="path"/> atomically (a temporary in the same directory, flushed,
    /// renamed over the target; the previous file survives any failure). <paramref name="metadata"/> (e.g. the sample's
    /// group, radius and training options) is stored as the model's metadata next to <see cref="VersionKey"/>,
    /// <see cref="GroupKey"/> and <see cref="LayersKey"/>. A layer that has no ONNX form throws
    /// <see cref="NotSupportedException"/> naming it, before any file is touched.
    /// </summary>
    public static void Export(Network network, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var bytes = Serialize(network, metadata);   // every refusal happens here, before the file
        AtomicFile.Write(path, bytes);
    }

    /// <summary>The model file's bytes (what <see cref="Export"/> writes).</summary>
    internal static byte[] Serialize(Network network, IReadOnlyDictionary<string, string>? metadata = null) =>
        ToModel(network, metadata).ToByteArray();

    /// <summary>The model as a protobuf message (for tests and for callers that serialise it themselves).</summary>
    internal static Proto.ModelProto ToModel(Network network, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        var g = new OnnxGraph("gmcodegen");
        Shape input = network.Input, output = network.Output;

        long[] inDims = input.Channels == 1 ? [input.Positions] : [input.Channels, input.Positions];
        g.Graph.Input.Add(Value("x", "batch", inDims));
        g.Fresh("x");
        g.Fresh("y");
        // Inside the graph every value is [N, C, L]; a flat vector is [N, C, 1].
        string x = input.Channels == 1 ? Reshape(g, "x", "input", 0, 1, input.Positions) : "x";
        string y = Emit(g, network.Root, x);
        long[] outDims = output.Channels == 1 || output.Positions == 1 ? [output.Size] : [output.Channels, output.Positions];
        y = outDims.Length == 1 ? Reshape(g, y, "output", 0, output.Size) : g.Node("Identity", "output", [y]);
        // Rename the last value to "y" so callers find the output by a fixed name.
        var last = g.Graph.Node[^1];
        last.Output[0] = "y";
        g.Graph.Output.Add(Value("y", "batch", outDims));

        var model = new Proto.ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "GmCodegen",
            ProducerVersion = Version,
            DocString = $"GmCodegen network {input}{input.OnGroup} → {output}",
            Graph = g.Graph,
        };
        model.OpsetImport.Add(new Proto.OperatorSetIdProto { Domain = "", Version = Opset });
        var entries = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>())
        {
            [VersionKey] = Version,
            [LayersKey] = string.Join("\n", network.Layers.Where(l => l is IGmConvView)
                .Select(l => $"{(l.Name.Length == 0 ? "root" : l.Name)}: {l.Output.Group ?? $"{l.Output.Positions} elements"}, K = {((IGmConvView)l).KernelSize}")),
        };
        // The input's group, as the first layer that knows it says (a network of dense layers only has none).
        if (network.Layers.Select(l => l.Input.Group).FirstOrDefault(n => n is not null) is { } group) entries[GroupKey] = group;
        foreach (var (key, value) in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
            model.MetadataProps.Add(new Proto.StringStringEntryProto { Key = key, Value = value });
        return model;
    }

    /// <summary>
    /// One case per layer kind: the nodes computing <paramref name="layer"/> on the [N, C, L] value <paramref name="x"/>,
    /// returning the [N, C', L'] value of its output.
    /// </summary>
    static string Emit(OnnxGraph g, Layer layer, string x) => layer switch
    {
        Sequential s => s.Children.Aggregate(x, (t, child) => Emit(g, child, t)),
        Residual r => g.Node("Add", r.Name, [Emit(g, r.Body, x), r.Shortcut is null ? x : Emit(g, r.Shortcut, x)]),
        IRelaxedGmConvView c => RelaxedGmConv(g, layer, c, x),
        IGmConvView c => GmConv(g, layer, c, x),
        ICosetPoolView p => CosetPool(g, layer, p, x),
        IPointProjectionView p => Projection(g, layer, p, x),
        ICosetTransposeView t => CosetTranspose(g, layer, t, x),
        LayerNorm n => g.Node("LayerNormalization", n.Name,
            [x, n.Gamma is null ? g.Shared($"{n.Name}.ones", Ones(n.Input.Size), n.Input.Channels, n.Input.Positions)
                                : g.Parameter(n.Gamma, n.Input.Channels, n.Input.Positions),
             .. n.Beta is null ? Array.Empty<string>() : [g.Parameter(n.Beta, n.Input.Channels, n.Input.Positions)]],
            Int("axis", 1), Float("epsilon", n.Epsilon)),
        PReLU p => g.Node("PRelu", p.Name, [x, g.Parameter(p.Slope, 1)]),
        ReLU r => g.Node("Relu", r.Name, [x]),
        Linear l => Reshape(g, g.Node("Gemm", l.Name,
                [g.Node("Flatten", $"{l.Name}.flat", [x], Int("axis", 1)), g.Parameter(l.Weight, l.Output.Channels, l.Input.Size),
                 .. l.Bias is null ? Array.Empty<string>() : [g.Parameter(l.Bias, l.Output.Channels)]],
                Int("transB", 1)),
            $"{l.Name}.out", 0, l.Output.Channels, 1),
        ChannelMix m => AddBias(g, m.Name, g.Node("MatMul", $"{m.Name}.mix",
            [g.Parameter(m.Weight, m.Output.Channels, m.Input.Channels), x]), m.Bias),
        GlobalPool p => g.Node(p.Pool == PoolKind.Max ? "ReduceMax" : "ReduceMean", p.Name, [x], Ints("axes", 2), Int("keepdims", 1)),
        Dropout => x,   // the identity in inference
        _ => throw new NotSupportedException(
            $"{layer.Kind} '{layer.Name}' has no ONNX export; nothing was written. Layers that export: Sequential, Residual, " +
            "GMConv, RelaxedGMConv, GMLift, GMProject, GMPool, GMTransposePool, LayerNorm, PReLU, ReLU, Linear, ChannelMix, GlobalPool, Dropout."),
    };

    /// <summary>
    /// The K gathered copies of the input, reshaped for one MatMul with the weights: shared mode gathers the channel sum,
    /// [N, 1, L] → [N, K, L]; full mode every channel, [N, I, L] → [N, I·K, L] (i slowest, as w[o, i, k] is laid out).
    /// </summary>
    static string Gathered(OnnxGraph g, Layer layer, IGmConvView c, string x)
    {
        int ci = layer.Input.Channels, l = layer.Output.Positions, k = c.KernelSize;   // a lift's table reads n² pixels into |G| positions
        string source = c.Mode == ChannelMode.Shared && ci > 1
            ? g.Node("ReduceSum", $"{layer.Name}.sum", [x, g.Constant($"{layer.Name}.sum_axes", [1L], 1)], Int("keepdims", 1))
            : x;
        string table = g.Shared($"{layer.Name}.gather_table", c.GatherTable(), k, l);
        string gathered = g.Node("Gather", $"{layer.Name}.gather", [source, table], Int("axis", 2));   // [N, I or 1, K, L]
        return Reshape(g, gathered, $"{layer.Name}.panel", 0, c.Mode == ChannelMode.Shared ? k : (long)ci * k, l);
    }

    /// <summary>The weights as the MatMul's left operand: [O, K] (shared) or [O, I·K] (full).</summary>
    static long FanIn(Layer layer, IGmConvView c) =>
        c.Mode == ChannelMode.Shared ? c.KernelSize : (long)layer.Input.Channels * c.KernelSize;

    // y[n,o,a] = Σ_(i,)k w[o,(i,)k]·x[n,i,idx(a,k)] + bias[o]
    static string GmConv(OnnxGraph g, Layer layer, IGmConvView c, string x)
    {
        string panel = Gathered(g, layer, c, x);
        string y = g.Node("MatMul", $"{layer.Name}.matmul", [g.Parameter(c.Weight, layer.Output.Channels, FanIn(layer, c)), panel]);
        return AddBias(g, layer.Name, y, c.Bias);
    }

    // LDR-r and classification: z = [w; c_1..c_r]·panel + [bias; 0] as [N, r+1, O, L], y = Σ_j s_j ⊙ z_j with s_0 = 1.
    // Regression: y = (e/‖e‖) ⊙ (w·panel) + bias.
    static string RelaxedGmConv(OnnxGraph g, Layer layer, IRelaxedGmConvView c, string x)
    {
        int o = layer.Output.Channels, l = layer.Output.Positions;
        long fanIn = FanIn(layer, c);
        string panel = Gathered(g, layer, c, x);
        var (scales, scaleChannels) = c.Scales();
        if (c.C is null)
        {
            string z = g.Node("MatMul", $"{layer.Name}.matmul", [g.Parameter(c.Weight, o, fanIn), panel]);
            string scaled = g.Node("Mul", $"{layer.Name}.scale", [z, g.Constant($"{layer.Name}.relax.e_normalised", scales, 1, l)]);
            return AddBias(g, layer.Name, scaled, c.Bias);
        }
        int r = c.Relaxation.ExtraKernels;
        // The stacked weights and bias, as the layer's own single kernel call uses them.
        var stack = new float[(r + 1) * o * fanIn];
        c.Weight.Value.CopyTo(stack, 0);
        c.C.Value.CopyTo(stack, o * fanIn);
        string zs = g.Node("MatMul", $"{layer.Name}.matmul", [g.Constant($"{layer.Name}.stacked_weight", stack, (r + 1) * o, fanIn), panel]);
        if (c.Bias is not null)
        {
            var bias = new float[(r + 1) * o];
            c.Bias.Value.CopyTo(bias, 0);
            zs = g.Node("Add", $"{layer.Name}.bias", [zs, g.Constant($"{layer.Name}.stacked_bias", bias, (r + 1) * o, 1)]);
        }
        string z4 = Reshape(g, zs, $"{layer.Name}.terms", 0, r + 1, o, l);
        // s_0 = 1 (the exact term) and s_1..s_r, broadcast over the output channels when shared.
        var all = new float[(r + 1) * scaleChannels * l];
        Array.Fill(all, 1f, 0, scaleChannels * l);
        scales.CopyTo(all, scaleChannels * l);
        string weighted = g.Node("Mul", $"{layer.Name}.scale", [z4, g.Constant($"{layer.Name}.scales", all, r + 1, scaleChannels, l)]);
        return g.Node("ReduceSum", layer.Name, [weighted, g.Constant($"{layer.Name}.sum_axes", [1L], 1)], Int("keepdims", 0));
    }

    // y[n,c,p] = max_m (or mean_m) x[n,c, m·n² + p]: [N, C, |P|·n²] → [N, C, |P|, n²] → reduce over the point group
    static string Projection(OnnxGraph g, Layer layer, IPointProjectionView p, string x)
    {
        string blocks = Reshape(g, x, $"{layer.Name}.blocks", 0, layer.Input.Channels, p.PointOrder, p.ImageSize);
        return g.Node(p.Pool == PoolKind.Max ? "ReduceMax" : "ReduceMean", layer.Name, [blocks], Ints("axes", 2), Int("keepdims", 0));
    }

    // z[n,c,s] = max_j (or mean_j) x[n,c, cosets[s,j]]
    static string CosetPool(OnnxGraph g, Layer layer, ICosetPoolView p, string x)
    {
        string gathered = g.Node("Gather", $"{layer.Name}.gather", [x, g.Shared($"{layer.Name}.cosets", p.Cosets(), p.SubgroupOrder, p.Index)],
            Int("axis", 2));   // [N, C, |H|, m]
        return g.Node(p.Pool == PoolKind.Max ? "ReduceMax" : "ReduceMean", layer.Name, [gathered], Ints("axes", 3), Int("keepdims", 0));
    }

    // t[n,o,s,j] = Σ_i z[n,i,s]·u[i,o,j], laid out at position s·m + j; y[n,o,a] = t at the coset slot of a, + bias[o]
    static string CosetTranspose(OnnxGraph g, Layer layer, ICosetTransposeView t, string x)
    {
        int ci = layer.Input.Channels, o = layer.Output.Channels, n = t.SubgroupOrder, m = t.Index;
        string u = g.Parameter(t.Weight, ci, o, m);
        string terms = g.Node("Einsum", $"{layer.Name}.einsum", [x, u], String("equation", "nis,ioj->nosj"));
        string flat = Reshape(g, terms, $"{layer.Name}.slots", 0, o, (long)n * m);
        var cosets = t.Cosets();
        var slotOf = new int[cosets.Length];   // slotOf[a] = the p with cosets[p] = a
        for (int p = 0; p < cosets.Length; p++) slotOf[cosets[p]] = p;
        string y = g.Node("Gather", $"{layer.Name}.scatter", [flat, g.Shared($"{layer.Name}.slot_of", slotOf, slotOf.Length)], Int("axis", 2));
        return AddBias(g, layer.Name, y, t.Bias);
    }

    /// <summary>y + bias[o] over [N, O, L] (bias as [O, 1]); y itself without a bias.</summary>
    static string AddBias(OnnxGraph g, string name, string y, Parameter? bias) =>
        bias is null ? y : g.Node("Add", $"{name}.out", [y, g.Parameter(bias, bias.Size, 1)]);

    /// <summary>Reshape to <paramref name="dims"/> (0 keeps that dimension: the batch).</summary>
    static string Reshape(OnnxGraph g, string x, string stem, params long[] dims) =>
        g.Node("Reshape", stem, [x, g.Constant($"{stem}.shape", dims, dims.Length)]);

    static float[] Ones(int n)
    {
        var v = new float[n];
        Array.Fill(v, 1f);
        return v;
    }
}

/// <summary>Whole-file writes that never leave a half-written target (the same discipline as <see cref="SafeTensors"/>' saves).</summary>
internal static class AtomicFile
{
    /// <summary>
    /// Writes <paramref name="bytes"/> to a hidden temporary <c>.NAME.&lt;guid&gt;.tmp</c> beside <paramref name="path"/>, flushes
    /// it to disk, renames it over the target and syncs the directory; on failure the temporary is removed and the
    /// previous file is untouched. Stale temporaries of the same pattern are removed first.
    /// </summary>
    public static void Write(string path, ReadOnlySpan<byte> bytes)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new IOException($"Cannot write {path}: it is a directory; give a file name.");
        string dir = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"Cannot write {path}: the directory {dir} does not exist.");
        SafeTensors.RemoveStaleTemps(dir, Path.GetFileName(full));
        string temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                file.Write(bytes);
                file.Flush(flushToDisk: true);   // the data is durable before the rename publishes it
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
        DirectorySync.TrySync(dir);
    }
}
