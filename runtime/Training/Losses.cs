using System.Numerics.Tensors;

namespace GmCodegen;

/// <summary>A loss over a batch: returns the mean loss and writes dLoss/dOutput into <c>grad</c> (same layout as output).</summary>
public interface ILoss
{
    /// <param name="output">[batch.Count, width] network outputs.</param>
    /// <param name="width">Outputs per sample.</param>
    /// <param name="batch">Labels (classification) or targets (regression).</param>
    /// <param name="grad">[batch.Count, width], overwritten.</param>
    double Compute(ReadOnlySpan<float> output, int width, in Batch batch, Span<float> grad);
}

/// <summary>The argument checks every loss makes: sizes, and grad sharing no memory with output (it is written while output is read).</summary>
internal static class LossChecks
{
    public static int Check(ReadOnlySpan<float> output, int width, in Batch batch, Span<float> grad)
    {
        if (width <= 0) throw new ArgumentOutOfRangeException(nameof(width), width, "A loss needs at least one output per sample.");
        if (batch.Count < 0) throw new ArgumentException($"The batch count must be ≥ 0, was {batch.Count}.", nameof(batch));
        long n = (long)batch.Count * width;
        if (output.Length < n) throw new ArgumentException($"output has {output.Length} values; {batch.Count} samples × {width} need {n}.", nameof(output));
        if (grad.Length < n) throw new ArgumentException($"grad has {grad.Length} values; {batch.Count} samples × {width} need {n}.", nameof(grad));
        KernelChecks.CheckDisjoint(grad, nameof(grad), output, nameof(output));
        return (int)n;
    }
}

/// <summary>
/// Cross-entropy of logits against class labels with a fused, stabilised log-softmax, averaged over the batch
/// (PyTorch's <c>F.cross_entropy</c>): ℓ = log Σ_j exp(z_j − m) − (z_y − m), m = max z;
/// dℓ/dz = (softmax(z) − onehot(y)) / B.
/// </summary>
public sealed class CrossEntropyLoss : ILoss
{
    public double Compute(ReadOnlySpan<float> output, int width, in Batch batch, Span<float> grad)
    {
        LossChecks.Check(output, width, batch, grad);
        int n = batch.Count;
        if (batch.Labels is null || batch.Labels.Length < n)
            throw new ArgumentException($"Cross-entropy needs one label per sample: {batch.Labels?.Length ?? 0} labels for {n} samples.", nameof(batch));
        double total = 0;   // summed in sample order: reproducible
        for (int b = 0; b < n; b++)
        {
            var z = output.Slice(b * width, width);
            var g = grad.Slice(b * width, width);
            int label = batch.Labels[b];
            if ((uint)label >= (uint)width)
                throw new ArgumentException($"Label {label} of sample {b} is outside the {width} classes.");
            float max = TensorPrimitives.Max(z);
            TensorPrimitives.Subtract(z, max, g);
            TensorPrimitives.Exp(g, g);
            float sum = TensorPrimitives.Sum(g);
            total += Math.Log(sum) - (z[label] - max);
            TensorPrimitives.Multiply(g, 1f / (sum * n), g);                 // softmax / B
            g[label] -= 1f / n;
        }
        return total / n;
    }
}

/// <summary>Mean squared error against <see cref="Batch.Targets"/>, averaged over all elements (PyTorch's default).</summary>
public sealed class MseLoss : ILoss
{
    public double Compute(ReadOnlySpan<float> output, int width, in Batch batch, Span<float> grad)
    {
        var targets = batch.Targets ?? throw new ArgumentException("MseLoss needs Batch.Targets.");
        int n = LossChecks.Check(output, width, batch, grad);
        if (targets.Length < n) throw new ArgumentException($"Batch.Targets has {targets.Length} values; {n} are needed.", nameof(batch));
        var diff = grad[..n];
        TensorPrimitives.Subtract(output[..n], targets.AsSpan(0, n), diff);
        double loss = (double)TensorPrimitives.SumOfSquares(diff) / n;
        TensorPrimitives.Multiply(diff, 2f / n, diff);                        // d/dy mean (y − t)² = 2(y − t)/N
        return loss;
    }
}
