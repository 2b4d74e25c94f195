using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;

namespace GmCodegen.Generator.Model;

/// <summary>
/// An immutable array with value equality, so that records holding arrays compare by content and the
/// incremental generator's cache recognises unchanged models.
/// </summary>
public readonly struct EquatableArray<T>(ImmutableArray<T> items) : IEquatable<EquatableArray<T>>, IReadOnlyList<T>
    where T : IEquatable<T>
{
    readonly ImmutableArray<T> _items = items;
    public ImmutableArray<T> Items => _items.IsDefault ? ImmutableArray<T>.Empty : _items;
    public int Count => Items.Length;
    public T this[int index] => Items[index];

    public bool Equals(EquatableArray<T> other) => Items.AsSpan().SequenceEqual(other.Items.AsSpan());
    public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);
    public override int GetHashCode()
    {
        unchecked
        {
            int h = 17;
            foreach (var item in Items) h = h * 31 + item.GetHashCode();
            return h;
        }
    }
    public static bool operator ==(EquatableArray<T> a, EquatableArray<T> b) => a.Equals(b);
    public static bool operator !=(EquatableArray<T> a, EquatableArray<T> b) => !a.Equals(b);
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)Items).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    public override string ToString() => "[" + string.Join(", ", Items) + "]";
}

public static class EquatableArray
{
    public static EquatableArray<T> ToEquatableArray<T>(this IEnumerable<T> items) where T : IEquatable<T> =>
        new(items.ToImmutableArray());
    public static EquatableArray<T> Of<T>(params T[] items) where T : IEquatable<T> => new(items.ToImmutableArray());
}
