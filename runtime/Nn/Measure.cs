using Spectre.Console;

namespace GmCodegen;

/// <summary>One row of a parameter table: a layer that owns parameters, and how many it adds to the total.</summary>
public sealed record ParameterRow(string Layer, string Kind, Shape Output, int Count, string Note);

/// <summary>The equivariance error of the features before pooling and the invariance error of the outputs after it.</summary>
/// <param name="FeatureError">max_u ‖f(L_u x) − L_u f(x)‖ / ‖f(x)‖ for the G-indexed features f.</param>
/// <param name="InvarianceError">max_u ‖h(L_u x) − h(x)‖ / ‖h(x)‖ for the network's outputs h (NaN when they still live on G).</param>
/// <param name="ElementsTested">How many u were tried.</param>
/// <param name="WorstElement">The u attaining the feature error.</param>
/// <param name="FeatureLayer">The layer whose output was taken as f.</param>
public sealed record EquivarianceReport(double FeatureError, double InvarianceError, int ElementsTested, int WorstElement, string FeatureLayer);

/// <summary>Measurements of a network: its parameter counts and how equivariant it is (docs/design.md#equivariance-and-how-it-is-measured).</summary>
public static partial class Measure
{
    /// <summary>Leaf layers with parameters, in order; a shared parameter is counted at its first use only.</summary>
    public static IReadOnlyList<ParameterRow> ParameterCounts(Network network)
    {
        var seen = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        var rows = new List<ParameterRow>();
        foreach (var layer in network.Layers.Where(l => l.Children.Count == 0 && l.Parameters.Count > 0))
        {
            var fresh = layer.Parameters.Where(seen.Add).ToList();
            var shared = layer.Parameters.Except(fresh).Select(p => p.Name).ToList();
            rows.Add(new ParameterRow(layer.Name, layer.Kind, layer.Output, fresh.Sum(p => p.Size),
                shared.Count == 0 ? "" : $"shares {string.Join(", ", shared)}"));
        }
        return rows;
    }

