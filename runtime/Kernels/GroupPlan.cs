namespace GmCodegen;

/// <summary>
/// The group-specific half of a generated kernel, which <see cref="GmEngine{TPlan}"/> composes into the three passes.
/// The generator emits it from the group law (see the generated file's header): positions are split as
/// a = row·|F| + col so that, for every kernel element h_k, g_a·h_k⁻¹ moves whole rows by a small row table and
/// permutes inside each row by one of a few in-row permutations, emitted as straight-line vector copies. For a direct
/// product S x F the permutation depends on k only; for a semidirect product (p4m) it depends on the row as well,
/// which <see cref="FastForwardOf"/> and <see cref="FastBackwardOf"/> record per (k, row).
/// <para><b>Unchecked members.</b> This interface is public only because generated types implement it; it is the
/// engine's, not an API to call. The tables (<see cref="KernelSlow"/> … <see cref="BackwardShifts"/>, the orders) are
/// checked by <see cref="GmEngine{TPlan}"/> once per type. The three gathers do no checks at all: they write through
/// refs, and the caller guarantees that src holds every row rowMap names, dst holds rowMap.Length rows of |F| and j is
/// one of the plan's permutations. <see cref="TryForwardSharedUnrolled"/> checks its spans' lengths but not its
/// strides' signs. Call the <see cref="IGroupKernel"/> passes instead, which check everything.</para>
/// </summary>
public interface IGroupPlan : IGroupKernel
{
    /// <summary>|F|: positions per row.</summary>
    static abstract int FastOrder { get; }
    /// <summary>|S| = |G| / |F|: rows.</summary>
    static abstract int SlowOrder { get; }
    /// <summary>k → which slow row map h_k uses.</summary>
    static abstract ReadOnlySpan<int> KernelSlow { get; }
    /// <summary>[js·|S| + s] = the row of g·h_k⁻¹ for g in row s (js = KernelSlow[k]).</summary>
    static abstract ReadOnlySpan<int> SlowForward { get; }
    /// <summary>[js·|S| + s] = the row of g·h_k for g in row s.</summary>
    static abstract ReadOnlySpan<int> SlowBackward { get; }
    /// <summary>Distinct forward in-row permutations (the j that <see cref="GatherForward"/> accepts).</summary>
    static abstract int FastForwardCount { get; }
    /// <summary>Distinct backward in-row permutations (the j that the backward gathers accept).</summary>
    static abstract int FastBackwardCount { get; }
    /// <summary>[k·|S| + s] → the forward permutation j that output row s of gather k uses.</summary>
    static abstract ReadOnlySpan<int> FastForwardOf { get; }
    /// <summary>[k·|S| + s] → the backward permutation j that output row s of gather k uses.</summary>
    static abstract ReadOnlySpan<int> FastBackwardOf { get; }
    /// <summary>
    /// Per k the shift d_k ∈ (−|S|/2, |S|/2] when every forward row map is s ↦ s + d_k mod |S| and each k uses one
    /// permutation in every row (S = C_n); empty otherwise. The engine's shifted panel pass reads it.
    /// </summary>
    static abstract ReadOnlySpan<int> ForwardShifts { get; }
    /// <summary>The same as <see cref="ForwardShifts"/> for the backward row maps.</summary>
    static abstract ReadOnlySpan<int> BackwardShifts { get; }

    /// <summary>Row g of dst (stride |F|) = row rowMap[g] of src permuted by forward permutation j. Bounds are the caller's.</summary>
    static abstract void GatherForward(int j, ref float src, ReadOnlySpan<int> rowMap, ref float dst);
    /// <summary>Row g of dst (stride |F|) = row rowMap[g] of src permuted by backward permutation j. Bounds are the caller's.</summary>
    static abstract void GatherBackward(int j, ref float src, ReadOnlySpan<int> rowMap, ref float dst);
    /// <summary>Row g of dst (stride |F|) += row rowMap[g] of src permuted by backward permutation j. Bounds are the caller's.</summary>
    static abstract void GatherAddBackward(int j, ref float src, ReadOnlySpan<int> rowMap, ref float dst);

    /// <summary>
    /// Shared-weight forward micro-kernel with the K-reduction unrolled, C[m, 0..n) = W[m, 0..K)·P + bias[m] (bias may
    /// be empty); returns false when the plan has none (large K), and the engine uses <see cref="GmGemm"/>.
    /// </summary>
    static abstract bool TryForwardSharedUnrolled(int m, int n, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, ReadOnlySpan<float> panel, int ldp, Span<float> c, int ldc);
}
