package llm.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import llm.data.CorpusPreparer;
import llm.tokenizer.BytePairTokenizer;

/**
 * Corpus preparation throughput (GPT-2 tokenizer, shards written) on 1 and 2 threads: a bench main, not a
 * test. The corpus is tinyshakespeare copied {@code copies} times into separate files (default 40, about 45 MB).
 *
 * {@snippet :
 * java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar llm.bench.PrepareThroughput [copies] [rounds]
 * }
 */
public final class PrepareThroughput {
    private PrepareThroughput() {}

    public static void main(String[] args) throws IOException {
        int copies = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path source = Path.of(System.getProperty("llm.data", "data")).resolve("tinyshakespeare.txt");
        Path dir = Files.createTempDirectory("llm-prepare-bench");
        try {
            List<Path> files = new ArrayList<>();
            for (int i = 0; i < copies; i++) files.add(Files.copy(source, dir.resolve(String.format("doc%03d.txt", i))));
            BytePairTokenizer gpt2 = BytePairTokenizer.gpt2();
            for (int round = 0; round < rounds; round++) {
                for (int threads : new int[] {1, 2}) {
                    gpt2.clearCache(); // each run starts cold, as a fresh process would
                    CorpusPreparer prep = new CorpusPreparer(gpt2::encodeOrdinary, 50256, 0.1, 100_000_000, "bench", threads);
                    CorpusPreparer.Summary s = prep.prepare(files, dir.resolve("out" + threads), false, (d, t) -> {});
                    System.out.printf("round %d, %d thread%s: %.1f MB in %.2f s = %.1f MB/s, %,d tokens%n", round, threads,
                            threads == 1 ? "" : "s", s.bytes() / 1e6, s.seconds(), s.bytes() / 1e6 / s.seconds(), s.trainTokens() + s.valTokens());
                }
            }
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
