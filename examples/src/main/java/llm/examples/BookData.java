package llm.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the book's data files that ship in the repository's {@code data/} folder (see NOTICE): from the
 * folder given with {@code -Dllm.data=DIR}, or the first {@code data/} found from the working directory
 * upwards, so that examples run from the repository root, a module folder or an IDE alike.
 */
public final class BookData {
    private BookData() {}

    public static Path path(String name) {
        String configured = System.getProperty("llm.data");
        if (configured != null) return Path.of(configured).resolve(name);
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("data").resolve(name);
            if (Files.exists(candidate)) return candidate;
        }
        throw new IllegalStateException("data/" + name + " not found from " + Path.of("").toAbsolutePath()
                + " upwards; run from the repository or pass -Dllm.data=DIR");
    }

    public static String read(String name) {
        try {
            return Files.readString(path(name), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
