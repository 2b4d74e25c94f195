using System;
using System.Collections.Concurrent;
using System.Linq;
using GmCodegen.Generator.Model;

namespace GmCodegen.Generator.Elaboration;

/// <summary>
/// The law of one non-product group as two small expressions over element indices x and y, with the small tables they
/// read. It is written once, here: <see cref="GroupAlgebra"/> evaluates it (compiled to closures) while planning, and
/// the GroupLaw template prints the same expressions (and tables) into the generated Multiply and Inverse (products
/// are componentwise in both, first factor slowest).
/// </summary>
public sealed record Law(LawExpr Multiply, LawExpr Inverse, EquatableArray<LawTableData> Tables)
{
    public Law(LawExpr multiply, LawExpr inverse) : this(multiply, inverse, default) { }

    static readonly LawExpr X = new Argument(LawArgument.X), Y = new Argument(LawArgument.Y);

    /// <summary>
    /// The wallpaper and signed-permutation laws are built once per group (a memo of a pure function): Bn's derives Sn's
    /// tables, and the emitter and the evaluator each ask for a factor's law.
    /// </summary>
    static readonly ConcurrentDictionary<Group, Law> Built = new();

    public static Law Of(Group g) => g switch
    {
        CyclicGroup c => Cyclic(c.N),
        DihedralGroup d => Dihedral(d.N),
        TableGroup t => new(new Lookup(LawTable.Cayley, X * t.Order + Y), new Lookup(LawTable.Inverse, X),
            EquatableArray.Of(new LawTableData(LawTable.Cayley, t.Table), new LawTableData(LawTable.Inverse, t.Inverses))),
        WallpaperGroup w => Built.GetOrAdd(w, _ => Wallpaper(w.N, w.Mirrors)),
        SignedPermutationGroup b => Built.GetOrAdd(b, _ => SignedPermutations(b.N)),
        _ => throw new InvalidOperationException($"{g.GetType().Name} has no single law (products are componentwise)"),
    };

    static Law Cyclic(int n) => new((X + Y) % n, (n - X) % n);

    /// <summary>(r, f) ↔ r + f·n; (r1,f1)(r2,f2) = (r1+r2, f1) if f2 = 0, else (r2−r1, 1−f1); (r,0)⁻¹ = (−r,0), (r,1)⁻¹ = (r,1).</summary>
    static Law Dihedral(int n)
    {
        LawExpr r1 = X % n, f1 = X / n, r2 = Y % n;
        return new(
            new LessThan(Y, n, (r1 + r2) % n + f1 * n, (r2 - r1 + n) % n + (1 - f1) * n),
            new LessThan(X, n, (n - X) % n, X));
    }

    /// <summary>
    /// p4(n), p4m(n): x = (t, m) ↔ m·n² + t1·n + t2, (t, m)·(t', m') = (t + A(m)·t', m·m'), (t, m)⁻¹ = (−A(m)⁻¹·t, m⁻¹).
    /// The point-group part is C4's or D4's own law applied to m = x / n²; A(m) is a signed 2×2 permutation matrix,
    /// so each coordinate of A(m)·t' is ±t'_j: a switch over m with one case per point-group element.
    /// </summary>
    static Law Wallpaper(int n, bool mirrors)
    {
        int n2 = n * n;
        var point = mirrors ? Dihedral(4) : Cyclic(4);
        var matrices = PointMatrices(mirrors);
        LawExpr mx = X / n2, my = Y / n2;
        LawExpr[] tx = [X / n % n, X % n], ty = [Y / n % n, Y % n];

        // Coordinate i of t + A(m)·t' (mod n): t_i + t'_j or t_i − t'_j + n, j the column of row i's entry.
        LawExpr Product(int i) => new Select(mx, matrices.Select(a =>
        {
            int j = a[i, 0] != 0 ? 0 : 1;
            return a[i, j] > 0 ? tx[i] + ty[j] : tx[i] - ty[j] + n;
        }).ToEquatableArray()) % n;
        // Coordinate i of −A(m)⁻¹·t = −A(m)ᵀ·t (mod n): t_j or n − t_j.
        LawExpr Inverse(int i) => new Select(mx, matrices.Select(a =>
        {
            int j = a[0, i] != 0 ? 0 : 1;
            return a[j, i] < 0 ? tx[j] : n - tx[j];
        }).ToEquatableArray()) % n;

        return new(
            Substitute(point.Multiply, mx, my) * n2 + Product(0) * n + Product(1),
            Substitute(point.Inverse, mx, mx) * n2 + Inverse(0) * n + Inverse(1));
    }

    /// <summary>
    /// A(k, f) = F^f·R^k for the point-group element k + 4f, with R(t1, t2) = (−t2, t1) and F(t1, t2) = (t1, −t2), so
    /// that A respects C4's and the project's D4 product (A(m·m') = A(m)·A(m'); the tests check it).
    /// </summary>
    public static int[][,] PointMatrices(bool mirrors)
    {
        int[,] r = { { 0, -1 }, { 1, 0 } }, f = { { 1, 0 }, { 0, -1 } }, e = { { 1, 0 }, { 0, 1 } };
        var rotations = new int[4][,];
        rotations[0] = e;
        for (int k = 1; k < 4; k++) rotations[k] = Times(r, rotations[k - 1]);
        return mirrors ? rotations.Concat(rotations.Select(a => Times(f, a))).ToArray() : rotations;
    }

