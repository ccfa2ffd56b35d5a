package llm.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import llm.tokenizer.BytePairTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files too large to hold whole (issue 17, item 5): a whole-file read refuses them at once and names {@code prepare};
 * the character alphabet is collected in blocks; a text with no place to cut fails with its offsets instead of
 * growing to the heap's limit.
 */
class HostileTextFilesTest {
    @TempDir
    Path dir;

    @Test
    void aTwoGigabyteFileIsRefusedBeforeReadingAndPointsToPrepare() throws IOException {
        Path big = dir.resolve("big.txt");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(2L << 30);                    // sparse: no disk, no time
        }
        var e = assertThrows(IllegalArgumentException.class, () -> Utf8Text.read(big, false));
        assertTrue(e.getMessage().contains(big + " is 2.1 GB") && e.getMessage().contains("./llm prepare --out DIR"), e.getMessage());
    }

    @Test
    void codePointsInBlocksEqualTheWholeText() throws IOException {
        String text = "héllo wörld — 你好 🙂🙂 ok\n".repeat(50);
        Path f = dir.resolve("t.txt");
        Files.writeString(f, text);
        for (int block : new int[] {1, 2, 3, 5, 7, 64}) {          // every way a character can be cut by a block boundary
            List<Integer> got = new ArrayList<>();
            Utf8Text.forEachCodePoint(f, false, got::add, block);
            assertEquals(text.codePoints().boxed().toList(), got, "block " + block);
        }
        Files.write(f, new byte[] {'a', (byte) 0xC3, 'b'});
        var bad = assertThrows(Utf8Text.InvalidUtf8Exception.class, () -> Utf8Text.forEachCodePoint(f, false, c -> {}, 2));
        assertEquals(1, bad.offset());
    }

    @Test
    void aTextWithNoPlaceToCutFailsWithItsOffsets() throws IOException {
        Path f = dir.resolve("a.txt");
        Files.writeString(f, "a".repeat(100_000));
        CorpusPreparer prep = new CorpusPreparer(BytePairTokenizer.gpt2()::encodeOrdinary, 50256, 0.1, 1000, "x", 1, 256);
        var e = assertThrows(IOException.class, () -> prep.prepare(List.of(f), dir.resolve("out"), false, (d, t) -> {}));
        assertTrue(e.getMessage().contains(f + ": no place to cut the text between byte 0 and"), e.getMessage());
    }
}
