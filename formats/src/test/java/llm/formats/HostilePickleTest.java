package llm.formats;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tiny hostile PyTorch checkpoints, crafted opcode by opcode: each must end in one clear error naming the file,
 * quickly, without a stack overflow, a hang or an allocation of gigabytes.
 */
class HostilePickleTest {
    @TempDir
    Path tmp;

    /** Pickle opcodes, written by hand. */
    static final class Pickle {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pickle op(int... bytes) {
            for (int b : bytes) out.write(b);
            return this;
        }

        Pickle str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op('X', b.length, 0, 0, 0);
            out.writeBytes(b);
            return this;
        }

        Pickle global(String module, String name) {
            op('c');
            out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        Pickle int32(int v) {
            return op('J', v & 0xFF, (v >> 8) & 0xFF, (v >> 16) & 0xFF, (v >>> 24));
        }

        /** LONG1 with 8 bytes: any long. */
        Pickle int64(long v) {
            op(0x8a, 8);
            for (int i = 0; i < 8; i++) out.write((int) (v >>> (8 * i)) & 0xFF);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    /** {'w': _rebuild_tensor_v2(storage of numel floats, 0, size, stride)} */
    static byte[] oneTensor(int numel, int[] size, int[] stride) {
        return oneTensor(numel, java.util.Arrays.stream(size).asLongStream().toArray(), java.util.Arrays.stream(stride).asLongStream().toArray());
    }

    static byte[] oneTensor(int numel, long[] size, long[] stride) {
        Pickle p = new Pickle().op(0x80, 2, '}').str("w").global("torch._utils", "_rebuild_tensor_v2").op('(');
        p.op('(').str("storage").global("torch", "FloatStorage").str("0").str("cpu").int32(numel).op('t', 'Q');
        p.op('K', 0).op('(');
        for (long s : size) p.int64(s);
        p.op('t', '(');
        for (long s : stride) p.int64(s);
        p.op('t', 't', 'R', 's', '.');
        return p.bytes();
    }

    Path zip(byte[] pickle, byte[] storage) throws IOException {
        Path file = tmp.resolve("hostile.pth");
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream z = new ZipOutputStream(os)) {
            z.putNextEntry(new ZipEntry("archive/data.pkl"));
            z.write(pickle);
            z.closeEntry();
            if (storage != null) {
                z.putNextEntry(new ZipEntry("archive/data/0"));
                z.write(storage);
                z.closeEntry();
            }
        }
        return file;
    }

    private void refused(Path file, String fragment) {
        var e = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThrows(IllegalArgumentException.class, () -> TorchCheckpoint.read(file)));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains(fragment), e.getMessage());
    }

    @Test
    void theRealLayoutStillReads() throws IOException {
        byte[] four = new byte[16];
        var t = TorchCheckpoint.read(zip(oneTensor(4, new int[] {2, 2}, new int[] {2, 1}), four));
        assertTrue(t.get("w").numel() == 4);
    }

    @Test
    void aListHoldingItselfUsedAsKey() throws IOException {
        // d = {}; l = []; l.append(l); d[l] = 1  -- hashing l would recurse forever
        byte[] p = new Pickle().op(0x80, 2, '}', ']', 'q', 0, 'h', 0, 'a', 'K', 1, 's', '.').bytes();
        refused(zip(p, null), "uses a list as a dictionary key");
    }

    @Test
    void sharedListsTwoToTheSixtyPathsAreNeverWalked() throws IOException {
        // T0 = []; T(i) = (T(i-1), T(i-1)) for i = 1..60: a few hundred bytes, 2^60 paths through the memo
        Pickle p = new Pickle().op(0x80, 2, ']', 'r', 0, 0, 0, 0);
        for (int i = 1; i <= 60; i++) p.op('j', i - 1, 0, 0, 0, 0x86, 'r', i, 0, 0, 0);
        p.op('.');
        refused(zip(p.bytes(), null), "holds a tuple, not a dictionary");
    }

    @Test
    void deepNestingStopsAtTheLimit() throws IOException {
        Pickle p = new Pickle().op(0x80, 2, '}');
        for (int i = 0; i < 100_000; i++) p.op(']');
        for (int i = 0; i < 99_999; i++) p.op('a');
        p.op('.');
        refused(zip(p.bytes(), null), "nests containers more than " + RestrictedUnpickler.MAX_DEPTH + " deep");
    }

    @Test
    void aStorageLargerThanTheFileIsRefusedBeforeAllocating() throws IOException {
        refused(zip(oneTensor(400_000_000, new int[] {10}, new int[] {1}), new byte[40]), "more than the whole file");
    }

    @Test
    void aStrideZeroViewCannotAmplifyOneNumber() throws IOException {
        refused(zip(oneTensor(1, new int[] {40_000, 40_000}, new int[] {0, 0}), new byte[4]), "more than its storage's 1");
    }

    @Test
    void aStrideThatOverflowsTheBoundsCheckIsRefused() throws IOException {
        // (3 - 1) · 2^62 wraps to a negative last element, which passed "last < storage length" before
        refused(zip(oneTensor(6, new long[] {3, 2}, new long[] {1L << 62, 1}), new byte[24]), "which overflow");
    }

    @Test
    void aShapeWhoseElementCountWrapsToZeroIsRefused() throws IOException {
        // 2^21 · 2^21 · 2^22 = 2^64 wraps to 0 in a long: before, a tensor of that shape was returned holding no values
        refused(zip(oneTensor(0, new long[] {1 << 21, 1 << 21, 1 << 22}, new long[] {0, 0, 0}), new byte[0]), "which overflow");
    }

    @Test
    void aPersistentIdThatIsNotAStorageIsNamedNotPrinted() throws IOException {
        byte[] p = new Pickle().op(0x80, 2, '}', ']', 'Q', '.').bytes();
        refused(zip(p, null), "not a storage reference (a list)");
    }
}
