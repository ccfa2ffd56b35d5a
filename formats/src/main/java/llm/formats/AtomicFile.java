package llm.formats;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes a file so that readers see either the old file or the complete new one, never a partial one: the
 * bytes go to a temporary file beside the target, are forced to disk, and the temporary file is renamed over
 * the target. A process killed mid-write leaves the previous file intact (and at most a stray temporary
 * file); a write that fails removes its temporary file. Checkpoints, exported weights and plots use it.
 */
public final class AtomicFile {
    /** What fills the file, given a channel open for writing. */
    @FunctionalInterface
    public interface Content {
        void writeTo(FileChannel channel) throws IOException;
    }

    /** Temporary files are named {@code <target>.writing-<digits>.tmp}: a user who finds one knows what it was. */
    public static final String TEMPORARY_MARK = ".writing-";

    private AtomicFile() {}

    /**
     * Deletes the temporary files that writes of {@code target} left behind when their process was killed
     * ({@code <target>.writing-*.tmp} beside it); returns how many. A run calls it on its own output before it
     * starts writing there.
     */
    public static int clearStaleTemporaries(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) return 0;
        String prefix = target.getFileName() + TEMPORARY_MARK;
        int removed = 0;
        try (var files = Files.newDirectoryStream(dir, f -> f.getFileName().toString().startsWith(prefix) && f.getFileName().toString().endsWith(".tmp"))) {
            for (Path f : files) if (Files.deleteIfExists(f)) removed++;
        }
        return removed;
    }

    /** Writes {@code bytes} to {@code target} atomically. */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, ch -> {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) ch.write(buf);
        });
    }

    /** Writes {@code target} atomically with what {@code content} writes; creates missing parent folders. */
    public static void write(Path target, Content content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, target.getFileName() + TEMPORARY_MARK, ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                content.writeTo(ch);
                ch.force(true);
            } catch (IOException e) {
                // a full disk says "No space left on device" without a file name: name it, and say what was kept
                throw new IOException("could not write " + target + " (" + e.getMessage() + "); "
                        + (Files.exists(target) ? "the previous " + target.getFileName() + " is unchanged" : "nothing was written"), e);
            }
            try { // createTempFile makes the file private to its owner; these are ordinary files
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException notPosix) {
                // Windows: the default permissions are fine
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
