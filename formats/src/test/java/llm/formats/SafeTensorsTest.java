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

class SafeTensorsTest {
    @TempDir
    Path tmp;

    @Test
    void roundTripWithMetadata() throws IOException {
        SeededRandom rng = new SeededRandom(1);
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("a", NDArray.randn(rng, 3, 5));
        tensors.put("b.view", NDArray.randn(rng, 4, 6).transpose(0, 1)); // a non-contiguous view is written row-major
        tensors.put("scalar", NDArray.scalar(2.5f));
        Path f = tmp.resolve("x.safetensors");
        SafeTensorsWriter.write(f, tensors, Map.of("step", "7"));
        assertEquals(0, (Files.size(f) - 8 - headerLength(f)) % 4);
        assertEquals(0, (8 + headerLength(f)) % 8, "data starts 8-byte aligned");
        try (SafeTensorsFile r = SafeTensorsFile.open(f)) {
            assertEquals(java.util.List.of("a", "b.view", "scalar"), r.names());
            assertEquals("7", r.metadata().get("step"));
            for (var e : tensors.entrySet()) {
                NDArray got = r.read(e.getKey());
                assertArrayEquals(e.getValue().shape(), got.shape());
                assertArrayEquals(e.getValue().toArray(), got.toArray());
            }
        }
        try (var files = Files.list(tmp)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void aWriteThatDiesHalfwayLeavesThePreviousFile() throws IOException {
        Path f = tmp.resolve("checkpoint.safetensors");
        SafeTensorsWriter.write(f, Map.of("w", NDArray.full(1f, 1000)), Map.of("step", "1"));
        byte[] before = Files.readAllBytes(f);
        // A map whose second tensor cannot be produced: the writer fails after the header and the first tensor
        // have gone to the temporary file, as a process killed mid-save would.
        Map<String, NDArray> failing = new LinkedHashMap<>() {
            @Override
            public java.util.Collection<NDArray> values() {
                java.util.List<NDArray> v = new java.util.ArrayList<>(super.values());
                return new java.util.AbstractList<NDArray>() {
                    @Override
                    public NDArray get(int i) {
                        if (i == 1) throw new IllegalStateException("killed while saving");
                        return v.get(i);
                    }

                    @Override
                    public int size() {
                        return v.size();
                    }
                };
            }
        };
        failing.put("w", NDArray.full(2f, 1000));
        failing.put("v", NDArray.full(3f, 1000));
        assertThrows(IllegalStateException.class, () -> SafeTensorsWriter.write(f, failing, Map.of("step", "2")));
        assertArrayEquals(before, Files.readAllBytes(f), "the previous checkpoint is untouched");
        try (var files = Files.list(tmp)) {
            assertEquals(1, files.count(), "the temporary file is removed");
        }
        try (SafeTensorsFile r = SafeTensorsFile.open(f)) {
            assertEquals("1", r.metadata().get("step"));
        }
    }

    @Test
    void readsHalfAndBfloat16() throws IOException {
        float[] values = {1f, -2.5f, 0.099975586f};
        ByteBuffer f16 = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN), bf16 = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            f16.putShort(Float.floatToFloat16(v));
            bf16.putShort((short) (Float.floatToIntBits(v) >>> 16));
        }
        Path f = HostileSafeTensorsTest.raw(tmp.resolve("halves.safetensors"), "{\"h\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,6]},\"b\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[6,12]}}",
                HostileSafeTensorsTest.concat(f16.array(), bf16.array()));
        try (SafeTensorsFile r = SafeTensorsFile.open(f)) {
            assertArrayEquals(values, r.read("h").toArray(), 1e-3f);
            assertArrayEquals(new float[] {1f, -2.5f, Float.intBitsToFloat(Float.floatToIntBits(0.099975586f) & 0xFFFF0000)}, r.read("b").toArray());
        }
    }

    private static long headerLength(Path f) throws IOException {
        byte[] b = Arrays.copyOf(Files.readAllBytes(f), 8);
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
