using System.Linq;
using System.Threading;
using GmCodegen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GmCodegen.Generator;

/// <summary>
/// [GroupMatrix("…")] partial types → IGroupKernel implementations. Extract (syntax + symbols → <see cref="GroupRequest"/>)
/// then two branches: the location-free <see cref="GroupKey"/> → <see cref="Pipeline.Run"/> (parse → elaborate → plan →
/// emit) → the source, and the run's findings placed at the declaration's locations → the diagnostics. Models between
/// the stages are value-equal, so an edit that only moves a declaration re-places its diagnostics and emits nothing.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class GroupMatrixGenerator : IIncrementalGenerator
{
    public const string AttributeName = "GmCodegen.GroupMatrixAttribute";

    /// <summary>Tracked step names (the incremental tests read them).</summary>
    public const string RequestStep = "GroupMatrixRequests", KeyStep = "GroupMatrixKeys", ResultStep = "GroupMatrixResults",
        DiagnosticStep = "GroupMatrixDiagnostics";

    public void Initialize(IncrementalGeneratorInitializationContext context)
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
            .Select(static (key, _) => Pipeline.Run(key))
            .WithTrackingName(ResultStep);

        context.RegisterSourceOutput(results.Select(static (r, _) => (r.HintName, r.Source, r.Extras)), static (spc, file) =>
        {
            if (file.Source is null) return;
            spc.AddSource(file.HintName, file.Source);
            foreach (var extra in file.Extras) spc.AddSource(extra.HintName, extra.Source);
        });

        // Both branches come 1:1 from the same requests, so the collected arrays pair up by index.
        var diagnostics = results.Select(static (r, _) => r.Findings).Collect()
            .Combine(requests.Select(static (r, _) => r.Locations).Collect())
            .Select(static (pair, _) => pair.Left.Zip(pair.Right, Pipeline.Place).SelectMany(d => d).ToEquatableArray())
            .WithTrackingName(DiagnosticStep);

        context.RegisterSourceOutput(diagnostics, static (spc, found) =>
        {
            foreach (var d in found) spc.ReportDiagnostic(d.ToDiagnostic());
        });

        // The second branch: [GroupPool] declarations (GroupPoolBranch.cs).
        GroupPoolBranch.Initialize(context);
    }

    static GroupRequest? Extract(GeneratorAttributeSyntaxContext ctx, CancellationToken ct)
    {
        if (ctx.TargetSymbol is not INamedTypeSymbol type || ctx.TargetNode is not TypeDeclarationSyntax decl) return null;
        var attribute = ctx.Attributes.FirstOrDefault();
        if (attribute is null) return null;
        ct.ThrowIfCancellationRequested();

        var attrSyntax = attribute.ApplicationSyntaxReference?.GetSyntax(ct) as AttributeSyntax;
        var exprArg = attrSyntax?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals is null);
        var radiusArg = attrSyntax?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.Text == "Radius");

        string? expression = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string : null;
        int radius = 1;
        int? liftRadius = null;
        foreach (var named in attribute.NamedArguments)
        {
            if (named.Key == "Radius" && named.Value.Value is int r) radius = r;
            if (named.Key == "LiftRadius" && named.Value.Value is int lr) liftRadius = lr;
        }

        // Column mapping is exact only for a plain literal whose text is the value between quotes.
        LiteralMap? literal = null;
        if (exprArg?.Expression is LiteralExpressionSyntax lit && lit.Token.IsKind(SyntaxKind.StringLiteralToken)
            && expression is not null && lit.Token.Text == "\"" + expression + "\"")
        {
            var pos = lit.Token.GetLocation().GetLineSpan().StartLinePosition;
            literal = new LiteralMap(lit.Token.SpanStart + 1, pos.Line, pos.Character + 1, expression.Length);
        }

        var typeLocation = LocationInfo.From(decl.Identifier.GetLocation())!;
        var exprLocation = LocationInfo.From(exprArg?.GetLocation() ?? attrSyntax?.GetLocation()) ?? typeLocation;

        string? nonPartialContainer = null;
        var containers = new System.Collections.Generic.List<ContainingType>();
        for (var c = type.ContainingType; c is not null; c = c.ContainingType)
        {
            var cDecl = c.DeclaringSyntaxReferences.Select(s => s.GetSyntax(ct)).OfType<TypeDeclarationSyntax>().FirstOrDefault();
            if (cDecl is null || !cDecl.Modifiers.Any(SyntaxKind.PartialKeyword)) nonPartialContainer ??= c.Name;
            containers.Insert(0, new ContainingType(Keyword(c), c.Name));
        }

        var ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : "";
        var key = new GroupKey(
            new TypeTarget(ns, containers.ToEquatableArray(), Keyword(type), type.Name),
            expression, radius,
            IsPartial: decl.Modifiers.Any(SyntaxKind.PartialKeyword),
            IsStatic: type.IsStatic,
            IsGeneric: type.IsGenericType || containers.Count > 0 && type.ContainingType!.IsGenericType,
            NonPartialContainer: nonPartialContainer) { LiftRadius = liftRadius };
        return new GroupRequest(key, new SourceLocations(typeLocation, exprLocation, LocationInfo.From(radiusArg?.GetLocation()), literal));
    }

    internal static string Keyword(INamedTypeSymbol t) => (t.IsRecord, t.TypeKind) switch
    {
        (true, TypeKind.Struct) => "record struct",
        (true, _) => "record class",
        (false, TypeKind.Struct) => "struct",
        (false, TypeKind.Interface) => "interface",
        _ => "class",
    };
}
