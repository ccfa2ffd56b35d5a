package llm.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

import llm.tokenizer.BytePairTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shard folders from interrupted or failed preparations, and shards that change under a run (issue 17, items 6 and
 * 10): the manifest is written last and training reads only what it lists; a failed run leaves no shards; a shard
 * truncated while mapped gives an error naming it.
 */
class HostileShardTest {
    static final BytePairTokenizer GPT2 = BytePairTokenizer.gpt2();

    @TempDir
    Path dir;

    Path text(String name, String content) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, content);
        return f;
    }

    @Test
    void aFolderWhosePreparationDidNotFinishIsRefused() throws IOException {
        Path out = dir.resolve("shards");
        var summary = new CorpusPreparer(GPT2::encodeOrdinary, 50256, 0.1, 50, "c", 1).prepare(List.of(text("a.txt", "one two three four. ".repeat(100))), out, false, (d, t) -> {});
        assertEquals(summary.trainTokens(), ConcatenatedTokens.shards(out, "train").size(), "the manifest lists every training shard");
        assertEquals(summary.valTokens(), ConcatenatedTokens.shards(out, "val").size());
        Files.delete(out.resolve(ShardManifest.FILE_NAME));     // what a kill before the end leaves: shards, no manifest
        var e = assertThrows(IllegalArgumentException.class, () -> ConcatenatedTokens.shards(out, "train"));
        assertTrue(e.getMessage().contains("has no manifest.json: its preparation did not finish"), e.getMessage());
    }

    @Test
    void aPreparationThatFailsLeavesNoShardsAndNoManifest() throws IOException {
        Path out = dir.resolve("shards");
        int[] calls = {0};
        CorpusPreparer failing = new CorpusPreparer(s -> {
            if (++calls[0] > 3) throw new IllegalStateException("tokenizer failed");
            return GPT2.encodeOrdinary(s);
        }, 50256, 0.1, 20, "c", 1, 64);
        assertThrows(IllegalStateException.class, () -> failing.prepare(List.of(text("a.txt", "one two three four.\n".repeat(200))), out, false, (d, t) -> {}));
        try (Stream<Path> left = Files.list(out)) {
            assertEquals(List.of(), left.toList(), "the shards finished before the failure were removed");
        }
    }

    @Test
    void aWriteErrorNamesTheShardAndCleansUp() throws IOException {
        Path out = dir.resolve("shards");
        Files.createDirectories(out.resolve("c_train_000001.bin.tmp"));   // the second shard cannot be written
        var e = assertThrows(IOException.class, () -> new CorpusPreparer(GPT2::encodeOrdinary, 50256, 0.1, 20, "c", 1)
                .prepare(List.of(text("a.txt", "one two three four. ".repeat(50))), out, false, (d, t) -> {}));
        assertTrue(e.getMessage().contains("writing " + out.resolve("c_train_000001.bin")), e.getMessage());
        assertFalse(Files.exists(out.resolve("c_train_000000.bin")), "the first shard was removed");
        assertFalse(Files.exists(out.resolve(ShardManifest.FILE_NAME)));
    }

    @Test
    void aRerunIntoACompleteFolderIsIncompleteUntilItFinishes() throws IOException {
        Path out = dir.resolve("shards");
        Path a = text("a.txt", "one two three four. ".repeat(100));
        new CorpusPreparer(GPT2::encodeOrdinary, 50256, 0.1, 50, "c", 1).prepare(List.of(a), out, false, (d, t) -> {});
        CorpusPreparer failing = new CorpusPreparer(s -> { throw new IllegalStateException("killed"); }, 50256, 0.1, 50, "c", 1);
        assertThrows(IllegalStateException.class, () -> failing.prepare(List.of(a), out, false, (d, t) -> {}));
        assertThrows(IllegalArgumentException.class, () -> ConcatenatedTokens.shards(out, "train"), "the old manifest is gone");
    }

    @Test
    void aShardTruncatedWhileMappedIsNamed() throws IOException {
        Path file = dir.resolve("s.bin");
        try (TokenShardWriter w = new TokenShardWriter(file)) {
            for (int i = 0; i < 100_000; i++) w.write(i % 50000);
        }
        try (TokenShard shard = TokenShard.open(file)) {
            assertEquals(7, shard.get(7));
            try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
                c.truncate(TokenShard.HEADER_BYTES);
            }
            var e = assertThrows(IllegalStateException.class, () -> shard.read(90_000, new int[100], 0, 100));
            assertTrue(e.getMessage().contains(file + " changed while it was being read"), e.getMessage());
        }
    }
}
