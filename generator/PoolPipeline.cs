using System;
using System.Collections.Generic;
using System.Linq;
using GmCodegen.Generator.Diagnostics;
using GmCodegen.Generator.Elaboration;
using GmCodegen.Generator.Emission;
using GmCodegen.Generator.Model;
using GmCodegen.Generator.Parsing;
using GmCodegen.Generator.Pooling;
using Microsoft.CodeAnalysis;

namespace GmCodegen.Generator;

/// <summary>
/// The [GroupPool] branch's stages on the location-free <see cref="PoolKey"/>: check the declaration → parse and
/// elaborate both groups → embed, check and cut into cosets (<see cref="Cosets.Plan"/>) → emit; <see cref="Place"/>
/// puts the findings at the declaration's parts.
/// </summary>
public static class PoolPipeline
{
    public static GenerationResult Run(PoolKey key) => Stages.Guarded(key.Target, () => RunStages(key));

    static GenerationResult RunStages(PoolKey r)
    {
        var hint = r.Target.HintName;
        GenerationResult Fail(params Finding[] f) => new(hint, null, f.ToEquatableArray());
        Finding At(DiagnosticDescriptor descriptor, Anchor anchor, params string[] args) => new(descriptor, anchor, args.ToEquatableArray());

        var declaration = Stages.DeclarationFindings(r.Target, r.IsStatic, r.IsPartial, r.NonPartialContainer, r.IsGeneric);
        if (!r.Group.IsGroupMatrix) declaration.Add(At(Descriptors.PoolNotGroupMatrix, new AtGroupArgument(), r.Group.TypeName));
        if (!r.Subgroup.IsGroupMatrix) declaration.Add(At(Descriptors.PoolNotGroupMatrix, new AtSubgroupArgument(), r.Subgroup.TypeName));
        if (declaration.Count > 0) return Fail(declaration.ToArray());

        // A group whose own declaration is in error is reported there; the pool then generates nothing and says no more.
        var g = Elaborate(r.Group);
        var h = Elaborate(r.Subgroup);
        if (g is null || h is null) return Fail();

        var (plan, error) = Cosets.Plan(g, h, r.Embedding);
        if (error is not null) return Fail(error);
        return new GenerationResult(hint, Emitter.EmitPool(r.Target, r.Group.TypeName, r.Subgroup.TypeName, plan!), EquatableArray.Of<Finding>());
    }

    static Group? Elaborate(GroupReference reference)
    {
        if (reference.Expression is null) return null;
        var parsed = Parser.Parse(reference.Expression);
        if (parsed.Error is not null) return null;
        var elaborated = Elaborator.Elaborate(parsed.Syntax!);
        return elaborated.Group;
    }

    /// <summary>The findings placed at the declaration's parts.</summary>
    public static EquatableArray<DiagnosticInfo> Place(EquatableArray<Finding> findings, PoolLocations at) =>
        findings.Select(f => new DiagnosticInfo(f.Descriptor, f.Anchor switch
        {
            AtGroupArgument => at.Group,
            AtSubgroupArgument => at.Subgroup,
            AtEmbedding => at.Embedding ?? at.Subgroup,
            _ => at.Type,
        }, f.Args)).ToEquatableArray();
}
