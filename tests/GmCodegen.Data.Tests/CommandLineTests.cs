using System.Globalization;
using RotatedMnist;

namespace GmCodegen.Data.Tests;

/// <summary>Console.Error is process-wide: the command-line tests run alone, one after another.</summary>
[CollectionDefinition(nameof(CommandLine), DisableParallelization = true)]
public sealed class CommandLine;

/// <summary>
/// Issue 10, cases 1, 5, 6, 7 and 10 through the sample's own entry point: every bad file, destination or environment
/// ends with one `error:` line and a non-zero exit code, never a stack trace, and before any training it could waste.
/// </summary>
[Collection(nameof(CommandLine))]
public class CommandLineTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    /// <summary>Runs Program.Main; returns the exit code and what it wrote to standard error.</summary>
    static (int Code, string Error) Run(params string[] args)
    {
        var saved = Console.Error;
        var error = new StringWriter();
        Console.SetError(error);
        try { return (Program.Main(args), error.ToString()); }
        finally { Console.SetError(saved); }
    }

    /// <summary>One clear line: starts with "error:", names what is wrong, no stack trace.</summary>
    static void AssertOneErrorLine(string error, params string[] mentions)
    {
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length >= 1 && lines[0].StartsWith("error: ", StringComparison.Ordinal), $"stderr: {error}");
        Assert.DoesNotContain("   at ", error);
        Assert.DoesNotContain("Exception", lines[0]);
        foreach (var m in mentions) Assert.Contains(m, error);
    }

    /// <summary>A model file with the metadata a training run writes (tiny network), then edited by <paramref name="edit"/>.</summary>
    string ModelFile(Action<Dictionary<string, string>> edit, string name = "m.safetensors")
    {
        var options = new Options(Radius: 1, Channels: 2, Blocks: 1);
        var metadata = options.Metadata(0.25);
        edit(metadata);
        string path = _dir.File(name);
        SafeTensors.Save(path, [new Parameter("w", 1)], metadata);
        return path;
    }

    [Theory]
    [InlineData("mode", "Diagonal")]
    [InlineData("channels", "abc")]
    [InlineData("channels", "0")]
    [InlineData("group", "C5 x C5")]
    [InlineData("blocks", "0")]
    [InlineData("radius", "9")]
    [InlineData("dropout", "NaN")]
    [InlineData("dataset", "cifar")]
    [InlineData("test_accuracy", "1.5")]
    [InlineData("test_accuracy", null)]
    [InlineData("seed", null)]
    public void A_model_file_with_bad_metadata_is_one_error_line_and_exit_1(string key, string? value)
    {
        string path = ModelFile(m => { if (value is null) m.Remove(key); else m[key] = value; });
        var (code, error) = Run("--evaluate", path, "--data-dir", _dir.File("no-data"));   // refused before any data is read
        Assert.Equal(1, code);
        AssertOneErrorLine(error, path, key);
    }

    [Fact]
    public void Invalid_UTF8_a_directory_a_missing_file_and_an_empty_path_are_clear_errors()
    {
        string bad = _dir.File("bad.safetensors");
        var header = "{\"__metadata__\":{\"group\":\"D14 x D14#\"}}"u8.ToArray();
        header[Array.IndexOf(header, (byte)'#')] = 0xC3;   // a lead byte with no continuation
        var bytes = new byte[8 + header.Length];
        BitConverter.GetBytes((ulong)header.Length).CopyTo(bytes, 0);
        header.CopyTo(bytes, 8);
        File.WriteAllBytes(bad, bytes);
        var (code, error) = Run("--evaluate", bad);
        Assert.Equal(1, code);
        AssertOneErrorLine(error, "UTF-8");

        (code, error) = Run("--evaluate", _dir.Path);
        Assert.Equal(1, code);
        AssertOneErrorLine(error, "is a directory");

        (code, error) = Run("--evaluate", _dir.File("missing.safetensors"));
        Assert.Equal(1, code);
        AssertOneErrorLine(error, "not found");

        (code, error) = Run("--evaluate", "");
        Assert.Equal(2, code);   // an option error, with the usage after the line
        AssertOneErrorLine(error, "--evaluate");
    }

    [Fact]
    public void A_bad_save_destination_is_refused_before_training_starts()
    {
        File.WriteAllText(_dir.File("plain"), "a regular file");
        // --data-dir points nowhere: had the run got as far as loading data, that would be the error instead.
        string nowhere = _dir.File("no-data");
        foreach (var save in new[] { _dir.Path, _dir.File("plain/m.safetensors"), _dir.File("sub") + "/" })
        {
            var (code, error) = Run("--save", save, "--data-dir", nowhere, "--channels", "2", "--radius", "1", "--epochs", "1");
            Assert.Equal(1, code);
            AssertOneErrorLine(error, "Cannot save the model to");
            Assert.DoesNotContain(nowhere, error);
        }
        var (emptyCode, emptyError) = Run("--save", " ");
        Assert.Equal(2, emptyCode);
        AssertOneErrorLine(emptyError, "--save");
    }

    [Fact]
    public void A_network_that_cannot_fit_in_memory_is_refused_with_the_estimate()
    {
        var (code, error) = Run("--channels", "4096", "--blocks", "64", "--radius", "3", "--save", _dir.File("m.safetensors"), "--data-dir", _dir.File("no-data"));
        Assert.Equal(1, code);
        AssertOneErrorLine(error, "needs about", "activations", "--channels");
        Assert.Empty(Directory.GetFiles(_dir.Path));
    }

    [Fact]
    public void A_missing_data_directory_is_a_clear_error()
    {
        var (code, error) = Run("--fashion", "--data-dir", _dir.File("no-data"), "--channels", "2", "--radius", "1", "--save", _dir.File("m.safetensors"));
        Assert.Equal(1, code);
        AssertOneErrorLine(error, _dir.File("no-data"));
    }

    [Fact]
    public void A_diverging_run_stops_with_the_step_and_the_layer_exits_1_and_saves_nothing()
    {
        string save = _dir.File("out/m.safetensors");
        var (code, error) = Run("--lr", "10", "--weight-decay", "10", "--epochs", "2", "--channels", "8", "--radius", "1", "--blocks", "1", "--save", save);
        Assert.Equal(1, code);
        AssertOneErrorLine(error, "diverged at step", "layer '", "Nothing was saved");
        Assert.False(File.Exists(save));
    }

    [Fact]
    public void A_saved_model_reproduces_and_one_whose_accuracy_was_changed_is_an_error()
    {
        string save = _dir.File("m.safetensors");
        var (code, error) = Run("--epochs", "0", "--channels", "2", "--radius", "1", "--blocks", "1", "--save", save);
        Assert.True(code == 0, error);
        Assert.Equal((0, ""), Run("--evaluate", save));

        // The same weights claiming another accuracy: reported, exit 1.
        var header = SafeTensors.ReadHeader(save);
        var parameters = header.Tensors.Select(t => new Parameter(t.Name, [.. t.Shape.Select(d => (int)d)])).ToList();
        SafeTensors.Load(save, parameters);
        var metadata = header.Metadata.ToDictionary();
        double saved = double.Parse(metadata["test_accuracy"], CultureInfo.InvariantCulture);
        metadata["test_accuracy"] = (saved > 0.5 ? 0.01 : 0.99).ToString("R", CultureInfo.InvariantCulture);
        string edited = _dir.File("edited.safetensors");
        SafeTensors.Save(edited, parameters, metadata);
        (code, error) = Run("--evaluate", edited);
        Assert.Equal(1, code);
        AssertOneErrorLine(error, "does not reproduce");

        // Non-finite weights in a model file are refused, not evaluated.
        parameters[0].Value[0] = float.NaN;
        SafeTensors.Save(edited, parameters, metadata);
        (code, error) = Run("--evaluate", edited);
        Assert.Equal(1, code);
        AssertOneErrorLine(error, "NaN", parameters[0].Name);
    }

    [Fact]
    public void A_save_that_fails_at_the_end_is_written_elsewhere_and_says_where()
    {
        string wanted = _dir.File("m.safetensors");
        var written = new List<string>();
        var saved = Console.Error;
        var error = new StringWriter();
        Console.SetError(error);
        int code, lost;
        try
        {
            // As a full disk would: the requested path fails, the fallback works.
            code = Program.SaveModel(wanted, p =>
            {
                if (p == wanted) throw new IOException("No space left on device");
                written.Add(p);
            });
            // Both fail: the message says the model is lost, still one line and no stack trace.
            lost = Program.SaveModel(wanted, _ => throw new IOException("No space left on device"));
        }
        finally { Console.SetError(saved); }
        Assert.Equal(1, code);
        Assert.Equal(1, lost);
        string fallback = Assert.Single(written);
        Assert.StartsWith(Path.GetTempPath(), fallback);
        var lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains($"written to {fallback} instead", lines[0]);
        Assert.Contains("No space left on device", lines[0]);
        Assert.Contains("is lost", lines[1]);
        Assert.All(lines, l => Assert.StartsWith("error: ", l));
    }
}