    static int[,] Times(int[,] a, int[,] b)
    {
        var c = new int[2, 2];
        for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            c[i, j] = a[i, 0] * b[0, j] + a[i, 1] * b[1, j];
        return c;
    }

    /// <summary>
    /// Bn: x = (p, s) ↔ p·2ⁿ + s (see <see cref="SignedPermutationGroup"/>). (p, s)·(q, s') = (p·q, s XOR p(s')) and
    /// (p, s)⁻¹ = (p⁻¹, p⁻¹(s)), through Sn's Cayley and inverse tables and the table SignAction[p·2ⁿ + s] = p(s).
    /// </summary>
    static Law SignedPermutations(int n)
    {
        var sn = Elaborator.Symmetric(n);
        int masks = 1 << n, perms = sn.Order;
        var permutations = Elaborator.AllPermutations(n).ToArray();
        var action = new int[perms * masks];
        for (int p = 0; p < perms; p++)
        for (int s = 0; s < masks; s++)
            for (int j = 0; j < n; j++)
                if ((s >> j & 1) != 0) action[p * masks + s] |= 1 << permutations[p][j];

        LawExpr px = X / masks, sx = X % masks;
        LawExpr inverse = new Lookup(LawTable.SymmetricInverse, px);
        return new(
            new Lookup(LawTable.SymmetricProduct, px * perms + Y / masks) * masks
                + new Binary(sx, LawOp.Xor, new Lookup(LawTable.SignAction, px * masks + Y % masks)),
            inverse * masks + new Lookup(LawTable.SignAction, inverse * masks + sx),
            EquatableArray.Of(
                new LawTableData(LawTable.SymmetricProduct, sn.Table),
                new LawTableData(LawTable.SymmetricInverse, sn.Inverses),
                new LawTableData(LawTable.SignAction, action.ToEquatableArray())));
    }

    /// <summary>e with its arguments x and y replaced by the given expressions (a factor's law applied to parts of an index).</summary>
    public static LawExpr Substitute(LawExpr e, LawExpr x, LawExpr y) => e switch
    {
        Argument { Which: LawArgument.X } => x,
        Argument => y,
        Constant => e,
        Binary b => new Binary(Substitute(b.Left, x, y), b.Op, Substitute(b.Right, x, y)),
        LessThan l => new LessThan(Substitute(l.Left, x, y), Substitute(l.Right, x, y), Substitute(l.Then, x, y), Substitute(l.Otherwise, x, y)),
        Select s => new Select(Substitute(s.Selector, x, y), s.Cases.Select(c => Substitute(c, x, y)).ToEquatableArray()),
        Lookup k => new Lookup(k.Table, Substitute(k.Index, x, y)),
        _ => throw new InvalidOperationException(e.GetType().Name),
    };

    /// <summary>
    /// e as a function of (x, y), built once from closures (no reflection, fine in a compiler host): the planner and the
    /// pooling checks evaluate a law up to |G|·K times, which a tree walk per call makes slow for p4m(28).
    /// </summary>
    public static Func<int, int, int> Compile(LawExpr e, Law law)
    {
        switch (e)
        {
            case Argument { Which: LawArgument.X }: return (x, _) => x;
            case Argument: return (_, y) => y;
            case Constant c: { int v = c.Value; return (_, _) => v; }
            case Binary b:
            {
                var l = Compile(b.Left, law);
                var r = Compile(b.Right, law);
                return b.Op switch
                {
                    LawOp.Add => (x, y) => l(x, y) + r(x, y),
                    LawOp.Subtract => (x, y) => l(x, y) - r(x, y),
                    LawOp.Multiply => (x, y) => l(x, y) * r(x, y),
                    LawOp.Divide => (x, y) => l(x, y) / r(x, y),
                    LawOp.Remainder => (x, y) => l(x, y) % r(x, y),
                    LawOp.Xor => (x, y) => l(x, y) ^ r(x, y),
                    _ => throw new InvalidOperationException(b.Op.ToString()),
                };
            }
            case LessThan t:
            {
                Func<int, int, int> l = Compile(t.Left, law), r = Compile(t.Right, law), a = Compile(t.Then, law), o = Compile(t.Otherwise, law);
                return (x, y) => l(x, y) < r(x, y) ? a(x, y) : o(x, y);
            }
            case Select s:
            {
                var selector = Compile(s.Selector, law);
                var cases = s.Cases.Select(c => Compile(c, law)).ToArray();
                // The printed switch sends every value past the last case to it (_ =>); evaluation insists on range.
                return (x, y) =>
                {
                    int k = selector(x, y);
                    return k >= 0 && k < cases.Length ? cases[k](x, y) : throw new InvalidOperationException($"case {k} of a {cases.Length}-way select");
                };
            }
            case Lookup k:
            {
                var table = law.Table(k.Table).Items;
                var index = Compile(k.Index, law);
                return (x, y) => table[index(x, y)];
            }
            default: throw new InvalidOperationException(e.GetType().Name);
        }
    }

