package llm.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

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
     * The shards {@code *_<split>_*.bin} in {@code dir} (split "train" or "val"), opened memory-mapped; an error
     * naming the folder when there are none.
     */
    public static ConcatenatedTokens shards(Path dir, String split) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().matches(".*_" + split + "_\\d+\\.bin")).sorted().toList();
        }
        if (files.isEmpty()) throw new IllegalArgumentException("no " + split + " shards (*_" + split + "_NNNNNN.bin) in " + dir);
        List<TokenShard> shards = new ArrayList<>();
        for (Path f : files) shards.add(TokenShard.open(f));
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
