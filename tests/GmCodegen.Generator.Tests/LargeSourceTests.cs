namespace GmCodegen.Generator.Tests;

// Some 700,000 characters of unrolled gathers, which Scriban's default limits cut short (the file ended mid-statement): this project does not compile if the emitter cuts the file short.
[GroupMatrix("D7 x D7")] public partial struct D7xD7r1;

public class LargeSourceTests
{
    [Fact]
    public void A_large_unrolled_kernel_is_emitted_whole_and_compiles()
    {
        var outcome = Harness.Run("using GmCodegen;\nnamespace N;\n[GroupMatrix(\"D7 x D7\")] public partial struct G;");
        Assert.Empty(outcome.CompileDiagnostics);
        var source = outcome.Source("N.G.g.cs");
        Assert.True(source.Length > 500_000, $"the case is meant to be large; it has {source.Length} characters");
        Assert.EndsWith("}\n", source.Replace("\r\n", "\n"));
        Assert.Equal(196, D7xD7r1.Order);
    }
}
