package llm.data;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file of token ids in llm.c's layout, read through memory mapping so that a shard larger than memory (or
 * than 2^31 tokens) costs nothing to open. The same files work with llm.c and nanoGPT-style tools.
 *
 * <p>Layout ({@code dev/data/data_common.py} in llm.c): a header of 256 little-endian int32, of which
 * {@code [0]} is the magic number 20240520, {@code [1]} the version (1: tokens are uint16) and {@code [2]} the
 * number of tokens; then the tokens, each a little-endian uint16.
 *
 * {@snippet :
 * try (TokenShard shard = TokenShard.open(Path.of("data/tinyshakespeare_val_000000.bin"))) {
 *     long n = shard.size();
 *     int first = shard.get(0);
 * }
 * }
 */
public final class TokenShard implements TokenSource, AutoCloseable {
    public static final int MAGIC = 20240520;
    public static final int VERSION_UINT16 = 1;
    public static final int HEADER_INTS = 256;
    public static final long HEADER_BYTES = HEADER_INTS * 4L;
    private static final ValueLayout.OfShort TOKEN = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt HEADER_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final Arena arena;
    private final MemorySegment tokens;
    private final long count;

    private TokenShard(Path path, Arena arena, MemorySegment tokens, long count) {
        this.path = path;
        this.arena = arena;
        this.tokens = tokens;
        this.count = count;
    }

    /**
     * Maps a shard and checks its header against the file: wrong magic, unknown version, or a token count
     * that does not match the file's length are errors naming the file.
     */
    public static TokenShard open(Path path) throws IOException {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(path.toString(), null, "token shard not found");
        }
        try (channel) {
            long fileSize = channel.size();
            if (fileSize < HEADER_BYTES) {
                throw new IOException(path + ": " + fileSize + " bytes, shorter than the " + HEADER_BYTES + "-byte header of a token shard");
            }
            Arena arena = Arena.ofShared();
            try {
                MemorySegment all = channel.map(FileChannel.MapMode.READ_ONLY, 0, fileSize, arena);
                int magic = all.get(HEADER_INT, 0), version = all.get(HEADER_INT, 4);
                long count = Integer.toUnsignedLong(all.get(HEADER_INT, 8));
                if (magic != MAGIC) throw new IOException(path + ": magic number " + magic + ", expected " + MAGIC + " (not an llm.c token shard)");
                if (version != VERSION_UINT16) throw new IOException(path + ": version " + version + " is not supported (only " + VERSION_UINT16 + ", uint16 tokens)");
                long expected = HEADER_BYTES + 2 * count;
                if (expected != fileSize) {
                    throw new IOException(path + ": header says " + count + " tokens (" + expected + " bytes) but the file has " + fileSize + " bytes");
                }
                return new TokenShard(path, arena, all.asSlice(HEADER_BYTES), count);
            } catch (IOException | RuntimeException e) {
                arena.close();
                throw e;
            }
        }
    }

    public Path path() {
        return path;
    }

    @Override
    public long size() {
        return count;
    }

    @Override
    public int get(long position) {
        if (position < 0 || position >= count) throw new IndexOutOfBoundsException(path + ": token " + position + " of " + count);
        try {
            return Short.toUnsignedInt(tokens.get(TOKEN, 2 * position));
        } catch (InternalError e) {
            throw changed(e);
        }
    }

    @Override
    public void read(long position, int[] dst, int offset, int length) {
        if (position < 0 || position + length > count) {
            throw new IndexOutOfBoundsException(path + ": tokens [" + position + ", " + (position + length) + ") of " + count);
        }
        try {
            for (int i = 0; i < length; i++) dst[offset + i] = Short.toUnsignedInt(tokens.get(TOKEN, 2 * (position + i)));
        } catch (InternalError e) {
            throw changed(e);
        }
    }

    /**
     * The JVM reports a read of a mapped page that no longer exists (the file was truncated after it was opened) as
     * an {@link InternalError}, "a fault occurred in an unsafe memory access"; the user should read which file.
     */
    private IllegalStateException changed(InternalError e) {
        return new IllegalStateException(path + " changed while it was being read (truncated or rewritten after it was opened: by a new './llm prepare'?)", e);
    }

    /** Unmaps the file. */
    @Override
    public void close() {
        arena.close();
    }
}
