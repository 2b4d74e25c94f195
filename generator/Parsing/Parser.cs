using System;
using System.Collections.Generic;
using System.Linq;
using GmCodegen.Generator.Diagnostics;
using GmCodegen.Generator.Model;
using Microsoft.CodeAnalysis;

namespace GmCodegen.Generator.Parsing;

/// <summary>Either a syntax tree or the first error; the parser stops at the first error (one precise message beats many).</summary>
public sealed record ParseResult(GroupSyntax? Syntax, DefinitionError? Error);

/// <summary>
/// Recursive-descent parser for group expressions:
/// <code>
/// expr      := power (('x' | '×' | '*') power)*
/// power     := atom ('^' INT)?
/// atom      := '(' expr ')' | FAMILY INT | 'Q8' | 'Perm' '(' generator (',' generator)* ')'
///            | 'p4' '(' INT ')' | 'p4m' '(' INT ')'   -- the wallpaper groups on the n×n pixel torus
/// generator := ('(' INT* ')')+          -- cycle notation, points are 0-based
/// </code>
/// FAMILY is one of C (or Z), D, S, A, B. Whitespace is free. The parser is total: it never throws, whatever the text.
/// </summary>
public static class Parser
{
    static readonly string[] Families = ["C", "Z", "D", "S", "A", "B", "Q"];

    public static ParseResult Parse(string? text)
    {
        if (text is null || text.Trim().Length == 0)
            return Fail(Descriptors.EmptyExpression, new Span(0, text?.Length ?? 0), "The group expression is empty");
        try
        {
            var state = new State(text);
            var tree = ParseProduct(state);
            state.SkipSpace();
            if (!state.AtEnd)
                throw new ParseFailure(Descriptors.SyntaxError, new Span(state.Pos, 1), $"Unexpected '{text[state.Pos]}' after a complete group expression");
            return new ParseResult(tree, null);
        }
        catch (ParseFailure f)
        {
            return Fail(f.Descriptor, f.Span, f.Message);
        }
    }

    static ParseResult Fail(DiagnosticDescriptor descriptor, Span span, string message) => new(null, new DefinitionError(descriptor, span, message));

    sealed class ParseFailure(DiagnosticDescriptor descriptor, Span span, string message) : Exception(message)
    {
        public DiagnosticDescriptor Descriptor { get; } = descriptor;
        public Span Span { get; } = span;
    }

    sealed class State(string text)
    {
        public readonly string Text = text;
        public int Pos;
        public bool AtEnd => Pos >= Text.Length;
        public char Peek => AtEnd ? '\0' : Text[Pos];
        public void SkipSpace() { while (!AtEnd && char.IsWhiteSpace(Text[Pos])) Pos++; }
        public ParseFailure Error(string message, int length = 1) =>
            new(Descriptors.SyntaxError, new Span(Math.Min(Pos, Text.Length), AtEnd ? 0 : length), message);
        public void Expect(char c, string what)
        {
            SkipSpace();
            if (Peek != c) throw Error(AtEnd ? $"Expected '{c}' {what}, but the expression ended" : $"Expected '{c}' {what}, found '{Peek}'");
            Pos++;
        }
    }

    static bool IsTimes(char c) => c is 'x' or '×' or '*';

    static GroupSyntax ParseProduct(State s)
    {
        s.SkipSpace();
        int start = s.Pos;
        var factors = new List<GroupSyntax> { ParsePower(s) };
        while (true)
        {
            s.SkipSpace();
            if (!IsTimes(s.Peek)) break;
            s.Pos++;
            factors.Add(ParsePower(s));
        }
        return factors.Count == 1 ? factors[0] : new ProductSyntax(factors.ToEquatableArray(), new Span(start, s.Pos - start));
    }

    static GroupSyntax ParsePower(State s)
    {
        s.SkipSpace();
        int start = s.Pos;
        var atom = ParseAtom(s);
        s.SkipSpace();
        if (s.Peek != '^') return atom;
        s.Pos++;
        s.SkipSpace();
        int expStart = s.Pos;
        int exponent = ParseInt(s, "as the exponent after '^'");
        if (exponent <= 0)
            throw new ParseFailure(Descriptors.NonPositiveSize, new Span(expStart, s.Pos - expStart), $"The exponent must be positive, was {exponent}");
        return new PowerSyntax(atom, exponent, new Span(start, s.Pos - start));
    }

    static GroupSyntax ParseAtom(State s)
    {
        s.SkipSpace();
        int start = s.Pos;
        if (s.AtEnd) throw s.Error("Expected a group (e.g. C4, D14, S4, B3, p4m(28), Q8, Perm(...)), but the expression ended");
        char c = s.Peek;
        if (c == '(')
        {
            s.Pos++;
            var inner = ParseProduct(s);
            s.Expect(')', "to close the parenthesis");
            return inner;
        }
        if (!char.IsLetter(c)) throw s.Error($"Expected a group (e.g. C4, D14, S4, B3, p4m(28), Q8, Perm(...)), found '{c}'");
        while (!s.AtEnd && char.IsLetter(s.Peek) && !(s.Pos > start && IsTimes(s.Peek) && !char.IsLetter(PeekAt(s, 1)))) s.Pos++;
        string name = s.Text.Substring(start, s.Pos - start);
        if (name == "Perm") return ParsePerm(s, start);
        if (name == "p") return ParseWallpaper(s, start);
        if (!Families.Contains(name))
            throw new ParseFailure(Descriptors.UnknownFamily, new Span(start, name.Length),
                $"Unknown group family '{name}'; expected C, Z, D, S, A, B, Q8, p4(n), p4m(n) or Perm(...)");
        s.SkipSpace();
        int sizeStart = s.Pos;
        if (!char.IsDigit(s.Peek) && s.Peek != '-')
            throw new ParseFailure(Descriptors.NonPositiveSize, new Span(start, s.Pos - start), $"The family '{name}' needs a size, e.g. {name}4");
        int size = ParseInt(s, $"as the size of {name}");
        var sizeSpan = new Span(sizeStart, s.Pos - sizeStart);
        if (size <= 0)
            throw new ParseFailure(Descriptors.NonPositiveSize, sizeSpan, $"The size of {name} must be positive, was {size}");
        if (name == "Q" && size != 8)
            throw new ParseFailure(Descriptors.UnknownFamily, new Span(start, s.Pos - start), $"Only the quaternion group Q8 is known, not Q{size}");
        return new FamilySyntax(name == "Z" ? "C" : name, size, new Span(start, s.Pos - start));
    }

