package llm.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import llm.tensor.SeededRandom;
import llm.tokenizer.BytePairTokenizer;

/** Book §2.6 data loading, random batches, and llm.c token shards. */
class DataPipelineTest {
    private static final BytePairTokenizer GPT2 = BytePairTokenizer.gpt2();

    static Path data(String name) {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("data").resolve(name))) return p.resolve("data").resolve(name);
        }
        throw new IllegalStateException("data/" + name + " not found");
    }

    private static int[] verdictIds() throws IOException {
        return GPT2.encode(Files.readString(data("the-verdict.txt")));
    }

    @Test
    void slidingWindowsMatchTheBook() throws IOException {
        int[] ids = verdictIds();
        Iterator<Batch> one = new DataLoader<>(new GPTDatasetV1(ids, 4, 1), 1, false, true, null).iterator();
        Batch first = one.next();
        assertArrayEquals(new int[] {40, 367, 2885, 1464}, first.inputs().toArray());
        assertArrayEquals(new int[] {367, 2885, 1464, 1807}, first.targets().toArray());
        Batch second = one.next();
        assertArrayEquals(new int[] {367, 2885, 1464, 1807}, second.inputs().toArray());

        Batch eight = new DataLoader<>(new GPTDatasetV1(ids, 4, 4), 8, false, false, null).iterator().next();
        assertArrayEquals(new int[] {8, 4}, eight.inputs().shape());
        int[] x = eight.inputs().toArray();
        assertArrayEquals(new int[] {40, 367, 2885, 1464, 1807, 3619, 402, 271, 10899, 2138, 257, 7026}, java.util.Arrays.copyOf(x, 12));
    }

    @Test
    void loaderCountsShufflesAndDropsTheLastBatch() throws IOException {
        int[] ids = verdictIds();
        GPTDatasetV1 ds = new GPTDatasetV1(ids, 256, 256);
        assertEquals(20, ds.size()); // (5145 - 256 - 1) / 256 + 1
        DataLoader<Batch> loader = new DataLoader<>(ds, 3, true, true, new SeededRandom(1));
        assertEquals(6, loader.size());
        List<Integer> firsts = new ArrayList<>();
        for (Batch b : loader) firsts.add(b.inputs().get(0, 0));
        assertEquals(6, firsts.size());
        DataLoader<Batch> again = new DataLoader<>(ds, 3, true, true, new SeededRandom(1));
        List<Integer> firsts2 = new ArrayList<>();
        for (Batch b : again) firsts2.add(b.inputs().get(0, 0));
        assertEquals(firsts, firsts2, "a seed reproduces the order");
        assertEquals(7, new DataLoader<>(ds, 3, false, false, null).size());
    }

    @Test
    void randomBatchesStayInsideTheStream() {
        int[] tokens = new int[1000];
        for (int i = 0; i < tokens.length; i++) tokens[i] = i;
        RandomBatches batches = new RandomBatches(TokenSource.of(tokens), 4, 8, new SeededRandom(1337));
        for (int k = 0; k < 200; k++) {
            Batch b = batches.next();
            for (int r = 0; r < 4; r++) {
                int start = b.inputs().get(r, 0);
                for (int t = 0; t < 8; t++) {
                    assertEquals(start + t, b.inputs().get(r, t));
                    assertEquals(start + t + 1, b.targets().get(r, t));
                }
                assertTrue(start + 8 < 1000);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new RandomBatches(TokenSource.of(new int[8]), 1, 8, new SeededRandom(1)));
    }

    @Test
    void shardsRoundTripAndAreValidated(@TempDir Path dir) throws IOException {
        int[] ids = verdictIds();
        Path file = dir.resolve("verdict.bin");
        try (TokenShardWriter w = new TokenShardWriter(file)) {
            w.write(ids, 0, ids.length);
        }
        assertEquals(TokenShard.HEADER_BYTES + 2L * ids.length, Files.size(file));
        try (TokenShard shard = TokenShard.open(file)) {
            assertEquals(ids.length, shard.size());
            int[] back = new int[ids.length];
            shard.read(0, back, 0, ids.length);
            assertArrayEquals(ids, back);
        }
        // a truncated file and a wrong magic number are reported with the file's name
        byte[] bytes = Files.readAllBytes(file);
        Files.write(dir.resolve("short.bin"), java.util.Arrays.copyOf(bytes, bytes.length - 2));
        var e = assertThrows(IOException.class, () -> TokenShard.open(dir.resolve("short.bin")));
        assertTrue(e.getMessage().contains("short.bin") && e.getMessage().contains("header says"), e.getMessage());
        bytes[0] = 1;
        Files.write(dir.resolve("magic.bin"), bytes);
        var m = assertThrows(IOException.class, () -> TokenShard.open(dir.resolve("magic.bin")));
        assertTrue(m.getMessage().contains("magic number"), m.getMessage());
        assertThrows(IOException.class, () -> TokenShard.open(dir.resolve("missing.bin")));
        assertThrows(IllegalArgumentException.class, () -> {
            try (TokenShardWriter w = new TokenShardWriter(dir.resolve("big.bin"))) {
                w.write(70000);
            }
        });
    }

    @Test
    void readsAShardWrittenByLlmcsWriter() throws Exception {
        // written by make_llmc_shard.py beside it, which follows llm.c's dev/data/data_common.py
        Path file = Path.of(getClass().getResource("llmc_written.bin").toURI());
        try (TokenShard shard = TokenShard.open(file)) {
            int[] back = new int[(int) shard.size()];
            shard.read(0, back, 0, back.length);
            assertArrayEquals(new int[] {50256, 40, 367, 2885, 1464, 1807, 3619, 402, 271, 65535, 0, 1}, back);
        }
    }

    @Test
    void readsPastTwoToTheThirtyOneTokensInASparseFile(@TempDir Path dir) throws IOException {
        long count = (1L << 31) + 1000;             // more tokens than an int can index: a 4 GB file
        Path file = dir.resolve("sparse.bin");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(TokenShard.HEADER_BYTES + 2 * count); // sparse: no disk used for the holes
            ByteBuffer header = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            header.putInt(TokenShard.MAGIC).putInt(TokenShard.VERSION_UINT16).putInt((int) count);
            f.write(header.array());
            long last = count - 3;
            f.seek(TokenShard.HEADER_BYTES + 2 * last);
            f.write(new byte[] {0x39, 0x30, (byte) 0xFF, (byte) 0xFF, 1, 0}); // 12345, 65535, 1
        }
        try (TokenShard shard = TokenShard.open(file)) {
            assertEquals(count, shard.size());
            assertEquals(12345, shard.get(count - 3));
            assertEquals(65535, shard.get(count - 2));
            assertEquals(1, shard.get(count - 1));
            assertEquals(0, shard.get(1L << 31));
            RandomBatches batches = new RandomBatches(shard, 2, 16, new SeededRandom(7));
            assertArrayEquals(new int[] {2, 16}, batches.next().inputs().shape());
        }
    }

    @Test
    void preparedShardsEqualTheWholeTextEncoded(@TempDir Path dir) throws IOException {
        Path text = data("tinyshakespeare.txt");
        // small blocks force many cuts: the cuts must not change a single token
        CorpusPreparer prep = new CorpusPreparer(GPT2::encodeOrdinary, 50256, 0.1, 100_000, "shakespeare", 2, 4096);
        CorpusPreparer.Summary s = prep.prepare(List.of(text, data("the-verdict.txt")), dir, false, (d, t) -> {});
        assertEquals(2, s.documents());
        List<Integer> all = new ArrayList<>();
        for (Path shard : s.shards()) {
            try (TokenShard t = TokenShard.open(shard)) {
                for (long i = 0; i < t.size(); i++) all.add(t.get(i));
            }
        }
        List<Integer> expected = new ArrayList<>();
        String shakespeare = Files.readString(text), verdict = Files.readString(data("the-verdict.txt"));
        long cutByte = (long) Math.ceil((Files.size(text) + Files.size(data("the-verdict.txt"))) * 0.9);
        assertTrue(cutByte < Files.size(text), "the train/validation cut falls inside the first document, so a cut inside a document is exercised");
        expected.add(50256);
        for (int id : GPT2.encodeOrdinary(shakespeare)) expected.add(id);
        expected.add(50256);
        for (int id : GPT2.encodeOrdinary(verdict)) expected.add(id);
        // train shards come first in the listing, then validation: together they are the whole stream
        assertEquals(expected.size(), all.size());
        assertEquals(expected, all);
        assertTrue(s.valTokens() > 0 && s.trainTokens() > 10 * s.valTokens() / 2);
        assertTrue(s.shards().stream().anyMatch(p -> p.getFileName().toString().equals("shakespeare_val_000000.bin")));
        assertTrue(s.shards().stream().anyMatch(p -> p.getFileName().toString().equals("shakespeare_train_000003.bin")));
    }

    @Test
    void badInputGetsOneClearError(@TempDir Path dir) throws IOException {
        CorpusPreparer prep = new CorpusPreparer(GPT2::encodeOrdinary, 50256, 0.1, 1000, "x", 1);
        Path bad = dir.resolve("latin1.txt");
        Files.write(bad, "caf\u00e9 ok".getBytes(StandardCharsets.ISO_8859_1));
        var e = assertThrows(Utf8Text.InvalidUtf8Exception.class, () -> prep.prepare(List.of(bad), dir.resolve("out"), false, (d, t) -> {}));
        assertEquals(3, e.offset());
        assertTrue(e.getMessage().contains("latin1.txt") && e.getMessage().contains("byte offset 3"), e.getMessage());
        var ok = prep.prepare(List.of(bad), dir.resolve("out2"), true, (d, t) -> {});
        assertTrue(ok.trainTokens() + ok.valTokens() > 0);
        Path empty = dir.resolve("empty.txt");
        Files.writeString(empty, "");
        var em = assertThrows(IOException.class, () -> prep.prepare(List.of(empty), dir.resolve("out3"), false, (d, t) -> {}));
        assertTrue(em.getMessage().contains("empty"), em.getMessage());
        var missing = assertThrows(IOException.class, () -> prep.prepare(List.of(dir.resolve("nope.txt")), dir.resolve("out4"), false, (d, t) -> {}));
        assertTrue(missing.getMessage().contains("nope.txt"), missing.getMessage());
    }
}
