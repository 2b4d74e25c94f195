using System.Linq;
using System.Threading;
using GmCodegen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GmCodegen.Generator;

/// <summary>
/// [GroupPool(typeof(G), typeof(H))] partial types → IGroupPool implementations, the generator's second branch, built
/// like the first: Extract (syntax + symbols, including both types' [GroupMatrix] expression and radius) → a
/// location-free <see cref="PoolKey"/> → <see cref="PoolPipeline.Run"/> → the source; the findings are placed at the
/// declaration's parts separately, so moving a declaration only re-places them.
/// </summary>
public static class GroupPoolBranch
{
    public const string AttributeName = "GmCodegen.GroupPoolAttribute";

    /// <summary>Tracked step names.</summary>
    public const string RequestStep = "GroupPoolRequests", KeyStep = "GroupPoolKeys", ResultStep = "GroupPoolResults",
        DiagnosticStep = "GroupPoolDiagnostics";

    public static void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var requests = context.SyntaxProvider
            .ForAttributeWithMetadataName(AttributeName,
                static (node, _) => node is TypeDeclarationSyntax,
                static (ctx, ct) => Extract(ctx, ct))
            .Where(static r => r is not null)
            .Select(static (r, _) => r!)
            .WithTrackingName(RequestStep);

        var results = requests
            .Select(static (r, _) => r.Key)
            .WithTrackingName(KeyStep)
            .Select(static (key, _) => PoolPipeline.Run(key))
            .WithTrackingName(ResultStep);

        context.RegisterSourceOutput(results.Select(static (r, _) => (r.HintName, r.Source)), static (spc, file) =>
        {
            if (file.Source is not null) spc.AddSource(file.HintName, file.Source);
        });

        var diagnostics = results.Select(static (r, _) => r.Findings).Collect()
            .Combine(requests.Select(static (r, _) => r.Locations).Collect())
            .Select(static (pair, _) => pair.Left.Zip(pair.Right, PoolPipeline.Place).SelectMany(d => d).ToEquatableArray())
            .WithTrackingName(DiagnosticStep);

        context.RegisterSourceOutput(diagnostics, static (spc, found) =>
        {
            foreach (var d in found) spc.ReportDiagnostic(d.ToDiagnostic());
        });
    }

    static PoolRequest? Extract(GeneratorAttributeSyntaxContext ctx, CancellationToken ct)
    {
        if (ctx.TargetSymbol is not INamedTypeSymbol type || ctx.TargetNode is not TypeDeclarationSyntax decl) return null;
        var attribute = ctx.Attributes.FirstOrDefault();
        if (attribute is null) return null;
        ct.ThrowIfCancellationRequested();

        var attrSyntax = attribute.ApplicationSyntaxReference?.GetSyntax(ct) as AttributeSyntax;
        var positional = attrSyntax?.ArgumentList?.Arguments.Where(a => a.NameEquals is null).ToArray() ?? [];
        var embeddingArg = attrSyntax?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.Text == "Embedding");

        string? embedding = null;
        foreach (var named in attribute.NamedArguments)
            if (named.Key == "Embedding" && named.Value.Value is string e) embedding = e;

        GroupReference Reference(int i)
        {
            var symbol = attribute.ConstructorArguments.Length > i ? attribute.ConstructorArguments[i].Value as INamedTypeSymbol : null;
            if (symbol is null || symbol.TypeKind == TypeKind.Error) return new GroupReference(positional.Length > i ? positional[i].ToString() : "?", false, null, 1);
            var gm = symbol.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == GroupMatrixGenerator.AttributeName);
            string name = symbol.Name;
            if (gm is null) return new GroupReference(name, false, null, 1);
            int radius = 1;
            foreach (var named in gm.NamedArguments)
                if (named.Key == "Radius" && named.Value.Value is int r) radius = r;
            string? expression = gm.ConstructorArguments.Length == 1 ? gm.ConstructorArguments[0].Value as string : null;
            return new GroupReference(name, true, expression, radius);
        }

        var typeLocation = LocationInfo.From(decl.Identifier.GetLocation())!;
        var attrLocation = LocationInfo.From(attrSyntax?.GetLocation()) ?? typeLocation;
        LocationInfo ArgumentLocation(int i) => positional.Length > i ? LocationInfo.From(positional[i].GetLocation()) ?? attrLocation : attrLocation;

        string? nonPartialContainer = null;
        var containers = new System.Collections.Generic.List<ContainingType>();
        for (var c = type.ContainingType; c is not null; c = c.ContainingType)
        {
            var cDecl = c.DeclaringSyntaxReferences.Select(s => s.GetSyntax(ct)).OfType<TypeDeclarationSyntax>().FirstOrDefault();
            if (cDecl is null || !cDecl.Modifiers.Any(SyntaxKind.PartialKeyword)) nonPartialContainer ??= c.Name;
            containers.Insert(0, new ContainingType(GroupMatrixGenerator.Keyword(c), c.Name));
        }

        var ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : "";
        var key = new PoolKey(
            new TypeTarget(ns, containers.ToEquatableArray(), GroupMatrixGenerator.Keyword(type), type.Name),
            Reference(0), Reference(1), embedding,
            IsPartial: decl.Modifiers.Any(SyntaxKind.PartialKeyword),
            IsStatic: type.IsStatic,
            IsGeneric: type.IsGenericType || containers.Count > 0 && type.ContainingType!.IsGenericType,
            NonPartialContainer: nonPartialContainer);
        return new PoolRequest(key, new PoolLocations(typeLocation, ArgumentLocation(0), ArgumentLocation(1),
            LocationInfo.From(embeddingArg?.GetLocation())));
    }
}
