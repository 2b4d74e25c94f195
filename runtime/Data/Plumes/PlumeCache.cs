using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace GmCodegen.Fluids;

/// <summary>What <see cref="PlumeCache.LoadOrGenerate"/> did.</summary>
public enum PlumeCacheOutcome
{
    /// <summary>Read a valid cache file; nothing was simulated.</summary>
    Reused,
    /// <summary>No cache file: simulated and wrote one.</summary>
    Generated,
    /// <summary>A cache file existed but was invalid (see the reason): simulated and replaced it.</summary>
    Rebuilt,
}

/// <summary>A loaded data set, the cache file it is in, whether it was read or simulated, and (<paramref name="Reason"/>)
/// why an existing file was not reused (null when it was, or when there was none).</summary>
public sealed record PlumeLoadResult(PlumeDataset Data, string Path, PlumeCacheOutcome Outcome, string? Reason);

/// <summary>
/// The on-disk cache of a <see cref="PlumeDataset"/> (docs/smoke-plumes.md, "Cache"), little-endian:
/// magic "GMPLUMES", int32 format version, int32 length + the parameter block (every option, in a fixed order),
/// int64 payload length, the SHA-256 of everything before it and of the payload, then the payload (velocity floats,
/// then density floats). A file is used only if all of it checks out; otherwise the data are regenerated and the file
/// replaced (written to a temporary file and renamed, so a reader never sees half a file).
/// </summary>
public static class PlumeCache
{
    /// <summary>Versions the layout and the solver's numerics: bump it when either changes, so old caches are rebuilt.</summary>
    public const int FormatVersion = 1;

    static ReadOnlySpan<byte> Magic => "GMPLUMES"u8;
    const int HashLength = 32;

