namespace GmCodegen;

/// <summary>A learning-rate schedule stepped once per epoch with that epoch's monitored metric (validation loss when there is a test set).</summary>
public interface ILrSchedule
{
    void EpochEnd(int epoch, double metric);
}

/// <summary>
/// <c>torch.optim.lr_scheduler.ReduceLROnPlateau</c> in mode "min" with a relative threshold: an epoch improves
/// when metric &lt; best·(1 − threshold); after more than <c>patience</c> epochs without improvement the rate is
/// multiplied by <c>factor</c> (not below <c>minLr</c>), then <c>cooldown</c> epochs pass before counting again.
/// </summary>
public sealed class ReduceLROnPlateau(IOptimizer optimizer, double factor = 0.1, int patience = 10,
    double threshold = 1e-4, int cooldown = 0, double minLr = 0, double eps = 1e-8) : ILrSchedule
{
    // As torch, a factor of 1 or more (or NaN) is refused: the rate would never fall, or grow.
    readonly double _factor = factor is > 0 and < 1 ? factor : throw new ArgumentOutOfRangeException(nameof(factor), factor, "The factor must be in (0, 1).");
    readonly int _patience = patience >= 0 ? patience : throw new ArgumentOutOfRangeException(nameof(patience), patience, "Patience must be ≥ 0.");
    readonly double _minLr = Hyper.NonNegative(minLr, nameof(minLr));
    readonly double _threshold = Hyper.NonNegative(threshold, nameof(threshold));
    readonly int _cooldown = cooldown >= 0 ? cooldown : throw new ArgumentOutOfRangeException(nameof(cooldown), cooldown, "Cooldown must be ≥ 0.");
    int _cooldownLeft;

    public double Best { get; private set; } = double.PositiveInfinity;
    public int BadEpochs { get; private set; }

    public void EpochEnd(int epoch, double metric)
    {
        if (metric < Best * (1 - _threshold)) { Best = metric; BadEpochs = 0; }
        else BadEpochs++;
        if (_cooldownLeft > 0) { _cooldownLeft--; BadEpochs = 0; }
        if (BadEpochs > _patience)
        {
            double old = optimizer.LearningRate, next = Math.Max(old * _factor, _minLr);
            if (old - next > eps) optimizer.LearningRate = next;
            _cooldownLeft = _cooldown;
            BadEpochs = 0;
        }
    }
}

/// <summary>Cosine annealing from the initial rate to <c>minLr</c> over <c>epochs</c>: lr = min + (lr₀ − min)(1 + cos(π·t/T))/2.</summary>
public sealed class CosineSchedule(IOptimizer optimizer, int epochs, double minLr = 0) : ILrSchedule
{
    readonly double _initial = epochs > 0 ? optimizer.LearningRate : throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "Cosine annealing needs at least one epoch.");

    /// <summary>The rate for the epoch after <paramref name="epoch"/> (0-based) has finished.</summary>
    public void EpochEnd(int epoch, double metric)
    {
        double t = Math.Min(epoch + 1, epochs);
        optimizer.LearningRate = minLr + (_initial - minLr) * (1 + Math.Cos(Math.PI * t / epochs)) / 2;
    }
}
