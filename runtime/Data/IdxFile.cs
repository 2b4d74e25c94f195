using System.Buffers.Binary;
using System.IO.Compression;

namespace GmCodegen;

/// <summary>Images read from an IDX file: <see cref="Pixels"/> is [Count, Rows·Cols] row-major, values in [0, 1].</summary>
public sealed record IdxImages(float[] Pixels, int Count, int Rows, int Cols)
{
    public int Features => Rows * Cols;
}

/// <summary>
/// Labelled images, the unit every data step exchanges: <see cref="Images"/> is [Count, Rows·Cols] row-major in [0, 1],
/// <see cref="Labels"/> one class index per image.
/// </summary>
public sealed record ImageSet(float[] Images, int[] Labels, int Rows, int Cols)
{
    public int Count => Labels.Length;
    public int Features => Rows * Cols;
    public ReadOnlySpan<float> Image(int i) => Images.AsSpan(i * Features, Features);

    /// <summary>Checks the invariants the record's constructor cannot (array lengths agree with the sizes).</summary>
    public ImageSet Validated()
    {
        if (Rows <= 0 || Cols <= 0) throw new ArgumentException($"Image size {Rows}×{Cols} must be positive.");
        if ((long)Rows * Cols > Array.MaxLength) throw new ArgumentException($"Image size {Rows}×{Cols} is more than an array can hold.");
        if ((long)Labels.Length * Features != Images.Length)
            throw new ArgumentException($"{Images.Length} pixels do not make {Labels.Length} images of {Rows}×{Cols}.");
        return this;
    }
}

/// <summary>
/// The IDX format of MNIST and Fashion-MNIST: a big-endian magic 0x0000TTDD (TT element type, 0x08 = u8; DD the number
/// of dimensions), DD big-endian u32 sizes, then the elements. Files may be gzipped (detected by the gzip magic, not the
/// name). Every error names the file, because a data problem otherwise surfaces far away as a shape mismatch.
/// </summary>
public static class IdxFile
{
    public const int ImagesMagic = 0x00000803;
    public const int LabelsMagic = 0x00000801;
    const byte UnsignedByte = 0x08;

    public static IdxImages ReadImages(string path)
    {
        var (dims, data) = ReadU8(path, 3, "images");
        var (count, rows, cols) = (dims[0], dims[1], dims[2]);
        var pixels = new float[data.Length];
        for (int i = 0; i < data.Length; i++) pixels[i] = data[i] / 255f;
        return new IdxImages(pixels, count, rows, cols);
    }

    public static int[] ReadLabels(string path)
    {
        var (_, data) = ReadU8(path, 1, "labels");
        return Array.ConvertAll(data, b => (int)b);
    }

    /// <summary>
    /// Reads an images file and its labels file; their counts must agree, and with <paramref name="classes"/> every label
    /// must be a class index below it (a label out of range would otherwise fail far away, in the loss).
    /// </summary>
    public static ImageSet ReadDataset(string imagesPath, string labelsPath, int? classes = null)
    {
        if (classes is <= 0) throw new ArgumentOutOfRangeException(nameof(classes), classes, "The number of classes must be > 0.");
        var images = ReadImages(imagesPath);
        var labels = ReadLabels(labelsPath);
        if (labels.Length != images.Count)
            throw new InvalidDataException(
                $"{imagesPath} holds {images.Count} images but {labelsPath} holds {labels.Length} labels; they must match.");
        if (classes is int c && Array.FindIndex(labels, l => l >= c) is int bad and >= 0)
            throw new InvalidDataException($"{labelsPath} gives image {bad} the label {labels[bad]}, outside the {c} classes 0..{c - 1}.");
        return new ImageSet(images.Pixels, labels, images.Rows, images.Cols);
    }

    /// <summary>Writes [count, rows, cols] u8 images; gzipped when the path ends in <c>.gz</c>.</summary>
    public static void WriteImages(string path, ReadOnlySpan<byte> pixels, int count, int rows, int cols)
    {
        if (count < 0 || rows <= 0 || cols <= 0)
            throw new ArgumentException($"{count} images of {rows}×{cols}: the count must be ≥ 0 and the sizes > 0.", nameof(count));
        if ((long)count * rows * cols != pixels.Length)
            throw new ArgumentException($"{pixels.Length} bytes do not make {count} images of {rows}×{cols}.", nameof(pixels));
        Write(path, ImagesMagic, [count, rows, cols], pixels);
    }

