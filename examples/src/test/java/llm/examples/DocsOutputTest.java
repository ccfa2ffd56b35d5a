package llm.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * What the docs pages say an example prints, it prints. A page shows an example's output in a code block as a
 * section headed {@code === NAME} (words after the name are a comment); every line of the section must appear in
 * the example's output, in order, except lines that are {@code ...} (output left out). Examples that take minutes
 * (the 124M model, long training) are listed in {@link #SLOW} and checked elsewhere.
 */
class DocsOutputTest {
    /** Examples too slow for the suite; their own tests check their key numbers. */
    static final List<String> SLOW = List.of("Ch05PretrainingLoop", "Ch05TextGenerationLoss", "CourseBigramModel", "Ch06ClassificationFinetuning");

    /** Every {@code === NAME} section in the docs pages: example name to its expected lines, per page. */
    static Map<String, List<String>> sections() throws IOException {
        Map<String, List<String>> out = new LinkedHashMap<>();
        try (Stream<Path> pages = Files.list(Path.of("../docs"))) {
            for (Path page : pages.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
                boolean inBlock = false;
                List<String> current = null;
                for (String line : Files.readAllLines(page)) {
                    if (line.startsWith("```")) {
                        inBlock = !inBlock;
                        current = null;
                        continue;
                    }
                    if (!inBlock) continue;
                    if (line.startsWith("=== ")) {
                        String name = line.substring(4).split(" ")[0];
                        current = new ArrayList<>();
                        out.put(page.getFileName() + " " + name, current);
                    } else if (current != null) {
                        current.add(line);
                    }
                }
            }
        }
        return out;
    }

    @TestFactory
    Stream<DynamicTest> everyDocumentedOutputIsPrinted() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (var e : sections().entrySet()) {
            String name = e.getKey().split(" ")[1];
            if (SLOW.contains(name)) continue;
            tests.add(DynamicTest.dynamicTest(e.getKey(), () -> {
                Method main = Class.forName("llm.examples." + name).getMethod("main", String[].class);
                String printed = Chapter2ExamplesTest.capture(() -> main.invoke(null, (Object) new String[0]));
                int from = 0;
                for (String line : e.getValue()) {
                    if (line.isBlank() || line.strip().equals("...")) continue;
                    int at = printed.indexOf(line.strip(), from);
                    assertTrue(at >= 0, e.getKey() + ": the page shows\n  " + line + "\nwhich the example does not print (in order). It printed:\n" + printed);
                    from = at + line.strip().length();
                }
            }));
        }
        assertTrue(tests.size() >= 10, "the docs show the output of at least 10 examples, found " + tests.size());
        return tests.stream();
    }
}