/// <summary>The lifted G-CNN's options (--group "p4m(28)" | "p4(28)", --widths, --kernel) and their metadata.</summary>
[Collection(nameof(CommandLine))]
public class LiftedOptionsTests
{
    [Fact]
    public void Lifted_groups_take_their_own_defaults_and_round_trip_through_the_metadata()
    {
        var o = Options.Parse(["--group", "p4m(28)"]);
        Assert.True(o.Lifted);
        Assert.Equal((1, ChannelMode.Full, 8, 0.1, "8/8/11,11", false), (o.Radius, o.Mode, o.Channels, o.Dropout, o.Widths, o.GeneratedKernel));
        var p4 = Options.Parse(["--group", "p4(28)", "--widths", " /11, 11/16,16", "--kernel", "generated", "--channels", "11"]);
        Assert.Equal(("/11,11/16,16", true, 11), (p4.Widths, p4.GeneratedKernel, p4.Channels));
        Assert.False(p4.Rerotate);
        Assert.True(Options.Parse(["--group", "p4(28)", "--augment", "rotate"]).Rerotate);
        Assert.Equal("rotate", Options.Parse(["--augment", "rotate"]).Metadata(0.5)["augment"]);
        var back = Options.FromMetadata(p4.Metadata(0.5), new Options());
        Assert.Equal((p4.Group, p4.Widths, p4.GeneratedKernel, p4.Channels), (back.Group, back.Widths, back.GeneratedKernel, back.Channels));
        // Files from before the lifted networks have neither key: the defaults.
        var old = new Options(Radius: 1).Metadata(0.5);
        old.Remove("widths");
        old.Remove("kernel");
        Assert.Equal((Options.DefaultWidths, false), (Options.FromMetadata(old, new Options()).Widths, Options.FromMetadata(old, new Options()).GeneratedKernel));
    }