    EquatableArray<int> Table(LawTable name)
    {
        foreach (var t in Tables) if (t.Name == name) return t.Values;
        throw new InvalidOperationException($"the law has no {name} table");
    }
}

/// <summary>One of a law's tables, by name (the generated file prints it as <c>static ReadOnlySpan&lt;byte&gt; NameId</c>).</summary>
public sealed record LawTableData(LawTable Name, EquatableArray<int> Values);

public enum LawArgument { X, Y }
public enum LawOp { Add, Subtract, Multiply, Divide, Remainder, Xor }
/// <summary>
/// The tables a law may read: a table group's Cayley table and inverses; Bn's SymmetricProduct and SymmetricInverse
/// (Sn's) and SignAction (a sign mask moved by a permutation).
/// </summary>
public enum LawTable { Cayley, Inverse, SymmetricProduct, SymmetricInverse, SignAction }
/// <summary>Which node a template is looking at (the templates dispatch on it; each form has its own members).</summary>
public enum LawForm { Argument, Constant, Binary, LessThan, Select, Lookup }

/// <summary>
/// An integer expression in C#'s precedence: ?: (with a &lt; test) binds loosest, then + and −, then ·, / and %.
/// Each node knows whether an operand needs parentheses, so a printer only prints.
/// </summary>
public abstract record LawExpr
{
    public abstract LawForm Form { get; }
    /// <summary>0: conditional, 1: additive, 2: multiplicative, 3: atom.</summary>
    public abstract int Precedence { get; }
    /// <summary>Whether <c>e * stride</c> must print e in parentheses.</summary>
    public bool NeedsParenthesesBeforeProduct => Precedence < 2;

    public static implicit operator LawExpr(int value) => new Constant(value);
    public static LawExpr operator +(LawExpr a, LawExpr b) => new Binary(a, LawOp.Add, b);
    public static LawExpr operator -(LawExpr a, LawExpr b) => new Binary(a, LawOp.Subtract, b);
    public static LawExpr operator *(LawExpr a, LawExpr b) => new Binary(a, LawOp.Multiply, b);
    public static LawExpr operator /(LawExpr a, LawExpr b) => new Binary(a, LawOp.Divide, b);
    public static LawExpr operator %(LawExpr a, LawExpr b) => new Binary(a, LawOp.Remainder, b);
}

public sealed record Argument(LawArgument Which) : LawExpr
{
    public override LawForm Form => LawForm.Argument;
    public override int Precedence => 3;
}

public sealed record Constant(int Value) : LawExpr
{
    public override LawForm Form => LawForm.Constant;
    public override int Precedence => 3;
}

/// <summary>
/// Left op Right, left-associative: the left operand is parenthesised when it binds looser, the right one also when
/// equal. Xor (which C# ranks below + and even below &lt;) is printed enclosed, "(l ^ r)", with non-atomic operands
/// parenthesised, so it is an atom to its surroundings.
/// </summary>
public sealed record Binary(LawExpr Left, LawOp Op, LawExpr Right) : LawExpr
{
    public override LawForm Form => LawForm.Binary;
    public override int Precedence => Op switch { LawOp.Add or LawOp.Subtract => 1, LawOp.Xor => 3, _ => 2 };
    public bool Enclosed => Op is LawOp.Xor;
    public bool ParenthesiseLeft => Enclosed ? Left.Precedence < 3 : Left.Precedence < Precedence;
    public bool ParenthesiseRight => Enclosed ? Right.Precedence < 3 : Right.Precedence <= Precedence;
}

/// <summary>Left &lt; Right ? Then : Otherwise.</summary>
public sealed record LessThan(LawExpr Left, LawExpr Right, LawExpr Then, LawExpr Otherwise) : LawExpr
{
    public override LawForm Form => LawForm.LessThan;
    public override int Precedence => 0;
}

/// <summary>
/// Cases[Selector]: printed as an enclosed switch expression "((sel) switch { 0 =&gt; c0, …, _ =&gt; cLast })", an atom to
/// its surroundings (the selector must lie in 0 … Cases.Count − 1; the evaluator checks it).
/// </summary>
public sealed record Select(LawExpr Selector, EquatableArray<LawExpr> Cases) : LawExpr
{
    public override LawForm Form => LawForm.Select;
    public override int Precedence => 3;
    public bool ParenthesiseSelector => Selector.Precedence < 3;
}

/// <summary>An entry of one of the law's tables.</summary>
public sealed record Lookup(LawTable Table, LawExpr Index) : LawExpr
{
    public override LawForm Form => LawForm.Lookup;
    public override int Precedence => 3;
    /// <summary>The table's name in the generated file (followed by the factor's id).</summary>
    public string TableName => Table.ToString();
}
