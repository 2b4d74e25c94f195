namespace GmCodegen.Data.Tests;

/// <summary>A fresh directory per test, removed afterwards, so tests never see each other's files.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("gmcodegen-data-tests-").FullName;
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose() { try { Directory.Delete(Path, recursive: true); } catch (IOException) { } }
}

static class Shipped
{
    // Loaded once: several test classes use the 10,000 shipped digits.
    static readonly Lazy<ImageSet> Digits = new(() => Datasets.Mnist10k());
    public static ImageSet Mnist => Digits.Value;
}
