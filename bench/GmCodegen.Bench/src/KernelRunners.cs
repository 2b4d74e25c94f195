using System.Reflection;

namespace GmCodegen.Bench;

/// <summary>A managed GM kernel bound to one configuration with its buffers allocated.</summary>
public interface IKernelRunner
{
    BenchConfig Config { get; }
    /// <summary>Multiply a measured time by this to get the configuration's full batch.</summary>
    double Scale { get; }
    string Reduction { get; }
    void Pass(Pass p);
}

/// <summary>
/// The thread count of the generated kernels. The runtime is expected to grow a static knob
/// <c>GmCodegen.KernelParallelism.MaxDegree</c>; it is looked up by reflection so that the bench builds before and after
/// it appears.
/// TODO(bench): once GmCodegen.KernelParallelism.MaxDegree exists, call it directly here (and drop the reflection);
/// until then the generated kernels run with whatever parallelism they choose, and the report says so.
/// </summary>
public static class KernelThreads
{
    static readonly Type? KnobType = typeof(GmCodegen.IGroupKernel).Assembly.GetType("GmCodegen.KernelParallelism");
    static readonly PropertyInfo? KnobProperty = KnobType?.GetProperty("MaxDegree", BindingFlags.Public | BindingFlags.Static);
    static readonly FieldInfo? KnobField = KnobType?.GetField("MaxDegree", BindingFlags.Public | BindingFlags.Static);

    public static bool KnobPresent => KnobProperty is { CanWrite: true } || KnobField is not null;

    /// <summary>Sets the knob if it exists; returns how the thread count is enforced, for the report.</summary>
    public static string Set(int threads)
    {
        if (KnobProperty is { CanWrite: true }) { KnobProperty.SetValue(null, threads); return $"KernelParallelism.MaxDegree = {threads}"; }
        if (KnobField is not null) { KnobField.SetValue(null, threads); return $"KernelParallelism.MaxDegree = {threads}"; }
        return "knob GmCodegen.KernelParallelism.MaxDegree absent: kernel's own parallelism";
    }
}
