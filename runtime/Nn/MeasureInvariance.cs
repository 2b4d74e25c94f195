namespace GmCodegen;

public static partial class Measure
{
    /// <summary>
    /// The invariance error of a network's outputs under the given elements of <typeparamref name="TGroup"/> (its input
    /// group): max over u of ‖h(L_u x) − h(x)‖ / ‖h(x)‖, in evaluation mode. A pooled network (GM layers, coset pools,
    /// a final global pool) is invariant only under the subgroup its last features live on, embedded in G:
    /// <see cref="EmbeddedSubgroup{TPool1, TPool2}"/> lists it for two pools.
    /// </summary>
    public static double Invariance<TGroup>(Network network, float[] x, int batch, IReadOnlyList<int> elements) where TGroup : IGroupKernel
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(elements);
        if (batch <= 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "The batch must be positive.");
        if (network.Input.Positions != TGroup.Order)
            throw new ArgumentException($"The network takes {network.Input}, not a map on {typeof(TGroup).Name} ({TGroup.Order} elements).", nameof(network));
        if (x.Length < (long)batch * network.Input.Size)
            throw new ArgumentException($"x has {x.Length} values; a batch of {batch} × {network.Input.Size} needs {(long)batch * network.Input.Size}.", nameof(x));
        int n = batch * network.Output.Size;
        var hx = network.Forward(x, batch, training: false).AsSpan(0, n).ToArray();
        double norm = Norm(hx), worst = 0;
        var xu = new float[batch * network.Input.Size];
        foreach (int u in elements)
        {
            Act<TGroup>(u, x, xu, batch * network.Input.Channels);
            var hu = network.Forward(xu, batch, training: false).AsSpan(0, n).ToArray();
            worst = Math.Max(worst, Relative(Distance(hu, hx), norm));
        }
        return worst;
    }

    /// <summary>The innermost subgroup of two chained pools as elements of the outer group: emb1(emb2(s)) for s in it.</summary>
    public static int[] EmbeddedSubgroup<TPool1, TPool2>() where TPool1 : IGroupPool where TPool2 : IGroupPool
    {
        if (TPool1.SubgroupName != TPool2.GroupName)
            throw new ArgumentException($"{typeof(TPool1).Name} pools to {TPool1.SubgroupName} but {typeof(TPool2).Name} pools from {TPool2.GroupName}.");
        var outer = TPool1.Embedding;
        var inner = TPool2.Embedding;
        var result = new int[inner.Length];
        for (int s = 0; s < inner.Length; s++) result[s] = outer[inner[s]];
        return result;
    }
}
