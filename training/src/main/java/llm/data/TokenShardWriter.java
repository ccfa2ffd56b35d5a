package llm.data;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a {@link TokenShard}: header, then uint16 tokens, into a temporary file that is renamed into place
 * on {@link #close()}, so a reader never sees a half-written shard and an interrupted run leaves none.
 */
public final class TokenShardWriter implements AutoCloseable {
    private final Path target;
    private final Path temporary;
    private final OutputStream out;
    private final byte[] two = new byte[2];
    private long count;
    private boolean closed;

    public TokenShardWriter(Path target) throws IOException {
        this.target = target;
        this.temporary = target.resolveSibling(target.getFileName() + ".tmp");
        this.out = new BufferedOutputStream(Files.newOutputStream(temporary), 1 << 16);
        out.write(new byte[(int) TokenShard.HEADER_BYTES]); // filled in on close, when the count is known
    }

    /** Appends one token id; ids must fit in uint16 (vocabularies up to 65,536, GPT-2's included). */
    public void write(int token) throws IOException {
        if (token < 0 || token > 0xFFFF) throw new IllegalArgumentException(target + ": token id " + token + " does not fit in uint16");
        two[0] = (byte) token;
        two[1] = (byte) (token >>> 8);
        out.write(two);
        count++;
    }

    public void write(int[] tokens, int from, int to) throws IOException {
        for (int i = from; i < to; i++) write(tokens[i]);
    }

    public long count() {
        return count;
    }

    public Path path() {
        return target;
    }

    /** Writes the header and moves the shard into place. */
    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        out.close();
        if (count > 0xFFFFFFFFL) throw new IOException(target + ": " + count + " tokens do not fit the header's 32-bit count");
        ByteBuffer header = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(TokenShard.MAGIC).putInt(TokenShard.VERSION_UINT16).putInt((int) count);
        try (RandomAccessFile f = new RandomAccessFile(temporary.toFile(), "rw")) {
            f.write(header.array());
        }
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Drops what was written (the target is left as it was). */
    public void abort() throws IOException {
        closed = true;
        out.close();
        Files.deleteIfExists(temporary);
    }
}
