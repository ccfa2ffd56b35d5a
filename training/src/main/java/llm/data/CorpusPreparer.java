package llm.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Turns text files into {@link TokenShard}s, the way llm.c's {@code dev/data} scripts and the course's
 * large-corpus chapter prepare data: every file is a document, each document is preceded by the
 * end-of-text token, and the token stream is cut into shards of at most {@code shardTokens} tokens.
 *
 * <p>The last {@code valFraction} of the input (counted in bytes over all files, in the order given) goes to
 * validation shards, the rest to training shards. Text is read in blocks of about a megabyte, cut only where
 * GPT-2's pre-tokenisation splits anyway ({@link #safeCut}), so the cuts change no token; the blocks are
 * tokenized in parallel and written in order.
 *
 * {@snippet :
 * var prep = new CorpusPreparer(BytePairTokenizer.gpt2()::encodeOrdinary, 50256, 0.1, 100_000_000, "shakespeare", 2);
 * CorpusPreparer.Summary s = prep.prepare(List.of(Path.of("tinyshakespeare.txt")), Path.of("data"), false, progress -> {});
 * }
 */
public final class CorpusPreparer {
    private final Function<String, int[]> encoder;
    private final int endOfText;
    private final double valFraction;
    private final long shardTokens;
    private final String name;
    private final int threads;
    private final int blockBytes;
    /** Blocks read without a safe cut before giving up: 64 MB with the default block. */
    static final int MAX_CARRY_BLOCKS = 64;

    /** What a preparation run produced. */
    public record Summary(int documents, long trainTokens, long valTokens, List<Path> shards, long bytes, double seconds) {}

    /** Progress reports: bytes read so far of the total. */
    @FunctionalInterface
    public interface Progress {
        void update(long bytesDone, long bytesTotal);
    }

    public CorpusPreparer(Function<String, int[]> encoder, int endOfText, double valFraction, long shardTokens, String name, int threads) {
        this(encoder, endOfText, valFraction, shardTokens, name, threads, 1 << 20);
    }

    CorpusPreparer(Function<String, int[]> encoder, int endOfText, double valFraction, long shardTokens, String name, int threads, int blockBytes) {
        if (valFraction < 0 || valFraction >= 1) throw new IllegalArgumentException("the validation fraction must be in [0, 1), got " + valFraction);
        if (shardTokens < 1) throw new IllegalArgumentException("tokens per shard must be positive, got " + shardTokens);
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        this.encoder = encoder;
        this.endOfText = endOfText;
        this.valFraction = valFraction;
        this.shardTokens = shardTokens;
        this.name = name;
        this.threads = threads;
        this.blockBytes = blockBytes;
    }

    public Summary prepare(List<Path> files, Path outDir, boolean replaceInvalid, Progress progress) throws IOException {
        long start = System.nanoTime();
        long total = 0;
        for (Path f : files) {
            if (!Files.isRegularFile(f)) throw new IOException(f + ": no such file");
            total += Files.size(f);
        }
        if (total == 0) throw new IOException("the corpus is empty: " + files.size() + " file(s), 0 bytes");
        Files.createDirectories(outDir);
        if (!Files.isWritable(outDir)) throw new IOException(outDir + ": output folder is not writable");
        ShardManifest.remove(outDir);     // until this run finishes, the folder is an unfinished preparation

        Run run = new Run(outDir, total, replaceInvalid, progress);
        try {
            for (Path file : files) run.readFile(file);
            run.finish();
        } catch (IOException | RuntimeException e) {
            run.abort();
            throw e;
        } finally {
            run.pool.shutdownNow();
        }
        List<Path> shards = new ArrayList<>(run.train.written);
        shards.addAll(run.val.written);
        List<ShardManifest.Entry> entries = new ArrayList<>();
        for (int i = 0; i < run.train.written.size(); i++) entries.add(new ShardManifest.Entry(run.train.written.get(i).getFileName().toString(), "train", run.train.counts.get(i)));
        for (int i = 0; i < run.val.written.size(); i++) entries.add(new ShardManifest.Entry(run.val.written.get(i).getFileName().toString(), "val", run.val.counts.get(i)));
        new ShardManifest(entries).write(outDir);   // last: its presence says the corpus is complete
        return new Summary(files.size(), run.train.tokens, run.val.tokens, shards, total, (System.nanoTime() - start) / 1e9);
    }

