using Microsoft.CodeAnalysis;

namespace GmCodegen.Generator.Diagnostics;

/// <summary>Every diagnostic the generator reports, in one table; docs/diagnostics.md is their registry (a test keeps the two equal).</summary>
public static class Descriptors
{
    const string Category = "GmCodegen";

    static DiagnosticDescriptor Error(string id, string title, string format) =>
        new(id, title, format, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor SyntaxError =
        Error("GM0001", "Syntax error in group expression", "Group expression syntax error at column {0}: {1}");
    public static readonly DiagnosticDescriptor UnknownFamily =
        Error("GM0002", "Unknown group family", "Unknown group at column {0}: {1}");
    public static readonly DiagnosticDescriptor NonPositiveSize =
        Error("GM0003", "Group size must be positive", "Bad size at column {0}: {1}");
    public static readonly DiagnosticDescriptor NegativeRadius =
        Error("GM0004", "Radius must not be negative", "Radius must be ≥ 0 (or GroupMatrixAttribute.WholeGroup), was {0}");
    public static readonly DiagnosticDescriptor GroupTooLarge =
        Error("GM0005", "Group too large", "Group too large at column {0}: {1}");
    public static readonly DiagnosticDescriptor NotPartial =
        Error("GM0006", "Type must be partial", "'{0}' must be declared partial so that GmCodegen can fill it in");
    public static readonly DiagnosticDescriptor StaticType =
        Error("GM0007", "Type must not be static", "'{0}' must not be static: a static class can neither implement IGroupKernel nor be a type argument");
    public static readonly DiagnosticDescriptor EmptyExpression =
        Error("GM0008", "Empty group expression", "The group expression is empty");
    public static readonly DiagnosticDescriptor BadPermutation =
        Error("GM0009", "Generator is not a permutation", "Not a permutation at column {0}: {1}");
    public static readonly DiagnosticDescriptor DuplicateNeighbours = new(
        "GM0010", "Neighbourhood wraps around", "Radius {0} wraps around {1}: {2} repeated element(s) dropped from the neighbourhood (K = {3})",
        Category, DiagnosticSeverity.Info, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor TableDriven = new(
        "GM0011", "Table-driven kernel", "{0}: {1}; the kernel packs its gathers through a compact index table instead of unrolled runs",
        Category, DiagnosticSeverity.Info, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor UnsupportedContainer =
        Error("GM0012", "Unsupported containing type", "'{0}' must not be generic or nested in a generic type");
    public static readonly DiagnosticDescriptor MissingExpression =
        Error("GM0013", "Group expression must be a constant string", "The group expression must be a non-null constant string");

    // ---- [GroupPool] declarations -------------------------------------------------------------------------------

    public static readonly DiagnosticDescriptor PoolNotGroupMatrix =
        Error("GM0015", "GroupPool needs [GroupMatrix] types", "'{0}' is not a [GroupMatrix] type; [GroupPool] pools between two of them");
    public static readonly DiagnosticDescriptor PoolNoEmbedding =
        Error("GM0016", "No embedding of the subgroup", "No standard embedding of {0} into {1}: {2}; give the images of {0}'s generators with Embedding = \"…\"");
    public static readonly DiagnosticDescriptor PoolNotHomomorphism =
        Error("GM0017", "Embedding is not a homomorphism", "The embedding of {0} into {1} is not a homomorphism: {2}");
    public static readonly DiagnosticDescriptor PoolNotInjective =
        Error("GM0018", "Embedding is not injective", "The embedding of {0} into {1} is not injective: {2}");
    public static readonly DiagnosticDescriptor PoolIndexOne =
        Error("GM0019", "Subgroup of index 1", "{0} has index 1 in {1}: pooling over its cosets would change nothing");
    public static readonly DiagnosticDescriptor PoolBadEmbedding =
        Error("GM0020", "Unreadable embedding", "Embedding = \"{0}\": {1}");

    public static readonly DiagnosticDescriptor InternalError =
        Error("GM0014", "GmCodegen internal error", "GmCodegen could not generate '{0}': {1}. Please report this with the group expression.");
}
