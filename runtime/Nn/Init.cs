namespace GmCodegen;

/// <summary>Weight initialisation as PyTorch does it.</summary>
public static class Init
{
    /// <summary>
    /// Kaiming-uniform with a = √5 (PyTorch's default for Linear/Conv): gain √(2/(1+a²)) = √(1/3), so the
    /// bound √3·gain/√fan_in simplifies to 1/√fan_in. Biases use the same bound.
    /// </summary>
    public static double KaimingBound(int fanIn) => 1.0 / Math.Sqrt(fanIn);

    /// <summary>Fills <paramref name="values"/> from U(−bound, bound), in index order (so a seed fixes it).</summary>
    public static void Uniform(Span<float> values, double bound, Random rng)
    {
        for (int i = 0; i < values.Length; i++) values[i] = (float)((2 * rng.NextDouble() - 1) * bound);
    }
}
