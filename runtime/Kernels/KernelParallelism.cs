namespace GmCodegen;

/// <summary>How many threads a kernel call may use (over the batch). Defaults to every core.</summary>
public static class KernelParallelism
{
    static int _maxDegree = Environment.ProcessorCount;

    public static int MaxDegree
    {
        get => _maxDegree;
        set => _maxDegree = value >= 1 ? value : throw new ArgumentException($"MaxDegree must be ≥ 1, was {value}.", nameof(value));
    }
}
