using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace GmCodegen.Generator.Tests;

public class IncrementalTests
{
    [Fact]
    public void An_edit_elsewhere_leaves_the_outputs_cached()
    {
        var compilation = Harness.Compilation(
            "using GmCodegen; [GroupMatrix(\"D14 x D14\", Radius = 3)] public partial struct G;",
            "public static class Other { public static int F() => 1; }");
        var driver = Harness.Driver().RunGenerators(compilation);

        var edited = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.Last(),
            CSharpSyntaxTree.ParseText("public static class Other { public static int F() => 2; }", (CSharpParseOptions)compilation.SyntaxTrees.First().Options));
        driver = driver.RunGenerators(edited);

        var steps = driver.GetRunResult().Results.Single().TrackedSteps["GroupMatrixResults"];
        var reasons = steps.SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.NotEmpty(reasons);
        Assert.All(reasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
    }

    [Fact]
    public void Changing_the_expression_regenerates()
    {
        var compilation = Harness.Compilation("using GmCodegen; [GroupMatrix(\"C4\")] public partial struct G;");
        var driver = Harness.Driver().RunGenerators(compilation);
        var edited = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.Single(),
            CSharpSyntaxTree.ParseText("using GmCodegen; [GroupMatrix(\"C5\")] public partial struct G;", (CSharpParseOptions)compilation.SyntaxTrees.First().Options));
        driver = driver.RunGenerators(edited);
        var steps = driver.GetRunResult().Results.Single().TrackedSteps["GroupMatrixResults"];
        Assert.Contains(steps.SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains("const int L = 5;", driver.GetRunResult().GeneratedTrees.Single().ToString());
    }
}
