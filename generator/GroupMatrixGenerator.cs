using Microsoft.CodeAnalysis;
using Scriban;
namespace GmCodegen.Generator;
[Generator(LanguageNames.CSharp)]
public sealed class GroupMatrixGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        context.RegisterPostInitializationOutput(c => c.AddSource("Probe.g.cs", Template.Parse("namespace GmProbe; public static class P { public const string S = \"{{ x }}\"; }").Render(new { x = "scriban-ok" })));
    }
}
