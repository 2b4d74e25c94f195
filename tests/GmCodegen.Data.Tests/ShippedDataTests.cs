namespace GmCodegen.Data.Tests;

public class ShippedDataTests
{
    [Fact]
    public void The_shipped_MNIST_digits_load_with_every_class_and_sane_pixels()
    {
        var d = Shipped.Mnist;
        Assert.Equal(10_000, d.Count);
        Assert.Equal((28, 28), (d.Rows, d.Cols));
        Assert.Equal(d.Count * 784, d.Images.Length);

        var counts = d.Labels.GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(Enumerable.Range(0, 10), counts.Keys.Order());
        Assert.All(counts.Values, c => Assert.InRange(c, 500, 1500)); // roughly balanced, as MNIST is

        // Documented order: digit by digit.
        Assert.True(d.Labels.Zip(d.Labels.Skip(1)).All(p => p.First <= p.Second));

        Assert.Equal(0f, d.Images.Min());
        Assert.Equal(1f, d.Images.Max());
        Assert.InRange(d.Images.Average(), 0.09, 0.17); // MNIST's mean intensity is ≈ 0.13
        // Every image has ink, centred by its centre of mass as MNIST was made (a misaligned conversion, e.g. a row
        // offset, would move it): each within 1.5 px of the image centre (13.5, 13.5), their mean near (14, 14).
        double meanX = 0, meanY = 0;
        for (int i = 0; i < d.Count; i++)
        {
            var img = d.Image(i);
            double ink = 0, sx = 0, sy = 0;
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++)
                    (ink, sx, sy) = (ink + img[y * 28 + x], sx + x * img[y * 28 + x], sy + y * img[y * 28 + x]);
            Assert.True(ink > 10, $"image {i} has almost no ink ({ink})");
            var (cx, cy) = (sx / ink, sy / ink);
            Assert.True(Math.Abs(cx - 13.5) < 1.5 && Math.Abs(cy - 13.5) < 1.5, $"image {i} is off centre ({cx:F2}, {cy:F2})");
            (meanX, meanY) = (meanX + cx / d.Count, meanY + cy / d.Count);
        }
        Assert.InRange(meanX, 13.5, 14.5);
        Assert.InRange(meanY, 13.5, 14.5);
    }

    [Fact]
    public void The_shipped_files_are_found_from_the_test_output_directory()
    {
        string dir = Datasets.FindMnist10kDirectory();
        Assert.True(File.Exists(Path.Combine(dir, Datasets.Mnist10kImagesFile)));
        Assert.EndsWith(Path.Combine("samples", "data"), dir);
    }

    [Fact]
    public void Missing_Fashion_MNIST_names_the_Debian_package()
    {
        using var empty = new TempDir();
        var e = Assert.Throws<FileNotFoundException>(() => Datasets.FashionMnist(train: false, empty.Path));
        Assert.Contains("dataset-fashion-mnist", e.Message);
        Assert.Contains(empty.Path, e.Message);
    }

    [Fact]
    public void Fashion_MNIST_test_set_loads_when_installed()
    {
        if (!File.Exists(Path.Combine(Datasets.FashionMnistDirectory, "t10k-images-idx3-ubyte.gz")))
            return; // optional Debian package; the missing-package message is tested above
        var f = Datasets.FashionMnist(train: false);
        Assert.Equal(10_000, f.Count);
        Assert.Equal((28, 28), (f.Rows, f.Cols));
        Assert.Equal(Enumerable.Range(0, 10), f.Labels.Distinct().Order());
        Assert.InRange(f.Images.Average(), 0.2, 0.4); // Fashion-MNIST's mean intensity is ≈ 0.29

        var train = Datasets.FashionMnist(train: true);
        Assert.Equal(60_000, train.Count);
        Assert.All(train.Labels.GroupBy(l => l), g => Assert.Equal(6000, g.Count())); // balanced by construction
    }
}
