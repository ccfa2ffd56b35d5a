package llm.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;

import llm.tokenizer.BytePairTokenizer;

/**
 * GPT-2 BPE encoding on one thread, ours beside JTokkit's r50k_base, on the book's corpora. {@code warm} keeps
 * our piece cache between calls (steady state on a corpus); {@code cold} empties it before every call, so each
 * distinct word is merged from bytes once per call, as JTokkit does. MB/s = corpus bytes / time
 * ({@code benchmarks/tokenizer_report.py}). A piece longer than 128 bytes is merged with a heap, O(n log n).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC"})
public class TokenizerBenchmark {
    /** The book's corpora, and {@value #NO_SPACES}: a megabyte of one letter, a single piece that stresses the merge loop. */
    @Param({"the-verdict.txt", "tinyshakespeare.txt", NO_SPACES})
    public String corpus;

    static final String NO_SPACES = "1MB-of-a";

    private String text;
    private BytePairTokenizer ours;
    private Encoding jtokkit;

    @Setup
    public void setUp() throws IOException {
        text = corpus.equals(NO_SPACES) ? "a".repeat(1 << 20) : Files.readString(Path.of(System.getProperty("llm.data", "data")).resolve(corpus));
        ours = BytePairTokenizer.gpt2();
        jtokkit = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.R50K_BASE);
    }

    @Benchmark
    public int[] oursWarm() {
        return ours.encodeOrdinary(text);
    }

    @Benchmark
    public int[] oursCold() {
        ours.clearCache();
        return ours.encodeOrdinary(text);
    }

    @Benchmark
    public Object jtokkit() {
        return jtokkit.encodeOrdinary(text);
    }
}
