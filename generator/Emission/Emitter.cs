using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using GmCodegen.Generator.Elaboration;
using GmCodegen.Generator.Model;
using GmCodegen.Generator.Planning;
using Scriban;
using Scriban.Runtime;

namespace GmCodegen.Generator.Emission;

/// <summary>Where the generated partial goes: namespace, enclosing types and the type's own declaration keyword.</summary>
public sealed record TypeTarget(string Namespace, EquatableArray<string> Containers, string Keyword, string Name)
{
    public string HintName => string.Join(".", new[] { Namespace }.Concat(Containers.Select(c => c.Split(' ').Last())).Append(Name).Where(s => s.Length > 0)) + ".g.cs";
}

/// <summary>Plan → C# source, through the embedded Scriban template (parsed once per process).</summary>
public static class Emitter
{
    /// <summary>Shared-weight forward reductions up to this K are fully unrolled.</summary>
    public const int MaxUnrolledK = 16;

    static readonly Lazy<Template> KernelTemplate = new(() => Load("Kernel.scriban"));

    static Template Load(string name)
    {
        using var stream = typeof(Emitter).Assembly.GetManifestResourceStream("GmCodegen.Templates." + name)
            ?? throw new InvalidOperationException($"Template {name} is not embedded.");
        using var reader = new StreamReader(stream);
        var template = Template.Parse(reader.ReadToEnd(), name);
        if (template.HasErrors) throw new InvalidOperationException($"Template {name}: {string.Join("; ", template.Messages)}");
        return template;
    }

    public static string Emit(TypeTarget target, Group group, KernelPlan plan, int radius, int dropped)
    {
        var model = new ScriptObject();
        model.Import(new
        {
            GroupName = group.Name,
            RadiusText = radius == Neighbourhoods.WholeGroup ? "whole group" : radius.ToString(),
            Order = plan.Order,
            KernelSize = plan.KernelSize,
            Dropped = dropped,
            SlowOrder = plan.SlowOrder,
            FastOrder = plan.FastOrder,
            SlowCount = plan.SlowForward.Count / plan.SlowOrder,
            FastCount = plan.FastForward.Count,
            TableDriven = plan.TableDriven,
            TableReason = plan.TableDrivenReason,
            RunCount = plan.FastForward.Concat(plan.FastBackward).Sum(g => g.Segments.Count(s => s is Run)),
            ScatteredCount = plan.FastForward.Concat(plan.FastBackward).Sum(g => g.Segments.Where(s => s is Scattered).Sum(s => s.Length)),
            UnrollK = plan.KernelSize <= MaxUnrolledK,
            Namespace = target.Namespace,
            Containers = target.Containers.Items.ToArray(),
            TypeKeyword = target.Keyword,
            TypeName = target.Name,
            KernelElements = Join(plan.KernelElements),
            KernelSlow = Join(plan.KernelSlow),
            KernelFast = Join(plan.KernelFast),
            SlowForward = Join(plan.SlowForward),
            SlowBackward = Join(plan.SlowBackward),
            FastForwardTable = Join(plan.FastForward.SelectMany(g => g.Map)),
            FastBackwardTable = Join(plan.FastBackward.SelectMany(g => g.Map)),
            Factors = Factors(group).ToArray(),
            Directions = new[]
            {
                new { Name = "GatherForward", Doc = "Forward gather: dst[f] = src[f·f_j⁻¹].", Table = "FastForwardTable", Assign = "=", Gathers = Gathers(plan.FastForward, add: false) },
                new { Name = "GatherBackward", Doc = "Backward gather through the inverse permutations: dst[f] = src[f·f_j].", Table = "FastBackwardTable", Assign = "=", Gathers = Gathers(plan.FastBackward, add: false) },
                new { Name = "GatherAddBackward", Doc = "Backward gather-sum through the inverse permutations: dst[f] += src[f·f_j].", Table = "FastBackwardTable", Assign = "+=", Gathers = Gathers(plan.FastBackward, add: true) },
            },
        });
        var context = new TemplateContext { LoopLimit = 0, RecursiveLimit = 0, StrictVariables = true };
        context.PushGlobal(model);
        return KernelTemplate.Value.Render(context);
    }

