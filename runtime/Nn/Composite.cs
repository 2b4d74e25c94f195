using System.Numerics.Tensors;

namespace GmCodegen;

/// <summary>f₁ then f₂ then …: forward left to right, backward right to left.</summary>
public sealed class Sequential : Layer
{
    readonly Layer[] _layers;

    public Sequential(string name, IReadOnlyList<Layer> layers)
        : base(name, Check(name, layers)[0].Input, layers[^1].Output)
    {
        _layers = [.. layers];
        for (int j = 1; j < _layers.Length; j++)
            if (_layers[j].Input != _layers[j - 1].Output)
                throw new ArgumentException(
                    $"Sequential '{name}': {_layers[j - 1].Kind} '{_layers[j - 1].Name}' outputs {_layers[j - 1].Output} " +
                    $"but {_layers[j].Kind} '{_layers[j].Name}' takes {_layers[j].Input}.");
        Parameters = Distinct(_layers);
    }

    static IReadOnlyList<Layer> Check(string name, IReadOnlyList<Layer> layers) =>
        layers.Count > 0 ? layers : throw new ArgumentException($"Sequential '{name}' needs at least one layer.");

    /// <summary>Parameters of several layers, each once (a shared PReLU slope is listed at its first use).</summary>
    internal static IReadOnlyList<Parameter> Distinct(IEnumerable<Layer> layers)
    {
        var seen = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        return [.. layers.SelectMany(l => l.Parameters).Where(seen.Add)];
    }

    public override string Kind => "Sequential";
    public override (long Forward, long Backward) ActivationFloats(int batch) => (0, 0);   // its children hold the buffers
    public override IReadOnlyList<Parameter> Parameters { get; }
    public override IReadOnlyList<Layer> Children => _layers;

    /// <summary>Only the first layer sees our input.</summary>
    public override bool InputGradRequired
    {
        get => _layers[0].InputGradRequired;
        set => _layers[0].InputGradRequired = value;
    }

    public override float[] Forward(float[] x, int batch, bool training) => ForwardPrefix(x, batch, training, _layers.Length);

    /// <summary>Runs only the first <paramref name="count"/> layers (e.g. the features before global pooling).</summary>
    public float[] ForwardPrefix(float[] x, int batch, bool training, int count)
    {
        for (int j = 0; j < count; j++) x = _layers[j].Forward(x, batch, training);
        return x;
    }

    public override float[] Backward(float[] dy, int batch)
    {
        for (int j = _layers.Length - 1; j >= 0; j--) dy = _layers[j].Backward(dy, batch);
        return dy;
    }
}

/// <summary>
/// y = body(x) + shortcut(x), the shortcut being the identity, or a 1×1 <see cref="ChannelMix"/> when the body
/// changes the number of channels. Backward: dx = d body + d shortcut.
/// </summary>
public sealed class Residual : Layer
{
    float[] _y = [], _dx = [];

    public Residual(string name, Layer body, Layer? shortcut = null) : base(name, body.Input, body.Output)
    {
        var via = shortcut is null ? body.Input : shortcut.Output;
        if (via != body.Output || (shortcut is not null && shortcut.Input != body.Input))
            throw new ArgumentException(
                $"Residual '{name}': the body maps {body.Input} → {body.Output}, the shortcut " +
                (shortcut is null ? $"is the identity on {body.Input}" : $"maps {shortcut.Input} → {shortcut.Output}") +
                "; give a shortcut that maps the input to the body's output shape.");
        Body = body;
        Shortcut = shortcut;
        Parameters = Sequential.Distinct(shortcut is null ? [body] : [body, shortcut]);
    }

    public Layer Body { get; }
    public Layer? Shortcut { get; }
    public override string Kind => Shortcut is null ? "Residual" : "Residual(1×1 mix)";
    public override IReadOnlyList<Parameter> Parameters { get; }
    public override IReadOnlyList<Layer> Children => Shortcut is null ? [Body] : [Body, Shortcut];

    public override bool InputGradRequired
    {
        get => Body.InputGradRequired;
        set { Body.InputGradRequired = value; if (Shortcut is not null) Shortcut.InputGradRequired = value; }
    }

    public override float[] Forward(float[] x, int batch, bool training)
    {
        CheckForward(x, batch);
        int n = batch * Output.Size;
        var fromBody = Body.Forward(x, batch, training);
        var fromShortcut = Shortcut?.Forward(x, batch, training) ?? x;
        var y = Reuse(ref _y, n);
        TensorPrimitives.Add(fromBody.AsSpan(0, n), fromShortcut.AsSpan(0, n), y.AsSpan(0, n));
        return y;
    }

    public override float[] Backward(float[] dy, int batch)
    {
        CheckBackward(dy, batch);
        var viaBody = Body.Backward(dy, batch);
        var viaShortcut = Shortcut?.Backward(dy, batch) ?? dy;
        if (!InputGradRequired) return [];
        int n = batch * Input.Size;
        var dx = Reuse(ref _dx, n);
        TensorPrimitives.Add(viaBody.AsSpan(0, n), viaShortcut.AsSpan(0, n), dx.AsSpan(0, n));
        return dx;
    }
}
