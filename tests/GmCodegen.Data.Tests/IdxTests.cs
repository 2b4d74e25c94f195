using System.IO.Compression;

namespace GmCodegen.Data.Tests;

public class IdxTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    static byte[] RandomBytes(int n, int seed)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    /// <summary>An IDX file assembled by hand from the spec, independently of <see cref="IdxFile"/>'s writer.</summary>
    static byte[] Idx(uint magic, uint[] dims, byte[] data)
    {
        var bytes = new List<byte>();
        void BigEndian(uint v) => bytes.AddRange([(byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v]);
        BigEndian(magic);
        foreach (var d in dims) BigEndian(d);
        bytes.AddRange(data);
        return [.. bytes];
    }

    static byte[] Gzip(byte[] raw)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest)) gz.Write(raw);
        return ms.ToArray();
    }

    [Theory]
    [InlineData("images.idx", "labels.idx")]
    [InlineData("images.idx.gz", "labels.idx.gz")]
    public void Round_trip_through_writer_and_reader(string imagesName, string labelsName)
    {
        const int n = 7, rows = 5, cols = 3;
        var pixels = RandomBytes(n * rows * cols, 1);
        var labels = RandomBytes(n, 2);
        string images = _dir.File(imagesName), labelsPath = _dir.File(labelsName);
        IdxFile.WriteImages(images, pixels, n, rows, cols);
        IdxFile.WriteLabels(labelsPath, labels);

        bool gz = imagesName.EndsWith(".gz");
        var head = File.ReadAllBytes(images)[..2];
        Assert.Equal(gz, head[0] == 0x1F && head[1] == 0x8B);

        var set = IdxFile.ReadDataset(images, labelsPath);
        Assert.Equal((n, rows, cols, rows * cols), (set.Count, set.Rows, set.Cols, set.Features));
        Assert.Equal(pixels.Select(b => b / 255f), set.Images);
        Assert.Equal(labels.Select(b => (int)b), set.Labels);
        Assert.Equal(pixels, IdxFile.ToBytes(set.Images)); // quantising back is lossless
    }

    [Fact]
    public void Reads_a_hand_made_file_in_row_major_order_and_detects_gzip_by_content_not_name()
    {
        var data = new byte[] { 0, 51, 102, 153, 204, 255, 1, 2, 3, 4, 5, 6 };
        var raw = Idx(0x00000803, [2, 2, 3], data);
        File.WriteAllBytes(_dir.File("raw"), raw);
        File.WriteAllBytes(_dir.File("compressed-without-gz-suffix"), Gzip(raw));
        foreach (var f in new[] { "raw", "compressed-without-gz-suffix" })
        {
            var img = IdxFile.ReadImages(_dir.File(f));
            Assert.Equal((2, 2, 3), (img.Count, img.Rows, img.Cols));
            Assert.Equal(data.Select(b => b / 255f), img.Pixels);
            Assert.Equal(1f, img.Pixels[5]);
            Assert.Equal(0.2f, img.Pixels[1], 6);
        }
    }

    [Theory]
    [InlineData(0x12345678u, "not an IDX file")]
    [InlineData(0x00000D03u, "element type 0x0D")]
    [InlineData(0x00000801u, "1 dimensions")]
    [InlineData(0x00000804u, "4 dimensions")]
    public void Rejects_images_with_a_wrong_magic_naming_the_file(uint magic, string expected)
    {
        string path = _dir.File("bad-magic.idx");
        File.WriteAllBytes(path, Idx(magic, [1, 2, 2, 2], new byte[8]));
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Rejects_an_images_file_read_as_labels()
    {
        string path = _dir.File("images.idx");
        File.WriteAllBytes(path, Idx(0x00000803, [1, 2, 2], new byte[4]));
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadLabels(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("labels need 1", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Rejects_short_data_naming_the_file_and_the_sizes(bool gz)
    {
        // Header promises 10 images of 4×4 = 160 bytes; the file holds 150.
        var raw = Idx(0x00000803, [10, 4, 4], RandomBytes(150, 3));
        string path = _dir.File(gz ? "short.gz" : "short");
        File.WriteAllBytes(path, gz ? Gzip(raw) : raw);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Contains("160", e.Message);
        Assert.Contains("150", e.Message);
    }

    [Theory]
    [InlineData(3)]  // inside the magic
    [InlineData(10)] // inside the dimensions
    public void Rejects_a_truncated_header(int length)
    {
        string path = _dir.File("header");
        File.WriteAllBytes(path, Idx(0x00000803, [1, 2, 2], new byte[4])[..length]);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Rejects_a_cut_gzip_stream_naming_the_file()
    {
        var gz = Gzip(Idx(0x00000803, [50, 28, 28], RandomBytes(50 * 784, 4)));
        string path = _dir.File("cut.gz");
        File.WriteAllBytes(path, gz[..(gz.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Rejects_bytes_beyond_the_declared_size()
    {
        string path = _dir.File("long");
        File.WriteAllBytes(path, Idx(0x00000801, [3], [1, 2, 3, 4]));
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadLabels(path));
        Assert.Contains("beyond", e.Message);
    }

    [Fact]
    public void Rejects_images_and_labels_whose_counts_differ_naming_both_files()
    {
        string images = _dir.File("i.gz"), labels = _dir.File("l.gz");
        IdxFile.WriteImages(images, new byte[5 * 4], 5, 2, 2);
        IdxFile.WriteLabels(labels, new byte[4]);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadDataset(images, labels));
        Assert.Contains(images, e.Message);
        Assert.Contains(labels, e.Message);
        Assert.Contains("5 images", e.Message);
        Assert.Contains("4 labels", e.Message);
    }

    [Fact]
    public void A_missing_file_is_reported_by_name()
    {
        string path = _dir.File("nope.gz");
        var e = Assert.Throws<FileNotFoundException>(() => IdxFile.ReadImages(path));
        Assert.Contains(path, e.Message);
    }
}
