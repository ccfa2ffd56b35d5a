package llm.formats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import llm.tensor.NDArray;
import llm.tensor.SeededRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged and hostile safetensors files (issue 17, item 12 and the audit's safetensors category): each is one error
 * naming the file, before any large allocation; shapes and offsets must be plain JSON integers, as the reference
 * library requires.
 */
class HostileSafeTensorsTest {
    @TempDir
    Path tmp;

    @Test
    void damagedFilesAreClearErrors() throws IOException {
        byte[] eight = new byte[8];
        String ok = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        expectError(raw(ok, new byte[4]), "truncated");                                            // data cut short
        expectError(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", eight), "'w'"); // shape vs bytes
        expectError(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", eight), "'w'"); // offsets past the end
        expectError(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", eight), "hole");
        expectError(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"v\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", eight), "overlapping");
        expectError(raw("{\"w\":{\"dtype\":\"I8\",\"shape\":[8],\"data_offsets\":[0,8]}}", eight), "dtype");
        expectError(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,8]}}", eight), "'w'");
        expectError(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", eight), "'w'");
        expectError(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":\"two\",\"data_offsets\":[0,8]}}", eight), "'w'");
        // the reference library rejects these; Gson alone would read each as 2 or 8
        expectError(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]}}", eight), "not an integer");
        expectError(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[[2]],\"data_offsets\":[0,8]}}", eight), "not an integer");
        expectError(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", eight), "not an integer");
        expectError(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[\"0\",8]}}", eight), "not an integer");
        expectError(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,[8]]}}", eight), "not an integer");
        expectError(raw("{\"w\":{\"dtype\":[\"F32\"],\"shape\":[2],\"data_offsets\":[0,8]}}", eight), "dtype");
        expectError(raw("[1, 2]", eight), "not a JSON object");
        expectError(raw("{not json", eight), "not valid JSON");
        // a header length of 2^62 must be refused, not allocated
        Path huge = tmp.resolve("huge.safetensors");
        Files.write(huge, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 62).array());
        expectError(huge, "header of");
        Path tiny = tmp.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 2, 3});
        expectError(tiny, "shorter than");
    }

    private void expectError(Path f, String fragment) {
        var e = assertThrows(IllegalArgumentException.class, () -> SafeTensorsFile.open(f).close());
        assertTrue(e.getMessage().contains(fragment) && e.getMessage().contains(f.toString()), e.getMessage());
    }

    private int counter;

    private Path raw(String header, byte[] data) throws IOException {
        return raw(tmp.resolve("f" + counter++ + ".safetensors"), header, data);
    }

    /** Writes a safetensors file by hand: the header's length, the header, the data. */
    static Path raw(Path f, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        Files.write(f, concat(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array(), h, data));
        return f;
    }

    static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }
}
