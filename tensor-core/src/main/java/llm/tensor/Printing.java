package llm.tensor;

/** Prints an array the way PyTorch does, nested brackets with four decimals, eliding the middle of large ones. */
final class Printing {
    private static final int EDGE_ITEMS = 3;
    private static final int SUMMARY_THRESHOLD = 1000;

    private Printing() {}

    static String format(NDArray x) {
        StringBuilder sb = new StringBuilder("tensor(");
        int[] index = new int[x.rank()];
        append(sb, x, index, 0, x.numel() > SUMMARY_THRESHOLD, 7);
        return sb.append(", shape=").append(Shape.format(x.shape())).append(')').toString();
    }

    private static void append(StringBuilder sb, NDArray x, int[] index, int d, boolean summarise, int indent) {
        if (d == x.rank()) {
            sb.append(String.format("%.4f", x.get(index)));
            return;
        }
        int n = x.dim(d);
        sb.append('[');
        for (int i = 0; i < n; i++) {
            if (summarise && n > 2 * EDGE_ITEMS && i == EDGE_ITEMS) {
                sb.append("...");
                i = n - EDGE_ITEMS - 1;
                sb.append(d == x.rank() - 1 ? ", " : ",\n" + " ".repeat(indent + d + 1));
                continue;
            }
            index[d] = i;
            append(sb, x, index, d + 1, summarise, indent);
            if (i < n - 1) sb.append(d == x.rank() - 1 ? ", " : ",\n" + " ".repeat(indent + d + 1));
        }
        sb.append(']');
    }
}