    /// <summary>
    /// A table of <see cref="ParameterCounts"/> with the total (which equals <see cref="Network.ParameterCount"/>), and
    /// with <paramref name="memory"/> a last row with the estimated training memory (<see cref="Network.EstimateMemory"/>).
    /// </summary>
    public static Table ParameterTable(Network network, MemoryEstimate? memory = null)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("layer", "kind", "parameters", "note");
        table.Columns[2].RightAligned();
        foreach (var r in ParameterCounts(network))
            table.AddRow(Markup.Escape(r.Layer), Markup.Escape(r.Kind), r.Count.ToString("N0"), Markup.Escape(r.Note));
        table.AddRow("[bold]total[/]", "", $"[bold]{network.ParameterCount:N0}[/]", "");
        if (memory is not null)
            table.AddRow("memory", $"estimate, batch {memory.Batch}", MemoryEstimate.Format(memory.TotalBytes),
                Markup.Escape($"activations {MemoryEstimate.Format(memory.ActivationBytes)}"));
        return table;
    }

    /// <summary>
    /// The equivariance error of <paramref name="network"/> under <typeparamref name="TGroup"/> on a batch x
    /// (input shape [C, |G|]), in evaluation mode. The features f are the output of the layers before the root
    /// sequence's first global pool (or the whole network if it has none); h is the whole network.
    /// (L_u x)(a) = x(u⁻¹·g_a). With <paramref name="sample"/> &lt; |G|, that many non-identity u are drawn with
    /// <paramref name="seed"/>; otherwise every u is tried.
    /// </summary>
    public static EquivarianceReport Equivariance<TGroup>(Network network, float[] x, int batch, int? sample = null, int seed = 0)
        where TGroup : IGroupKernel
    {
        int order = TGroup.Order;
        ArgumentNullException.ThrowIfNull(x);
        if (batch <= 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "The batch must be positive.");
        if (x.Length < (long)batch * network.Input.Size)
            throw new ArgumentException($"x has {x.Length} values; a batch of {batch} × {network.Input.Size} needs {(long)batch * network.Input.Size}.", nameof(x));
        if (sample is <= 0) throw new ArgumentOutOfRangeException(nameof(sample), sample, "Sample at least one group element.");
        if (network.Input.Positions != order)
            throw new ArgumentException($"The network takes {network.Input}, not a map on {typeof(TGroup).Name} ({order} elements).");
        var steps = network.Root is Sequential s ? s.Children : [network.Root];
        int split = 0;
        while (split < steps.Count && steps[split] is not GlobalPool) split++;
        if (split == 0) throw new ArgumentException("The network pools before any layer: there are no G-indexed features to compare.");
        var featureShape = steps[split - 1].Output;
        if (featureShape.Positions != order)
            throw new ArgumentException($"The features before pooling ({steps[split - 1].Name}: {featureShape}) do not live on {typeof(TGroup).Name}.");
        bool pooled = split < steps.Count;

        // f(x), h(x), with the remaining steps run on from the features.
        (float[] f, float[] h) Run(float[] input)
        {
            var y = input;
            for (int j = 0; j < split; j++) y = steps[j].Forward(y, batch, training: false);
            var f = y.AsSpan(0, batch * featureShape.Size).ToArray();
            for (int j = split; j < steps.Count; j++) y = steps[j].Forward(y, batch, training: false);
            return (f, y.AsSpan(0, batch * network.Output.Size).ToArray());
        }

        var (fx, hx) = Run(x);
        double normF = Norm(fx), normH = Norm(hx);
        int[] elements = [.. Enumerable.Range(0, order)];
        if (sample is int k && k < order - 1)
        {
            elements = elements[1..];                 // the identity tells nothing
            new Random(seed).Shuffle(elements);
            elements = elements[..k];
        }

        var xu = new float[batch * network.Input.Size];
        var lfx = new float[fx.Length];
        double worstF = 0, worstH = 0;
        int worstU = 0;
        foreach (int u in elements)
        {
            Act<TGroup>(u, x, xu, batch * network.Input.Channels);
            Act<TGroup>(u, fx, lfx, batch * featureShape.Channels);
            var (fu, hu) = Run(xu);
            double ef = Relative(Distance(fu, lfx), normF);
            // NaN must win (a NaN comparison is false): a network with non-finite outputs is not "exactly equivariant".
            if (!double.IsNaN(worstF) && (ef > worstF || double.IsNaN(ef))) (worstF, worstU) = (ef, u);
            if (pooled) worstH = Math.Max(worstH, Relative(Distance(hu, hx), normH));   // Math.Max propagates NaN
        }
        return new EquivarianceReport(worstF, pooled ? worstH : double.NaN, elements.Length, worstU, steps[split - 1].Name);
    }

    /// <summary>(L_u v)[r, a] = v[r, u⁻¹·a] for each of <paramref name="rows"/> rows of |G| values.</summary>
    public static void Act<TGroup>(int u, ReadOnlySpan<float> v, Span<float> result, int rows) where TGroup : IGroupKernel
    {
        int order = TGroup.Order;
        if ((uint)u >= (uint)order) throw new ArgumentOutOfRangeException(nameof(u), u, $"u must be an element index in [0, {order}).");
        if (rows < 0) throw new ArgumentOutOfRangeException(nameof(rows), rows, "rows must be ≥ 0.");
        long n = (long)rows * order;
        if (v.Length < n) throw new ArgumentException($"v has {v.Length} values; {rows} rows of {order} need {n}.", nameof(v));
        if (result.Length < n) throw new ArgumentException($"result has {result.Length} values; {rows} rows of {order} need {n}.", nameof(result));
        KernelChecks.CheckDisjoint(result, nameof(result), v, nameof(v));   // every output reads another input
        int uInv = TGroup.Inverse(u);
        Span<int> source = order <= 1024 ? stackalloc int[order] : new int[order];
        for (int a = 0; a < order; a++) source[a] = TGroup.Multiply(uInv, a);
        for (int r = 0; r < rows; r++)
        {
            var from = v.Slice(r * order, order);
            var to = result.Slice(r * order, order);
            for (int a = 0; a < order; a++) to[a] = from[source[a]];
        }
    }

    /// <summary>d / n, with 0 / 0 = 0 (all-zero features are exactly equivariant); NaN and ∞ pass through.</summary>
    static double Relative(double d, double n) => d == 0 && n == 0 ? 0 : d / n;

    static double Norm(float[] v)
    {
        double s = 0;
        foreach (var e in v) s += (double)e * e;
        return Math.Sqrt(s);
    }

    static double Distance(float[] a, float[] b)
    {
        double s = 0;
        for (int j = 0; j < a.Length; j++) { double d = (double)a[j] - b[j]; s += d * d; }
        return Math.Sqrt(s);
    }
}
