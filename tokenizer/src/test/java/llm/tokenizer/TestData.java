package llm.tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The book's data files for tests: the project's bundled copies (see NOTICE). */
final class TestData {
    private TestData() {}

    static Path dataDir() {
        // tests run with the module folder as working directory; data/ lives at the repository root
        Path here = Path.of("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("data")) && Files.exists(p.resolve("data/the-verdict.txt"))) return p.resolve("data");
        }
        throw new IllegalStateException("data/the-verdict.txt not found above " + here);
    }

    static String read(String name) {
        try {
            return Files.readString(dataDir().resolve(name), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
