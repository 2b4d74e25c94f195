namespace GmCodegen;

/// <summary>
/// The group-specific half of a generated kernel, which <see cref="GmEngine{TPlan}"/> composes into the three passes.
/// The generator emits it from the group's index structure (see the generated file's header): G is split as S x F,
/// and g_a·h_k⁻¹ = (s·s_k⁻¹, f·f_k⁻¹) moves whole F-rows by a small row table and permutes inside each row by one
/// of a few F-permutations, emitted as straight-line vector copies.
/// <para><b>Unchecked members.</b> This interface is public only because generated types implement it; it is the
/// engine's, not an API to call. The tables (<see cref="KernelSlow"/> … <see cref="SlowBackward"/>, the orders) are
/// checked by <see cref="GmEngine{TPlan}"/> once per type. The three gathers do no checks at all: they write through
/// refs, and the caller guarantees that src holds every row rowMap names, dst holds rowMap.Length rows of |F| and j is
/// one of the plan's fast permutations. <see cref="TryForwardSharedUnrolled"/> checks its spans' lengths but not its
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
    /// <summary>k → which fast permutation h_k uses.</summary>
    static abstract ReadOnlySpan<int> KernelFast { get; }
    /// <summary>[js·|S| + s] = s·s_js⁻¹.</summary>
    static abstract ReadOnlySpan<int> SlowForward { get; }
    /// <summary>[js·|S| + s] = s·s_js.</summary>
    static abstract ReadOnlySpan<int> SlowBackward { get; }

    /// <summary>Row g of dst (stride |F|) = row rowMap[g] of src permuted by f ↦ f·f_j⁻¹. Bounds are the caller's.</summary>
    static abstract void GatherForward(int j, ref float src, ReadOnlySpan<int> rowMap, ref float dst);
    /// <summary>Row g of dst (stride |F|) = row rowMap[g] of src permuted by f ↦ f·f_j. Bounds are the caller's.</summary>
    static abstract void GatherBackward(int j, ref float src, ReadOnlySpan<int> rowMap, ref float dst);
    /// <summary>Row g of dst (stride |F|) += row rowMap[g] of src permuted by f ↦ f·f_j. Bounds are the caller's.</summary>
    static abstract void GatherAddBackward(int j, ref float src, ReadOnlySpan<int> rowMap, ref float dst);

    /// <summary>
    /// Shared-weight forward micro-kernel with the K-reduction unrolled, C[m, 0..n) = W[m, 0..K)·P + bias[m] (bias may
    /// be empty); returns false when the plan has none (large K), and the engine uses <see cref="GmGemm"/>.
    /// </summary>
    static abstract bool TryForwardSharedUnrolled(int m, int n, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, ReadOnlySpan<float> panel, int ldp, Span<float> c, int ldc);
}
