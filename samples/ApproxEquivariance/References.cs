using GmCodegen;
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

    /// <summary>
    /// The best each structure can do at ε: the expected relative test MSE (white inputs, the task's noise) of the
    /// Frobenius-nearest matrix of the model's class to the target T = GM(w*) + ε·B,
    /// (‖T − T̂‖²_F/‖T‖²_F + noise²)/(1 + noise²). With σ_i the singular values of D(T) (Displacement.SingularValues):
    /// exact GM leaves Σσ_i² (the nearest group matrix); LDR-r leaves Σ_{i&gt;r} σ_i² (the nearest group matrix plus the best
    /// rank-r part of D(T), which T's 3×3 support lets c_j reach); the regression relaxation diag(e)·GM(w) has
    /// F = w·eᵀ and leaves the tail after the largest singular value of F(T) itself. A trained model at its floor has
    /// learnt everything its structure admits; above it, the data or the optimiser fell short.
    /// </summary>
    public static IEnumerable<Reference> Floors(SweepTask task, double epsilon)
    {
        var t = task.Matrix(epsilon).Select(v => (float)v).ToArray();
        double total = t.Sum(v => (double)v * v), noise2 = task.NoiseLevel * task.NoiseLevel;
        double Relative(double residual) => (residual / total + noise2) / (1 + noise2);
        var sigma = Displacement.SingularValues<Torus>(t);
        double Tail(IEnumerable<double> s, int keep) => s.Skip(keep).Sum(v => v * v);
        int n = SweepTask.Order;
        var f = Displacement.GroupDiagonals<Torus>(t);
        var sigmaF = Matrix<double>.Build.Dense(n, n, (h, a) => f[h * n + a]).Svd(computeVectors: false).S.ToArray();
        yield return new Reference("floor: exact GM", epsilon, Relative(Tail(sigma, 0)));
        yield return new Reference("floor: LDR-1", epsilon, Relative(Tail(sigma, 1)));
        yield return new Reference("floor: LDR-4", epsilon, Relative(Tail(sigma, 4)));
        yield return new Reference("floor: regression", epsilon, Relative(Tail(sigmaF, 1)));
    }
}
