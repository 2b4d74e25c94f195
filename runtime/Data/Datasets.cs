namespace GmCodegen;

/// <summary>
/// A rotated-MNIST split. <see cref="TrainSource"/>/<see cref="TestSource"/> give each image's index in the digit set it
/// was made from and <see cref="TrainAngles"/>/<see cref="TestAngles"/> its rotation (radians), so a split can be audited.
/// </summary>
public sealed record RotatedSplit(
    ImageSet Train, ImageSet Test, int[] TrainSource, int[] TestSource, double[] TrainAngles, double[] TestAngles);

/// <summary>The data sets the samples use, found and built without network access (README.md, "The rotated-MNIST sample").</summary>
public static class Datasets
{
    public const string Mnist10kImagesFile = "mnist10k-images-idx3-ubyte.gz";
    public const string Mnist10kLabelsFile = "mnist10k-labels-idx1-ubyte.gz";
    public const string FashionMnistDirectory = "/usr/share/datasets/fashion-mnist";
    public const string FashionMnistPackage = "dataset-fashion-mnist";
    /// <summary>MNIST and Fashion-MNIST have ten classes; labels outside 0..9 are refused when the files are read.</summary>
    public const int Classes = 10;

    /// <summary>
    /// The 10,000 MNIST digits shipped in <c>samples/data/</c> (digit by digit: all 0s, then all 1s, …).
    /// Without <paramref name="directory"/>, looks in <c>samples/data</c> and <c>data</c> under the program's directory,
    /// the working directory and each of their ancestors, so it works from a clone, a test run or a copied output.
    /// </summary>
    public static ImageSet Mnist10k(string? directory = null)
    {
        directory ??= FindMnist10kDirectory();
        return IdxFile.ReadDataset(Path.Combine(directory, Mnist10kImagesFile), Path.Combine(directory, Mnist10kLabelsFile), Classes);
    }

    public static string FindMnist10kDirectory()
    {
        var searched = new List<string>();
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory }.Distinct())
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                foreach (var candidate in new[] { Path.Combine(dir.FullName, "samples", "data"), Path.Combine(dir.FullName, "data") })
                {
                    if (File.Exists(Path.Combine(candidate, Mnist10kImagesFile)) && File.Exists(Path.Combine(candidate, Mnist10kLabelsFile)))
                        return candidate;
                }
                searched.Add(dir.FullName);
            }
        }
        throw new FileNotFoundException(
            $"The shipped MNIST digits ({Mnist10kImagesFile}, {Mnist10kLabelsFile}) were not found in samples/data or data " +
            $"under any of: {string.Join(", ", searched)}. They are committed in the repository's samples/data/; " +
            "regenerate them with `sh scripts/make-mnist-data.sh`, or pass their directory explicitly.");
    }

    /// <summary>
    /// Fashion-MNIST (60,000 train or 10,000 test images) from the standard IDX files, as the Debian package
    /// <c>dataset-fashion-mnist</c> installs them.
    /// </summary>
    public static ImageSet FashionMnist(bool train, string directory = FashionMnistDirectory)
    {
        string prefix = train ? "train" : "t10k";
        string images = Path.Combine(directory, $"{prefix}-images-idx3-ubyte.gz");
        string labels = Path.Combine(directory, $"{prefix}-labels-idx1-ubyte.gz");
        foreach (var f in new[] { images, labels })
        {
            if (!File.Exists(f))
                throw new FileNotFoundException(
                    $"Fashion-MNIST not found: {f} does not exist. Install the Debian package {FashionMnistPackage} " +
                    $"(`sudo apt-get install {FashionMnistPackage}`, which puts the files in {FashionMnistDirectory}), " +
                    "or pass the directory holding {train,t10k}-{images-idx3,labels-idx1}-ubyte.gz.", f);
        }
        return IdxFile.ReadDataset(images, labels, Classes);
    }

    /// <summary>
    /// Rotated MNIST: a seeded shuffle of <paramref name="digits"/> split into <paramref name="trainCount"/> training and
    /// <paramref name="testCount"/> test images (disjoint), each rotated by its own uniform angle in [0, 2π) about the
    /// image centre with bilinear interpolation (<see cref="ImageRotation.Rotate"/>). Pure: the same inputs and seed give
    /// the same bits. Random draws, in order: the permutation, then one angle per image in split order (train, then test).
    /// </summary>
    public static RotatedSplit RotatedMnist(ImageSet digits, int seed, int trainCount = 8000, int testCount = 2000)
    {
        digits.Validated();
        if (trainCount < 0 || testCount < 0 || (long)trainCount + testCount > digits.Count)
            throw new ArgumentException($"Cannot split {digits.Count} digits into {trainCount} train + {testCount} test images.");

        var rng = DataRng.For(seed, stream: 0x0707A7E);
        var order = Enumerable.Range(0, digits.Count).ToArray();
        rng.Shuffle(order);
        var angles = new double[trainCount + testCount];
        for (int i = 0; i < angles.Length; i++) angles[i] = 2 * Math.PI * rng.NextDouble();

        ImageSet Make(int start, int count)
        {
            int f = digits.Features;
            var images = new float[(long)count * f];
            var labels = new int[count];
            Parallel.For(0, count, i =>
            {
                int src = order[start + i];
                ImageRotation.Rotate(digits.Image(src), images.AsSpan(i * f, f), digits.Rows, digits.Cols, angles[start + i]);
                labels[i] = digits.Labels[src];
            });
            return new ImageSet(images, labels, digits.Rows, digits.Cols);
        }

        return new RotatedSplit(
            Make(0, trainCount), Make(trainCount, testCount),
            order[..trainCount], order[trainCount..(trainCount + testCount)],
            angles[..trainCount], angles[trainCount..]);
    }
}
