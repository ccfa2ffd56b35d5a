package llm.classification;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A small copy of the book's SMS spam split for tests: the header and the first messages of each CSV file. */
public final class SpamSplits {
    private SpamSplits() {}

    /** Writes the first {@code n} messages of {@code train.csv}, {@code validation.csv} and {@code test.csv} into {@code dir}. */
    public static Path firstMessages(Path dir, int n) throws IOException {
        Files.createDirectories(dir);
        for (String split : List.of("train", "validation", "test")) {
            List<String> lines = Files.readAllLines(Path.of("../data/sms-spam/" + split + ".csv"));
            Files.write(dir.resolve(split + ".csv"), lines.subList(0, Math.min(lines.size(), n + 1)));
        }
        return dir;
    }
}
