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

/// <summary>One [GroupMatrix] declaration, extracted from syntax and symbols once: what to generate, and where it is written.</summary>
public sealed record GroupRequest(GroupKey Key, SourceLocations Locations);

/// <summary>
/// Everything the generated source and the diagnostics' content depend on, and nothing about where the declaration
/// sits in its file: typing above a declaration leaves the key equal, so parse → plan → emit stay cached.
/// </summary>
public sealed record GroupKey(
    TypeTarget Target,
    string? Expression,
    int Radius,
    bool IsPartial,
    bool IsStatic,
    bool IsGeneric,
    string? NonPartialContainer)
{
    /// <summary>The lift's radius (<c>LiftRadius</c>), or null for the group's own radius.</summary>
    public int? LiftRadius { get; init; }
}

/// <summary>Where the declaration's parts are, for placing diagnostics; <paramref name="Literal"/> maps string columns.</summary>
public sealed record SourceLocations(LocationInfo Type, LocationInfo Expression, LocationInfo? Radius, LiteralMap? Literal);

/// <summary>
/// For a plain string literal without escapes (whose text is the value between quotes): the absolute position, line
/// and character of its first content character and the value's length. Otherwise there is none, and errors inside
/// the expression point at the whole literal.
/// </summary>
public sealed record LiteralMap(int ContentStart, int Line, int Character, int Length);

/// <summary>Which part of the declaration a finding is about; resolved to a source location only when reported.</summary>
public abstract record Anchor;
public sealed record AtType : Anchor;
public sealed record AtExpression : Anchor;
/// <summary>The Radius argument, or the expression when Radius is not written.</summary>
public sealed record AtRadius : Anchor;
/// <summary>A character range inside the expression string (mapped to its columns when the literal allows).</summary>
public sealed record InExpression(Parsing.Span Span) : Anchor;

/// <summary>A diagnostic without a location (descriptors are singletons with value equality, so the cache can compare it).</summary>
public sealed record Finding(DiagnosticDescriptor Descriptor, Anchor Anchor, EquatableArray<string> Args);

/// <summary>A diagnostic as values, placed.</summary>
public sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo Location, EquatableArray<string> Args)
{
    public Diagnostic ToDiagnostic() =>
        Diagnostic.Create(Descriptor, Location.ToLocation(), System.Linq.Enumerable.ToArray(System.Linq.Enumerable.Cast<object>(Args.Items)));
}

/// <summary>The outcome for one declaration, location-free: a source file (or none) and its findings.</summary>
public sealed record GenerationResult(string HintName, string? Source, EquatableArray<Finding> Findings)
{
    /// <summary>Further files of the same declaration (a torus group's lift and its translation kernel).</summary>
    public EquatableArray<GeneratedFile> Extras { get; init; }
}

/// <summary>One generated file: its hint name and text.</summary>
public sealed record GeneratedFile(string HintName, string Source);
