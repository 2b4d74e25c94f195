namespace GmCodegen;

/// <summary>
/// SplitMix64: the data pipeline's own generator, so shuffles and angles depend on the seed alone, never on the
/// runtime's <see cref="Random"/> implementation (whose seeded sequence .NET does not promise to keep).
/// </summary>
internal struct DataRng(ulong state)
{
    ulong _state = state;

    /// <summary>A generator for stream <paramref name="stream"/> of <paramref name="seed"/> (e.g. one per epoch), so
    /// streams are independent of how much of another was consumed.</summary>
    public static DataRng For(int seed, ulong stream) => new(Mix((ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ Mix(stream + 0x632BE59BD9B4E019UL)));

    public ulong NextUInt64() => Mix(_state += 0x9E3779B97F4A7C15UL);

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, bound) by multiply-high (bias ≤ bound/2⁶⁴, negligible).</summary>
    public int NextInt(int bound) => (int)(((UInt128)NextUInt64() * (ulong)bound) >> 64);

    /// <summary>Fisher–Yates: every permutation equally likely.</summary>
    public void Shuffle(Span<int> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
