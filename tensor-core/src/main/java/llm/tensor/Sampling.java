package llm.tensor;

/**
 * Picking tokens: {@code topk} and {@code multinomial} sampling (Book §5.3, decoding strategies).
 */
public final class Sampling {
    private Sampling() {}

    static TopK topk(NDArray x, int k, int dim) {
        int d = Shape.dim(dim, x.rank(), "topk");
        int n = x.dim(d);
        if (k < 0 || k > n) throw new IllegalArgumentException("topk: k=" + k + " but dimension " + dim + " has size " + n);
        int last = x.rank() - 1;
        NDArray rows = (d == last ? x : x.transpose(d, last)).contiguous();
        int count = n == 0 ? 0 : rows.numel() / n;
        float[] values = new float[count * k];
        int[] indices = new int[count * k];
        for (int r = 0; r < count; r++) topkRow(rows.storage(), rows.offset() + r * n, n, k, values, indices, r * k);
        int[] shape = rows.shape();
        shape[last] = k;
        NDArray v = NDArray.of(values, shape);
        IntNDArray i = IntNDArray.of(indices, shape);
        if (d != last) {
            v = v.transpose(d, last).contiguous();
            i = transposeInts(i, shape, d, last);
        }
        return new TopK(v, i);
    }

    /**
     * The k largest of one row, largest first (on ties the lower index first). A min-heap of the best k
     * seen so far makes this O(n log k), which matters when a row is a 50,257-token vocabulary.
     */
    static void topkRow(float[] x, int xo, int n, int k, float[] values, int[] indices, int out) {
        if (k == 0) return;
        int[] heap = new int[k]; // indices; heap[0] is the worst of the kept ones
        int size = 0;
        for (int i = 0; i < n; i++) {
            if (size < k) {
                heap[size] = i;
                siftUp(x, xo, heap, size++);
            } else if (better(x, xo, i, heap[0])) {
                heap[0] = i;
                siftDown(x, xo, heap, size);
            }
        }
        for (int pos = k - 1; pos >= 0; pos--) { // pop the worst into the last place each time
            indices[out + pos] = heap[0];
            values[out + pos] = x[xo + heap[0]];
            heap[0] = heap[--size];
            siftDown(x, xo, heap, size);
        }
    }

    /** Is element i ranked above element j: larger, or equal with a lower index. */
    private static boolean better(float[] x, int xo, int i, int j) {
        float a = x[xo + i], b = x[xo + j];
        return a > b || (a == b && i < j);
    }

    private static void siftUp(float[] x, int xo, int[] heap, int pos) {
        while (pos > 0) {
            int parent = (pos - 1) / 2;
            if (!better(x, xo, heap[parent], heap[pos])) break;
            int t = heap[parent]; heap[parent] = heap[pos]; heap[pos] = t;
            pos = parent;
        }
    }

    private static void siftDown(float[] x, int xo, int[] heap, int size) {
        int pos = 0;
        while (true) {
            int l = 2 * pos + 1, r = l + 1, worst = pos;
            if (l < size && better(x, xo, heap[worst], heap[l])) worst = l;
            if (r < size && better(x, xo, heap[worst], heap[r])) worst = r;
            if (worst == pos) return;
            int t = heap[worst]; heap[worst] = heap[pos]; heap[pos] = t;
            pos = worst;
        }
    }

    /** Swaps dimensions {@code d0} and {@code d1} of a contiguous int array (exactly: no detour through floats). */
    private static IntNDArray transposeInts(IntNDArray a, int[] shape, int d0, int d1) {
        int[] outShape = shape.clone();
        outShape[d0] = shape[d1];
        outShape[d1] = shape[d0];
        int[] inStrides = Shape.contiguousStrides(shape);
        int[] src = a.storage(), out = new int[src.length];
        int[] idx = new int[outShape.length];
        for (int o = 0; o < out.length; o++) {
            int p = 0;
            for (int d = 0; d < idx.length; d++) {
                int sd = d == d0 ? d1 : d == d1 ? d0 : d; // output dimension d is input dimension sd
                p += idx[d] * inStrides[sd];
            }
            out[o] = src[p];
            for (int d = idx.length - 1; d >= 0; d--) {
                if (++idx[d] < outShape[d]) break;
                idx[d] = 0;
            }
        }
        return IntNDArray.of(out, outShape);
    }

    /**
     * Draws {@code samples} indices from each row of non-negative weights {@code probs (rows, n)} (they need not
     * sum to 1), with replacement, like {@code torch.multinomial(probs, samples, replacement=True)}.
     */
    public static IntNDArray multinomial(NDArray probs, int samples, SeededRandom rng) {
        NDArray p = probs.rank() == 1 ? probs.unsqueeze(0) : probs;
        if (p.rank() != 2) throw new IllegalArgumentException("multinomial: probs must be 1-D or 2-D, got " + Shape.format(probs.shape()));
        p = p.contiguous();
        int rows = p.dim(0), n = p.dim(1);
        float[] d = p.storage();
        int[] out = new int[rows * samples];
        for (int r = 0; r < rows; r++) {
            int base = p.offset() + r * n;
            double total = 0;
            for (int i = 0; i < n; i++) {
                float w = d[base + i];
                if (!(w >= 0) || Float.isInfinite(w)) throw new IllegalArgumentException("multinomial: weight " + w + " at row " + r + ", column " + i + " is not a finite non-negative number");
                total += w;
            }
            if (total <= 0) throw new IllegalArgumentException("multinomial: row " + r + " has no positive weight");
            for (int s = 0; s < samples; s++) {
                double u = rng.nextDouble() * total;
                int chosen = n - 1;
                double run = 0;
                for (int i = 0; i < n; i++) {
                    run += d[base + i];
                    if (u < run) { chosen = i; break; }
                }
                while (d[base + chosen] == 0f) chosen--; // rounding at the very end must not pick a zero weight
                out[r * samples + s] = chosen;
            }
        }
        return probs.rank() == 1 ? IntNDArray.of(out, samples) : IntNDArray.of(out, rows, samples);
    }
}
