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

/// <summary>The generator's stages composed: check the declaration → parse → elaborate → neighbourhood → plan → emit.</summary>
public static class Pipeline
{
    public static GenerationResult Run(GroupRequest request)
    {
        var hint = request.Target.HintName;
        try
        {
            return RunStages(request);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Never throw into the compiler: an unexpected failure becomes a diagnostic at the declaration.
            return new GenerationResult(hint, null, EquatableArray.Of(
                new DiagnosticInfo(Descriptors.InternalError, request.TypeLocation, EquatableArray.Of(request.Target.Name, e.Message))));
        }
    }

    static GenerationResult RunStages(GroupRequest r)
    {
        var hint = r.Target.HintName;
        GenerationResult Fail(params DiagnosticInfo[] d) => new(hint, null, d.ToEquatableArray());
        DiagnosticInfo At(DiagnosticDescriptor descriptor, LocationInfo loc, params string[] args) => new(descriptor, loc, args.ToEquatableArray());

        // The declaration itself.
        var declaration = new List<DiagnosticInfo>();
        if (r.IsStatic) declaration.Add(At(Descriptors.StaticType, r.TypeLocation, r.Target.Name));
        if (!r.IsPartial) declaration.Add(At(Descriptors.NotPartial, r.TypeLocation, r.Target.Name));
        if (r.NonPartialContainer is { } c) declaration.Add(At(Descriptors.NotPartial, r.TypeLocation, c));
        if (r.IsGeneric) declaration.Add(At(Descriptors.UnsupportedContainer, r.TypeLocation, r.Target.Name));
        if (r.Radius < Neighbourhoods.WholeGroup)
            declaration.Add(At(Descriptors.NegativeRadius, r.RadiusLocation ?? r.ExpressionLocation, r.Radius.ToString()));
        if (r.Expression is null) declaration.Add(At(Descriptors.MissingExpression, r.ExpressionLocation));
        if (declaration.Count > 0) return Fail(declaration.ToArray());

        // Parse and elaborate; errors point inside the string.
        var parsed = Parser.Parse(r.Expression);
        if (parsed.Error is { } pe) return Fail(ExpressionError(r, pe));
        var elaborated = Elaborator.Elaborate(parsed.Syntax!);
        if (elaborated.Error is { } ee) return Fail(ExpressionError(r, ee));
        var group = elaborated.Group!;

        var neighbourhood = Neighbourhoods.Of(group, r.Radius);
        var plan = Planner.Plan(group, neighbourhood.Elements);
        var source = Emitter.Emit(r.Target, group, plan, r.Radius, neighbourhood.Dropped);

        var notes = new List<DiagnosticInfo>();
        if (neighbourhood.Dropped > 0)
            notes.Add(At(Descriptors.DuplicateNeighbours, r.ExpressionLocation, r.Radius.ToString(), group.Name,
                neighbourhood.Dropped.ToString(), plan.KernelSize.ToString()));
        if (plan.TableDriven)
            notes.Add(At(Descriptors.TableDriven, r.ExpressionLocation, group.Name, plan.TableDrivenReason));
        return new GenerationResult(hint, source, notes.ToEquatableArray());
    }

    /// <summary>An error inside the expression string, located at its column when the literal maps exactly.</summary>
    static DiagnosticInfo ExpressionError(GroupRequest r, DefinitionError e)
    {
        var location = r.ExpressionLocation;
        if (r.ExpressionContentStart is int start && r.ExpressionLine is { } line)
        {
            // An exact mapping implies a non-null expression; keep the span inside it (at least one character where possible).
            int n = r.Expression!.Length;
            int col = Math.Min(e.Span.Start, n);
            int length = Math.Min(Math.Max(1, e.Span.Length), n - col);
            var span = new TextSpan(start + col, length);
            var lineSpan = new LinePositionSpan(new LinePosition(line.Line, line.Character + col), new LinePosition(line.Line, line.Character + col + length));
            location = new LocationInfo(location.Path, span, lineSpan);
        }
        return new DiagnosticInfo(e.Descriptor, location, EquatableArray.Of((e.Span.Start + 1).ToString(), e.Message));
    }
}
