package llm.formats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A disk that fills up while a file is written (the audit's disk-full category): the write fails the way a full disk
 * fails it (an {@link IOException} from the channel, "No space left on device", naming no file), and the error names
 * the file, the previous version stays, and no temporary file is left. Shards: {@code HostileShardTest}.
 */
class DiskFullTest {
    @TempDir
    Path tmp;

    @Test
    void aWriteThatRunsOutOfSpaceKeepsThePreviousFileAndNamesIt() throws IOException {
        Path target = tmp.resolve("checkpoint.safetensors");
        AtomicFile.write(target, "the last good checkpoint".getBytes());
        var e = assertThrows(IOException.class, () -> AtomicFile.write(target, ch -> {
            ch.write(ByteBuffer.wrap(new byte[4096]));              // some bytes get out, then the disk is full
            throw new IOException("No space left on device");
        }));
        assertTrue(e.getMessage().contains("could not write " + target + " (No space left on device)")
                && e.getMessage().contains("the previous checkpoint.safetensors is unchanged"), e.getMessage());
        assertArrayEquals("the last good checkpoint".getBytes(), Files.readAllBytes(target));
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(1, files.count(), "no temporary file is left beside it");
        }
    }
}
