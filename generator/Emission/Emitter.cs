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
    /// <summary>Output channels per register block of the micro-kernel (6 x 2 vectors = 12 accumulators).</summary>
    public const int MicroRows = 6;

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
            Mr = MicroRows,
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
                new { Name = "Forward", Doc = "dst[f] = src[f·f_j⁻¹] (forward gather).", Gathers = Gathers(plan.FastForward) },
                new { Name = "Backward", Doc = "dst[f] = src[f·f_j] (backward gather, through the inverse permutations).", Gathers = Gathers(plan.FastBackward) },
            },
        });
        var context = new TemplateContext { LoopLimit = 0, RecursiveLimit = 0, StrictVariables = true };
        context.PushGlobal(model);
        return KernelTemplate.Value.Render(context);
    }

    static string Join(IEnumerable<int> values) => string.Join(", ", values);

    static object[] Gathers(EquatableArray<FastGather> gathers) =>
        gathers.Select((g, j) => (object)new { Index = j, Element = g.Element, Segments = g.Segments.Select(Segment).ToArray() }).ToArray();

    static object Segment(Segment s) => s switch
    {
        Run { Stride: 1 } r => new { Kind = "copy", Src = r.SrcStart, Dst = r.DstStart, Length = r.Length, Code = "" },
        Run r => new { Kind = "reverse", Src = r.SrcStart - r.Length + 1, Dst = r.DstStart, Length = r.Length, Code = "" },
        Scattered sc => new
        {
            Kind = "scattered", Src = 0, Dst = sc.DstStart, Length = sc.Length,
            Code = string.Join(" ", sc.Sources.Select((src, t) => $"dst[{sc.DstStart + t}] = src[{src}];")),
        },
        _ => throw new InvalidOperationException(s.GetType().Name),
    };

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