    /// <summary>Writes u8 labels; gzipped when the path ends in <c>.gz</c>.</summary>
    public static void WriteLabels(string path, ReadOnlySpan<byte> labels) => Write(path, LabelsMagic, [labels.Length], labels);

    /// <summary>Quantises [0, 1] floats to bytes as round(v·255), the inverse of the reader's v = b/255.</summary>
    public static byte[] ToBytes(ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length];
        for (int i = 0; i < values.Length; i++) bytes[i] = (byte)Math.Clamp(MathF.Round(values[i] * 255f), 0f, 255f);
        return bytes;
    }

    static void Write(string path, int magic, int[] dims, ReadOnlySpan<byte> data)
    {
        var header = new byte[4 + 4 * dims.Length];
        BinaryPrimitives.WriteInt32BigEndian(header, magic);
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * i), dims[i]);
        using var file = File.Create(path);
        using Stream s = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? new GZipStream(file, CompressionLevel.Optimal) : file;
        s.Write(header);
        s.Write(data);
    }

    /// <summary>Reads a u8 IDX file with exactly <paramref name="rank"/> dimensions; returns the sizes and the elements.</summary>
    static (int[] Dims, byte[] Data) ReadU8(string path, int rank, string what)
    {
        if (Directory.Exists(path)) throw new IOException($"{path} is a directory, not an IDX {what} file.");
        if (!File.Exists(path)) throw new FileNotFoundException($"IDX {what} file not found: {path}", path);
        using var file = File.OpenRead(path);
        using var s = IsGzip(file) ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
        try
        {
            Span<byte> word = stackalloc byte[4];
            if (ReadFully(s, word) < 4) throw Bad(path, "is too short to hold an IDX magic number");
            uint magic = BinaryPrimitives.ReadUInt32BigEndian(word);
            if (magic >> 16 != 0)
                throw Bad(path, $"is not an IDX file (magic 0x{magic:X8}; expected 0x{0x800 | rank:X8} for {what})");
            if (word[2] != UnsignedByte)
                throw Bad(path, $"has element type 0x{word[2]:X2}; only unsigned bytes (0x08) are supported (magic 0x{magic:X8})");
            if (word[3] != rank)
                throw Bad(path, $"has {word[3]} dimensions; {what} need {rank} (magic 0x{magic:X8}, expected 0x{0x800 | rank:X8})");

            var dims = new int[rank];
            long size = 1;
            for (int i = 0; i < rank; i++)
            {
                if (ReadFully(s, word) < 4) throw Bad(path, $"is truncated in its header (size {i} of {rank} missing)");
                uint d = BinaryPrimitives.ReadUInt32BigEndian(word);
                if (d == 0 || d > int.MaxValue) throw Bad(path, $"has dimension {i} of size {d}");
                dims[i] = (int)d;
                size *= d;
                if (size > Array.MaxLength) throw Bad(path, $"declares {string.Join("×", dims[..(i + 1)])} elements, more than fit in memory");
            }

            var data = new byte[size];
            int got = ReadFully(s, data);
            if (got < size)
                throw Bad(path, $"is truncated: its header declares {string.Join("×", dims)} = {size} bytes of {what}, the file holds {got}");
            if (ReadFully(s, word[..1]) != 0)
                throw Bad(path, $"has bytes beyond the {string.Join("×", dims)} {what} its header declares");
            return (dims, data);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw Bad(path, $"is not valid gzip data ({e.Message})", e); // GZipStream's own message names no file
        }
    }

    static bool IsGzip(FileStream f)
    {
        Span<byte> m = stackalloc byte[2];
        int n = ReadFully(f, m);
        f.Position = 0;
        return n == 2 && m[0] == 0x1F && m[1] == 0x8B;
    }

    static int ReadFully(Stream s, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = s.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    static InvalidDataException Bad(string path, string what, Exception? inner = null) => new($"{path} {what}.", inner);
}
