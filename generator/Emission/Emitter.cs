using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using GmCodegen.Generator.Elaboration;
using GmCodegen.Generator.Model;
using GmCodegen.Generator.Planning;
using Scriban;
using Scriban.Parsing;
using Scriban.Runtime;

namespace GmCodegen.Generator.Emission;

/// <summary>
/// Plan → C# source: <see cref="KernelModel"/> rendered by the embedded Scriban templates. Kernel.scriban is the file
/// and includes one template per section (Header, GroupLaw, Gathers, MicroKernel); all are parsed once per process.
/// </summary>
public static class Emitter
{
    const string ResourcePrefix = "GmCodegen.Templates.";
    const string Root = "Kernel";

    /// <summary>Every embedded template by name (file name without .scriban), parsed on first use.</summary>
    static readonly Lazy<IReadOnlyDictionary<string, Template>> Templates = new(Load);

    static IReadOnlyDictionary<string, Template> Load()
    {
        var assembly = typeof(Emitter).Assembly;
        var result = new Dictionary<string, Template>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix) && n.EndsWith(".scriban")))
        {
            string name = resource.Substring(ResourcePrefix.Length, resource.Length - ResourcePrefix.Length - ".scriban".Length);
            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
            var template = Template.Parse(reader.ReadToEnd(), name + ".scriban");
            if (template.HasErrors) throw new InvalidOperationException($"Template {name}: {string.Join("; ", template.Messages)}");
            result.Add(name, template);
        }
        if (!result.ContainsKey(Root)) throw new InvalidOperationException($"Template {Root} is not embedded.");
        return result;
    }

    public static string Emit(TypeTarget target, Group group, KernelPlan plan, int radius, int dropped) =>
        Render(KernelModel.From(target, group, plan, radius, dropped));

    public static string Render(KernelModel model) => Render(model, Root);

    /// <summary>A torus group's lift file: <see cref="LiftModel"/> rendered by Lift.scriban.</summary>
    public static string EmitLift(TypeTarget target, Group group, Lifting.LiftPlan plan) =>
        Render(LiftModel.From(target, group, plan), "Lift");

    /// <summary>A [GroupPool] type's source: <see cref="PoolModel"/> rendered by Pool.scriban.</summary>
    public static string EmitPool(TypeTarget target, string groupType, string subgroupType, Pooling.PoolPlan plan) =>
        Render(PoolModel.From(target, groupType, subgroupType, plan), "Pool");

    static string Render(object model, string root)
    {
        var globals = new ScriptObject();
        globals.Import(new { Model = model });
        // No output limit: an unrolled kernel (D7 x D7 at radius 1, ~700k characters) was cut off mid-statement by Scriban's default limits.
        var context = new TemplateContext
        {
            LoopLimit = 0, RecursiveLimit = 0, LimitToString = 0, OutputLimit = 0, StrictVariables = true, TemplateLoader = Includes.Instance,
        };
        // Includes resolve to the parsed templates: the loader is never asked for text.
        foreach (var t in Templates.Value) context.CachedTemplates[t.Key] = t.Value;
        context.PushGlobal(globals);
        return Templates.Value[root].Render(context);
    }

    /// <summary>Maps <c>include 'Name'</c> to the cache key Name; every template is in the cache before rendering.</summary>
    sealed class Includes : ITemplateLoader
    {
        public static readonly Includes Instance = new();
        public string GetPath(TemplateContext context, SourceSpan callerSpan, string templateName) => templateName;
        public string Load(TemplateContext context, SourceSpan callerSpan, string templatePath) =>
            throw new InvalidOperationException($"Template {templatePath} is not embedded.");
        public System.Threading.Tasks.ValueTask<string?> LoadAsync(TemplateContext context, SourceSpan callerSpan, string templatePath) =>
            throw new InvalidOperationException($"Template {templatePath} is not embedded.");
    }
}
