using System;

namespace GmCodegen.Generator.Elaboration;

/// <summary>
/// The law of one non-product group as two small expressions over element indices x and y. It is written once, here:
/// <see cref="GroupAlgebra"/> evaluates it while planning, and the GroupLaw template prints the same expressions into
/// the generated Multiply and Inverse (products are componentwise in both, first factor slowest).
/// </summary>
public sealed record Law(LawExpr Multiply, LawExpr Inverse)
{
    static readonly LawExpr X = new Argument(LawArgument.X), Y = new Argument(LawArgument.Y);

    public static Law Of(Group g) => g switch
    {
        CyclicGroup c => new((X + Y) % c.N, (c.N - X) % c.N),
        DihedralGroup d => Dihedral(d.N),
        TableGroup t => new(new Lookup(LawTable.Cayley, X * t.Order + Y), new Lookup(LawTable.Inverse, X)),
        _ => throw new InvalidOperationException($"{g.GetType().Name} has no single law (products are componentwise)"),
    };

    /// <summary>(r, f) ↔ r + f·n; (r1,f1)(r2,f2) = (r1+r2, f1) if f2 = 0, else (r2−r1, 1−f1); (r,0)⁻¹ = (−r,0), (r,1)⁻¹ = (r,1).</summary>
    static Law Dihedral(int n)
    {
        LawExpr r1 = X % n, f1 = X / n, r2 = Y % n;
        return new(
            new LessThan(Y, n, (r1 + r2) % n + f1 * n, (r2 - r1 + n) % n + (1 - f1) * n),
            new LessThan(X, n, (n - X) % n, X));
    }

    /// <summary>The value of e at (x, y); table lookups read <paramref name="g"/>'s Cayley table and inverses.</summary>
    public static int Evaluate(LawExpr e, Group g, int x, int y) => e switch
    {
        Argument { Which: LawArgument.X } => x,
        Argument => y,
        Constant c => c.Value,
        Binary b => Apply(b.Op, Evaluate(b.Left, g, x, y), Evaluate(b.Right, g, x, y)),
        LessThan l => Evaluate(l.Left, g, x, y) < Evaluate(l.Right, g, x, y) ? Evaluate(l.Then, g, x, y) : Evaluate(l.Otherwise, g, x, y),
        Lookup { Table: LawTable.Cayley } k => ((TableGroup)g).Table[Evaluate(k.Index, g, x, y)],
        Lookup k => ((TableGroup)g).Inverses[Evaluate(k.Index, g, x, y)],
        _ => throw new InvalidOperationException(e.GetType().Name),
    };

    static int Apply(LawOp op, int a, int b) => op switch
    {
        LawOp.Add => a + b,
        LawOp.Subtract => a - b,
        LawOp.Multiply => a * b,
        LawOp.Divide => a / b,
        LawOp.Remainder => a % b,
        _ => throw new InvalidOperationException(op.ToString()),
    };
}

public enum LawArgument { X, Y }
public enum LawOp { Add, Subtract, Multiply, Divide, Remainder }
public enum LawTable { Cayley, Inverse }
/// <summary>Which node a template is looking at (the templates dispatch on it; each form has its own members).</summary>
public enum LawForm { Argument, Constant, Binary, LessThan, Lookup }

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

/// <summary>Left op Right, left-associative: the left operand is parenthesised when it binds looser, the right one also when equal.</summary>
public sealed record Binary(LawExpr Left, LawOp Op, LawExpr Right) : LawExpr
{
    public override LawForm Form => LawForm.Binary;
    public override int Precedence => Op is LawOp.Add or LawOp.Subtract ? 1 : 2;
    public bool ParenthesiseLeft => Left.Precedence < Precedence;
    public bool ParenthesiseRight => Right.Precedence <= Precedence;
}

/// <summary>Left &lt; Right ? Then : Otherwise.</summary>
public sealed record LessThan(LawExpr Left, LawExpr Right, LawExpr Then, LawExpr Otherwise) : LawExpr
{
    public override LawForm Form => LawForm.LessThan;
    public override int Precedence => 0;
}

/// <summary>An entry of the factor's Cayley table or inverse table.</summary>
public sealed record Lookup(LawTable Table, LawExpr Index) : LawExpr
{
    public override LawForm Form => LawForm.Lookup;
    public override int Precedence => 3;
}
