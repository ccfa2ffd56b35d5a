package llm.formats;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import llm.tensor.NDArray;

/**
 * A {@code .safetensors} file, memory-mapped and read one tensor at a time: the format in which Hugging Face
 * publishes GPT-2 and in which this project saves checkpoints.
 *
 * <p>The layout: 8 bytes, a little-endian unsigned length N; N bytes of UTF-8 JSON mapping each tensor name to
 * {@code {"dtype", "shape", "data_offsets": [begin, end]}} (offsets relative to the end of the header) plus an
 * optional {@code "__metadata__"} map of strings; then the raw little-endian tensor bytes.
 *
 * <p>Everything in the header is checked before any tensor is read, and every failure names the file and, where
 * there is one, the tensor: a header length beyond the file or above 100 MB, JSON that is not an object, an
 * unknown dtype, negative or overflowing shapes, byte ranges whose length disagrees with the shape, ranges that
 * leave the file, overlap or leave holes. So a truncated or corrupted file is an error, never an
 * out-of-memory or a partial load.
 *
 * <p>Mapping the file means that loading a model copies each tensor straight from the page cache into its
 * array: the peak memory is the model plus one page-cache copy the kernel can drop, not twice the model.
 */
public final class SafeTensorsFile implements TensorSource, AutoCloseable {
    /** Largest header accepted, as in the reference implementation. */
    public static final long MAX_HEADER_BYTES = 100L << 20;

    /** Element types this reader turns into float32. */
    public enum DType {
        F32(4), F16(2), BF16(2), F64(8);

        final int bytes;

        DType(int bytes) {
            this.bytes = bytes;
        }
    }

    /** What the header says about one tensor: element type, shape, and its bytes in the file. */
    public record Entry(String name, DType dtype, int[] shape, long begin, long end) {
        public long numel() {
            long n = 1;
            for (int d : shape) n *= d;
            return n;
        }
    }

    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64_LE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final Arena arena;
    private final MemorySegment data;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private SafeTensorsFile(Path path, Arena arena, MemorySegment data, Map<String, Entry> entries, Map<String, String> metadata) {
        this.path = path;
        this.arena = arena;
        this.data = data;
        this.entries = entries;
        this.metadata = metadata;
    }