    [Theory]
    [InlineData("--widths", "8/8", "--widths")]
    [InlineData("--widths", "8/x/11", "--widths")]
    [InlineData("--widths", "8/0/11", "--widths")]
    [InlineData("--kernel", "fast", "--kernel")]
    [InlineData("--augment", "flip", "--augment")]
    [InlineData("--pool", null, "--pool")]
    [InlineData("--radius", "2", "--group")]
    public void Bad_lifted_options_are_refused_naming_the_option(string option, string? value, string named)
    {
        string[] args = value is null ? ["--group", "p4m(28)", option] : ["--group", "p4m(28)", option, value];
        var e = Assert.Throws<ArgumentException>(() => Options.Parse(args));
        Assert.Equal(named, e.ParamName);
    }

    [Fact]
    public void Bad_widths_in_a_model_file_are_refused_naming_the_key()
    {
        var m = Options.Parse(["--group", "p4m(28)"]).Metadata(0.5);
        m["widths"] = "8//";
        Assert.Equal("8//", Options.FromMetadata(m, new Options()).Widths);   // empty stages are allowed
        m["widths"] = "8;8";
        var e = Assert.Throws<InvalidDataException>(() => Options.FromMetadata(m, new Options()));
        Assert.Contains("widths", e.Message);
    }
}
