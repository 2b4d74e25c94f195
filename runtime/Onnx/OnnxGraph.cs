using System.Runtime.InteropServices;
using Google.Protobuf;
using Proto = global::Onnx;

namespace GmCodegen;

/// <summary>
/// A graph under construction: nodes in topological order (each appended after its inputs), initialisers, unique value
/// names. Every method returns the name of the value it produced. Parameters become initialisers named by their dotted
/// names, once each, so a shared PReLU slope is one tensor.
/// </summary>
internal sealed class OnnxGraph
{
    readonly Proto.GraphProto _graph;
    readonly HashSet<string> _names = [];
    readonly Dictionary<Parameter, string> _parameters = new(ReferenceEqualityComparer.Instance);
    readonly Dictionary<string, string> _shared = [];   // content key → initialiser, for tables several layers use

    public OnnxGraph(string name) => _graph = new Proto.GraphProto { Name = name };

    public Proto.GraphProto Graph => _graph;

    /// <summary>A new value name from <paramref name="stem"/> (the layer's dotted name and what the value is).</summary>
    public string Fresh(string stem)
    {
        string name = stem.Length == 0 ? "t" : stem;
        for (int j = 1; !_names.Add(name); j++) name = $"{stem}_{j}";
        return name;
    }

    public string Constant(string stem, ReadOnlySpan<float> values, params long[] dims)
    {
        string name = Fresh(stem);
        var t = new Proto.TensorProto { Name = name, DataType = (int)Proto.TensorProto.Types.DataType.Float };
        t.Dims.AddRange(dims);
        t.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values));   // little-endian, as ONNX's raw_data is
        _graph.Initializer.Add(t);
        return name;
    }

    /// <summary>An int32 tensor (Gather's index tables: half the bytes of int64).</summary>
    public string Constant(string stem, ReadOnlySpan<int> values, params long[] dims)
    {
        string name = Fresh(stem);
        var t = new Proto.TensorProto { Name = name, DataType = (int)Proto.TensorProto.Types.DataType.Int32 };
        t.Dims.AddRange(dims);
        t.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values));
        _graph.Initializer.Add(t);
        return name;
    }

    /// <summary>
    /// One initialiser for every request with the same dims and values (two GM layers on one group share their gather
    /// table; LayerNorms of one shape their ones): the first request's name.
    /// </summary>
    public string Shared<T>(string stem, T[] values, params long[] dims) where T : unmanaged
    {
        string key = $"{typeof(T).Name}[{string.Join(",", dims)}]:{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(MemoryMarshal.AsBytes(values.AsSpan())))}";
        if (_shared.TryGetValue(key, out var known)) return known;
        return _shared[key] = values switch
        {
            float[] f => Constant(stem, f, dims),
            int[] i => Constant(stem, i, dims),
            long[] l => Constant(stem, l, dims),
            _ => throw new NotSupportedException(typeof(T).Name),
        };
    }

    public string Constant(string stem, ReadOnlySpan<long> values, params long[] dims)
    {
        string name = Fresh(stem);
        var t = new Proto.TensorProto { Name = name, DataType = (int)Proto.TensorProto.Types.DataType.Int64 };
        t.Dims.AddRange(dims);
        t.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values));
        _graph.Initializer.Add(t);
        return name;
    }

    /// <summary>A parameter's values with the given dims (a reshape of its own shape), named by the parameter, once.</summary>
    public string Parameter(Parameter p, params long[] dims)
    {
        if (_parameters.TryGetValue(p, out var known)) return known;
        if (dims.Aggregate(1L, (a, d) => a * d) != p.Size)
            throw new InvalidOperationException($"Parameter '{p.Name}' has {p.Size} values, not [{string.Join(", ", dims)}].");
        return _parameters[p] = Constant(p.Name, p.Value, dims);
    }

    /// <summary>A node <paramref name="op"/> on <paramref name="inputs"/> (an empty name is an omitted optional input).</summary>
    public string Node(string op, string stem, string[] inputs, params Proto.AttributeProto[] attributes)
    {
        string output = Fresh(stem);
        var node = new Proto.NodeProto { OpType = op, Name = output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return output;
    }

    public static Proto.AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = Proto.AttributeProto.Types.AttributeType.Int, I = value };

    public static Proto.AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = Proto.AttributeProto.Types.AttributeType.Float, F = value };

    public static Proto.AttributeProto Ints(string name, params long[] values)
    {
        var a = new Proto.AttributeProto { Name = name, Type = Proto.AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static Proto.AttributeProto String(string name, string value) =>
        new() { Name = name, Type = Proto.AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    /// <summary>A float tensor value with a symbolic first dimension (the batch) and fixed others.</summary>
    public static Proto.ValueInfoProto Value(string name, string batch, params long[] dims)
    {
        var shape = new Proto.TensorShapeProto();
        shape.Dim.Add(new Proto.TensorShapeProto.Types.Dimension { DimParam = batch });
        foreach (long d in dims) shape.Dim.Add(new Proto.TensorShapeProto.Types.Dimension { DimValue = d });
        return new Proto.ValueInfoProto
        {
            Name = name,
            Type = new Proto.TypeProto
            {
                TensorType = new Proto.TypeProto.Types.Tensor { ElemType = (int)Proto.TensorProto.Types.DataType.Float, Shape = shape },
            },
        };
    }
}
