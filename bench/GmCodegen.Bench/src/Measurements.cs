using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GmCodegen.Bench;

/// <summary>One measured pass. Times are per call at the configuration's full batch (scaled when run reduced).</summary>
public sealed record Row(
    string Config, string Impl, int Threads, bool Tunables, string Pass,
    double MedianMs, double MinMs, int Reps, double Scale, string Method,
    double? PeakRssDeltaMiB = null, long? ManagedBytes = null, long? IntermediateBytes = null, string? Note = null);

/// <summary>A numerical check of one implementation against NaiveGm on small inputs (max abs error / max abs value).</summary>
public sealed record Check(string Group, int Radius, string Mode, string Impl, double Forward, double BackwardInput, double BackwardWeights, double BackwardBias, bool Ok);

public sealed class SuiteOutput
{
    public List<Row> Rows { get; set; } = [];
    public List<Check> Checks { get; set; } = [];
    public List<Roofline.Result> Roofline { get; set; } = [];
    public Dictionary<string, string> Info { get; set; } = [];
    /// <summary>"config/pass" → peak RSS above the RSS before the first full-size call of the generated kernel (2 threads),
    /// i.e. the scratch it rents (pooled, so later calls allocate nothing), in MiB.</summary>
    public Dictionary<string, double> GeneratedFirstCallExtraMiB { get; set; } = [];

    static readonly JsonSerializerOptions Opts = new() { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };
    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Opts));
    public static SuiteOutput Load(string path) => JsonSerializer.Deserialize<SuiteOutput>(File.ReadAllText(path), Opts)!;
}

public static class Passes
{
    public const string Fwd = "fwd", BwdIn = "bwd-in", BwdW = "bwd-w", Step = "step";
    public static string Of(Pass p) => p switch { Pass.Forward => Fwd, Pass.BackwardInput => BwdIn, _ => BwdW };
}

/// <summary>Process memory from /proc/self: resident set and its peak (VmHWM), which clear_refs "5" resets.</summary>
public static class ProcMem
{
    public static bool CanResetPeak { get; } = TryReset();

    static bool TryReset()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); return true; } catch { return false; }
    }

    public static void ResetPeak() { if (CanResetPeak) File.WriteAllText("/proc/self/clear_refs", "5"); }

    static long ReadKb(string key)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(key)) return long.Parse(line[key.Length..].Trim().Split(' ')[0]);
        return 0;
    }

    public static long RssBytes() => ReadKb("VmRSS:") * 1024;
    public static long PeakBytes() => ReadKb("VmHWM:") * 1024;

    public static long MemAvailableBytes()
    {
        foreach (var line in File.ReadLines("/proc/meminfo"))
            if (line.StartsWith("MemAvailable:")) return long.Parse(line["MemAvailable:".Length..].Trim().Split(' ')[0]) * 1024;
        return long.MaxValue;
    }
}

public static class Stats
{
    public static double Median(IReadOnlyList<double> xs)
    {
        var s = xs.OrderBy(v => v).ToArray();
        return s.Length == 0 ? double.NaN : s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
    }

    public static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
