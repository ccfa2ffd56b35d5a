package llm.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import llm.formats.AtomicFile;

/**
 * The list of a prepared corpus's shards, {@value #FILE_NAME}, written by {@link CorpusPreparer} after the last shard
 * and only then: a folder without it is a preparation that was killed or failed, and training refuses it instead of
 * taking the shards that happen to be there for the whole corpus. Each entry gives the shard's token count, which
 * must match the shard's own header when it is opened.
 *
 * @param shards every shard, training shards first, each split in order
 */
public record ShardManifest(List<Entry> shards) {
    public static final String FILE_NAME = "manifest.json";
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    /** One shard: its file name in the folder, {@code train} or {@code val}, and its tokens. */
    public record Entry(String file, String split, long tokens) {}

    /** Writes the manifest atomically (temporary file, then rename). */
    public void write(Path dir) throws IOException {
        AtomicFile.write(dir.resolve(FILE_NAME), GSON.toJson(this).getBytes(StandardCharsets.UTF_8));
    }

    /** Removes a manifest before a new preparation writes into {@code dir}, so that an interrupted one is seen as incomplete. */
    public static void remove(Path dir) throws IOException {
        Files.deleteIfExists(dir.resolve(FILE_NAME));
    }

    /** Reads {@code dir}'s manifest; the errors say that the preparation did not finish, or what is wrong with the file. */
    public static ShardManifest read(Path dir) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("shard folder " + dir + " has no " + FILE_NAME + ": its preparation did not finish (killed, or failed?); "
                    + "run './llm prepare' again");
        }
        ShardManifest m;
        try {
            m = GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), ShardManifest.class);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(file + " is not a shard manifest (" + e.getMessage() + ")");
        }
        if (m == null || m.shards() == null) throw new IllegalArgumentException(file + " lists no shards");
        for (Entry e : m.shards()) {
            if (e == null || e.file() == null || e.split() == null || e.tokens() < 0 || e.file().contains("/") || e.file().contains("\\") || e.file().contains("..")) {
                throw new IllegalArgumentException(file + " has a malformed entry " + e);
            }
        }
        return m;
    }

    /** The entries of one split, in order. */
    public List<Entry> split(String split) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : shards) if (e.split().equals(split)) out.add(e);
        return out;
    }
}
