using System.Diagnostics;
using GmCodegen.Fluids;
using Microsoft.ML.OnnxRuntime;
using RotatedMnist;
using SmokePlume;

namespace GmCodegen.OnnxTests;

/// <summary>
/// A trained network of each sample, exported and run in ONNX Runtime on the sample's real inputs (rotated MNIST test
/// digits, plume frames, the ε-sweep's inputs): outputs equal <see cref="Network.Forward"/>'s within 1e-4 relative at
/// batch sizes 1 and 37. Then each sample's own <c>--export</c>, run as a child process: the files it writes load in ONNX
/// Runtime, carry the metadata, and give the outputs of the same network rebuilt here (from the saved model file, or
/// retrained with the same seed: training is deterministic).
/// </summary>
public sealed class SampleExportTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), $"onnx-samples-{Guid.NewGuid():N}");

    public SampleExportTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    static readonly Lazy<RotatedSplit> Digits = new(() => Datasets.RotatedMnist(Datasets.Mnist10k(), seed: 42, trainCount: 256, testCount: 64));

    /// <summary>A few AdamW steps on real digits: the weights move away from their init as in training.</summary>
    static Network Trained(Spec spec, Shape input, int steps = 3)
    {
        var network = Network.Build(spec, input, seed: 5);
        var optimizer = new AdamW(network.Parameters, 0.004, 0.0153);
        var trainer = new Trainer(network, new CrossEntropyLoss(), optimizer) { Quiet = true };
        var train = Digits.Value.Train;
        var batches = new InMemoryBatches(train.Images, train.Labels, batchSize: 32, shuffle: true, seed: 1);
        foreach (var batch in batches.Batches(0).Take(steps)) trainer.TrainStep(batch, out _);
        return network;
    }

    [Fact]
    public void RotatedMnist_networks_exact_relaxed_and_pooled()
    {
        var input = new Shape(1, D14xD14r3.Order);
        var test = Digits.Value.Test.Images;
        Ort.CheckAgrees(Trained(Architectures.GmCnn<D14xD14r3>(10, channels: 8), input), test, "GM-CNN D14 x D14 r3 shared");
        Ort.CheckAgrees(Trained(Architectures.GmCnn<D14xD14r1>(10, channels: 6, mode: ChannelMode.Full,
            relaxation: Relaxation.Parse("ldr:1")), input), test, "relaxed GM-CNN D14 x D14 r1 full, ldr:1");
        Ort.CheckAgrees(Trained(Architectures.PooledGmCnn<C28xC28r1, PoolC28toC14, C14xC14r1, PoolC14toC7, C7xC7r1>(10, [4, 8, 12]), input),
            test, "pooled GM-CNN C28 x C28 → C14 x C14 → C7 x C7");
        // The lifted G-CNN as the sample runs it (filter-bank kernels, the centred then the automatic pool), narrow.
        Ort.CheckAgrees(Trained(Architectures.LiftedGmCnn<FilterBank<P4m28r1, C28xC28r1>, PoolP4m28to14, FilterBank<P4m14r1, C14xC14r1>,
            PoolP4m14to7, FilterBank<P4m7r1, C7xC7r1>>(10, liftChannels: 2, outer: [2], middle: [2], inner: [3]), input),
            test, "lifted G-CNN p4m(28) → p4m(14) → p4m(7)");
    }

    [Fact]
    public void SmokePlume_encoder_decoders_of_every_variant()
    {
        var data = PlumeCache.LoadOrGenerate(_dir, SmokePlume.Program.SmallData).Data;
        var options = new SmokePlume.Options(Epochs: 2, Width: 4, Steps: 4, Small: true);
        foreach (var variant in Variant.All)
        {
            var network = TrainedPlume(data, variant, options);
            Ort.CheckAgrees(network, PlumeInputs(data, variant, network), $"plume {variant.Name}");
        }
    }

    static Network TrainedPlume(PlumeDataset data, Variant variant, SmokePlume.Options options)
    {
        Network? trained = null;
        SmokePlume.Experiment.Run(data, variant, Encoder.Build<Grid16, Pool16to8, Grid8>(variant, options.Width, options.RelaxMiddle),
            options, onTrained: n => trained = n);
        return trained!;
    }

    /// <summary>37 real network inputs: windows of past frames from the future split (repeated if it has fewer).</summary>
    static float[] PlumeInputs(PlumeDataset data, Variant variant, Network network)
    {
        var samples = data.Samples(PlumeSplit.Future);
        var forecaster = new Forecaster(network, variant, data.N, data.Window, 1f, 1f);
        var features = forecaster.Features(samples.Inputs, samples.Count);
        int size = network.Input.Size;
        var x = new float[37 * size];
        for (int b = 0; b < 37; b++) features.AsSpan(b % samples.Count * size, size).CopyTo(x.AsSpan(b * size));
        return x;
    }

    [Fact]
    public void ApproxEquivariance_models_of_the_sweep()
    {
        var task = ApproxEquivariance.SweepTask.Create(42);
        var train = task.Draw(32, stream: 0);
        var test = task.Draw(37, stream: 1);
        foreach (var model in ApproxEquivariance.Model.All)
        {
            var network = ApproxEquivariance.Experiment.Fit(model, train.Inputs, task.Targets(train, 0.2), train.Count, 0.01, 0, epochs: 20, seed: 42);
            Ort.CheckAgrees(network, test.Inputs, $"sweep model {model.Name}");
        }
    }

    // ---- each sample's --export, end to end ----

    [Fact]
    public void RotatedMnist_export_gives_the_saved_models_outputs()
    {
        string model = Path.Combine(_dir, "m.safetensors"), onnx = Path.Combine(_dir, "onnx", "m.onnx");
        var (code, stdout, err) = Run("RotatedMnist.dll", "--radius", "1", "--channels", "4", "--blocks", "1", "--epochs", "1",
            "--save", model, "--export", onnx);
        Assert.True(code == 0, $"exit {code}: {err}\n{stdout}");
        Assert.Contains("exported to", stdout);

        var metadata = SafeTensors.ReadMetadata(model);
        var options = RotatedMnist.Options.FromMetadata(metadata, new RotatedMnist.Options());
        var network = Network.Build(Architectures.GmCnn<D14xD14r1>(10, options.Channels, options.Blocks, options.Mode, options.Dropout),
            new Shape(1, D14xD14r1.Order), options.Seed);
        SafeTensors.Load(model, network.Parameters, requireFinite: true);
        Ort.CheckAgrees(network, Digits.Value.Test.Images, "RotatedMnist --export", File.ReadAllBytes(onnx));

        using var session = Ort.Session(onnx);
        var meta = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal("D14 x D14", meta["group"]);
        Assert.Equal("1", meta["radius"]);
        Assert.Equal("D14 x D14", meta[Onnx.GroupKey]);
        Assert.Equal(Onnx.Version, meta[Onnx.VersionKey]);
        Assert.Contains($"block.conv: D14 x D14, K = {D14xD14r1.KernelSize}", meta[Onnx.LayersKey]);
        Assert.Equal([-1, D14xD14r1.Order], session.InputMetadata["x"].Dimensions);   // one channel: [batch, |G|]
        Assert.Equal([-1, 10], session.OutputMetadata["y"].Dimensions);
    }

    [Fact]
    public void SmokePlume_export_writes_every_variant_with_the_retrained_networks_outputs()
    {
        string onnx = Path.Combine(_dir, "plume.onnx");
        var (code, stdout, err) = Run("SmokePlume.dll", "--small", "--epochs", "2", "--width", "4", "--steps", "4",
            "--data-dir", _dir, "--plots", _dir, "--export", onnx);
        Assert.True(code == 0, $"exit {code}: {err}\n{stdout}");
        var data = PlumeCache.LoadOrGenerate(_dir, SmokePlume.Program.SmallData).Data;
        var options = new SmokePlume.Options(Epochs: 2, Width: 4, Steps: 4, Small: true);
        foreach (var variant in Variant.All)
        {
            string file = Path.Combine(_dir, $"plume.{Slug(variant.Name)}.onnx");
            Assert.True(File.Exists(file), $"{file} missing; wrote {string.Join(", ", Directory.GetFiles(_dir, "*.onnx"))}");
            var network = TrainedPlume(data, variant, options);   // the same seed and data: the same network as the child's
            Ort.CheckAgrees(network, PlumeInputs(data, variant, network), $"SmokePlume --export {variant.Name}", File.ReadAllBytes(file));
            using var session = Ort.Session(file);
            Assert.Equal(variant.Name, session.ModelMetadata.CustomMetadataMap["variant"]);
            Assert.Equal("1", session.ModelMetadata.CustomMetadataMap["radius"]);
        }
    }

    [Fact]
    public void ApproxEquivariance_export_writes_every_model_at_the_last_epsilon()
    {
        string onnx = Path.Combine(_dir, "sweep.onnx");
        var (code, stdout, err) = Run("ApproxEquivariance.dll", "--epochs", "3", "--epsilon", "0,1", "--train-size", "16", "--test-size", "8",
            "--lr", "0.01", "--weight-decay", "0", "--json", Path.Combine(_dir, "s.json"), "--plot", Path.Combine(_dir, "s.png"), "--export", onnx);
        Assert.True(code == 0, $"exit {code}: {err}\n{stdout}");
        var task = ApproxEquivariance.SweepTask.Create(42, 0.01);
        var train = task.Draw(16, stream: 0);
        var inputs = task.Draw(37, stream: 1).Inputs;
        foreach (var model in ApproxEquivariance.Model.All)
        {
            string file = Path.Combine(_dir, $"sweep.{Slug(model.Name)}.onnx");
            Assert.True(File.Exists(file), $"{file} missing; wrote {string.Join(", ", Directory.GetFiles(_dir, "*.onnx"))}");
            var network = ApproxEquivariance.Experiment.Fit(model, train.Inputs, task.Targets(train, 1), train.Count, 0.01, 0, epochs: 3, seed: 42);
            Ort.CheckAgrees(network, inputs, $"ApproxEquivariance --export {model.Name}", File.ReadAllBytes(file));
            using var session = Ort.Session(file);
            Assert.Equal("1", session.ModelMetadata.CustomMetadataMap["epsilon"]);
            Assert.Equal("C16 x C16", session.ModelMetadata.CustomMetadataMap["group"]);
            if (model is not ApproxEquivariance.Model.Dense)   // a dense layer knows no group
                Assert.Equal("C16 x C16", session.ModelMetadata.CustomMetadataMap[Onnx.GroupKey]);
        }
    }

    /// <summary>The samples' file naming (samples/Shared/OnnxFiles.cs), written out: lower case, runs of other characters as one '-'.</summary>
    static string Slug(string name) =>
        string.Join("-", System.Text.RegularExpressions.Regex.Split(name.ToLowerInvariant(), "[^a-z0-9]+").Where(s => s.Length > 0));

    static (int Code, string Out, string Err) Run(string assembly, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, assembly));
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();   // both pipes drained at once
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr);
    }
}
