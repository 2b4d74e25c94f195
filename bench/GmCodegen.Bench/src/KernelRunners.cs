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

/// <summary>The thread count of the generated kernels: the runtime's static knob (kernels split the batch over at most
/// this many workers).</summary>
public static class KernelThreads
{
    public static bool KnobPresent => true;

    public static string Set(int threads)
    {
        GmCodegen.KernelParallelism.MaxDegree = threads;
        return $"KernelParallelism.MaxDegree = {threads}";
    }
}