    /** The state of one preparation: blocks being tokenized (in order) and the two shard streams. */
    private final class Run {
        final ShardSink train, val;
        final ExecutorService pool;
        final Deque<Pending> inFlight = new ArrayDeque<>();
        final long total, valStart;
        final boolean replaceInvalid;
        final Progress progress;
        long done;     // bytes read and handed to the tokenizing threads
        long written;  // bytes whose tokens are in the shards

        Run(Path outDir, long total, boolean replaceInvalid, Progress progress) {
            this.train = new ShardSink(outDir, name + "_train");
            this.val = new ShardSink(outDir, name + "_val");
            this.total = total;
            this.valStart = valFraction == 0 ? Long.MAX_VALUE : (long) Math.ceil(total * (1 - valFraction));
            this.replaceInvalid = replaceInvalid;
            this.progress = progress;
            this.pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "llm-prepare");
                t.setDaemon(true);
                return t;
            });
        }

        /** Reads one document in blocks cut at safe places; an end-of-text token goes before it. */
        void readFile(Path file) throws IOException {
            try (InputStream in = Files.newInputStream(file)) {
                byte[] carry = new byte[0];
                long fileOffset = 0;
                boolean first = true;
                while (true) {
                    byte[] chunk = in.readNBytes(blockBytes);
                    byte[] bytes = concat(carry, chunk);
                    boolean eof = chunk.length < blockBytes;
                    int cut = eof ? bytes.length : safeCut(bytes);
                    if (cut < 0) { // no safe place yet: keep reading, but not without bound
                        if (bytes.length > MAX_CARRY_BLOCKS * (long) blockBytes) {
                            throw new IOException(String.format("%s: no place to cut the text between byte %,d and %,d (a single word of over %,d bytes, "
                                    + "with no space or line break?); GPT-2's tokenizer would hold it whole", file, fileOffset, fileOffset + bytes.length,
                                    MAX_CARRY_BLOCKS * (long) blockBytes));
                        }
                        carry = bytes;
                        continue;
                    }
                    emit(file, fileOffset, Arrays.copyOfRange(bytes, 0, cut), first);
                    first = false;
                    fileOffset += cut;
                    carry = Arrays.copyOfRange(bytes, cut, bytes.length);
                    if (eof) return;
                }
            }
        }

        /** Sends a block to be tokenized, split in two if the train/validation boundary falls inside it. */
        void emit(Path file, long fileOffset, byte[] block, boolean startsDocument) throws IOException {
            if (done < valStart && done + block.length > valStart) {
                int split = safeCutNear(block, (int) (valStart - done), block.length);
                submit(file, fileOffset, Arrays.copyOfRange(block, 0, split), false, startsDocument);
                submit(file, fileOffset + split, Arrays.copyOfRange(block, split, block.length), true, false);
            } else {
                submit(file, fileOffset, block, done >= valStart, startsDocument);
            }
            done += block.length;
            while (inFlight.size() > 2 * threads) written += drain(inFlight.poll(), train, val);
            progress.update(written, total);
        }

        void submit(Path file, long fileOffset, byte[] bytes, boolean toVal, boolean startsDocument) {
            if (bytes.length == 0 && !startsDocument) return;
            String fileName = file.toString();
            Future<int[]> tokens = pool.submit(() -> encoder.apply(Utf8Text.decode(bytes, fileName, fileOffset, replaceInvalid)));
            inFlight.add(new Pending(tokens, toVal, startsDocument, bytes.length));
        }

        void finish() throws IOException {
            while (!inFlight.isEmpty()) written += drain(inFlight.poll(), train, val);
            train.close();
            val.close();
            progress.update(total, total);
        }

        void abort() throws IOException {
            train.abort();
            val.abort();
        }
    }

    private record Pending(Future<int[]> tokens, boolean toVal, boolean prependEot, int bytes) {}

    /** Waits for the oldest block's tokens and writes them; returns the block's size in bytes. */
    private long drain(Pending p, ShardSink train, ShardSink val) throws IOException {
        int[] tokens;
        try {
            tokens = p.tokens.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IOException(e.getCause());
        }
        ShardSink sink = p.toVal ? val : train;
        if (p.prependEot) sink.write(new int[] {endOfText});
        sink.write(tokens);
        return p.bytes;
    }

    /**
     * The last place in {@code b} where the text can be cut without changing its tokens, or -1: just after a
     * newline that has non-space characters on both sides, or just before a space that follows an ASCII letter
     * or digit and precedes an ASCII letter. GPT-2's pattern ends a piece at both places anyway (the newline is
     * a piece of its own; " word" is a piece that starts with its space).
     */
    static int safeCut(byte[] b) {
        for (int i = b.length - 2; i >= 1; i--) {
            if (isSafeCut(b, i)) return b[i] == '\n' ? i + 1 : i;
        }
        return -1;
    }

    /** The first safe cut at or after {@code want} and before {@code limit}; {@code limit} if there is none. */
    static int safeCutNear(byte[] b, int want, int limit) {
        for (int i = Math.max(want, 1); i < limit - 1; i++) {
            if (isSafeCut(b, i)) return b[i] == '\n' ? i + 1 : i;
        }
        return limit;
    }

    private static boolean isSafeCut(byte[] b, int i) {
        if (b[i] == '\n') return !isSpace(b[i - 1]) && !isSpace(b[i + 1]);
        return b[i] == ' ' && isAsciiLetterOrDigit(b[i - 1]) && isAsciiLetter(b[i + 1]);
    }

    private static boolean isAsciiLetter(byte c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isAsciiLetterOrDigit(byte c) {
        return isAsciiLetter(c) || (c >= '0' && c <= '9');
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == 0x0B || c == 0x0C || (c & 0x80) != 0;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        if (a.length == 0) return b;
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Writes a stream of tokens into numbered shards of at most {@code shardTokens}. */
    private final class ShardSink {
        private final Path dir;
        private final String prefix;
        private final List<Path> written = new ArrayList<>();
        private final List<Long> counts = new ArrayList<>();
        private TokenShardWriter current;
        private long tokens;

        ShardSink(Path dir, String prefix) {
            this.dir = dir;
            this.prefix = prefix;
        }

        void write(int[] ids) throws IOException {
            Path target = dir.resolve(String.format("%s_%06d.bin", prefix, written.size()));
            try {
                int at = 0;
                while (at < ids.length) {
                    target = dir.resolve(String.format("%s_%06d.bin", prefix, written.size()));
                    if (current == null) current = new TokenShardWriter(target);
                    int room = (int) Math.min(shardTokens - current.count(), ids.length - at);
                    current.write(ids, at, at + room);
                    at += room;
                    tokens += room;
                    if (current.count() == shardTokens) finishShard();
                }
            } catch (IOException e) {
                // a full disk says "No space left on device" without the file: name it
                throw new IOException("writing " + target + ": " + e.getMessage(), e);
            }
        }

        private void finishShard() throws IOException {
            current.close();
            written.add(current.path());
            counts.add(current.count());
            current = null;
        }

        void close() throws IOException {
            if (current != null && current.count() > 0) finishShard();
            else if (current != null) current.abort();
        }

        /** Drops the shard being written and those this run finished: no manifest will list them. */
        void abort() throws IOException {
            if (current != null) current.abort();
            for (Path p : written) Files.deleteIfExists(p);
        }
    }
}
