using System;
using System.Collections.Generic;
using GmCodegen.Generator.Diagnostics;
using GmCodegen.Generator.Model;
using Microsoft.CodeAnalysis;

namespace GmCodegen.Generator;

/// <summary>What every declaration branch (<see cref="Pipeline"/>, <see cref="PoolPipeline"/>) does the same way.</summary>
internal static class Stages
{
    /// <summary>Runs a branch's stages; never throws into the compiler: an unexpected failure becomes GM0014 at the type.</summary>
    public static GenerationResult Guarded(TypeTarget target, Func<GenerationResult> stages)
    {
        try
        {
            return stages();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new GenerationResult(target.HintName, null, EquatableArray.Of(
                new Finding(Descriptors.InternalError, new AtType(), EquatableArray.Of(target.Name, e.Message))));
        }
    }

    /// <summary>The checks of the declared type itself: partial all the way out, not static, not generic.</summary>
    public static List<Finding> DeclarationFindings(TypeTarget target, bool isStatic, bool isPartial, string? nonPartialContainer, bool isGeneric)
    {
        var findings = new List<Finding>();
        Finding At(DiagnosticDescriptor descriptor, string arg) => new(descriptor, new AtType(), EquatableArray.Of(arg));
        if (isStatic) findings.Add(At(Descriptors.StaticType, target.Name));
        if (!isPartial) findings.Add(At(Descriptors.NotPartial, target.Name));
        if (nonPartialContainer is { } c) findings.Add(At(Descriptors.NotPartial, c));
        if (isGeneric) findings.Add(At(Descriptors.UnsupportedContainer, target.Name));
        return findings;
    }
}
