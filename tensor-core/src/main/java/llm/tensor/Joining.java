package llm.tensor;

import java.util.ArrayList;
import java.util.List;

/** Concatenation, stacking and splitting along a dimension ({@code torch.cat}, {@code torch.stack}, {@code torch.split}). */
final class Joining {
    private Joining() {}

    static NDArray concat(List<NDArray> parts, int dim) {
        if (parts.isEmpty()) throw new IllegalArgumentException("concat: no arrays given");
        int[] first = parts.get(0).shape();
        int d = Shape.dim(dim, first.length, "concat");
        int total = 0;
        for (int p = 0; p < parts.size(); p++) {
            int[] s = parts.get(p).shape();
            boolean ok = s.length == first.length;
            for (int i = 0; ok && i < s.length; i++) ok = i == d || s[i] == first[i];
            if (!ok) {
                throw new IllegalArgumentException("concat: array " + p + " has shape " + Shape.format(s)
                        + ", array 0 has " + Shape.format(first) + "; all sizes but dimension " + dim + " must match");
            }
            total += s[d];
        }
        int[] outShape = first.clone();
        outShape[d] = total;
        int outer = Reductions.prefix(outShape, d), inner = Reductions.suffix(outShape, d);
        float[] out = new float[Shape.numel(outShape)];
        int at = 0;
        for (NDArray part : parts) {
            NDArray c = part.contiguous();
            int len = c.dim(d) * inner;
            for (int o = 0; o < outer; o++) {
                System.arraycopy(c.storage(), c.offset() + o * len, out, o * total * inner + at, len);
            }
            at += len;
        }
        return NDArray.of(out, outShape);
    }

    static NDArray stack(List<NDArray> parts, int dim) {
        if (parts.isEmpty()) throw new IllegalArgumentException("stack: no arrays given");
        int d = Shape.dim(dim, parts.get(0).rank() + 1, "stack");
        List<NDArray> lifted = new ArrayList<>();
        for (NDArray p : parts) lifted.add(p.unsqueeze(d));
        return concat(lifted, d);
    }

    static List<NDArray> split(NDArray x, int size, int dim) {
        if (size <= 0) throw new IllegalArgumentException("split: size must be positive, got " + size);
        int d = Shape.dim(dim, x.rank(), "split");
        List<NDArray> out = new ArrayList<>();
        for (int start = 0; start < x.dim(d); start += size) out.add(x.narrow(d, start, Math.min(size, x.dim(d) - start)));
        return out;
    }
}
