package llm.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Several token sources read as one sequence: the train (or validation) shards of a prepared corpus, in file
 * name order, so a {@link RandomBatches} draws windows from all of them. A window may span two shards, which is
 * harmless: every document already starts with {@code <|endoftext|>}.
 */
public final class ConcatenatedTokens implements TokenSource {
    private final List<TokenSource> parts;
    private final long[] starts;
    private final long size;

    public ConcatenatedTokens(List<? extends TokenSource> parts) {
        if (parts.isEmpty()) throw new IllegalArgumentException("ConcatenatedTokens: no token sources");
        this.parts = List.copyOf(parts);
        this.starts = new long[parts.size() + 1];
        for (int i = 0; i < parts.size(); i++) starts[i + 1] = starts[i] + parts.get(i).size();
        this.size = starts[parts.size()];
    }

    /**
     * The shards of one split ("train" or "val") that {@code dir}'s {@link ShardManifest} lists, opened memory-mapped;
     * each must hold the tokens the manifest says. Errors name the folder: no manifest (an unfinished preparation), no
     * shards of that split, a shard missing or changed since.
     */
    public static ConcatenatedTokens shards(Path dir, String split) throws IOException {
        List<ShardManifest.Entry> entries = ShardManifest.read(dir).split(split);
        if (entries.isEmpty()) throw new IllegalArgumentException("no " + split + " shards in " + dir + " (its " + ShardManifest.FILE_NAME + " lists none)");
        List<TokenShard> shards = new ArrayList<>();
        for (ShardManifest.Entry e : entries) {
            TokenShard shard = TokenShard.open(dir.resolve(e.file()));
            if (shard.size() != e.tokens()) {
                shard.close();
                throw new IllegalArgumentException(dir.resolve(e.file()) + " holds " + shard.size() + " tokens, the manifest says " + e.tokens()
                        + "; the folder changed after './llm prepare' wrote it");
            }
            shards.add(shard);
        }
        return new ConcatenatedTokens(shards);
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public int get(long position) {
        int part = partOf(position);
        return parts.get(part).get(position - starts[part]);
    }

    @Override
    public void read(long position, int[] dst, int offset, int length) {
        while (length > 0) {
            int part = partOf(position);
            long inPart = position - starts[part];
            int n = (int) Math.min(length, parts.get(part).size() - inPart);
            parts.get(part).read(inPart, dst, offset, n);
            position += n;
            offset += n;
            length -= n;
        }
    }

    private int partOf(long position) {
        if (position < 0 || position >= size) throw new IndexOutOfBoundsException("token position " + position + " of " + size);
        int i = java.util.Arrays.binarySearch(starts, position);
        if (i >= 0) {
            while (i + 1 < starts.length && starts[i + 1] == position) i++; // skip empty parts
            return Math.min(i, parts.size() - 1);
        }
        return -i - 2;
    }
}
