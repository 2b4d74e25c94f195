namespace GmCodegen;

/// <summary>
/// A learned tensor: its value and gradient live in flat row-major arrays of <see cref="Shape"/>'s size.
/// Layers own their parameters; optimisers and model files see them only through this type.
/// </summary>
public sealed class Parameter
{
    public Parameter(string name, params int[] shape)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length == 0 || shape.Any(d => d <= 0))
            throw new ArgumentException($"Parameter '{name}': shape [{string.Join(", ", shape)}] must have positive dimensions.", nameof(shape));
        // In long, saturating: the product of a few ints overflows long only far beyond any array.
        long size = 1;
        foreach (int d in shape) size = size > Array.MaxLength ? size : size * d;
        if (size > Array.MaxLength)
            throw new ArgumentException($"Parameter '{name}': shape [{string.Join(", ", shape)}] is too large: more than the {Array.MaxLength:N0} values an array can hold.", nameof(shape));
        Name = name;
        Shape = shape.ToArray();
        Value = new float[size];
        Grad = new float[size];
    }

    /// <summary>Dotted path, e.g. <c>block0.conv.weight</c>; unique within a model.</summary>
    public string Name { get; }
    public IReadOnlyList<int> Shape { get; }
    public float[] Value { get; }
    public float[] Grad { get; }
    /// <summary>AdamW applies weight decay only where this is true (weights, not biases or norms).</summary>
    public bool Decay { get; init; } = true;
    public int Size => Value.Length;
}
