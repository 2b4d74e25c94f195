using System.Runtime.CompilerServices;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;

namespace GmCodegen.Generator.Tests;

/// <summary>
/// Approved-file snapshots of generated source. A mismatch fails with a readable line diff and writes
/// <c>NAME.received.cs</c> beside the approved file; set GM_UPDATE_SNAPSHOTS=1 to approve the new output.
/// </summary>
public class SnapshotTests
{
    [Theory]
    [InlineData("C8", "1", "C8")]
    [InlineData("D4", "1", "D4")]
    [InlineData("C4 x C4", "1", "C4xC4")]
    [InlineData("D14 x D14", "3", "D14xD14_r3")]
    [InlineData("S4", "1", "S4")]
    [InlineData("S4", "GroupMatrixAttribute.WholeGroup", "S4_dense")]
    [InlineData("p4m(2)", "0", "p4m2_r0")]     // the wallpaper law: a switch over the point group
    [InlineData("B3", "1", "B3")]              // signed permutations: S3's tables and the sign action
    public void Generated_source_matches_the_approved_snapshot(string expression, string radius, string name)
    {
        var outcome = Harness.Run($$"""
            using GmCodegen;
            namespace Snapshots;
            [GroupMatrix("{{expression}}", Radius = {{radius}})]
            public partial struct {{name}};
            """);
        Assert.Empty(outcome.GeneratorDiagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error));
        Assert.Empty(outcome.CompileDiagnostics);
        Snapshot.Match(name, outcome.Source($"Snapshots.{name}.g.cs"));
    }
}

public static class Snapshot
{
    static string Folder([CallerFilePath] string file = "") => Path.Combine(Path.GetDirectoryName(file)!, "Snapshots");

    public static void Match(string name, string actual)
    {
        actual = actual.Replace("\r\n", "\n");
        string approvedPath = Path.Combine(Folder(), name + ".approved.cs");
        string receivedPath = Path.Combine(Folder(), name + ".received.cs");
        if (Environment.GetEnvironmentVariable("GM_UPDATE_SNAPSHOTS") == "1")
        {
            Directory.CreateDirectory(Folder());
            File.WriteAllText(approvedPath, actual);
            File.Delete(receivedPath);
            return;
        }
        string? approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).Replace("\r\n", "\n") : null;
        if (approved == actual) { File.Delete(receivedPath); return; }
        Directory.CreateDirectory(Folder());
        File.WriteAllText(receivedPath, actual);
        if (approved is null) Assert.Fail($"No approved snapshot {approvedPath}; the output is in {receivedPath}. Review it and rename it (or run with GM_UPDATE_SNAPSHOTS=1).");
        Assert.Fail($"Generated source for {name} differs from {approvedPath}:\n{Diff(approved, actual)}\n(the new output is in {receivedPath})");
    }

    /// <summary>Changed lines with line numbers and two lines of context, capped at 60 lines.</summary>
    static string Diff(string approved, string actual)
    {
        var lines = InlineDiffBuilder.Diff(approved, actual, ignoreWhiteSpace: false).Lines;
        var show = new HashSet<int>();
        for (int i = 0; i < lines.Count; i++)
            if (lines[i].Type != ChangeType.Unchanged)
                for (int j = Math.Max(0, i - 2); j <= Math.Min(lines.Count - 1, i + 2); j++) show.Add(j);
        var sb = new System.Text.StringBuilder();
        int shown = 0, last = -2;
        foreach (int i in show.Order())
        {
            if (shown++ == 60) { sb.AppendLine("  …"); break; }
            if (i != last + 1) sb.AppendLine("  @@");
            var l = lines[i];
            string mark = l.Type switch { ChangeType.Inserted => "+", ChangeType.Deleted => "-", _ => " " };
            sb.AppendLine($"{mark} {l.Position?.ToString() ?? ""}\t{l.Text}");
            last = i;
        }
        return sb.ToString();
    }
}

/// <summary>The lift files of torus groups (docs/design.md#lifting): the IGroupLift half and, for p4/p4m, the nested translation kernel.</summary>
public class LiftSnapshotTests
{
    [Fact]
    public void P4m_lift_file_matches_the_approved_snapshot_and_brings_its_translation_kernel()
    {
        var outcome = Harness.Run("""
            using GmCodegen;
            namespace Snapshots;
            [GroupMatrix("p4m(3)", Radius = 0, LiftRadius = 1)]
            public partial struct p4m3_lift;
            """);
        Assert.Empty(outcome.GeneratorDiagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error));
        Assert.Empty(outcome.CompileDiagnostics);
        Snapshot.Match("p4m3_lift.Lift", outcome.Source("Snapshots.p4m3_lift.Lift.g.cs"));
        Assert.Contains("partial struct p4m3_lift", outcome.Source("Snapshots.p4m3_lift.Translations.g.cs"));
        Assert.Contains("for C3 x C3 (radius 1)", outcome.Source("Snapshots.p4m3_lift.Translations.g.cs"));
    }

    [Fact]
    public void Groups_that_do_not_act_on_the_torus_get_no_lift_and_a_negative_lift_radius_is_refused()
    {
        var outcome = Harness.Run("""
            using GmCodegen;
            [GroupMatrix("D4 x D4")] public partial struct NoTorus;
            [GroupMatrix("C4 x C5")] public partial struct NotSquare;
            [GroupMatrix("C4 x C4", LiftRadius = -3)] public partial struct Bad;
            """);
        Assert.Equal(2, outcome.Run.GeneratedTrees.Length);
        var d = Assert.Single(outcome.GeneratorDiagnostics);
        Assert.Equal("GM0004", d.Id);
    }
}
