using GmCodegen.Generator.Parsing;
using Microsoft.CodeAnalysis;

namespace GmCodegen.Generator.Model;

/// <summary>
/// Why a group expression defines no group — a syntax error from the parser or a bad definition found by the
/// elaborator (too large, not a permutation): which diagnostic, where in the string, and its message.
/// </summary>
public sealed record DefinitionError(DiagnosticDescriptor Descriptor, Span Span, string Message);
