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

/// <summary>
/// Cross-entropy of logits against class labels with a fused, stabilised log-softmax, averaged over the batch
/// (PyTorch's <c>F.cross_entropy</c>): ℓ = log Σ_j exp(z_j − m) − (z_y − m), m = max z;
/// dℓ/dz = (softmax(z) − onehot(y)) / B.
/// </summary>
public sealed class CrossEntropyLoss : ILoss
{
    public double Compute(ReadOnlySpan<float> output, int width, in Batch batch, Span<float> grad)
    {
        int n = batch.Count;
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
        int n = batch.Count * width;
        var diff = grad[..n];
        TensorPrimitives.Subtract(output[..n], targets.AsSpan(0, n), diff);
        double loss = (double)TensorPrimitives.SumOfSquares(diff) / n;
        TensorPrimitives.Multiply(diff, 2f / n, diff);                        // d/dy mean (y − t)² = 2(y − t)/N
        return loss;
    }
}
