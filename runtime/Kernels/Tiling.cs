namespace GmCodegen;

/// <summary>Panel geometry: padded and skewed row strides, and how many rows a position tile takes.</summary>
internal static class Tiling
{
    /// <summary>Rounds a column count up to two vectors, the micro-kernel's column block.</summary>
    public static int Padded(int n)
    {
        int block = 2 * System.Numerics.Vector<float>.Count;
        return (n + block - 1) / block * block;
    }

    /// <summary>
    /// A row stride ≥ n (a multiple of 2 vectors) spanning an odd number of 64-byte lines. With a stride of 2^k bytes
    /// (|G| = 1024 is 4 KiB) every row of a column strip falls into the same L1 set, whose 8 ways cannot hold the
    /// strip: measured 58 % → 74 % of peak on Wᵀ·dy for cifar-first.
    /// </summary>
    public static int Skewed(int n)
    {
        int p = Padded(n), line = 64 / sizeof(float);
        return p / line % 2 == 1 ? p : p + line;
    }

    /// <summary>Floats of a packed panel meant to stay in L2 (128 KiB of the 1 MiB per core).</summary>
    public const int PanelFloats = 32 * 1024;

    /// <summary>
    /// Rows of the fast factor per position tile: enough for two vector blocks, few enough that the depth x tile
    /// panel stays L2-resident (≈ 128 KiB), and where the group allows a multiple of the rows that make the tile a
    /// whole number of vector blocks, so that results can be stored straight into the output.
    /// <para>A GEMM with at most two register blocks of <paramref name="outputs"/> rows reads the panel only twice, so
    /// the panel may take 4x the budget (512 KiB, still within L2): p4m(28) with 8 channels (depth 576, rows of 28)
    /// then gathers 8 rows per call instead of 4.</para>
    /// </summary>
    public static int TileRows(int depth, int fastOrder, int slowOrder, int outputs) =>
        TileRowsOf((outputs <= 2 * GmGemm.Rows ? 4 : 1) * PanelFloats / Math.Max(1, depth * fastOrder), fastOrder, slowOrder);

    /// <summary><see cref="TileRows"/> given how many rows fit the panel budget.</summary>
    public static int TileRowsOf(int fit, int fastOrder, int slowOrder)
    {
        int block = 2 * System.Numerics.Vector<float>.Count;
        int min = (block + fastOrder - 1) / fastOrder;
        int rows = Math.Clamp(Math.Max(min, fit), 1, Math.Max(1, slowOrder));
        int step = block / Gcd(fastOrder, block);    // rows·|F| is a multiple of the block iff rows is a multiple of step
        return step <= slowOrder ? Math.Max(step, rows / step * step) : rows;
    }

    static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);
}
