namespace GmCodegen.Runtime.Tests;

// Extra pools for the vector max: n = 324 (two gather blocks of 168, the second moved back to overlap the first),
// n = 9 (one vector plus a remainder lane for 8-wide vectors), n = 8 with m = 2, and n = 2 (smaller than a vector:
// the one-lane path).
[GroupMatrix("C36 x C36")] public partial struct MaxGrid36;
[GroupMatrix("C18 x C18")] public partial struct MaxGrid18;
[GroupPool(typeof(MaxGrid36), typeof(MaxGrid18))] public partial struct MaxGrid36to18;
[GroupMatrix("C6 x C6")] public partial struct MaxGrid6;
[GroupMatrix("C3 x C3")] public partial struct MaxGrid3;
[GroupPool(typeof(MaxGrid6), typeof(MaxGrid3))] public partial struct MaxGrid6to3;
[GroupMatrix("D8")] public partial struct MaxDih8;
[GroupMatrix("D4")] public partial struct MaxDih4;
[GroupPool(typeof(MaxDih8), typeof(MaxDih4))] public partial struct MaxDih8to4;
[GroupMatrix("C4")] public partial struct MaxCyc4;
[GroupMatrix("C2")] public partial struct MaxCyc2;
[GroupPool(typeof(MaxCyc4), typeof(MaxCyc2))] public partial struct MaxCyc4to2;

/// <summary>The vectorised <c>PoolEngine.MaxForward</c> against the scalar loop it replaced, bit for bit, ties and NaNs included.</summary>
public class PoolMaxForwardTests
{
    /// <summary>The previous kernel: per output, walk its coset and keep the first strictly greater value.</summary>
    internal static void NaiveMaxForward<TPool>(int rows, ReadOnlySpan<float> x, Span<float> z, Span<int> argmax) where TPool : IGroupPool
    {
        int l = TPool.Order, n = TPool.SubgroupOrder, m = TPool.Index;
        var cosets = TPool.Cosets;
        for (int r = 0; r < rows; r++)
            for (int s = 0; s < n; s++)
            {
                var cell = cosets.Slice(s * m, m);
                int best = cell[0];
                float max = x[r * l + best];
                for (int j = 1; j < m; j++)
                {
                    int a = cell[j];
                    if (x[r * l + a] > max) { max = x[r * l + a]; best = a; }
                }
                z[r * n + s] = max;
                argmax[r * n + s] = best;
            }
    }

    // Values from a small set so that most windows hold ties; a few NaNs and both zeros when asked.
    internal static float[] Draw(Random rng, int count, bool specials)
    {
        float[] set = specials ? [-1f, 0f, -0f, 1f, 2f, float.NaN] : [-1f, 0f, 1f, 2f];
        var x = new float[count];
        for (int i = 0; i < count; i++) x[i] = set[rng.Next(set.Length)];
        return x;
    }

    static void Check<TPool>(int seed) where TPool : IGroupPool
    {
        int l = TPool.Order, n = TPool.SubgroupOrder;
        var rng = new Random(seed);
        foreach (int rows in new[] { 0, 1, 2, 3, 5, 7, 13 })
            foreach (bool specials in new[] { false, true })
            {
                var x = Draw(rng, rows * l, specials);
                var z = new float[rows * n];
                var a = new int[rows * n];
                var zRef = new float[rows * n];
                var aRef = new int[rows * n];
                z.AsSpan().Fill(123f);
                a.AsSpan().Fill(-7);
                TPool.MaxForward(rows, x, z, a);
                NaiveMaxForward<TPool>(rows, x, zRef, aRef);
                Assert.Equal(aRef, a);
                // Bit patterns: NaN against NaN and -0 against +0 must agree too.
                Assert.Equal(zRef.Select(BitConverter.SingleToInt32Bits), z.Select(BitConverter.SingleToInt32Bits));
            }
    }

    [Fact] public void Cyclic_grid_8_to_4_matches_the_scalar_loop() => Check<PoolGrid8to4>(1);
    [Fact] public void Dihedral_grid_4_to_2_matches_the_scalar_loop() => Check<PoolDih4to2>(2);
    [Fact] public void Cyclic_grid_36_to_18_over_two_overlapping_blocks_matches_the_scalar_loop() => Check<MaxGrid36to18>(6);
    [Fact] public void Cyclic_grid_6_to_3_with_a_remainder_lane_matches_the_scalar_loop() => Check<MaxGrid6to3>(3);
    [Fact] public void Dihedral_8_to_4_matches_the_scalar_loop() => Check<MaxDih8to4>(4);
    [Fact] public void Cyclic_4_to_2_smaller_than_a_vector_matches_the_scalar_loop() => Check<MaxCyc4to2>(5);
}
