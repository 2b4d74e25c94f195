using System.Linq;
using System.Threading;
using GmCodegen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GmCodegen.Generator;

/// <summary>
/// [GroupMatrix("…")] partial types → IGroupKernel implementations. The pipeline is
/// extract (syntax + symbols → <see cref="GroupRequest"/>) → <see cref="Pipeline.Run"/> (parse → elaborate → plan → emit),
/// with value-equal models between the stages so that unrelated edits leave the outputs cached.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class GroupMatrixGenerator : IIncrementalGenerator
{
    public const string AttributeName = "GmCodegen.GroupMatrixAttribute";

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var results = context.SyntaxProvider
            .ForAttributeWithMetadataName(AttributeName,
                static (node, _) => node is TypeDeclarationSyntax,
                static (ctx, ct) => Extract(ctx, ct))
            .Where(static r => r is not null)
            .Select(static (r, _) => Pipeline.Run(r!))
            .WithTrackingName("GroupMatrixResults");

        context.RegisterSourceOutput(results, static (spc, result) =>
        {
            foreach (var d in result.Diagnostics) spc.ReportDiagnostic(d.ToDiagnostic());
            if (result.Source is not null) spc.AddSource(result.HintName, result.Source);
        });
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
        foreach (var named in attribute.NamedArguments)
            if (named.Key == "Radius" && named.Value.Value is int r) radius = r;

        // Column mapping is exact only for a plain literal whose text is the value between quotes.
        int? contentStart = null;
        LineInfo? line = null;
        if (exprArg?.Expression is LiteralExpressionSyntax lit && lit.Token.IsKind(SyntaxKind.StringLiteralToken)
            && expression is not null && lit.Token.Text == "\"" + expression + "\"")
        {
            contentStart = lit.Token.SpanStart + 1;
            var pos = lit.Token.GetLocation().GetLineSpan().StartLinePosition;
            line = new LineInfo(pos.Line, pos.Character + 1);
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
        return new GroupRequest(
            new TypeTarget(ns, containers.ToEquatableArray(), Keyword(type), type.Name),
            expression, radius,
            IsPartial: decl.Modifiers.Any(SyntaxKind.PartialKeyword),
            IsStatic: type.IsStatic,
            IsGeneric: type.IsGenericType || containers.Count > 0 && type.ContainingType!.IsGenericType,
            NonPartialContainer: nonPartialContainer,
            TypeLocation: typeLocation,
            ExpressionLocation: exprLocation,
            RadiusLocation: LocationInfo.From(radiusArg?.GetLocation()),
            ExpressionContentStart: contentStart,
            ExpressionLine: line);
    }

    static string Keyword(INamedTypeSymbol t) => (t.IsRecord, t.TypeKind) switch
    {
        (true, TypeKind.Struct) => "record struct",
        (true, _) => "record class",
        (false, TypeKind.Struct) => "struct",
        (false, TypeKind.Interface) => "interface",
        _ => "class",
    };
}
