package llm.gpu;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import llm.gpt.GPTModel;
import llm.tensor.Int8Rows;
import llm.tensor.NDArray;
import llm.tensor.WeightFormat;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.types.HalfFloat;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.HalfFloatArray;
import uk.ac.manchester.tornado.api.types.arrays.TornadoNativeArray;

/**
 * The matrices {@link GpuGptDecoder} reads for every token, in the format of {@code --weights}: at batch 1 a token's
 * time is the time to read them, so fewer bytes per weight is the lever, as on the CPU ({@code MatVecDecoder}).
 * Everything else (LayerNorm, biases, embeddings, the cache) stays in the fp32 parameters.
 * <ul>
 *   <li>{@code fp32}: the packed parameters themselves ({@link DecodeKernels#matVec}).</li>
 *   <li>{@code fp16}: a copy in 16-bit floats, rounded to nearest even ({@link DecodeKernels#matVecHalf}); half the
 *       bytes. It needs a device with 16-bit floats (NVIDIA's OpenCL and PTX have them; PoCL's CPU device does not,
 *       and refuses to build the kernel).</li>
 *   <li>{@code int8}: bytes and a scale per row, quantised by the CPU's own rule ({@code WeightFormat.INT8}, that is
 *       {@link Int8Rows}), so the device computes what {@code MatVecDecoder} computes with int8
 *       ({@link DecodeKernels#matVecInt8}); a quarter of the bytes, on every backend.</li>
 * </ul>
 */
abstract class DeviceWeights {
    /** The formats, the default first. */
    static final List<String> FORMATS = List.of("fp32", "fp16", "int8");
    /** The name {@link #matVec} takes for the output head, tied or not. */
    static final String HEAD = "out_head.weight";

    final FloatArray params;
    final PackedParameters layout;

    private DeviceWeights(FloatArray params, PackedParameters layout) {
        this.params = params;
        this.layout = layout;
    }

    /** {@code model}'s matrices in {@code format} (one of {@link #FORMATS}), beside its packed fp32 parameters. */
    static DeviceWeights of(String format, GPTModel model, PackedParameters layout, FloatArray params) {
        return switch (format) {
            case "fp32" -> new Fp32(params, layout);
            case "fp16" -> new Fp16(params, layout);
            case "int8" -> new Int8(params, layout, model);
            default -> throw new IllegalArgumentException("--weights on the device: " + String.join(", ", FORMATS) + "; got '" + format + "'");
        };
    }

    /** The arrays to keep on the device: the parameters, and the copy of the matrices when there is one. */
    abstract TornadoNativeArray[] arrays();

    /** Adds task {@code name}: {@code ys[y..y+n) = W · xs[x..x+k)} for matrix {@code matrix}, {@code (n, k)}. */
    abstract void matVec(TaskGraph g, String name, String matrix, FloatArray xs, int x, FloatArray ys, int y, int n, int k);

    /** Where matrix {@code name} starts in the packed parameters; the head is GPT-2's tied embedding when tied. */
    int at(String name) {
        return name.equals(HEAD) ? layout.head() : layout.at(name);
    }

    private static final class Fp32 extends DeviceWeights {
        Fp32(FloatArray params, PackedParameters layout) {
            super(params, layout);
        }

        @Override
        TornadoNativeArray[] arrays() {
            return new TornadoNativeArray[] {params};
        }

        @Override
        void matVec(TaskGraph g, String name, String matrix, FloatArray xs, int x, FloatArray ys, int y, int n, int k) {
            g.task(name, DecodeKernels::matVec, xs, x, params, at(matrix), ys, y, n, k);
        }
    }

    private static final class Fp16 extends DeviceWeights {
        private final HalfFloatArray half;

        Fp16(FloatArray params, PackedParameters layout) {
            super(params, layout);
            // every packed number, so the offsets are the parameters' own (the copy holds the few vectors too)
            half = new HalfFloatArray(params.getSize());
            for (int i = 0; i < params.getSize(); i++) half.set(i, new HalfFloat(params.get(i)));
        }

        @Override
        TornadoNativeArray[] arrays() {
            return new TornadoNativeArray[] {params, half};
        }

        @Override
        void matVec(TaskGraph g, String name, String matrix, FloatArray xs, int x, FloatArray ys, int y, int n, int k) {
            g.task(name, DecodeKernels::matVecHalf, xs, x, half, at(matrix), ys, y, n, k);
        }
    }

    private static final class Int8 extends DeviceWeights {
        private final ByteArray bytes;
        private final FloatArray scales;
        private final Map<String, int[]> where = new HashMap<>();   // matrix -> {first byte, first scale}

        Int8(FloatArray params, PackedParameters layout, GPTModel model) {
            super(params, layout);
            Map<String, NDArray> matrices = new LinkedHashMap<>();
            Map<String, NDArray> state = model.stateDict();
            for (int l = 0; l < model.config().nLayers(); l++) {
                for (String m : BLOCK_MATRICES) matrices.put("trf_blocks." + l + "." + m, state.get("trf_blocks." + l + "." + m));
            }
            matrices.put(HEAD, model.outHead().weight.data());
            long byteCount = 0, rowCount = 0;
            for (NDArray m : matrices.values()) {
                byteCount += (long) m.dim(0) * m.dim(1);
                rowCount += m.dim(0);
            }
            if (byteCount > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("int8 weights of " + byteCount + " bytes do not fit one device array");
            bytes = new ByteArray((int) byteCount);
            scales = new FloatArray((int) rowCount);
            int b = 0, s = 0;
            for (var e : matrices.entrySet()) {
                NDArray m = e.getValue().contiguous();
                int rows = m.dim(0), cols = m.dim(1);
                Int8Rows q = (Int8Rows) WeightFormat.INT8.store(m.storage(), m.offset(), rows, cols);
                where.put(e.getKey(), new int[] {b, s});
                for (int r = 0; r < rows; r++) {
                    scales.set(s + r, q.scale(r));
                    for (int i = 0; i < cols; i++) bytes.set(b + r * cols + i, q.quantized(r, i));
                }
                b += rows * cols;
                s += rows;
            }
        }

        @Override
        TornadoNativeArray[] arrays() {
            return new TornadoNativeArray[] {params, bytes, scales};
        }

        @Override
        void matVec(TaskGraph g, String name, String matrix, FloatArray xs, int x, FloatArray ys, int y, int n, int k) {
            int[] at = where.get(matrix);
            if (at == null) throw new IllegalArgumentException("no int8 copy of matrix '" + matrix + "'");
            g.task(name, DecodeKernels::matVecInt8, xs, x, bytes, at[0], scales, at[1], ys, y, n, k);
        }
    }

    /** The matrices of a block the decoder reads, as the state dictionary names them. */
    static final List<String> BLOCK_MATRICES = List.of("att.W_query.weight", "att.W_key.weight", "att.W_value.weight", "att.out_proj.weight",
            "ff.layers.0.weight", "ff.layers.2.weight");
}
