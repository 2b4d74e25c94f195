namespace GmCodegen.Generator.Model;

/// <summary>
/// A type named in a [GroupPool] declaration, as read from its symbol: its display name and, when it is a
/// [GroupMatrix] type, that attribute's expression and radius (null expression: not a [GroupMatrix] type).
/// </summary>
public sealed record GroupReference(string TypeName, bool IsGroupMatrix, string? Expression, int Radius);

/// <summary>
/// Everything a [GroupPool] declaration's generated source and findings depend on, location-free (as
/// <see cref="GroupKey"/>): the target, both groups as their declarations say them, the optional explicit embedding.
/// </summary>
public sealed record PoolKey(
    TypeTarget Target,
    GroupReference Group,
    GroupReference Subgroup,
    string? Embedding,
    bool IsPartial,
    bool IsStatic,
    bool IsGeneric,
    string? NonPartialContainer);

/// <summary>Where a [GroupPool] declaration's parts are: the type's name, the two typeof arguments, the Embedding argument.</summary>
public sealed record PoolLocations(LocationInfo Type, LocationInfo Group, LocationInfo Subgroup, LocationInfo? Embedding);

/// <summary>One [GroupPool] declaration, extracted once.</summary>
public sealed record PoolRequest(PoolKey Key, PoolLocations Locations);

/// <summary>The first typeof argument of [GroupPool] (the group G).</summary>
public sealed record AtGroupArgument : Anchor;
/// <summary>The second typeof argument of [GroupPool] (the subgroup H).</summary>
public sealed record AtSubgroupArgument : Anchor;
/// <summary>The Embedding argument of [GroupPool], or the subgroup argument when none is written.</summary>
public sealed record AtEmbedding : Anchor;
