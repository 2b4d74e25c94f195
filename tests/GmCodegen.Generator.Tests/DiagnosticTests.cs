using Microsoft.CodeAnalysis;

namespace GmCodegen.Generator.Tests;

/// <summary>Every diagnostic for bad input, at its place; garbage never makes the generator throw.</summary>
public class DiagnosticTests
{
    /// <summary>Runs the generator on one declaration and returns its single diagnostic, with (line, column) 1-based.</summary>
    static (string Id, int Line, int Column, string Message) Single(string declaration)
    {
        var outcome = Harness.Run("using GmCodegen;\nnamespace N;\n" + declaration);
        var gm = outcome.GeneratorDiagnostics.Where(d => d.Id.StartsWith("GM")).ToList();
        Assert.True(gm.Count == 1, $"expected one GM diagnostic, got: {string.Join("; ", outcome.GeneratorDiagnostics)}");
        Assert.DoesNotContain(outcome.GeneratorDiagnostics, d => d.Id == "CS8785");
        var d = gm[0];
        var pos = d.Location.GetLineSpan().StartLinePosition;
        return (d.Id, pos.Line + 1, pos.Character + 1, d.GetMessage());
    }

    // Line 3 is the declaration; the string's content starts at column 15 in [GroupMatrix("…
    const string Prefix = "[GroupMatrix(\"";

    [Theory]
    [InlineData("C4 x", "GM0001", 5)]            // ended after 'x'
    [InlineData("C4 ) ", "GM0001", 4)]
    [InlineData("(C4 x C3", "GM0001", 9)]
    [InlineData("C4 # C3", "GM0001", 4)]
    [InlineData("Foo3", "GM0002", 1)]
    [InlineData("C4 x Bar2", "GM0002", 6)]
    [InlineData("Q4", "GM0002", 1)]
    [InlineData("C0", "GM0003", 2)]
    [InlineData("D x C3", "GM0003", 1)]
    [InlineData("C4 x D-2", "GM0003", 7)]
    [InlineData("C2^0", "GM0003", 4)]
    [InlineData("S6", "GM0005", 1)]
    [InlineData("C1024 x C1024 x C2", "GM0005", 1)]
    [InlineData("Perm((0 1 1))", "GM0009", 6)]
    [InlineData("Perm((0 -1))", "GM0009", 6)]
    [InlineData("Perm((0 1 2 3 4 5 6), (0 1))", "GM0005", 1)]
    [InlineData("p4(0)", "GM0003", 4)]
    [InlineData("C2 x p4m( -3 )", "GM0003", 11)]
    [InlineData("p4m", "GM0003", 1)]              // the size goes in parentheses
    [InlineData("p4 x C2", "GM0003", 1)]
    [InlineData("p4m12", "GM0002", 1)]
    [InlineData("p6(3)", "GM0002", 1)]
    [InlineData("p4(5", "GM0001", 5)]
    [InlineData("p4(5 5)", "GM0001", 6)]
    [InlineData("B0", "GM0003", 2)]
    [InlineData("B6", "GM0005", 1)]
    [InlineData("C3 x B7", "GM0005", 6)]
    [InlineData("p4m(363)", "GM0005", 1)]         // 8·363² = 1,054,152 > 2²⁰
    [InlineData("C2 x p4(513)", "GM0005", 6)]
    [InlineData("p4m(200) x C4", "GM0005", 1)]    // each factor fits, the product does not
    public void Expression_errors_point_into_the_string(string expression, string id, int column)
    {
        var d = Single($"{Prefix}{expression}\")] public partial struct G;");
        Assert.Equal(id, d.Id);
        Assert.Equal(3, d.Line);
        Assert.Equal(Prefix.Length + column, d.Column);
        Assert.Contains($"column {column}", d.Message);
    }

    [Fact]
    public void Oversized_group_names_its_size()
    {
        var d = Single($"{Prefix}S7\")] public partial struct G;");
        Assert.Contains("5,040", d.Message);
        Assert.Contains("256", d.Message);
    }

