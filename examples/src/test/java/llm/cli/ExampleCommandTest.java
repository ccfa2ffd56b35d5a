package llm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** {@code ./llm example} lists every example main, and runs one by name. */
class ExampleCommandTest {
    @Test
    void everyExampleMainIsListed() throws IOException {
        Set<String> mains = new TreeSet<>();
        try (Stream<Path> files = Files.list(Path.of("src/main/java/llm/examples"))) {
            for (Path f : files.toList()) {
                if (Files.readString(f).contains("public static void main(String[] args)")) mains.add(f.getFileName().toString().replace(".java", ""));
            }
        }
        assertEquals(mains, new TreeSet<>(ExampleCommand.EXAMPLES));
    }

    @Test
    void runsAnExampleByName() {
        var r = TrainAndGenerateCommandTest.run(new ExampleCommand(), "Ch07InstructionData");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Training set length: 935"), r.out());
        var unknown = TrainAndGenerateCommandTest.run(new ExampleCommand(), "Nope");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("no example 'Nope'"), unknown.err());
    }
}
