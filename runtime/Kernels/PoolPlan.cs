using System.Collections.Immutable;

namespace GmCodegen;

/// <summary>
/// How <see cref="PoolEngine{TPool}"/> walks a coset table, derived once from the table itself. Pools on pixel grids
/// (<c>C2n x C2n → Cn x Cn</c>, <c>Dn x Dn</c> by ⟨r², f⟩, p4/p4m with the standard or the centred embedding) have long runs
/// of consecutive outputs s whose cells are 2×2 windows marching in steps of 2 along an image row; those runs are read
/// with whole vectors. Everything else goes through the general table-driven path.
/// </summary>
internal abstract record PoolPlan
{
    /// <summary>The fewest outputs a run needs: one <see cref="System.Runtime.Intrinsics.Vector128{T}"/> step.</summary>
    public const int MinRun = 4;

    /// <summary>No usable structure: every output through the general path (the blocked gather).</summary>
    public sealed record General : PoolPlan;

    /// <summary>
    /// <paramref name="Runs"/> cover most outputs; <paramref name="Rest"/> lists the others (ascending), which go one
    /// by one through the table. Runs and rest together are every output exactly once.
    /// </summary>
    public sealed record Strided(ImmutableArray<PoolRun> Runs, ImmutableArray<int> Rest) : PoolPlan;

    /// <summary>
    /// The plan of Cosets[s·m + j] (n outputs, m cosets): maximal runs of consecutive s along which every coset column
    /// steps by 2, kept when they are at least <see cref="MinRun"/> long and their m starts pair up into adjacent
    /// elements (a, a + 1); strided if such runs hold at least half of the outputs, otherwise general.
    /// </summary>
    public static PoolPlan Of(ReadOnlySpan<int> cosets, int n, int m)
    {
        var runs = ImmutableArray.CreateBuilder<PoolRun>();
        var rest = ImmutableArray.CreateBuilder<int>();
        for (int s0 = 0; s0 < n;)
        {
            int length = RunLength(cosets, n, m, s0);
            var run = length >= MinRun ? PoolRun.Of(s0, length, cosets.Slice(s0 * m, m)) : null;
            if (run is not null) runs.Add(run);
            else for (int s = s0; s < s0 + length; s++) rest.Add(s);
            s0 += length;
        }
        return 2 * (n - rest.Count) >= n && runs.Count > 0
            ? new Strided(runs.ToImmutable(), rest.ToImmutable())
            : new General();
    }

    /// <summary>How many outputs from s0 on have every coset column advancing by exactly 2 per output (at least 1).</summary>
    static int RunLength(ReadOnlySpan<int> cosets, int n, int m, int s0)
    {
        int s = s0 + 1;
        while (s < n && Steps(cosets.Slice((s - 1) * m, 2 * m), m)) s++;
        return s - s0;
    }

    static bool Steps(ReadOnlySpan<int> twoCells, int m)
    {
        for (int j = 0; j < m; j++)
            if (twoCells[m + j] != twoCells[j] + 2) return false;
        return true;
    }
}

/// <summary>
/// Outputs <paramref name="Output"/> … Output + Length − 1 whose j-th coset element is Inputs[j] + 2·(s − Output).
/// Windows[j] is the lower element of the adjacent pair (Windows[j], Windows[j] + 1) that holds Inputs[j] and another
/// j's start: the kernels load 2·w consecutive floats from Windows[j] + 2·q and keep the even lanes (Inputs[j] =
/// Windows[j]) or the odd ones. Every float so loaded belongs to a cell of the run, so the loads stay inside the row.
/// </summary>
internal sealed record PoolRun(int Output, int Length, ImmutableArray<int> Inputs, ImmutableArray<int> Windows)
{
    /// <summary>The run with the given first cell, or null when its starts do not pair up into adjacent elements.</summary>
    public static PoolRun? Of(int output, int length, ReadOnlySpan<int> firstCell)
    {
        int m = firstCell.Length;
        if (m % 2 != 0) return null;
        // Sorted, the starts must be (a, a+1), (b, b+1), …: each pair one window of two adjacent elements.
        var sorted = firstCell.ToArray();
        Array.Sort(sorted);
        for (int k = 0; k < m; k += 2)
            if (sorted[k + 1] != sorted[k] + 1) return null;
        var windows = ImmutableArray.CreateBuilder<int>(m);
        foreach (int a in firstCell)
            windows.Add(sorted[Array.BinarySearch(sorted, a) & ~1]);
        return new PoolRun(output, length, [.. firstCell], windows.MoveToImmutable());
    }
}
