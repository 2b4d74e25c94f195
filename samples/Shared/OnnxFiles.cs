using System.Text;

namespace GmCodegen.Samples;

/// <summary>The samples' <c>--export FILE.onnx</c> (docs/onnx.md): where each trained model goes and how it is written.</summary>
internal static class OnnxFiles
{
    /// <summary>
    /// FILE itself for a sample with one model; for one of several, the model's name as a slug before the extension:
    /// <c>out/plume.onnx</c> and "relaxed LDR-1" → <c>out/plume.relaxed-ldr-1.onnx</c>.
    /// </summary>
    public static string For(string file, string model)
    {
        var slug = new StringBuilder();
        foreach (char c in model.ToLowerInvariant())
            slug.Append(char.IsAsciiLetterOrDigit(c) ? c : slug.Length > 0 && slug[^1] != '-' ? '-' : '\0');
        string s = slug.ToString().Replace("\0", "").Trim('-');
        string ext = Path.GetExtension(file);
        return Path.Combine(Path.GetDirectoryName(file) ?? "", $"{Path.GetFileNameWithoutExtension(file)}.{s}{(ext.Length == 0 ? ".onnx" : ext)}");
    }

    /// <summary>Writes the network (creating the directory), atomically; returns the path written.</summary>
    public static string Write(Network network, string path, IReadOnlyDictionary<string, string> metadata)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        Onnx.Export(network, path, metadata);
        return path;
    }
}