    /// <summary>p4(n) or p4m(n), after the 'p': the size is in parentheses (p4m12 would read as a family named p4m).</summary>
    static FamilySyntax ParseWallpaper(State s, int start)
    {
        if (s.Peek != '4')
        {
            while (!s.AtEnd && char.IsLetterOrDigit(s.Peek)) s.Pos++;
            throw new ParseFailure(Descriptors.UnknownFamily, new Span(start, s.Pos - start),
                $"Unknown group family '{s.Text.Substring(start, s.Pos - start)}'; the wallpaper groups are p4(n) and p4m(n)");
        }
        s.Pos++;
        if (s.Peek == 'm') s.Pos++;
        string family = s.Text.Substring(start, s.Pos - start);
        if (char.IsLetterOrDigit(s.Peek))
        {
            int digits = s.Pos;
            while (!s.AtEnd && char.IsLetterOrDigit(s.Peek)) s.Pos++;
            string rest = s.Text.Substring(digits, s.Pos - digits);
            throw new ParseFailure(Descriptors.UnknownFamily, new Span(start, s.Pos - start),
                $"Unknown group family '{family}{rest}'; the wallpaper groups are p4(n) and p4m(n)" +
                (rest.All(char.IsDigit) ? $", with the size in parentheses: {family}({rest})" : ""));
        }
        s.SkipSpace();
        if (s.Peek != '(')
            throw new ParseFailure(Descriptors.NonPositiveSize, new Span(start, family.Length), $"The family '{family}' needs a size in parentheses, e.g. {family}(28)");
        s.Pos++;
        s.SkipSpace();
        int sizeStart = s.Pos;
        int size = ParseInt(s, $"as the size of {family}(n)");
        var sizeSpan = new Span(sizeStart, s.Pos - sizeStart);
        s.Expect(')', $"to close {family}(");
        if (size <= 0)
            throw new ParseFailure(Descriptors.NonPositiveSize, sizeSpan, $"The size of {family}(n) must be positive, was {size}");
        return new FamilySyntax(family, size, new Span(start, s.Pos - start));
    }

    static char PeekAt(State s, int offset) => s.Pos + offset < s.Text.Length ? s.Text[s.Pos + offset] : '\0';

    static int ParseInt(State s, string what)
    {
        s.SkipSpace();
        int start = s.Pos;
        bool negative = s.Peek == '-';
        if (negative) s.Pos++;
        if (!char.IsDigit(s.Peek)) throw s.Error(AtEndOr(s, $"Expected a number {what}"));
        long value = 0;
        while (!s.AtEnd && char.IsDigit(s.Peek))
        {
            value = value * 10 + (s.Peek - '0');
            if (value > int.MaxValue) throw new ParseFailure(Descriptors.GroupTooLarge, new Span(start, s.Pos - start + 1), $"The number at column {start + 1} is too large");
            s.Pos++;
        }
        return (int)(negative ? -value : value);
    }

    static string AtEndOr(State s, string message) => s.AtEnd ? message + ", but the expression ended" : message + $", found '{s.Peek}'";

    static PermSyntax ParsePerm(State s, int start)
    {
        s.Expect('(', "after Perm");
        var generators = new List<GeneratorSyntax> { ParseGenerator(s) };
        while (true)
        {
            s.SkipSpace();
            if (s.Peek == ',') { s.Pos++; generators.Add(ParseGenerator(s)); continue; }
            break;
        }
        s.Expect(')', "to close Perm(");
        return new PermSyntax(generators.ToEquatableArray(), new Span(start, s.Pos - start));
    }

    static GeneratorSyntax ParseGenerator(State s)
    {
        s.SkipSpace();
        int start = s.Pos;
        var cycles = new List<CycleSyntax>();
        while (true)
        {
            s.SkipSpace();
            if (s.Peek != '(') break;
            int cycleStart = s.Pos;
            s.Pos++;
            var points = new List<int>();
            while (true)
            {
                s.SkipSpace();
                if (s.Peek == ')') { s.Pos++; break; }
                if (s.Peek == ',') s.Pos++;
                points.Add(ParseInt(s, "as a point of the cycle (or ')')"));
            }
            cycles.Add(new CycleSyntax(points.ToEquatableArray(), new Span(cycleStart, s.Pos - cycleStart)));
        }
        if (cycles.Count == 0) throw s.Error(AtEndOr(s, "Expected a permutation in cycle notation, e.g. (0 1 2)"));
        return new GeneratorSyntax(cycles.ToEquatableArray(), new Span(start, s.Pos - start));
    }
}
