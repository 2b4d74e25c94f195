using System.Numerics.Tensors;

namespace GmCodegen;

/// <summary>
/// Training produced a NaN or an infinity: the loss, a gradient or a parameter is no longer finite. The message names
/// the step and the first place (in forward, then backward order) where a non-finite value appears.
/// </summary>
public sealed class TrainingDivergedException(string message, int step, string? firstLayer) : Exception(message)
{
    /// <summary>The optimisation step (1-based, counted over the trainer's life) that diverged.</summary>
    public int Step { get; } = step;
    /// <summary>The first layer whose output or gradient was not finite in the diagnostic re-run, if one was found.</summary>
    public string? FirstLayer { get; } = firstLayer;
}

/// <summary>
/// Finiteness checks for the trainer: one vectorised pass per buffer (a max-magnitude reduction is NaN if any value is
/// NaN and ∞ if any is infinite), and, once a check fails, a diagnostic re-run of the batch layer by layer.
/// </summary>
internal static class Divergence
{
    public static bool AllFinite(ReadOnlySpan<float> values) => values.IsEmpty || float.IsFinite(TensorPrimitives.MaxMagnitude(values));

    /// <summary>The first parameter (in network order) whose value (or gradient) holds a non-finite number, or null.</summary>
    public static Parameter? FirstNonFinite(IReadOnlyList<Parameter> parameters, bool gradients)
    {
        foreach (var p in parameters)
            if (!AllFinite(gradients ? p.Grad : p.Value)) return p;
        return null;
    }

    /// <summary>
    /// Runs <paramref name="batch"/> through <paramref name="model"/> again, leaf layer by leaf layer, forward and then
    /// backward, and describes the first non-finite value: in the inputs, in a layer's output, in the loss, in a
    /// layer's parameter gradients or its input gradient. Gradients are left changed (the run is abandoned anyway).
    /// Composites are followed through <see cref="Sequential"/> and <see cref="Residual"/>; another composite counts as
    /// one layer.
    /// </summary>
    public static (string What, string? Layer) Diagnose(Network model, ILoss loss, in Batch batch)
    {
        int count = batch.Count;
        if (!AllFinite(batch.Inputs.AsSpan(0, count * model.Input.Size)))
            return ($"the input batch holds a non-finite value (sample {FirstBadSample(batch.Inputs, count, model.Input.Size)})", null);
        var failure = new Failure();
        var output = Forward(model.Root, batch.Inputs, count, failure);
        if (failure.Found) return (failure.What!, failure.Layer);

        int width = model.Output.Size, n = count * width;
        var grad = new float[n];
        double value = loss.Compute(output.AsSpan(0, n), width, batch, grad);
        if (!double.IsFinite(value) || !AllFinite(grad))
            return ($"the loss is {value} although every layer's output is finite", null);
        model.ZeroGrad();
        Backward(model.Root, grad, count, failure);
        return failure.Found ? (failure.What!, failure.Layer) : ("no layer's output or gradient is non-finite when the batch is run again", null);
    }

    sealed class Failure
    {
        public string? What, Layer;
        public bool Found => What is not null;
        public void Set(Layer layer, string what) => (What, Layer) = ($"{what} of layer '{layer.Name}' ({layer.Kind})", layer.Name);
    }

    static float[] Forward(Layer layer, float[] x, int batch, Failure failure)
    {
        switch (layer)
        {
            case Sequential s:
                foreach (var child in s.Children)
                {
                    x = Forward(child, x, batch, failure);
                    if (failure.Found) break;
                }
                return x;
            case Residual r:
                var body = Forward(r.Body, x, batch, failure);
                if (failure.Found) return body;
                var shortcut = r.Shortcut is null ? x : Forward(r.Shortcut, x, batch, failure);
                if (failure.Found) return shortcut;
                int n = batch * r.Output.Size;
                var sum = new float[n];
                TensorPrimitives.Add(body.AsSpan(0, n), shortcut.AsSpan(0, n), sum);
                if (!AllFinite(sum)) failure.Set(r, "the output (body + shortcut)");
                return sum;
            default:
                var y = layer.Forward(x, batch, training: true);
                if (!AllFinite(y.AsSpan(0, batch * layer.Output.Size))) failure.Set(layer, "the output");
                return y;
        }
    }

    static float[] Backward(Layer layer, float[] dy, int batch, Failure failure)
    {
        switch (layer)
        {
            case Sequential s:
                for (int j = s.Children.Count - 1; j >= 0 && !failure.Found; j--) dy = Backward(s.Children[j], dy, batch, failure);
                return dy;
            case Residual r:
                var viaBody = Backward(r.Body, dy, batch, failure);
                if (failure.Found || !r.InputGradRequired) return viaBody;
                var viaShortcut = r.Shortcut is null ? dy : Backward(r.Shortcut, dy, batch, failure);
                if (failure.Found) return viaShortcut;
                int n = batch * r.Input.Size;
                var dx = new float[n];
                TensorPrimitives.Add(viaBody.AsSpan(0, n), viaShortcut.AsSpan(0, n), dx);
                return dx;
            default:
                var d = layer.Backward(dy, batch);
                if (layer.Parameters.FirstOrDefault(p => !AllFinite(p.Grad)) is { } bad)
                    failure.Set(layer, $"the gradient of '{bad.Name}'");
                else if (layer.InputGradRequired && !AllFinite(d.AsSpan(0, batch * layer.Input.Size)))
                    failure.Set(layer, "the input gradient");
                return d;
        }
    }

    static int FirstBadSample(float[] x, int count, int size)
    {
        for (int b = 0; b < count; b++)
            if (!AllFinite(x.AsSpan(b * size, size))) return b;
        return -1;
    }
}
