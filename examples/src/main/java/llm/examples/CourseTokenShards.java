package llm.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import llm.data.Batch;
import llm.data.CorpusPreparer;
import llm.data.RandomBatches;
import llm.data.TokenShard;
import llm.tensor.SeededRandom;
import llm.tokenizer.BytePairTokenizer;

/**
 * The course's corpora larger than memory: tokenize tinyshakespeare into llm.c shards, memory-map the
 * training shard, and draw random batches from it ({@code get_batch}). A 45 GB corpus works the same way.
 */
public final class CourseTokenShards {
    private CourseTokenShards() {}

    public static void main(String[] args) throws IOException {
        Path out = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("llm-shards");
        BytePairTokenizer gpt2 = BytePairTokenizer.gpt2();
        CorpusPreparer prep = new CorpusPreparer(gpt2::encodeOrdinary, gpt2.specialId(BytePairTokenizer.END_OF_TEXT), 0.1, 100_000_000, "shakespeare", 2);
        CorpusPreparer.Summary s = prep.prepare(List.of(BookData.path("tinyshakespeare.txt")), out, false, (done, total) -> {});
        System.out.printf("%d document, %,d train tokens, %,d validation tokens%n", s.documents(), s.trainTokens(), s.valTokens());
        for (Path p : s.shards()) System.out.println("  " + p.getFileName() + "  " + Files.size(p) + " bytes");
        try (TokenShard train = TokenShard.open(out.resolve("shakespeare_train_000000.bin"))) {
            RandomBatches batches = new RandomBatches(train, 4, 8, new SeededRandom(1337));
            Batch b = batches.next();
            System.out.println("inputs  " + b.inputs());
            System.out.println("targets " + b.targets());
            int[] row = new int[8];
            for (int i = 0; i < 8; i++) row[i] = b.inputs().get(0, i);
            System.out.println("row 0 as text: '" + gpt2.decode(row).replace("\n", "\\n") + "'");
        }
    }
}