    /** Opens and validates {@code path}; close it when done (the mapping is released then). */
    public static SafeTensorsFile open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) throw bad(path, "is " + size + " bytes long, shorter than the 8-byte header length");
            MemorySegment file = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long headerLength = file.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
            if (headerLength < 2 || headerLength > MAX_HEADER_BYTES) {
                throw bad(path, "declares a header of " + Long.toUnsignedString(headerLength) + " bytes (must be 2 to " + MAX_HEADER_BYTES + ")");
            }
            if (8 + headerLength > size) {
                throw bad(path, "declares a header of " + headerLength + " bytes but the file has only " + (size - 8) + " after the length");
            }
            byte[] headerBytes = file.asSlice(8, headerLength).toArray(ValueLayout.JAVA_BYTE);
            String json = new String(headerBytes, StandardCharsets.UTF_8);
            MemorySegment data = file.asSlice(8 + headerLength);
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, Entry> entries = parseHeader(path, json, data.byteSize(), metadata);
            return new SafeTensorsFile(path, arena, data, entries, metadata);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static Map<String, Entry> parseHeader(Path path, String json, long dataBytes, Map<String, String> metadata) {
        JsonObject root;
        try {
            JsonElement parsed = JsonParser.parseString(json);
            if (!parsed.isJsonObject()) throw bad(path, "has a header that is not a JSON object");
            root = parsed.getAsJsonObject();
        } catch (com.google.gson.JsonParseException e) {
            throw bad(path, "has a header that is not valid JSON (" + e.getMessage() + ")");
        }
        List<Entry> list = new ArrayList<>();
        for (var e : root.entrySet()) {
            String name = e.getKey();
            if (name.equals("__metadata__")) {
                if (!e.getValue().isJsonObject()) throw bad(path, "has a __metadata__ that is not an object");
                for (var m : e.getValue().getAsJsonObject().entrySet()) {
                    if (!m.getValue().isJsonPrimitive() || !m.getValue().getAsJsonPrimitive().isString()) {
                        throw bad(path, "has __metadata__ value '" + m.getKey() + "' that is not a string");
                    }
                    metadata.put(m.getKey(), m.getValue().getAsString());
                }
                continue;
            }
            try {
                list.add(parseEntry(path, name, e.getValue(), dataBytes));
            } catch (IllegalArgumentException ex) {
                throw ex;
            } catch (RuntimeException ex) { // a number where text belongs, or the reverse
                throw bad(path, "has a malformed header entry for tensor '" + name + "': " + e.getValue());
            }
        }
        // The byte ranges must tile the data area exactly: sorted by start, each begins where the last ended.
        list.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        for (Entry en : list) {
            if (en.begin() < expected) throw bad(path, "has tensor '" + en.name() + "' overlapping the previous tensor's bytes");
            if (en.begin() > expected) throw bad(path, "has a hole of " + (en.begin() - expected) + " bytes before tensor '" + en.name() + "'");
            expected = en.end();
        }
        if (expected != dataBytes) {
            throw bad(path, "has " + dataBytes + " bytes of tensor data but the header accounts for " + expected
                    + (expected > dataBytes ? " (the file is truncated)" : ""));
        }
        Map<String, Entry> byName = new LinkedHashMap<>();
        for (Entry en : list) byName.put(en.name(), en);
        Map<String, Entry> inHeaderOrder = new LinkedHashMap<>();
        for (String name : root.keySet()) if (byName.containsKey(name)) inHeaderOrder.put(name, byName.get(name));
        return Collections.unmodifiableMap(inHeaderOrder);
    }

    private static Entry parseEntry(Path path, String name, JsonElement value, long dataBytes) {
        String where = "tensor '" + name + "'";
        if (!value.isJsonObject()) throw bad(path, "has " + where + " whose header entry is not an object");
        JsonObject o = value.getAsJsonObject();
        DType dtype;
        try {
            if (!isString(o.get("dtype"))) throw new IllegalArgumentException("not a string");
            dtype = DType.valueOf(o.get("dtype").getAsString());
        } catch (RuntimeException e) {
            throw bad(path, "has " + where + " with dtype " + o.get("dtype") + " (readable: F32, F16, BF16, F64)");
        }
        JsonElement shapeJson = o.get("shape"), offsetsJson = o.get("data_offsets");
        if (shapeJson == null || !shapeJson.isJsonArray()) throw bad(path, "has " + where + " without a shape array");
        if (offsetsJson == null || !offsetsJson.isJsonArray() || offsetsJson.getAsJsonArray().size() != 2) {
            throw bad(path, "has " + where + " without data_offsets [begin, end]");
        }
        JsonArray shapeArray = shapeJson.getAsJsonArray();
        int[] shape = new int[shapeArray.size()];
        long numel = 1;
        for (int d = 0; d < shape.length; d++) {
            long size = integer(path, where, "shape", shapeArray.get(d));
            if (size < 0 || size > Integer.MAX_VALUE) throw bad(path, "has " + where + " with dimension " + d + " of size " + size);
            shape[d] = (int) size;
            try {
                numel = Math.multiplyExact(numel, size);
            } catch (ArithmeticException e) {
                throw bad(path, "has " + where + " whose shape " + shapeArray + " overflows");
            }
        }
        long begin = integer(path, where, "data_offsets", offsetsJson.getAsJsonArray().get(0));
        long end = integer(path, where, "data_offsets", offsetsJson.getAsJsonArray().get(1));
        if (begin < 0 || end < begin) throw bad(path, "has " + where + " with data_offsets [" + begin + ", " + end + "]");
        if (end > dataBytes) throw bad(path, "has " + where + " ending at byte " + end + " of a data area of " + dataBytes + " bytes (truncated file?)");
        if (end - begin != numel * dtype.bytes) {
            throw bad(path, "has " + where + " of shape " + shapeArray + " and dtype " + dtype + " (" + numel * dtype.bytes
                    + " bytes) but data_offsets span " + (end - begin) + " bytes");
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private static boolean isString(JsonElement e) {
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString();
    }

    /**
     * A JSON integer, as the format requires: Gson would also read {@code "3"}, {@code [3]} and {@code 3.7} as 3, which
     * the reference implementation rejects, and so does this reader.
     */
    private static long integer(Path path, String where, String field, JsonElement e) {
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw bad(path, "has " + where + " whose " + field + " holds " + e + ", not an integer");
        }
        java.math.BigDecimal v = e.getAsJsonPrimitive().getAsBigDecimal();
        try {
            return v.longValueExact();
        } catch (ArithmeticException x) {
            throw bad(path, "has " + where + " whose " + field + " holds " + e + ", not an integer");
        }
    }

    private static IllegalArgumentException bad(Path path, String what) {
        return new IllegalArgumentException("safetensors file " + path + " " + what);
    }

    public Path path() {
        return path;
    }

    @Override
    public String describe() {
        return "safetensors file " + path;
    }

    /** Tensor names in header order. */
    @Override
    public List<String> names() {
        return List.copyOf(entries.keySet());
    }

    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    /** The header entry of {@code name}; an error naming the file and the tensor when it is absent. */
    public Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) throw new IllegalArgumentException("safetensors file " + path + " has no tensor '" + name + "'");
        return e;
    }

    /** The {@code __metadata__} strings (empty when the file has none). */
    public Map<String, String> metadata() {
        return Collections.unmodifiableMap(metadata);
    }

    /** Reads tensor {@code name} into a new float32 array, converting F16, BF16 and F64. */
    @Override
    public NDArray read(String name) {
        Entry e = entry(name);
        if (e.numel() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("safetensors file " + path + ": tensor '" + name + "' has " + e.numel() + " elements, more than one array holds");
        }
        int n = (int) e.numel();
        float[] out = new float[n];
        switch (e.dtype()) {
            case F32 -> MemorySegment.copy(data, F32_LE, e.begin(), out, 0, n);
            case F64 -> {
                for (int i = 0; i < n; i++) out[i] = (float) data.get(F64_LE, e.begin() + 8L * i);
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) out[i] = Float.intBitsToFloat((data.get(I16_LE, e.begin() + 2L * i) & 0xFFFF) << 16);
            }
            case F16 -> {
                for (int i = 0; i < n; i++) out[i] = Float.float16ToFloat(data.get(I16_LE, e.begin() + 2L * i));
            }
        }
        return NDArray.of(out, e.shape());
    }

    /** Reads every tensor (for small files; a model loader reads one at a time instead). */
    public Map<String, NDArray> readAll() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (String name : entries.keySet()) out.put(name, read(name));
        return out;
    }

    @Override
    public void close() {
        arena.close();
    }
}
