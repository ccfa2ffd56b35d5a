package llm.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Layer normalisation over rows of {@code C} values (Book §4.2), llm.c's {@code layernorm_forward} and {@code
 * layernorm_backward}: {@code out = (x - mean) · rstd · scale + shift} with the biased variance and {@code rstd
 * = 1 / sqrt(var + eps)}; the forward saves each row's {@code mean} and {@code rstd} for the backward, which uses
 * the closed form {@code dx = rstd · (dn - mean(dn) - n · mean(dn · n))} with {@code n} the normalised row and
 * {@code dn = dy · scale}.
 *
 * <p>Shapes: {@code x, out, dy, dx (N, C)}, {@code scale, shift, dscale, dshift (C)}, {@code mean, rstd (N)}.
 * Row means and variances are summed in double. Rows are independent in the forward pass and in {@code dx}, so
 * they run in parallel; {@code dscale} and {@code dshift} add over rows in row order, so the result does not
 * depend on the thread count. The per-element passes have a scalar reference and a Vector API version that give
 * the same bits (the same float operations per element, lane by lane).
 */
public final class LayerNormKernels {
    private static final VectorSpecies<Float> F = Vectorization.SPECIES;
    /** Rows per parallel task. */
    private static final int ROWS = 16;

    private LayerNormKernels() {}

    /** Normalises the rows of {@code x[xo ..]} into {@code out}, saving {@code mean} and {@code rstd}. */
    public static void forward(float[] x, int xo, float[] scale, float[] shift, float eps, float[] out, float[] mean, float[] rstd,
                               int rows, int c, Parallelism par) {
        par.forEach((rows + ROWS - 1) / ROWS, b -> {
            for (int r = b * ROWS, end = Math.min(rows, r + ROWS); r < end; r++) {
                int row = xo + r * c;
                double m = 0;
                for (int i = 0; i < c; i++) m += x[row + i];
                m /= c;
                double v = 0;
                for (int i = 0; i < c; i++) {
                    double d = x[row + i] - m;
                    v += d * d;
                }
                v /= c;
                mean[r] = (float) m;
                rstd[r] = (float) (1.0 / Math.sqrt(v + eps));
                if (Vectorization.ENABLED) normaliseVector(x, row, mean[r], rstd[r], scale, shift, out, r * c, c);
                else normaliseScalar(x, row, mean[r], rstd[r], scale, shift, out, r * c, c);
            }
        });
    }

    /** Reference: {@code out[oo+i] = (x[xo+i] - mean) · rstd · scale[i] + shift[i]}. */
    public static void normaliseScalar(float[] x, int xo, float mean, float rstd, float[] scale, float[] shift, float[] out, int oo, int c) {
        for (int i = 0; i < c; i++) out[oo + i] = (x[xo + i] - mean) * rstd * scale[i] + shift[i];
    }

    /** {@link #normaliseScalar} a vector at a time (no fused multiply-add, so each lane rounds as the scalar loop does). */
    public static void normaliseVector(float[] x, int xo, float mean, float rstd, float[] scale, float[] shift, float[] out, int oo, int c) {
        int i = 0;
        for (int end = F.loopBound(c); i < end; i += F.length()) {
            FloatVector.fromArray(F, x, xo + i).sub(mean).mul(rstd).mul(FloatVector.fromArray(F, scale, i))
                    .add(FloatVector.fromArray(F, shift, i)).intoArray(out, oo + i);
        }
        for (; i < c; i++) out[oo + i] = (x[xo + i] - mean) * rstd * scale[i] + shift[i];
    }

    /**
     * Gradients: {@code dx (N, C)} is written (not added to); {@code dscale} and {@code dshift (C)} are added to.
     * {@code dx} may be null when the input needs no gradient.
     */
    public static void backward(float[] x, int xo, float[] dy, int go, float[] scale, float[] mean, float[] rstd,
                                float[] dx, float[] dscale, float[] dshift, int rows, int c, Parallelism par) {
        if (dx != null) {
            par.forEach((rows + ROWS - 1) / ROWS, b -> {
                for (int r = b * ROWS, end = Math.min(rows, r + ROWS); r < end; r++) {
                    int row = xo + r * c, grow = go + r * c;
                    double meanDn = 0, meanDnN = 0;
                    for (int i = 0; i < c; i++) {
                        float n = (x[row + i] - mean[r]) * rstd[r];
                        float dn = dy[grow + i] * scale[i];
                        meanDn += dn;
                        meanDnN += dn * n;
                    }
                    meanDn /= c;
                    meanDnN /= c;
                    for (int i = 0; i < c; i++) {
                        float n = (x[row + i] - mean[r]) * rstd[r];
                        float dn = dy[grow + i] * scale[i];
                        dx[r * c + i] = (float) (rstd[r] * (dn - meanDn - n * meanDnN));
                    }
                }
            });
        }
        for (int r = 0; r < rows; r++) {
            if (Vectorization.ENABLED) paramGradVector(x, xo + r * c, dy, go + r * c, mean[r], rstd[r], dscale, dshift, c);
            else paramGradScalar(x, xo + r * c, dy, go + r * c, mean[r], rstd[r], dscale, dshift, c);
        }
    }

    /** Reference: one row's share of the scale and shift gradients, {@code dscale += dy · n}, {@code dshift += dy}. */
    public static void paramGradScalar(float[] x, int xo, float[] dy, int go, float mean, float rstd, float[] dscale, float[] dshift, int c) {
        for (int i = 0; i < c; i++) {
            float n = (x[xo + i] - mean) * rstd;
            dscale[i] += dy[go + i] * n;
            dshift[i] += dy[go + i];
        }
    }

    /** {@link #paramGradScalar} a vector at a time, the same bits. */
    public static void paramGradVector(float[] x, int xo, float[] dy, int go, float mean, float rstd, float[] dscale, float[] dshift, int c) {
        int i = 0;
        for (int end = F.loopBound(c); i < end; i += F.length()) {
            FloatVector g = FloatVector.fromArray(F, dy, go + i);
            FloatVector n = FloatVector.fromArray(F, x, xo + i).sub(mean).mul(rstd);
            FloatVector.fromArray(F, dscale, i).add(g.mul(n)).intoArray(dscale, i);
            FloatVector.fromArray(F, dshift, i).add(g).intoArray(dshift, i);
        }
        for (; i < c; i++) {
            float n = (x[xo + i] - mean) * rstd;
            dscale[i] += dy[go + i] * n;
            dshift[i] += dy[go + i];
        }
    }
}
