#if GM_GENERATED
using BenchmarkDotNet.Attributes;

namespace GmCodegen.Bench;

public partial class ManagedKernels
{
    [GlobalSetup(Target = nameof(Generated))]
    public void SetupGenerated()
    {
        string threading = KernelThreads.Set(Case.Threads);
        runner = GeneratedKernels.For(Case.Config, Case.Config.Batch);
        Plans[("generated", Case.ToString())] = (runner.Scale, runner.Reduction, threading);
    }

    [Benchmark]
    public void Generated() => runner.Pass(Case.Pass);
}
#endif
