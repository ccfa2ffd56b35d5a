package llm.autograd;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import llm.tensor.NDArray;
import llm.tensor.SeededRandom;

/**
 * Compares the gradients that backward() computes with central finite differences.
 *
 * <p>The checked scalar is {@code L = Σ f(inputs) · R} with a fixed random {@code R}, so every output element
 * carries its own weight (a plain sum would hide errors that cancel). Each input element is moved by ±{@link
 * #EPS} and {@code (L+ - L-) / 2·EPS} is compared with the analytic gradient; the tolerance is tight enough
 * that dropping a factor or a transpose fails (see {@code BrokenGradientTest}).
 */
final class GradCheck {
    static final float EPS = 1e-2f;
    static final double ABS_TOL = 5e-3;
    static final double REL_TOL = 1e-2;

    private GradCheck() {}

    static void check(String name, Function<List<Tensor>, Tensor> f, NDArray... inputs) {
        check(name, f, new SeededRandom(42), inputs);
    }

    static void check(String name, Function<List<Tensor>, Tensor> f, SeededRandom rng, NDArray... inputs) {
        List<Tensor> params = new ArrayList<>();
        for (NDArray in : inputs) params.add(Tensor.parameter(in.copy()));
        Tensor out = f.apply(params);
        NDArray weights = NDArray.randn(rng, out.shape());
        out.mul(Tensor.constant(weights)).sum().backward();

        for (int p = 0; p < inputs.length; p++) {
            NDArray x = params.get(p).data();
            NDArray analytic = params.get(p).grad();
            if (analytic == null) throw new AssertionError(name + ": input " + p + " got no gradient");
            float[] xs = x.storage();
            float[] ga = analytic.contiguous().toArray();
            for (int i = 0; i < xs.length; i++) {
                float saved = xs[i];
                xs[i] = saved + EPS;
                double plus = weightedSum(f, params, weights);
                xs[i] = saved - EPS;
                double minus = weightedSum(f, params, weights);
                xs[i] = saved;
                double numeric = (plus - minus) / (2 * EPS);
                double err = Math.abs(numeric - ga[i]);
                if (err > ABS_TOL + REL_TOL * Math.abs(numeric)) {
                    throw new AssertionError(String.format("%s: d/d input %d [element %d]: backward gives %.6f, finite differences %.6f",
                            name, p, i, ga[i], numeric));
                }
            }
        }
    }

    private static double weightedSum(Function<List<Tensor>, Tensor> f, List<Tensor> params, NDArray weights) {
        try (var off = Grad.off()) {
            float[] y = f.apply(params).data().contiguous().toArray();
            float[] w = weights.toArray();
            double s = 0;
            for (int i = 0; i < y.length; i++) s += (double) y[i] * w[i];
            return s;
        }
    }
}