    [Fact]
    public void Oversized_formula_families_name_their_size_and_limit()
    {
        var p4m = Single($"{Prefix}p4m(400)\")] public partial struct G;");
        Assert.Contains("p4m(400)", p4m.Message);
        Assert.Contains("1,280,000", p4m.Message);
        Assert.Contains("1,048,576", p4m.Message);
        var b = Single($"{Prefix}B6\")] public partial struct G;");
        Assert.Contains("46,080", b.Message);
        Assert.Contains("B5", b.Message);
        Assert.Contains("3,840", b.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Empty_expression(string expression) =>
        Assert.Equal("GM0008", Single($"{Prefix}{expression}\")] public partial struct G;").Id);

    [Fact]
    public void Null_expression_is_reported() =>
        Assert.Equal("GM0013", Single("[GroupMatrix(null!)] public partial struct G;").Id);

    [Fact]
    public void Negative_radius_points_at_the_radius()
    {
        var d = Single("[GroupMatrix(\"C4\", Radius = -2)] public partial struct G;");
        Assert.Equal(("GM0004", 3), (d.Id, d.Line));
        Assert.Equal("[GroupMatrix(\"C4\", ".Length + 1, d.Column);
    }

    [Fact]
    public void Non_partial_type_is_reported_at_its_name()
    {
        var d = Single("[GroupMatrix(\"C4\")] public struct Plain { }");
        Assert.Equal(("GM0006", 3), (d.Id, d.Line));
        Assert.Equal("[GroupMatrix(\"C4\")] public struct ".Length + 1, d.Column);
    }

    [Fact]
    public void Static_class_is_reported() =>
        Assert.Equal("GM0007", Single("[GroupMatrix(\"C4\")] public static partial class S { }").Id);

    [Fact]
    public void Non_partial_container_is_reported() =>
        Assert.Equal("GM0006", Single("public class Outer { [GroupMatrix(\"C4\")] public partial struct G; }").Id);

    [Fact]
    public void Generic_type_is_reported() =>
        Assert.Equal("GM0012", Single("[GroupMatrix(\"C4\")] public partial struct G<T>;").Id);

    [Fact]
    public void Wrapping_radius_is_an_info_and_still_generates()
    {
        var outcome = Harness.Run("using GmCodegen;\n[GroupMatrix(\"C3\", Radius = 2)] public partial struct G;");
        var d = Assert.Single(outcome.GeneratorDiagnostics);
        Assert.Equal(("GM0010", DiagnosticSeverity.Info), (d.Id, d.Severity));
        Assert.Empty(outcome.CompileDiagnostics);
    }

    [Fact]
    public void Escaped_literal_falls_back_to_the_whole_argument()
    {
        var d = Single("[GroupMatrix(\"C4 \\u0078 Foo\")] public partial struct G;");
        Assert.Equal("GM0002", d.Id);
        Assert.Equal("[GroupMatrix(".Length + 1, d.Column);
    }

    [Fact]
    public void Nested_partial_types_and_records_generate_and_compile()
    {
        var outcome = Harness.Run("""
            using GmCodegen;
            namespace N;
            public partial class Outer { [GroupMatrix("C4 x C4")] public partial record struct G; }
            [GroupMatrix("D3")] public partial class H;
            [GroupMatrix("Q8")] partial struct Global;
            """);
        Assert.Empty(outcome.GeneratorDiagnostics);
        Assert.Empty(outcome.CompileDiagnostics);
        // Three kernels, and C4 x C4 (a torus group, its own translation kernel) also gets its lift file.
        Assert.Equal(4, outcome.Run.GeneratedTrees.Length);
        Assert.Contains(outcome.Run.GeneratedTrees, t => t.FilePath.EndsWith("N.Outer.G.Lift.g.cs"));
    }

    /// <summary>Random text, printable or not, never makes the parser or the generator throw.</summary>
    [Fact]
    public void Garbage_never_throws()
    {
        var r = new Random(12345);
        const string alphabet = "CDSAQZPermx×*^()0123456789 ,-\t\"\\{}[]é∑\0";
        var inputs = Enumerable.Range(0, 3000).Select(_ =>
            new string(Enumerable.Range(0, r.Next(0, 24)).Select(_ => r.Next(4) == 0 ? (char)r.Next(0, 0x3000) : alphabet[r.Next(alphabet.Length)]).ToArray()))
            .Concat(["((((((((((C2", "C99999999999", "C2147483647 x C2", "Perm(", "Perm(()", "Perm((0 1), )", "C2^99999999", "D1073741824", "A2147483647"]);
        foreach (var text in inputs)
        {
            var parsed = Parsing.Parser.Parse(text);
            Assert.True(parsed.Syntax is null != (parsed.Error is null), text);
            if (parsed.Syntax is not null) Elaboration.Elaborator.Elaborate(parsed.Syntax);
        }
        // A sample through the whole generator, as the compiler runs it.
        foreach (var text in inputs.Where((_, i) => i % 100 == 0).Concat(["C2^99999999", "C99999999999"]))
        {
            string literal = Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(text, quote: true);
            var outcome = Harness.Run($"using GmCodegen;\n[GroupMatrix({literal}, Radius = 2)] public partial struct G;");
            Assert.DoesNotContain(outcome.GeneratorDiagnostics, d => d.Id is "CS8785" or "GM0014");
            Assert.Empty(outcome.Run.Results.Where(x => x.Exception is not null));
        }
    }
}

public class NameCollisionTests
{
    /// <summary>User types named like the runtime's must not capture the generated code's references.</summary>
    [Fact]
    public void Generated_code_compiles_next_to_user_types_with_runtime_names()
    {
        var outcome = Harness.Run("""
            using GmCodegen;
            namespace N;
            public class VectorMoves { }
            public class GmEngine<T> { }
            public interface IGroupPlan { }
            public struct GmShape { }
            [GroupMatrix("D3 x C4")] public partial struct G;
            """);
        Assert.Empty(outcome.GeneratorDiagnostics);
        Assert.Empty(outcome.CompileDiagnostics);
    }

    /// <summary>docs/diagnostics.md is the registry: exactly the descriptors' ids, with their severities.</summary>
    [Fact]
    public void The_registry_lists_every_descriptor()
    {
        static string Docs([System.Runtime.CompilerServices.CallerFilePath] string file = "") =>
            Path.Combine(Path.GetDirectoryName(file)!, "..", "..", "docs", "diagnostics.md");
        var rows = File.ReadLines(Docs())
            .Select(l => System.Text.RegularExpressions.Regex.Match(l, @"^\| (GM\d{4}) \| (error|warning|info) \|"))
            .Where(m => m.Success)
            .Select(m => (m.Groups[1].Value, m.Groups[2].Value))
            .ToList();
        var descriptors = typeof(Diagnostics.Descriptors).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
            .Select(d => (d.Id, d.DefaultSeverity.ToString().ToLowerInvariant()))
            .OrderBy(d => d.Id)
            .ToList();
        Assert.Equal(descriptors, rows);
    }
}