    /// <summary>
    /// The cache file for <paramref name="options"/>: <c>data/smoke-plumes-{fingerprint}.bin</c> under
    /// <paramref name="directory"/>, the fingerprint being the first 16 hex digits of the SHA-256 of the version and
    /// the parameter block, so different options never share a file.
    /// </summary>
    public static string PathFor(string directory, PlumeDatasetOptions options)
    {
        CheckDirectory(directory);
        ArgumentNullException.ThrowIfNull(options);
        var parameters = ParameterBlock(options.Validated());
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(parameters))[..16];
        return Path.Combine(directory, "data", $"smoke-plumes-{fingerprint}.bin");
    }

    /// <summary>
    /// The data set for <paramref name="options"/> (the defaults when null): read from the cache under
    /// <paramref name="directory"/> when a valid file is there, otherwise generated and cached.
    /// </summary>
    public static PlumeLoadResult LoadOrGenerate(string directory, PlumeDatasetOptions? options = null)
    {
        var o = (options ?? new PlumeDatasetOptions()).Validated();
        string path = PathFor(directory, o);
        string? reason = null;
        if (File.Exists(path))
        {
            var data = TryRead(path, o, out reason);
            if (data is not null) return new(data, path, PlumeCacheOutcome.Reused, null);
        }
        var generated = PlumeDataset.Generate(o);
        Write(path, generated);
        return new(generated, path, reason is null ? PlumeCacheOutcome.Generated : PlumeCacheOutcome.Rebuilt, reason);
    }

    /// <summary>Writes <paramref name="data"/> to <paramref name="path"/> atomically (temporary file + rename).</summary>
    public static void Write(string path, PlumeDataset data)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(data);
        RequireLittleEndian();
        var header = Header(data.Options, PayloadLength(data.Options));
        ReadOnlySpan<byte> velocity = MemoryMarshal.AsBytes(data.Velocity), density = MemoryMarshal.AsBytes(data.Density);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(header);
        hash.AppendData(velocity);
        hash.AppendData(density);
        var digest = hash.GetHashAndReset();

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        string temp = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var f = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                f.Write(header);
                f.Write(digest);
                f.Write(velocity);
                f.Write(density);
                f.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>
    /// The data set in <paramref name="path"/> if the file is complete, made with exactly <paramref name="options"/>
    /// and this <see cref="FormatVersion"/>, and its checksum matches; otherwise null and the reason.
    /// </summary>
    public static PlumeDataset? TryRead(string path, PlumeDatasetOptions options, out string? reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Validated();
        RequireLittleEndian();
        byte[] file;
        try { file = File.ReadAllBytes(path); }
        catch (IOException e) { reason = $"unreadable: {e.Message}"; return null; }

        long payloadLength = PayloadLength(o);
        var expectedHeader = Header(o, payloadLength);
        ReadOnlySpan<byte> bytes = file;
        if (bytes.Length < Magic.Length + 8 || !bytes[..Magic.Length].SequenceEqual(Magic)) { reason = "not a plume cache file"; return null; }
        int version = BinaryPrimitives.ReadInt32LittleEndian(bytes[Magic.Length..]);
        if (version != FormatVersion) { reason = $"format version {version}, expected {FormatVersion}"; return null; }
        if (bytes.Length != expectedHeader.Length + HashLength + payloadLength) { reason = $"length {bytes.Length}, expected {expectedHeader.Length + HashLength + payloadLength}"; return null; }
        if (!bytes[..expectedHeader.Length].SequenceEqual(expectedHeader)) { reason = "made with other parameters"; return null; }

        var stored = bytes.Slice(expectedHeader.Length, HashLength);
        var payload = bytes[(expectedHeader.Length + HashLength)..];
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(bytes[..expectedHeader.Length]);
        hash.AppendData(payload);
        if (!hash.GetHashAndReset().AsSpan().SequenceEqual(stored)) { reason = "checksum mismatch (corrupted)"; return null; }

        int cells = o.Solver.N * o.Solver.N;
        var velocity = new float[o.Simulations * o.Frames * 2 * cells];
        var density = new float[o.Simulations * o.Frames * cells];
        MemoryMarshal.Cast<byte, float>(payload[..(velocity.Length * sizeof(float))]).CopyTo(velocity);
        MemoryMarshal.Cast<byte, float>(payload[(velocity.Length * sizeof(float))..]).CopyTo(density);
        reason = null;
        return new PlumeDataset(o, velocity, density);
    }

    static long PayloadLength(PlumeDatasetOptions o) => (long)o.Simulations * o.Frames * 3 * o.Solver.N * o.Solver.N * sizeof(float);

    static byte[] Header(PlumeDatasetOptions o, long payloadLength)
    {
        var parameters = ParameterBlock(o);
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms))
        {
            w.Write(Magic);
            w.Write(FormatVersion);
            w.Write(parameters.Length);
            w.Write(parameters);
            w.Write(payloadLength);
        }
        return ms.ToArray();
    }

    /// <summary>Every option in a fixed order (BinaryWriter: little-endian int32 and IEEE doubles).</summary>
    static byte[] ParameterBlock(PlumeDatasetOptions o)
    {
        var s = o.Solver;
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms))
        {
            w.Write(FormatVersion);
            w.Write(s.N);
            foreach (var d in new[] { s.Dt, s.BuoyancyLeft, s.BuoyancyRight, s.InflowRadius, s.InflowRate, s.DensityDecay,
                                      s.VelocityDamping, s.VorticityConfinement, s.InitialNoise })
                w.Write(d);
            foreach (var i in new[] { o.GridX, o.GridY, o.WarmupSteps, o.Frames, o.StepsPerFrame, o.TrainFrames, o.Window, o.DomainStride, o.Seed })
                w.Write(i);
        }
        return ms.ToArray();
    }

    static void CheckDirectory(string directory)
    {
        if (string.IsNullOrWhiteSpace(directory))
            throw new ArgumentException("Name the directory under which the data/ cache folder goes.", nameof(directory));
    }

    static void RequireLittleEndian()
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("The plume cache is stored little-endian and read by reinterpreting bytes.");
    }
}
