using System.Linq;

namespace GmCodegen.Generator.Model;

/// <summary>A type that encloses the [GroupMatrix] type: its declaration keyword (class, struct, record struct, …) and name.</summary>
public sealed record ContainingType(string Keyword, string Name);

/// <summary>Where the generated partial goes: namespace, enclosing types (outermost first) and the type's own keyword and name.</summary>
public sealed record TypeTarget(string Namespace, EquatableArray<ContainingType> Containers, string Keyword, string Name)
{
    public string HintName => string.Join(".", new[] { Namespace }.Concat(Containers.Select(c => c.Name)).Append(Name).Where(s => s.Length > 0)) + ".g.cs";
}
