package llm.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Each TornadoVM kernel against its CPU reference in {@code tensor-core} ({@link KernelChecks}), run through TornadoVM
 * on the default device (PoCL's OpenCL on this CPU where no GPU is present; a kernel TornadoVM cannot compile fails,
 * it does not fall back to Java), on sizes that are and are not multiples of the work-group size.
 */
class KernelsVersusCpuTest {
    static void within(double worst, double tol, String what) {
        assertTrue(worst <= tol, what + ": largest relative difference " + worst + " > " + tol);
    }

    @Test
    void tiledMatMulMatchesGemmNaiveForTheThreeProductsOfALinearLayer() {
        int[][] shapes = {{16, 16, 16}, {1, 1, 1}, {7, 33, 19}, {40, 17, 64}, {65, 31, 100}, {130, 70, 200}};
        for (int[] s : shapes) within(KernelChecks.matmul(s[0], s[1], s[2], 1), 1e-4, "matmul " + s[0] + "x" + s[1] + "x" + s[2]);
        for (int[] s : shapes) within(KernelChecks.matmul(s[0], s[1], s[2], 1, true), 1e-4, "blocked matmul " + s[0] + "x" + s[1] + "x" + s[2]);
    }

    @Test
    void embeddingForwardAndBackwardMatchTheReference() {
        within(KernelChecks.embedding(50, 40, 24, 6), 1e-6, "embedding");
    }

    @Test
    void causalAttentionForwardMatchesTheTextbookReference() {
        within(KernelChecks.attention(3, 17, 8, 0f, 7), 1e-4, "attention");
        within(KernelChecks.attention(3, 17, 8, 0.3f, 7), 1e-4, "attention with dropout");
    }

    @Test
    void causalAttentionBackwardMatchesTheTextbookReference() {
        within(KernelChecks.attentionBackward(3, 17, 8, 0f, 12), 1e-4, "attention backward");
        within(KernelChecks.attentionBackward(3, 17, 8, 0.3f, 12), 1e-4, "attention backward with dropout");
    }

    /** The device draws the CPU's dropout masks bit for bit (1,000 elements: not a multiple of a work-group). */
    @Test
    void dropoutDrawsTheCpusMask() {
        assertEquals(0, KernelChecks.dropout(1000, 0.1f, 21), "elements that differ at rate 0.1");
        assertEquals(0, KernelChecks.dropout(1000, 0f, 21), "elements that differ at rate 0");
    }

    @Test
    void biasAndGradientClippingMatchPlainLoops() {
        within(KernelChecks.biasAndClip(37, 250, 13), 1e-4, "bias and clipping");   // 9,250 numbers: three chunks, the last partial
    }

    @Test
    void layerNormBackwardMatchesTheCpuKernel() {
        within(KernelChecks.layerNormBackward(11, 37, 8), 1e-4, "layernorm backward");
    }

    @Test
    void geluForwardAndBackwardMatchTheScalarReference() {
        within(KernelChecks.gelu(1000, 2), 1e-5, "gelu");
        within(KernelChecks.gelu(3, 3), 1e-5, "gelu, 3 elements");
    }

    @Test
    void adamWMatchesTheReference() {
        within(KernelChecks.adamW(777, 3), 1e-6, "adamw");
    }

    @Test
    void layerNormMatchesTheCpuKernel() {
        within(KernelChecks.layerNorm(13, 70, 4), 1e-4, "layernorm");
    }

    @Test
    void crossEntropyMatchesTheCpuKernel() {
        within(KernelChecks.crossEntropy(9, 301, 5), 1e-4, "cross-entropy");
    }
}
