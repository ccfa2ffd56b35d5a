package llm.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** Every public class, record, interface and enum of every module has a Javadoc comment (the API an application sees). */
class PublicTypesDocumentedTest {
    private static final Pattern PUBLIC_TYPE = Pattern.compile("^\\s*public\\s+(?:static\\s+)?(?:final\\s+|abstract\\s+|sealed\\s+)*(?:class|record|interface|enum)\\s+(\\w+)");

    @Test
    void everyPublicTypeHasJavadoc() throws IOException {
        List<String> undocumented = new ArrayList<>();
        List<Path> sources;
        try (Stream<Path> files = Files.walk(Path.of(".."))) {
            sources = files.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/main/java/")).toList();
        }
        for (Path file : sources) {
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = PUBLIC_TYPE.matcher(lines.get(i));
                if (!m.find()) continue;
                int j = i - 1;
                // step over annotations, which may span lines (a picocli @Command), back to the comment's end
                while (j >= 0 && !lines.get(j).strip().endsWith("*/") && !lines.get(j).strip().endsWith(";") && !lines.get(j).strip().endsWith("}")
                        && !lines.get(j).strip().endsWith("{")) j--;
                if (j < 0 || !lines.get(j).strip().endsWith("*/")) undocumented.add(file + ":" + (i + 1) + " " + m.group(1));
            }
        }
        assertTrue(sources.size() > 100, "found the sources: " + sources.size());
        assertTrue(undocumented.isEmpty(), "public types without Javadoc:\n" + String.join("\n", undocumented));
    }
}
