using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace GmCodegen.Generator.Model;

/// <summary>A source location as plain values (Location itself would defeat the incremental cache).</summary>
public sealed record LocationInfo(string Path, TextSpan Span, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Location.Create(Path, Span, LineSpan);
    public static LocationInfo? From(Location? location) =>
        location is null || location.SourceTree is null ? null : new(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
}

/// <summary>
/// Everything the generator needs from one [GroupMatrix] declaration, extracted from syntax and symbols once.
/// <paramref name="ExpressionContentStart"/> maps string columns to source positions: the absolute position of the
/// literal's first character when the literal is a plain string without escapes, otherwise null (errors then
/// point at the whole literal).
/// </summary>
public sealed record GroupRequest(
    TypeTarget Target,
    string? Expression,
    int Radius,
    bool IsPartial,
    bool IsStatic,
    bool IsGeneric,
    string? NonPartialContainer,
    LocationInfo TypeLocation,
    LocationInfo ExpressionLocation,
    LocationInfo? RadiusLocation,
    int? ExpressionContentStart,
    LineInfo? ExpressionLine);

/// <summary>Line and character of the literal's first content character, for mapping columns to line spans.</summary>
public sealed record LineInfo(int Line, int Character);

/// <summary>A diagnostic as values (descriptors are singletons with value equality, so the cache can compare it).</summary>
public sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo Location, EquatableArray<string> Args)
{
    public Diagnostic ToDiagnostic() =>
        Diagnostic.Create(Descriptor, Location.ToLocation(), System.Linq.Enumerable.ToArray(System.Linq.Enumerable.Cast<object>(Args.Items)));
}

/// <summary>The outcome for one declaration: a source file (or none) and its diagnostics.</summary>
public sealed record GenerationResult(string HintName, string? Source, EquatableArray<DiagnosticInfo> Diagnostics);
