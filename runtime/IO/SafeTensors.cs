using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace GmCodegen;

/// <summary>One tensor's header entry; <see cref="Begin"/>/<see cref="End"/> are byte offsets into the data section.</summary>
public sealed record SafeTensorEntry(string Name, string DType, IReadOnlyList<long> Shape, long Begin, long End)
{
    public long ByteLength => End - Begin;
}

/// <summary>A parsed, validated safetensors header. The data section starts at byte 8 + <see cref="HeaderLength"/>.</summary>
public sealed record SafeTensorsHeader(
    IReadOnlyList<SafeTensorEntry> Tensors, IReadOnlyDictionary<string, string> Metadata, long HeaderLength, long DataLength)
{
    public long DataStart => 8 + HeaderLength;
}

/// <summary>
/// Model files in the <c>safetensors</c> format, so PyTorch (<c>safetensors.torch.load_file</c>) reads them:
/// an 8-byte little-endian header length N, N bytes of JSON
/// <c>{"__metadata__": {string: string}, name: {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ...}</c>
/// padded with spaces to a multiple of 8, then the tensors' little-endian bytes, back to back in header order.
/// Saving is atomic (temporary file in the same directory, flushed to disk, renamed over the target, the directory then
/// synced on Linux so that the rename itself is durable; temporaries that an interrupted save left behind are removed by
/// the next save into that directory once they are <see cref="StaleTempAge"/> old); loading validates the whole file
/// against the model before touching any parameter, so a failed load leaves the model as it was.
/// </summary>
public static class SafeTensors
{
    /// <summary>The reference implementation's limit; a larger header means a corrupt length, not a real model.</summary>
    public const long MaxHeaderLength = 100_000_000;
    public const string MetadataKey = "__metadata__";
    /// <summary>A temporary older than this is taken to be left over from an interrupted save (no save takes that long to write).</summary>
    public static readonly TimeSpan StaleTempAge = TimeSpan.FromMinutes(5);

    static readonly Dictionary<string, int> DTypeSizes = new()
    {
        ["BOOL"] = 1, ["U8"] = 1, ["I8"] = 1, ["F8_E5M2"] = 1, ["F8_E4M3"] = 1,
        ["I16"] = 2, ["U16"] = 2, ["F16"] = 2, ["BF16"] = 2,
        ["I32"] = 4, ["U32"] = 4, ["F32"] = 4, ["F64"] = 8, ["I64"] = 8, ["U64"] = 8,
    };

    /// <summary>Writes <paramref name="parameters"/> (and <paramref name="metadata"/>, e.g. the group expression and
    /// architecture) to <paramref name="path"/> atomically: the previous file, if any, survives any failure. With
    /// <paramref name="requireFinite"/>, a parameter holding NaN or ±∞ is refused (ArgumentException naming it) before
    /// any file is touched; without it every float, NaN payloads included, round-trips bit for bit.</summary>
    public static void Save(string path, IReadOnlyList<Parameter> parameters, IReadOnlyDictionary<string, string>? metadata = null,
        bool requireFinite = false) =>
        Save(path, parameters, metadata, wrap: null, requireFinite);

    /// <summary><paramref name="wrap"/> lets tests interpose a failing stream between the writer and the temp file.</summary>
    internal static void Save(string path, IReadOnlyList<Parameter> parameters, IReadOnlyDictionary<string, string>? metadata,
        Func<Stream, Stream>? wrap, bool requireFinite = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        byte[] header = BuildHeader(parameters, metadata); // validates before any file is created
        if (requireFinite) CheckFinite(parameters);
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new IOException($"Cannot save the model to {path}: it is a directory; give a file name.");
        string dir = Path.GetDirectoryName(full)!;
        RemoveStaleTemps(dir, Path.GetFileName(full));
        // Same directory, so the final rename never crosses file systems (rename(2) is atomic only within one).
        string temp = TempName(full);
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                var s = wrap?.Invoke(file) ?? file;
                WriteBody(s, header, parameters);
                s.Flush();
                file.Flush(flushToDisk: true); // data durable before the rename publishes it
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
        DirectorySync.TrySync(dir);   // best effort: the file is complete either way, this makes its new name durable
    }

