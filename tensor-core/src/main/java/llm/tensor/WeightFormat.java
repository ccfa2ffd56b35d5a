package llm.tensor;

import java.util.Locale;

/**
 * How a weight matrix is stored for generation's matrix-vector products: 32-bit floats, bfloat16 (the top half of a
 * float: its sign, exponent and 7 mantissa bits) or int8 with one float scale per row. Generating a token at batch 1
 * reads every weight once and does two flops with it, so its speed is memory bandwidth over bytes per weight: bf16
 * halves the bytes, int8 quarters them. The arithmetic stays in float: each weight is widened as it is read.
 */
public enum WeightFormat {
    FP32, BF16, INT8;

    /**
     * The {@code (rows, cols)} row-major matrix at {@code data[offset ..]} in this format: FP32 reads {@code data} in
     * place, BF16 rounds each weight to nearest-even, INT8 rounds {@code w / scale} with {@code scale = max|row| / 127}.
     */
    public RowMatrix store(float[] data, int offset, int rows, int cols) {
        if (rows < 1 || cols < 1) throw new IllegalArgumentException("WeightFormat.store: shape must be positive, got (" + rows + ", " + cols + ")");
        if (offset < 0 || offset + (long) rows * cols > data.length) {
            throw new IllegalArgumentException("WeightFormat.store: (" + rows + ", " + cols + ") at offset " + offset + " exceeds an array of " + data.length);
        }
        return switch (this) {
            case FP32 -> new F32Rows(data, offset, rows, cols);
            case BF16 -> Bf16Rows.quantize(data, offset, rows, cols);
            case INT8 -> Int8Rows.quantize(data, offset, rows, cols);
        };
    }

    /** {@code fp32}, {@code bf16} or {@code int8} (any case); an unknown name is an error that lists them. */
    public static WeightFormat parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "fp32", "f32", "float32" -> FP32;
            case "bf16", "bfloat16" -> BF16;
            case "int8", "i8", "q8" -> INT8;
            default -> throw new IllegalArgumentException("unknown weight format '" + name + "': use fp32, bf16 or int8");
        };
    }

    /** The name {@link #parse} reads: {@code fp32}, {@code bf16}, {@code int8}. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
