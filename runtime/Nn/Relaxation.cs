using System.Globalization;

namespace GmCodegen;

/// <summary>
/// How a GM layer departs from exact equivariance (docs/approximate-equivariance.md). Closed hierarchy: every
/// relaxation is a group matrix plus position-scaled group matrices, M = GM(w) + Σ_j diag(s_j)·GM(c_j), so its
/// displacement rank is at most the number of extra terms. <see cref="ToString"/> gives the text <see cref="Parse"/> reads.
/// </summary>
public abstract record Relaxation
{
    private protected Relaxation() { }

    /// <summary>
    /// M = GM(w) + Σ_{j=1..Rank} diag(a_j)·GM(c_j); a_j ∈ ℝ^|G| shared by the layer's output channels unless
    /// <paramref name="PerChannelScales"/>. Starts with a_j = 0 (exactly equivariant) and random c_j.
    /// </summary>
    public sealed record LowDisplacementRank(int Rank, bool PerChannelScales = false) : Relaxation
    {
        public int Rank { get; } = Rank >= 1 ? Rank
            : throw new ArgumentOutOfRangeException(nameof(Rank), Rank, "A low-displacement-rank relaxation needs rank ≥ 1.");
    }

    /// <summary>
    /// y(a) = e(a)·Σ_k w(k)·x(g_a·h_k⁻¹), i.e. diag(e)·GM(w), with e ∈ ℝ^|G| renormalised to unit norm in every
    /// forward (the reference code's regression relaxation). Starts with e constant = 1/√|G| (a scaled group matrix).
    /// </summary>
    public sealed record Regression() : Relaxation;

    /// <summary>
    /// LDR-1 with a fixed 0/1 position mask m (<see cref="CentralMask"/>) and a learned kernel c:
    /// M = GM(w) + diag(m)·GM(c). Starts with c = 0 (exactly equivariant; m is fixed and non-zero, so c's gradient is not).
    /// </summary>
    public sealed record Classification() : Relaxation
    {
        /// <summary>
        /// The positions the reference code calls central. Positions are laid out as the samples lay pixels and as a
        /// two-factor product G×H with |G| = |H| indexes its elements, (row, col) ↔ row·n + col: when |G| = n² the mask
        /// is 1 where both row and col lie in the middle half [⌊n/4⌋, n − ⌊n/4⌋) (the central 14×14 pixels of a 28×28
        /// image); otherwise the positions a in the middle half of 0..|G|−1. Always non-empty.
        /// </summary>
        public static float[] CentralMask(int order)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(order, 1);
            var mask = new float[order];
            int side = (int)Math.Round(Math.Sqrt(order));
            bool Middle(int i, int n) => i >= n / 4 && i < n - n / 4;
            for (int a = 0; a < order; a++)
                mask[a] = side * side == order ? (Middle(a / side, side) && Middle(a % side, side) ? 1f : 0f)
                                               : (Middle(a, order) ? 1f : 0f);
            return mask;
        }
    }

    /// <summary>How many kernels are stacked beside w in the layer's one kernel call (c_1..c_r).</summary>
    public int ExtraKernels => this switch
    {
        LowDisplacementRank l => l.Rank,
        Classification => 1,
        Regression => 0,
        _ => throw new InvalidOperationException(),
    };

    /// <summary>"ldr:R", "ldr:R:per-channel", "regression" or "classification" (case-insensitive); anything else → ArgumentException.</summary>
    public static Relaxation Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Trim().ToLowerInvariant().Split(':');
        ArgumentException Bad() => new(
            $"'{text}' is not a relaxation; expected ldr:R (R ≥ 1), ldr:R:per-channel, regression or classification.", nameof(text));
        return parts switch
        {
            ["regression"] => new Regression(),
            ["classification"] => new Classification(),
            ["ldr", var r, .. var rest] when int.TryParse(r, NumberStyles.None, CultureInfo.InvariantCulture, out int rank) && rank >= 1 =>
                rest switch
                {
                    [] => new LowDisplacementRank(rank),
                    ["per-channel"] => new LowDisplacementRank(rank, PerChannelScales: true),
                    _ => throw Bad(),
                },
            _ => throw Bad(),
        };
    }

    public sealed override string ToString() => this switch
    {
        LowDisplacementRank { PerChannelScales: true } l => $"ldr:{l.Rank}:per-channel",
        LowDisplacementRank l => $"ldr:{l.Rank}",
        Regression => "regression",
        Classification => "classification",
        _ => GetType().Name,
    };
}
