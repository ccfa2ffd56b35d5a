package llm.formats;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import llm.tensor.NDArray;
import llm.formats.RestrictedUnpickler.StorageRef;
import llm.formats.RestrictedUnpickler.TensorRef;

/**
 * Reads the tensors of a PyTorch checkpoint written by {@code torch.save} ({@code .pth}, {@code .pt}, {@code
 * .bin}: a zip holding {@code <name>/data.pkl} and one file per storage in {@code <name>/data/}), such as the
 * book's {@code torch.save(model.state_dict(), "model.pth")} or Hugging Face's {@code pytorch_model.bin}.
 *
 * <p>The pickle is read by {@link RestrictedUnpickler}, which runs no code from the file. A dictionary that
 * wraps the state dictionary under {@code model_state_dict}, {@code state_dict} or {@code model} (the book's
 * {@code model_and_optimizer.pth}) is unwrapped. Entries that are not tensors are skipped. Storages of F32, F16,
 * BF16 and F64 become float32; views (offset, strides, a tensor sharing another's storage) are honoured and
 * checked against the storage's size.
 */
public final class TorchCheckpoint {
    private TorchCheckpoint() {}

    /** The named float tensors of the checkpoint at {@code path}. */
    public static Map<String, NDArray> read(Path path) throws IOException {
        try (ZipFile zip = new ZipFile(path.toFile())) {
            String prefix = null;
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                String name = en.nextElement().getName();
                if (name.endsWith("data.pkl") && (name.equals("data.pkl") || name.endsWith("/data.pkl"))) {
                    prefix = name.substring(0, name.length() - "data.pkl".length());
                    break;
                }
            }
            if (prefix == null) throw new IllegalArgumentException("PyTorch checkpoint " + path + " has no data.pkl (is it a torch.save zip file?)");
            ZipEntry order = zip.getEntry(prefix + "byteorder");
            if (order != null && !new String(bytes(zip, order, path), StandardCharsets.US_ASCII).trim().equals("little")) {
                throw new IllegalArgumentException("PyTorch checkpoint " + path + " is big-endian; only little-endian files are read");
            }
            Object root = RestrictedUnpickler.load(bytes(zip, zip.getEntry(prefix + "data.pkl"), path), path.toString());
            Map<?, ?> state = unwrap(root, path);
            Map<String, float[]> storages = new HashMap<>();
            Map<String, NDArray> out = new LinkedHashMap<>();
            for (var e : state.entrySet()) {
                if (!(e.getKey() instanceof String name) || !(e.getValue() instanceof TensorRef t)) continue;
                float[] storage = storages.get(t.storage().key());
                if (storage == null) {
                    storage = readStorage(zip, prefix, t.storage(), name, path);
                    storages.put(t.storage().key(), storage);
                }
                out.put(name, materialise(storage, t, name, path));
            }
            if (out.isEmpty()) throw new IllegalArgumentException("PyTorch checkpoint " + path + " holds no tensors");
            return out;
        } catch (java.util.zip.ZipException e) {
            throw new IllegalArgumentException("PyTorch checkpoint " + path + " is not a readable zip file (" + e.getMessage() + ")");
        }
    }

    private static Map<?, ?> unwrap(Object root, Path path) {
        if (!(root instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("PyTorch checkpoint " + path + " holds a " + RestrictedUnpickler.typeName(root) + ", not a dictionary of tensors");
        }
        for (String key : new String[] {"model_state_dict", "state_dict", "model"}) {
            if (map.get(key) instanceof Map<?, ?> inner) return inner;
        }
        return map;
    }

    private static float[] readStorage(ZipFile zip, String prefix, StorageRef s, String tensor, Path path) throws IOException {
        if (s.key().contains("..") || s.key().contains("/")) throw new IllegalArgumentException("PyTorch checkpoint " + path + ": storage key '" + s.key() + "' is not a plain name");
        ZipEntry entry = zip.getEntry(prefix + "data/" + s.key());
        if (entry == null) throw new IllegalArgumentException("PyTorch checkpoint " + path + ": storage " + s.key() + " of tensor '" + tensor + "' is missing");
        int width = switch (s.dtype()) {
            case "FloatStorage" -> 4;
            case "HalfStorage", "BFloat16Storage" -> 2;
            case "DoubleStorage" -> 8;
            default -> throw new IllegalArgumentException("PyTorch checkpoint " + path + ": tensor '" + tensor + "' is a " + s.dtype() + ", not floating point");
        };
        if (s.numel() < 0 || s.numel() * width > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("PyTorch checkpoint " + path + ": storage of tensor '" + tensor + "' has " + s.numel() + " elements, too many for one array");
        }
        // torch.save stores entries uncompressed, so a storage cannot be larger than the file; checked before
        // anything is allocated, so that a small hostile file cannot ask for gigabytes
        long fileBytes = java.nio.file.Files.size(path);
        if (s.numel() * width > fileBytes) {
            throw new IllegalArgumentException("PyTorch checkpoint " + path + ": storage of tensor '" + tensor + "' declares " + s.numel() * width
                    + " bytes, more than the whole file (" + fileBytes + " bytes)");
        }
        byte[] raw;
        try (InputStream in = zip.getInputStream(entry)) {
            raw = in.readNBytes((int) (s.numel() * width));   // never more than the pickle declared
        }
        if (raw.length < s.numel() * width) {
            throw new IllegalArgumentException("PyTorch checkpoint " + path + ": storage of tensor '" + tensor + "' has " + raw.length
                    + " bytes, the pickle says " + s.numel() + " elements of " + width + " bytes (truncated?)");
        }
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) s.numel();
        float[] out = new float[n];
        switch (s.dtype()) {
            case "FloatStorage" -> b.asFloatBuffer().get(out);
            case "DoubleStorage" -> { for (int i = 0; i < n; i++) out[i] = (float) b.getDouble(8 * i); }
            case "HalfStorage" -> { for (int i = 0; i < n; i++) out[i] = Float.float16ToFloat(b.getShort(2 * i)); }
            default -> { for (int i = 0; i < n; i++) out[i] = Float.intBitsToFloat((b.getShort(2 * i) & 0xFFFF) << 16); }
        }
        return out;
    }

    /** Copies the strided view {@code t} of {@code storage} into a new row-major array, checking its bounds. */
    private static NDArray materialise(float[] storage, TensorRef t, String name, Path path) {
        long numel = 1, last = t.offset();
        for (int d = 0; d < t.shape().length; d++) {
            if (t.stride()[d] < 0) throw new IllegalArgumentException("PyTorch checkpoint " + path + ": tensor '" + name + "' has a negative stride");
            try {   // exact: a huge stride or shape must not wrap around and pass the bounds checks below
                numel = Math.multiplyExact(numel, t.shape()[d]);
                if (t.shape()[d] > 0) last = Math.addExact(last, Math.multiplyExact(t.shape()[d] - 1L, t.stride()[d]));
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("PyTorch checkpoint " + path + ": tensor '" + name + "' has shape " + java.util.Arrays.toString(t.shape())
                        + " and strides " + java.util.Arrays.toString(t.stride()) + ", which overflow");
            }
        }
        if (numel > storage.length) {
            // a view with stride 0 can show one stored number as 40,000 x 40,000; state dicts hold no such views
            throw new IllegalArgumentException("PyTorch checkpoint " + path + ": tensor '" + name + "' has " + numel
                    + " elements, more than its storage's " + storage.length + " (expanded views are not read)");
        }
        float[] out = new float[(int) numel];
        if (numel == 0) return NDArray.of(out, t.shape());
        if (t.offset() < 0 || last >= storage.length) {
            throw new IllegalArgumentException("PyTorch checkpoint " + path + ": tensor '" + name + "' reaches element " + last
                    + " of a storage of " + storage.length);
        }
        int rank = t.shape().length;
        int[] index = new int[rank];
        for (int i = 0; i < out.length; i++) {
            long at = t.offset();
            for (int d = 0; d < rank; d++) at += index[d] * t.stride()[d];
            out[i] = storage[(int) at];
            for (int d = rank - 1; d >= 0; d--) {
                if (++index[d] < t.shape()[d]) break;
                index[d] = 0;
            }
        }
        return NDArray.of(out, t.shape());
    }

    /** The largest {@code data.pkl} read: GPT-2 XL's is under a megabyte; a zip entry can claim anything. */
    static final int MAX_PICKLE_BYTES = 64 << 20;

    private static byte[] bytes(ZipFile zip, ZipEntry entry, Path path) throws IOException {
        if (entry == null) throw new IllegalArgumentException("PyTorch checkpoint " + path + " lacks an expected entry");
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] b = in.readNBytes(MAX_PICKLE_BYTES + 1);
            if (b.length > MAX_PICKLE_BYTES) {
                throw new IllegalArgumentException("PyTorch checkpoint " + path + ": entry " + entry.getName() + " is larger than " + (MAX_PICKLE_BYTES >> 20) + " MB");
            }
            return b;
        }
    }
}
