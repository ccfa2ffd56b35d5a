package llm.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import llm.gpt.GPTConfig;
import llm.pretraining.PretrainingRun;
import llm.pretraining.PretrainingSettings;
import llm.pretraining.TokenizerSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's "Use it from your own JVM application" program compiles against the library and runs on a checkpoint. */
class LibrarySnippetTest {
    @TempDir
    Path tmp;

    static String snippet() throws IOException {
        String readme = Files.readString(Path.of("../README.md"));
        int start = readme.indexOf("<!-- library-snippet -->"), end = readme.indexOf("<!-- /library-snippet -->");
        assertTrue(start >= 0 && end > start, "README.md has the library snippet markers");
        String block = readme.substring(start, end);
        return block.substring(block.indexOf("```java") + 7, block.lastIndexOf("```")).strip() + "\n";
    }

    @Test
    void readmeProgramCompilesAndGenerates() throws Exception {
        // a small run, as './llm train' would make it: GPT-2's tokenizer, a narrow model, two steps on the-verdict
        GPTConfig config = new GPTConfig(50257, 16, 16, 2, 1, 0f, false);
        PretrainingSettings settings = PretrainingSettings.builder(BookData.path("the-verdict.txt").toString(), TokenizerSpec.GPT2, config)
                .steps(2).learningRate(1e-3).evaluation(0, 0).samples(0, null, 0).build();
        Path run = tmp.resolve("run");
        PretrainingRun.start(settings, run, false).run();

        Path src = tmp.resolve("src/GenerateFromCheckpoint.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, snippet());
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "-d", classes.toString(), "-cp", System.getProperty("java.class.path"), src.toString());
        assertEquals(0, rc, "the README's program compiles");

        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            Class<?> program = loader.loadClass("GenerateFromCheckpoint");
            String out = Chapter2ExamplesTest.capture(() -> program.getMethod("main", String[].class).invoke(null, (Object) new String[] {run.toString()}));
            assertTrue(out.startsWith("Every effort moves you") && out.strip().length() > "Every effort moves you".length(), out);
        }
        assertTrue(List.of(Files.list(run).map(p -> p.getFileName().toString()).toArray()).contains("checkpoint.safetensors"));
    }
}
