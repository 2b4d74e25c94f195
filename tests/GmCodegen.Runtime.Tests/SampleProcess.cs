using System.Diagnostics;

namespace GmCodegen.Runtime.Tests;

/// <summary>Runs a sample's built assembly (copied next to the tests by its ProjectReference) in a child process.</summary>
static class SampleProcess
{
    public static (int Code, string Out, string Err) Run(string assembly, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, assembly));
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();   // both pipes drained at once, so neither can block the child
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr);
    }
}
