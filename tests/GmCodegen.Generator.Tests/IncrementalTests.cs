using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace GmCodegen.Generator.Tests;

public class IncrementalTests
{
    static void AllCached(GeneratorDriver driver, string step)
    {
        var steps = driver.GetRunResult().Results.Single().TrackedSteps[step];
        var reasons = steps.SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.NotEmpty(reasons);
        Assert.All(reasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {r}"));
    }

    static CSharpCompilation Replace(CSharpCompilation compilation, SyntaxTree tree, string text) =>
        compilation.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(text, (CSharpParseOptions)tree.Options, tree.FilePath));

    [Fact]
    public void An_edit_elsewhere_leaves_the_outputs_cached()
    {
        var compilation = Harness.Compilation(
            "using GmCodegen; [GroupMatrix(\"D14 x D14\", Radius = 3)] public partial struct G;",
            "public static class Other { public static int F() => 1; }");
        var driver = Harness.Driver().RunGenerators(compilation);

        var edited = Replace(compilation, compilation.SyntaxTrees.Last(), "public static class Other { public static int F() => 2; }");
        driver = driver.RunGenerators(edited);

        AllCached(driver, GroupMatrixGenerator.ResultStep);
    }

    /// <summary>
    /// Typing above a declaration moves it: parse → plan → emit stay cached (their key has no locations), and the
    /// diagnostics are placed again, at the shifted lines.
    /// </summary>
    [Fact]
    public void An_edit_above_the_declaration_in_its_file_reuses_the_emitted_source_and_moves_the_diagnostics()
    {
        const string declarations = """
            using GmCodegen;
            [GroupMatrix("C5", Radius = 3)] public partial struct Wraps;
            [GroupMatrix("C4 x Foo3")] public partial struct Broken;
            """;
        var compilation = Harness.Compilation(declarations);
        var driver = Harness.Driver().RunGenerators(compilation);
        var before = driver.GetRunResult();
        string source = before.GeneratedTrees.Single().ToString();

        var edited = Replace(compilation, compilation.SyntaxTrees.Single(), "// a new first line\n\n" + declarations);
        driver = driver.RunGenerators(edited);
        var after = driver.GetRunResult();

        // The requests changed (their locations did), their keys did not, so the results are reused.
        Assert.Contains(after.Results.Single().TrackedSteps[GroupMatrixGenerator.RequestStep].SelectMany(s => s.Outputs),
            o => o.Reason == IncrementalStepRunReason.Modified);
        AllCached(driver, GroupMatrixGenerator.KeyStep);
        AllCached(driver, GroupMatrixGenerator.ResultStep);
        Assert.Equal(source, after.GeneratedTrees.Single().ToString());

        // Same diagnostics, two lines further down, same columns, and still pointing at the same text.
        static Diagnostic One(GeneratorDriverRunResult run, string id) => run.Diagnostics.Single(d => d.Id == id);
        foreach (var id in new[] { "GM0010", "GM0002" })
        {
            var (old, moved) = (One(before, id).Location, One(after, id).Location);
            Assert.Equal(old.GetLineSpan().StartLinePosition.Line + 2, moved.GetLineSpan().StartLinePosition.Line);
            Assert.Equal(old.GetLineSpan().StartLinePosition.Character, moved.GetLineSpan().StartLinePosition.Character);
            Assert.Equal(old.SourceSpan.Start + "// a new first line\n\n".Length, moved.SourceSpan.Start);
            Assert.Equal(old.SourceSpan.Length, moved.SourceSpan.Length);
            Assert.Equal(One(before, id).GetMessage(), One(after, id).GetMessage());
        }
        Assert.Equal("Foo", edited.SyntaxTrees.Single().GetText().ToString(One(after, "GM0002").Location.SourceSpan));
    }

    [Fact]
    public void Changing_the_expression_regenerates()
    {
        var compilation = Harness.Compilation("using GmCodegen; [GroupMatrix(\"C4\")] public partial struct G;");
        var driver = Harness.Driver().RunGenerators(compilation);
        var edited = Replace(compilation, compilation.SyntaxTrees.Single(), "using GmCodegen; [GroupMatrix(\"C5\")] public partial struct G;");
        driver = driver.RunGenerators(edited);
        var steps = driver.GetRunResult().Results.Single().TrackedSteps[GroupMatrixGenerator.ResultStep];
        Assert.Contains(steps.SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains("const int L = 5;", driver.GetRunResult().GeneratedTrees.Single().ToString());
    }
}