    static string Join(IEnumerable<int> values) => string.Join(", ", values);

    static object[] Gathers(EquatableArray<FastGather> gathers, bool add) =>
        gathers.Select((g, j) => (object)new
        {
            Index = j,
            Element = g.Element,
            Summary = Summary(g.Segments),
            Lines = g.Segments.SelectMany(seg => Lines(seg, add)).ToArray(),
        }).ToArray();

    static string Summary(EquatableArray<Segment> segments) => string.Join(", ", segments.Select(s => s switch
    {
        Run { Stride: 1 } r => $"[{r.DstStart}, {r.DstStart + r.Length}) ← +{r.SrcStart}",
        Run r => $"[{r.DstStart}, {r.DstStart + r.Length}) ← reversed from {r.SrcStart}",
        _ => $"{s.Length} scattered",
    }));

    /// <summary>
    /// A run as non-overlapping 8- and 4-lane vector moves plus single assignments (non-overlapping, so the same
    /// decomposition serves the accumulating backward gather). dst[d + t] = src[s ± t].
    /// </summary>
    static IEnumerable<string> Lines(Segment segment, bool add)
    {
        string op = add ? "+=" : "=";
        switch (segment)
        {
            case Run r:
                var moves = new List<string>();
                int t = 0;
                foreach (int width in new[] { 8, 4 })
                    for (; r.Length - t >= width; t += width)
                    {
                        // Forward runs read src[s + t ..]; reversed runs read the mirrored block and shuffle its lanes.
                        int src = r.Stride == 1 ? r.SrcStart + t : r.SrcStart - t - width + 1;
                        string name = (add ? "Add" : "Copy") + (r.Stride == 1 ? "" : "Reversed") + width;
                        moves.Add($"global::GmCodegen.VectorMoves.{name}(ref s, {src}, ref d, {r.DstStart + t});");
                    }
                for (; t < r.Length; t++)
                    moves.Add($"Unsafe.Add(ref d, {r.DstStart + t}) {op} Unsafe.Add(ref s, {r.SrcStart + r.Stride * t});");
                return [string.Join(" ", moves)];
            case Scattered sc:
                var assignments = sc.Sources.Select((src, i) => $"Unsafe.Add(ref d, {sc.DstStart + i}) {op} Unsafe.Add(ref s, {src});").ToArray();
                return Enumerable.Range(0, (assignments.Length + 3) / 4)
                    .Select(i => string.Join(" ", assignments.Skip(4 * i).Take(4)));
            default:
                throw new InvalidOperationException(segment.GetType().Name);
        }
    }

    /// <summary>Factors of the group with their mixed-radix strides (first factor slowest).</summary>
    static IEnumerable<object> Factors(Group g)
    {
        var factors = g is ProductGroup p ? p.Factors.Items.ToArray() : [g];
        int stride = g.Order;
        for (int i = 0; i < factors.Length; i++)
        {
            var f = factors[i];
            stride /= f.Order;
            yield return f switch
            {
                CyclicGroup c => new { Kind = "cyclic", Id = i, Name = f.Name, Order = f.Order, Stride = stride, N = c.N, Indexing = "", Table = "", Inverses = "" },
                DihedralGroup d => new { Kind = "dihedral", Id = i, Name = f.Name, Order = f.Order, Stride = stride, N = d.N, Indexing = "", Table = "", Inverses = "" },
                TableGroup t => new { Kind = "table", Id = i, Name = f.Name, Order = f.Order, Stride = stride, N = 0, Indexing = t.Indexing, Table = Join(t.Table), Inverses = Join(t.Inverses) },
                _ => throw new InvalidOperationException(f.GetType().Name),
            };
        }
    }
}
