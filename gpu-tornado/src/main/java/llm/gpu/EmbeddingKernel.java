package llm.gpu;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Token embedding lookup and its backward (Book §2.7; CPU reference {@code EmbeddingKernels.forward} and
 * {@code backwardScalar}). The backward is a scatter-add into the rows of the tokens that occurred, where two
 * positions with the same token would race; here each thread owns one channel and walks the positions in order,
 * so there are no races and the sums come out in the reference's order.
 */
public final class EmbeddingKernel {
    private EmbeddingKernel() {}

    /** {@code out[t][i] = weight[ids[t]][i]}, one thread per output number. */
    public static void forward(FloatArray weight, int wOff, IntArray ids, FloatArray out, int outOff, int n, int c) {
        for (@Parallel int x = 0; x < n * c; x++) {
            int t = x / c, i = x - t * c;
            out.set(outOff + x, weight.get(wOff + ids.get(t) * c + i));
        }
    }

    /** {@code dweight[ids[t]] += dout[t]} for t in order, one thread per channel. */
    public static void backward(FloatArray dout, int doutOff, IntArray ids, FloatArray dweight, int dwOff, int n, int c) {
        for (@Parallel int i = 0; i < c; i++) {
            for (int t = 0; t < n; t++) {
                int at = dwOff + ids.get(t) * c + i;
                dweight.set(at, dweight.get(at) + dout.get(doutOff + t * c + i));
            }
        }
    }
}
