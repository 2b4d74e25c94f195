namespace GmCodegen.Data.Tests;

public class RotationTests
{
    const int N = 28;

    static float[] Rotate(float[] src, double angle)
    {
        var dst = new float[src.Length];
        ImageRotation.Rotate(src, dst, N, N, angle);
        return dst;
    }

    static float[] RandomImage(int seed)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, N * N).Select(_ => r.NextSingle()).ToArray();
    }

    static float[] Blob(double sigma)
    {
        var img = new float[N * N];
        for (int y = 0; y < N; y++)
            for (int x = 0; x < N; x++)
                img[y * N + x] = (float)Math.Exp(-((x - 13.5) * (x - 13.5) + (y - 13.5) * (y - 13.5)) / (2 * sigma * sigma));
        return img;
    }

    [Fact]
    public void Angle_zero_is_the_identity_bit_for_bit()
    {
        var img = RandomImage(1);
        Assert.Equal(img, Rotate(img, 0));
        var digit = Shipped.Mnist.Image(1234).ToArray();
        Assert.Equal(digit, Rotate(digit, 0));
    }

    [Fact]
    public void Four_quarter_turns_give_back_the_image_on_the_interior()
    {
        foreach (var img in new[] { RandomImage(2), Shipped.Mnist.Image(42).ToArray() })
        {
            var r = img;
            for (int k = 0; k < 4; k++) r = Rotate(r, Math.PI / 2);
            for (int y = 1; y < N - 1; y++)
                for (int x = 1; x < N - 1; x++)
                    Assert.True(Math.Abs(r[y * N + x] - img[y * N + x]) < 1e-5, $"pixel ({y},{x}): {r[y * N + x]} vs {img[y * N + x]}");
        }
    }

    [Fact]
    public void A_half_turn_is_the_point_reflection_about_the_centre()
    {
        var img = RandomImage(3);
        var r = Rotate(img, Math.PI);
        for (int y = 0; y < N; y++)
            for (int x = 0; x < N; x++)
                Assert.Equal(img[(N - 1 - y) * N + (N - 1 - x)], r[y * N + x], 5);
    }

    [Fact]
    public void A_quarter_turn_is_counter_clockwise_on_screen()
    {
        var img = new float[N * N];
        img[13 * N + 20] = 1; // right of the centre (13.5, 13.5)
        var r = Rotate(img, Math.PI / 2);
        Assert.Equal(1f, r[7 * N + 13], 5); // now above it (row 7 is higher on screen)
        Assert.Equal(1f, r.Sum(), 4);
    }

    [Fact]
    public void Rotation_roughly_preserves_the_mass_of_a_centred_blob()
    {
        var blob = Blob(4);
        double mass = blob.Sum();
        var r = new Random(4);
        for (int i = 0; i < 20; i++)
        {
            double angle = 2 * Math.PI * r.NextDouble();
            double rotated = Rotate(blob, angle).Sum();
            Assert.True(Math.Abs(rotated - mass) / mass < 0.02, $"angle {angle}: mass {rotated} vs {mass}");
        }
    }

    [Fact]
    public void A_generic_angle_interpolates_and_stays_in_range()
    {
        var img = Shipped.Mnist.Image(7).ToArray();
        var r = Rotate(img, 0.7);
        Assert.NotEqual(img, r);
        Assert.All(r, v => Assert.InRange(v, 0f, 1f));
        Assert.Contains(r, v => v is > 0.01f and < 0.99f && !img.Contains(v)); // new grey levels from interpolation
    }

    [Fact]
    public void Rotated_MNIST_split_is_disjoint_reproducible_and_what_it_says()
    {
        var digits = Shipped.Mnist;
        var a = Datasets.RotatedMnist(digits, seed: 42);
        var b = Datasets.RotatedMnist(digits, seed: 42);
        var c = Datasets.RotatedMnist(digits, seed: 43);

        Assert.Equal(8000, a.Train.Count);
        Assert.Equal(2000, a.Test.Count);
        Assert.Equal(10_000, a.TrainSource.Concat(a.TestSource).Distinct().Count()); // disjoint, every digit used once

        // Same seed, same bits; another seed, another split and other angles.
        Assert.Equal(a.Train.Images, b.Train.Images);
        Assert.Equal(a.Test.Images, b.Test.Images);
        Assert.Equal(a.Train.Labels, b.Train.Labels);
        Assert.NotEqual(a.TrainSource, c.TrainSource);
        Assert.NotEqual(a.Train.Images, c.Train.Images);

        // Each image is its source digit, labelled as such, rotated by its recorded angle.
        Assert.Equal(a.TrainSource.Select(s => digits.Labels[s]), a.Train.Labels);
        Assert.Equal(a.TestSource.Select(s => digits.Labels[s]), a.Test.Labels);
        foreach (int i in new[] { 0, 1, 4321, 7999 })
        {
            var expected = new float[784];
            ImageRotation.Rotate(digits.Image(a.TrainSource[i]), expected, 28, 28, a.TrainAngles[i]);
            Assert.Equal(expected, a.Train.Image(i).ToArray());
        }

        // Angles uniform on [0, 2π): in range, mean ≈ π, every quarter turn well populated.
        var angles = a.TrainAngles.Concat(a.TestAngles).ToArray();
        Assert.All(angles, t => Assert.InRange(t, 0, 2 * Math.PI - 1e-12));
        Assert.InRange(angles.Average(), Math.PI - 0.1, Math.PI + 0.1);
        Assert.All(angles.GroupBy(t => (int)(t / (Math.PI / 2))), g => Assert.InRange(g.Count(), 2300, 2700));

        // The shuffle mixes classes into both parts (the source is ordered digit by digit).
        Assert.Equal(10, a.Test.Labels.Distinct().Count());
        Assert.All(a.Train.Images, v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void Rotated_MNIST_rejects_a_split_larger_than_the_data()
    {
        var e = Assert.Throws<ArgumentException>(() => Datasets.RotatedMnist(Shipped.Mnist, 1, 9000, 2000));
        Assert.Contains("10000", e.Message);
    }

    [Fact]
    public void Rerotated_batches_serve_the_split_in_epoch_0_and_fresh_rotations_of_the_upright_digits_later()
    {
        var digits = Shipped.Mnist;
        var split = Datasets.RotatedMnist(digits, seed: 42, trainCount: 300, testCount: 10);
        var source = new RerotatedBatches(digits, split, batchSize: 64, seed: 42);
        var plain = new MiniBatchLoader(split.Train, 64, 42).AsBatchSource();
        Assert.Equal(300, source.SampleCount);

        static (float[] X, int[] Y) Flatten(IEnumerable<Batch> batches)
        {
            var x = new List<float>();
            var y = new List<int>();
            foreach (var b in batches)
            {
                x.AddRange(b.Inputs.AsSpan(0, b.Count * 784).ToArray());
                y.AddRange(b.Labels.AsSpan(0, b.Count).ToArray());
            }
            return (x.ToArray(), y.ToArray());
        }

        // Epoch 0 is the unaugmented training set, in the plain loader's order.
        var (x0, y0) = Flatten(source.Batches(0));
        var (p0, q0) = Flatten(plain.Batches(0));
        Assert.Equal(p0, x0);
        Assert.Equal(q0, y0);

        // Epoch 1: the same order and labels as the plain loader's epoch 1, new angles, each image one rotation of its
        // upright digit by the angle the source reports; the same bits on a second pass.
        var (x1, y1) = Flatten(source.Batches(1));
        var (p1, q1) = Flatten(plain.Batches(1));
        Assert.Equal(q1, y1);
        Assert.NotEqual(p1, x1);
        var order = new MiniBatchLoader(split.Train, 64, 42);
        order.StartEpoch(1);
        int[] served = order.Order.ToArray();
        foreach (int j in new[] { 0, 1, 150, 299 })
        {
            int i = served[j];
            Assert.NotEqual(split.TrainAngles[i], source.Angle(1, i));
            Assert.InRange(source.Angle(1, i), 0, 2 * Math.PI);
            var expected = new float[784];
            ImageRotation.Rotate(digits.Image(split.TrainSource[i]), expected, 28, 28, source.Angle(1, i));
            Assert.Equal(expected, x1.AsSpan(j * 784, 784).ToArray());
        }
        Assert.Equal(x1, Flatten(source.Batches(1)).X);
        Assert.NotEqual(x1, Flatten(source.Batches(2)).X);
        Assert.NotEqual(source.Angle(1, 0), new RerotatedBatches(digits, split, 64, seed: 7).Angle(1, 0));
    }

    [Fact]
    public void Rerotated_batches_refuse_a_split_of_other_digits()
    {
        var digits = Shipped.Mnist;
        var split = Datasets.RotatedMnist(digits, seed: 1, trainCount: 20, testCount: 0);
        var few = new ImageSet(digits.Images[..(10 * 784)], digits.Labels[..10], 28, 28);
        var e = Assert.Throws<ArgumentException>(() => new RerotatedBatches(few, split, 8, 1));
        Assert.Equal("split", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RerotatedBatches(digits, split, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RerotatedBatches(digits, split, 8, 1).Batches(-1));
    }
}
