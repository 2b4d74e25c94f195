namespace GmCodegen.Runtime.Tests;

/// <summary>
/// A small translation-invariant task on the 8×8 torus (C8 x C8, a = row·8 + column): which of four 3-pixel
/// strokes (—, |, \, /) is drawn, at a random circular offset, in Gaussian noise. Chance is 25 %.
/// </summary>
public static class Synthetic
{
    static readonly (int dr, int dc)[][] Strokes =
    [
        [(0, 0), (0, 1), (0, 2)],
        [(0, 0), (1, 0), (2, 0)],
        [(0, 0), (1, 1), (2, 2)],
        [(0, 2), (1, 1), (2, 0)],
    ];

    public const int Classes = 4;

    public static (float[] X, int[] Labels) Make(int count, int seed, double noise = 0.3)
    {
        var rng = new Random(seed);
        var x = new float[count * 64];
        var labels = new int[count];
        for (int s = 0; s < count; s++)
        {
            int label = rng.Next(Classes), r0 = rng.Next(8), c0 = rng.Next(8);
            labels[s] = label;
            for (int a = 0; a < 64; a++) x[s * 64 + a] = (float)(noise * GradCheck.Gaussian(rng));
            foreach (var (dr, dc) in Strokes[label]) x[s * 64 + (r0 + dr) % 8 * 8 + (c0 + dc) % 8] += 1f;
        }
        return (x, labels);
    }

    public static Spec Network(int channels, double dropout = 0.1) => NetworkTests.PaperNetwork<C8xC8>(channels, Classes, dropout);
}