    /// <summary>The temporary a save of <paramref name="fullPath"/> writes first: hidden, unique, in the same directory.</summary>
    static string TempName(string fullPath) =>
        Path.Combine(Path.GetDirectoryName(fullPath)!, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");

    /// <summary>
    /// Deletes temporaries of exactly this file's pattern (<c>.NAME.&lt;32 hex digits&gt;.tmp</c>) older than
    /// <see cref="StaleTempAge"/>: what an interrupted save (a crash, a kill) leaves. Younger ones may belong to a save in
    /// progress and are kept; failures to delete are ignored (they are someone else's, or will be removed next time).
    /// </summary>
    internal static int RemoveStaleTemps(string directory, string fileName)
    {
        int removed = 0;
        if (!Directory.Exists(directory)) return 0;
        string prefix = $".{fileName}.";
        DateTime cutoff = DateTime.UtcNow - StaleTempAge;
        try
        {
            foreach (var f in Directory.EnumerateFiles(directory))
            {
                string name = Path.GetFileName(f);
                if (!name.StartsWith(prefix, StringComparison.Ordinal) || !name.EndsWith(".tmp", StringComparison.Ordinal)) continue;
                var guid = name.AsSpan(prefix.Length, name.Length - prefix.Length - 4);
                if (guid.Length != 32 || !IsHex(guid)) continue;
                try
                {
                    if (File.GetLastWriteTimeUtc(f) < cutoff) { File.Delete(f); removed++; }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return removed;
    }

    static bool IsHex(ReadOnlySpan<char> s)
    {
        foreach (char c in s)
            if (!char.IsAsciiHexDigitLower(c)) return false;
        return true;
    }

    /// <summary>
    /// Checks, before a long computation, that <see cref="Save(string, IReadOnlyList{Parameter}, IReadOnlyDictionary{string, string}?, bool)"/>
    /// will be able to write <paramref name="path"/>: it is not a directory, its directory exists (or, with
    /// <paramref name="createDirectory"/>, can be created) and a file can be created there (a probe of the temporary's
    /// pattern, removed at once). Throws <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/> saying why.
    /// </summary>
    public static void CheckCanSave(string path, bool createDirectory = true)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new IOException("No model path given: the save path is empty.");
        string full;
        try { full = Path.GetFullPath(path); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        { throw new IOException($"Cannot save the model to '{path}': {e.Message}", e); }
        if (Directory.Exists(full) || path.EndsWith(Path.DirectorySeparatorChar) || path.EndsWith(Path.AltDirectorySeparatorChar))
            throw new IOException($"Cannot save the model to {path}: it is a directory; give a file name.");
        string dir = Path.GetDirectoryName(full)!;
        try
        {
            if (createDirectory) Directory.CreateDirectory(dir);
            else if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"the directory {dir} does not exist");
            string probe = TempName(full);
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            string why = e.Message;
            throw e is UnauthorizedAccessException
                ? new UnauthorizedAccessException($"Cannot save the model to {path}: {why}", e)
                : new IOException($"Cannot save the model to {path}: {why}", e);
        }
    }

    /// <summary>Refuses parameters holding NaN or ±∞, naming the first one and where.</summary>
    static void CheckFinite(IReadOnlyList<Parameter> parameters)
    {
        foreach (var p in parameters)
        {
            int at = FirstNonFinite(p.Value);
            if (at >= 0)
                throw new ArgumentException($"Parameter '{p.Name}' holds {p.Value[at]} at index {at}; a model with non-finite values is not saved.", nameof(parameters));
        }
    }

    static int FirstNonFinite(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty || float.IsFinite(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(values))) return -1;   // one vectorised pass
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return i;
        return -1;
    }

    /// <summary>Writes the safetensors bytes to any stream (no atomicity: that is <see cref="Save(string, IReadOnlyList{Parameter}, IReadOnlyDictionary{string, string}?, bool)"/>'s job).</summary>
    public static void Write(Stream stream, IReadOnlyList<Parameter> parameters, IReadOnlyDictionary<string, string>? metadata = null) =>
        WriteBody(stream, BuildHeader(parameters, metadata), parameters);

    static void WriteBody(Stream s, byte[] header, IReadOnlyList<Parameter> parameters)
    {
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        s.Write(length);
        s.Write(header);
        foreach (var p in parameters)
        {
            if (BitConverter.IsLittleEndian) s.Write(MemoryMarshal.AsBytes(p.Value.AsSpan()));
            else
            {
                var le = new byte[p.Value.Length * 4];
                for (int i = 0; i < p.Value.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(le.AsSpan(4 * i), p.Value[i]);
                s.Write(le);
            }
        }
    }

    static byte[] BuildHeader(IReadOnlyList<Parameter> parameters, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in parameters)
        {
            if (p.Name == MetadataKey) throw new ArgumentException($"A parameter cannot be named {MetadataKey}.", nameof(parameters));
            if (!seen.Add(p.Name)) throw new ArgumentException($"Parameter name '{p.Name}' appears twice; names must be unique.", nameof(parameters));
        }

        var buffer = new ArrayBufferWriter<byte>();
        // Relaxed escaping keeps non-ASCII group names (e.g. ⋊) readable; the output is still plain valid JSON.
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject(MetadataKey);
                foreach (var (k, v) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    ArgumentNullException.ThrowIfNull(v, $"metadata[{k}]");
                    w.WriteString(k, v);
                }
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var p in parameters)
            {
                w.WriteStartObject(p.Name);
                w.WriteString("dtype", "F32");
                w.WriteStartArray("shape");
                foreach (var d in p.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset += 4L * p.Size);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        int padded = (buffer.WrittenCount + 7) / 8 * 8; // the data section starts 8-aligned, as the reference writer does
        var header = new byte[padded];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(buffer.WrittenCount).Fill((byte)' ');
        return header;
    }

    /// <summary>
    /// Loads <paramref name="path"/> into <paramref name="parameters"/> and returns the file's metadata. Every parameter
    /// must be present with dtype F32 and its exact shape; tensors the model lacks are an error unless
    /// <paramref name="allowExtraTensors"/>. Nothing is copied unless the whole file checks out.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is truncated, corrupt or does not match the model (message says how),
    /// or, with <paramref name="requireFinite"/>, holds NaN or ±∞.</exception>
    public static IReadOnlyDictionary<string, string> Load(string path, IReadOnlyList<Parameter> parameters, bool allowExtraTensors = false,
        bool requireFinite = false)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        using var file = OpenRead(path);
        var header = ReadHeader(file, path);
        var byName = header.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);

        var problems = new List<string>();
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in parameters)
        {
            if (!wanted.Add(p.Name)) throw new ArgumentException($"Parameter name '{p.Name}' appears twice; names must be unique.", nameof(parameters));
            if (!byName.TryGetValue(p.Name, out var t)) { problems.Add($"tensor '{p.Name}' is missing from the file"); continue; }
            if (t.DType != "F32") problems.Add($"tensor '{p.Name}' has dtype {t.DType}; expected F32");
            else if (!t.Shape.SequenceEqual(p.Shape.Select(d => (long)d)))
                problems.Add($"tensor '{p.Name}' has shape {Show(t.Shape)} in the file; the model expects {Show(p.Shape)}");
        }
        var extra = header.Tensors.Where(t => !wanted.Contains(t.Name)).Select(t => $"'{t.Name}'").ToList();
        if (extra.Count > 0 && !allowExtraTensors)
            problems.Add($"the file has tensor{(extra.Count > 1 ? "s" : "")} the model does not: {string.Join(", ", extra)}");
        if (problems.Count > 0)
            throw new InvalidDataException($"{path} does not match the model ({parameters.Count} parameters): {string.Join("; ", problems)}.");

