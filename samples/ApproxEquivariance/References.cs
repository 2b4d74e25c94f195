using MathNet.Numerics.LinearAlgebra;

namespace ApproxEquivariance;

/// <summary>Closed-form yardsticks that are not trained models, to read the sweep against.</summary>
public static class References
{
    /// <summary>
    /// The minimum-norm least-squares dense fit [W | bias] = Y·pinv([X | 1]) of the training set, evaluated on the
    /// test set (relative MSE). With fewer samples than |G| it interpolates the training targets and knows nothing
    /// outside their span: for white inputs its expected relative error is about 1 − n/|G| whatever ε is. It is
    /// what plain gradient descent from zero converges to, and the best a dense layer can do from these samples
    /// without a prior; an adaptive optimiser (AdamW) lands elsewhere among the interpolants.
    /// </summary>
    public static double MinimumNormDense(Samples train, float[] yTrain, Samples test, float[] yTest)
    {
        int n = SweepTask.Order;
        Matrix<double> Design(Samples s) => Matrix<double>.Build.Dense(s.Count, n + 1, (b, j) => j < n ? s.Inputs[b * n + j] : 1.0);
        Matrix<double> Targets(float[] y, int count) => Matrix<double>.Build.Dense(count, n, (b, a) => y[b * n + a]);
        var coefficients = Design(train).PseudoInverse() * Targets(yTrain, train.Count);   // (|G|+1) × |G|
        var error = Design(test) * coefficients - Targets(yTest, test.Count);
        var y = Targets(yTest, test.Count);
        double mean = y.Enumerate().Average();
        return error.Enumerate().Sum(e => e * e) / y.Enumerate().Sum(v => (v - mean) * (v - mean));
    }
}
