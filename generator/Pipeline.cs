using System;
using System.Collections.Generic;
using System.Linq;
using GmCodegen.Generator.Diagnostics;
using GmCodegen.Generator.Elaboration;
using GmCodegen.Generator.Emission;
using GmCodegen.Generator.Model;
using GmCodegen.Generator.Parsing;
using GmCodegen.Generator.Planning;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace GmCodegen.Generator;

/// <summary>
/// The generator's stages composed: check the declaration → parse → elaborate → neighbourhood → plan → emit, on the
/// location-free <see cref="GroupKey"/>; <see cref="Place"/> then puts the findings at the declaration's locations.
/// </summary>
public static class Pipeline
{
    public static GenerationResult Run(GroupKey key) => Stages.Guarded(key.Target, () => RunStages(key));

    static GenerationResult RunStages(GroupKey r)
    {
        var hint = r.Target.HintName;
        GenerationResult Fail(params Finding[] f) => new(hint, null, f.ToEquatableArray());
        Finding At(DiagnosticDescriptor descriptor, Anchor anchor, params string[] args) => new(descriptor, anchor, args.ToEquatableArray());

        // The declaration itself.
        var declaration = Stages.DeclarationFindings(r.Target, r.IsStatic, r.IsPartial, r.NonPartialContainer, r.IsGeneric);
        if (r.Radius < Neighbourhoods.WholeGroup) declaration.Add(At(Descriptors.NegativeRadius, new AtRadius(), r.Radius.ToString()));
        if (r.LiftRadius < Neighbourhoods.WholeGroup) declaration.Add(At(Descriptors.NegativeRadius, new AtType(), $"LiftRadius = {r.LiftRadius.Value}"));
        if (r.Expression is null) declaration.Add(At(Descriptors.MissingExpression, new AtExpression()));
        if (declaration.Count > 0) return Fail(declaration.ToArray());

        // Parse and elaborate; errors point inside the string.
        var parsed = Parser.Parse(r.Expression);
        if (parsed.Error is { } pe) return Fail(InExpression(pe));
        var elaborated = Elaborator.Elaborate(parsed.Syntax!);
        if (elaborated.Error is { } ee) return Fail(InExpression(ee));
        var group = elaborated.Group!;

        var neighbourhood = Neighbourhoods.Of(group, r.Radius);
        var plan = Planner.Plan(group, neighbourhood.Elements);
        var source = Emitter.Emit(r.Target, group, plan, r.Radius, neighbourhood.Dropped);

        var notes = new List<Finding>();
        if (neighbourhood.Dropped > 0)
            notes.Add(At(Descriptors.DuplicateNeighbours, new AtExpression(), r.Radius.ToString(), group.Name,
                neighbourhood.Dropped.ToString(), plan.KernelSize.ToString()));
        if (plan.TableDriven)
            notes.Add(At(Descriptors.TableDriven, new AtExpression(), group.Name, plan.TableDrivenReason));
        return new GenerationResult(hint, source, notes.ToEquatableArray()) { Extras = LiftFiles(r, group).ToEquatableArray() };
    }

    /// <summary>
    /// For a group that acts on the pixel torus: the lift file and, unless the group is its own translation group at the
    /// lift's radius, the translation kernel as a nested type (docs/design.md#lifting). None for other groups.
    /// </summary>
    static IEnumerable<GeneratedFile> LiftFiles(GroupKey r, Group group)
    {
        if (Lifting.LiftPlan.Of(group, r.Radius, r.LiftRadius ?? r.Radius) is not { } lift) yield break;
        var stem = r.Target.HintName.Substring(0, r.Target.HintName.Length - ".g.cs".Length);
        yield return new GeneratedFile(stem + ".Lift.g.cs", Emitter.EmitLift(r.Target, group, lift));
        if (lift.SelfIsTranslations) yield break;
        var t = lift.Translations;
        var neighbourhood = Neighbourhoods.Of(t, lift.Radius);
        var plan = Planner.Plan(t, neighbourhood.Elements);
        yield return new GeneratedFile(stem + "." + Lifting.LiftPlan.NestedName + ".g.cs",
            Emitter.Emit(LiftModel.Nested(r.Target), t, plan, lift.Radius, neighbourhood.Dropped));
    }

    static Finding InExpression(DefinitionError e) =>
        new(e.Descriptor, new InExpression(e.Span), EquatableArray.Of((e.Span.Start + 1).ToString(), e.Message));

    /// <summary>The findings placed at the declaration's locations.</summary>
    public static EquatableArray<DiagnosticInfo> Place(EquatableArray<Finding> findings, SourceLocations at) =>
        findings.Select(f => new DiagnosticInfo(f.Descriptor, Locate(f.Anchor, at), f.Args)).ToEquatableArray();

    static LocationInfo Locate(Anchor anchor, SourceLocations at) => anchor switch
    {
        AtType => at.Type,
        AtRadius => at.Radius ?? at.Expression,
        InExpression e => InString(e.Span, at),
        _ => at.Expression,
    };

    /// <summary>An error inside the expression string, located at its column when the literal maps exactly.</summary>
    static LocationInfo InString(Span s, SourceLocations at)
    {
        if (at.Literal is not { } literal) return at.Expression;
        int n = literal.Length;
        // Keep the span inside the string (at least one character where possible).
        int col = Math.Min(s.Start, n);
        int length = Math.Min(Math.Max(1, s.Length), n - col);
        var span = new TextSpan(literal.ContentStart + col, length);
        var lineSpan = new LinePositionSpan(new LinePosition(literal.Line, literal.Character + col), new LinePosition(literal.Line, literal.Character + col + length));
        return new LocationInfo(at.Expression.Path, span, lineSpan);
    }
}