        // Stage every tensor first: an I/O error halfway must not leave the model half loaded.
        var staged = new float[parameters.Count][];
        for (int i = 0; i < parameters.Count; i++)
        {
            var t = byName[parameters[i].Name];
            var values = new float[parameters[i].Size];
            var bytes = MemoryMarshal.AsBytes(values.AsSpan());
            file.Position = header.DataStart + t.Begin;
            if (file.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false) < bytes.Length)
                throw new InvalidDataException($"{path} is truncated: tensor '{t.Name}' could not be read in full.");
            if (!BitConverter.IsLittleEndian)
            {
                var ints = MemoryMarshal.Cast<float, int>(values.AsSpan());
                BinaryPrimitives.ReverseEndianness(ints, ints);
            }
            if (requireFinite && FirstNonFinite(values) is int at and >= 0)
                throw new InvalidDataException($"{path} holds {values[at]} in tensor '{t.Name}' (at index {at}); a usable model is finite.");
            staged[i] = values;
        }
        for (int i = 0; i < parameters.Count; i++) staged[i].CopyTo(parameters[i].Value, 0);
        return header.Metadata;
    }

    /// <summary>Reads and validates the header alone: tensor list, metadata, layout (the data section is not read).</summary>
    public static SafeTensorsHeader ReadHeader(string path)
    {
        using var file = OpenRead(path);
        return ReadHeader(file, path);
    }

    /// <summary>The metadata alone, e.g. to rebuild the architecture before loading weights into it.</summary>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path) => ReadHeader(path).Metadata;

    static FileStream OpenRead(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (Directory.Exists(path)) throw new IOException($"{path} is a directory, not a model file.");
        if (!File.Exists(path)) throw new FileNotFoundException($"Model file not found: {path}", path);
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
    }

    static SafeTensorsHeader ReadHeader(FileStream file, string path)
    {
        long fileLength = file.Length;
        if (fileLength < 8) throw Bad(path, $"is {fileLength} bytes long, too short for a safetensors header length");
        Span<byte> word = stackalloc byte[8];
        file.ReadExactly(word);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(word);
        if (n < 2 || n > MaxHeaderLength)
            throw Bad(path, $"declares a header of {n} bytes (must be 2..{MaxHeaderLength}); not a safetensors file, or corrupt");
        if ((long)n > fileLength - 8)
            throw Bad(path, $"is truncated: its header declares {n} bytes but only {fileLength - 8} follow the length");
        var json = new byte[n];
        file.ReadExactly(json);
        if (json[0] != (byte)'{') throw Bad(path, "has a header that does not start with '{'");
        // The JSON reader would otherwise fail on bad UTF-8 only when a name is read, with an InvalidOperationException.
        if (!System.Text.Unicode.Utf8.IsValid(json)) throw Bad(path, "has a header that is not valid UTF-8");

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (JsonException e) { throw Bad(path, $"has a header that is not valid JSON ({e.Message})", e); }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Bad(path, "has a header that is not a JSON object");
            var tensors = new List<SafeTensorEntry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var names = new HashSet<string>(StringComparer.Ordinal);
            bool sawMetadata = false;
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == MetadataKey)
                {
                    if (sawMetadata) throw Bad(path, $"has two {MetadataKey} entries");
                    sawMetadata = true;
                    if (prop.Value.ValueKind != JsonValueKind.Object) throw Bad(path, $"has a {MetadataKey} entry that is not an object");
                    foreach (var m in prop.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String) throw Bad(path, $"has metadata '{m.Name}' that is not a string");
                        if (!metadata.TryAdd(m.Name, m.Value.GetString()!)) throw Bad(path, $"has metadata key '{m.Name}' twice");
                    }
                    continue;
                }
                if (!names.Add(prop.Name)) throw Bad(path, $"has tensor '{prop.Name}' twice");
                tensors.Add(ParseEntry(path, prop));
            }

            long dataLength = fileLength - 8 - (long)n;
            CheckLayout(path, tensors, dataLength);
            return new SafeTensorsHeader(tensors, metadata, (long)n, dataLength);
        }
    }

    static SafeTensorEntry ParseEntry(string path, JsonProperty prop)
    {
        string name = prop.Name;
        var e = prop.Value;
        if (e.ValueKind != JsonValueKind.Object) throw Bad(path, $"has tensor '{name}' whose entry is not an object");
        if (!e.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String)
            throw Bad(path, $"has tensor '{name}' without a string dtype");
        string dtype = dt.GetString()!;
        if (!DTypeSizes.TryGetValue(dtype, out int elementSize)) throw Bad(path, $"has tensor '{name}' with unknown dtype '{dtype}'");
        long[] shape = Longs(path, name, e, "shape", expectedCount: null);
        long[] offsets = Longs(path, name, e, "data_offsets", expectedCount: 2);
        if (offsets[1] < offsets[0]) throw Bad(path, $"has tensor '{name}' with data_offsets [{offsets[0]}, {offsets[1]}] that end before they begin");
        long elements = 1;
        try { foreach (var d in shape) elements = checked(elements * d); }
        catch (OverflowException) { throw Bad(path, $"has tensor '{name}' with an impossibly large shape {Show(shape)}"); }
        long expected;
        try { expected = checked(elements * elementSize); }
        catch (OverflowException) { throw Bad(path, $"has tensor '{name}' with an impossibly large shape {Show(shape)}"); }
        if (offsets[1] - offsets[0] != expected)
            throw Bad(path, $"has tensor '{name}' ({dtype} {Show(shape)}) spanning {offsets[1] - offsets[0]} bytes; its shape needs {expected}");
        return new SafeTensorEntry(name, dtype, shape, offsets[0], offsets[1]);
    }

    static long[] Longs(string path, string name, JsonElement e, string field, int? expectedCount)
    {
        if (!e.TryGetProperty(field, out var a) || a.ValueKind != JsonValueKind.Array)
            throw Bad(path, $"has tensor '{name}' without a '{field}' array");
        if (expectedCount is int c && a.GetArrayLength() != c)
            throw Bad(path, $"has tensor '{name}' whose '{field}' has {a.GetArrayLength()} values; expected {c}");
        var values = new long[a.GetArrayLength()];
        int i = 0;
        foreach (var v in a.EnumerateArray())
        {
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out long x) || x < 0)
                throw Bad(path, $"has tensor '{name}' whose '{field}' holds {v.GetRawText()}, not a non-negative integer");
            values[i++] = x;
        }
        return values;
    }

    /// <summary>As the reference reader: tensors tile the data section exactly — no gaps, no overlaps, nothing after.</summary>
    static void CheckLayout(string path, List<SafeTensorEntry> tensors, long dataLength)
    {
        long end = 0;
        string previous = "the start of the data";
        foreach (var t in tensors.OrderBy(t => t.Begin).ThenBy(t => t.End))
        {
            if (t.Begin < end) throw Bad(path, $"has tensor '{t.Name}' (bytes {t.Begin}..{t.End}) overlapping {previous}");
            if (t.Begin > end) throw Bad(path, $"has a gap of {t.Begin - end} bytes between {previous} and tensor '{t.Name}'");
            if (t.End > dataLength)
                throw Bad(path, $"is truncated: tensor '{t.Name}' ends at data byte {t.End}, but the data section holds {dataLength} bytes");
            (end, previous) = (t.End, $"tensor '{t.Name}'");
        }
        if (end != dataLength) throw Bad(path, $"has {dataLength - end} bytes after the last tensor");
    }

    static string Show<T>(IEnumerable<T> shape) => $"[{string.Join(", ", shape)}]";

    static InvalidDataException Bad(string path, string what, Exception? inner = null) => new($"{path} {what}.", inner);
}
