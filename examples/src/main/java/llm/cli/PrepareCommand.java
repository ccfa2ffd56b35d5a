package llm.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Stream;

import com.google.gson.GsonBuilder;

import llm.data.CorpusPreparer;
import llm.data.Utf8Text;
import llm.tokenizer.BytePairTokenizer;
import llm.tokenizer.CharTokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./llm prepare}: text files to llm.c token shards (the course's preparation of corpora larger than
 * memory). Each file is a document, preceded by the end-of-text token.
 */
@Command(name = "prepare", mixinStandardHelpOptions = true,
        description = "Tokenize text files into llm.c token shards (uint16, memory-mappable), with a train/validation split.")
final class PrepareCommand implements Callable<Integer> {

    @Option(names = "--tokenizer", defaultValue = "gpt2", description = "gpt2 or char (default: ${DEFAULT-VALUE}).")
    String tokenizer;

    @Option(names = "--out", required = true, description = "Output folder for the shards.")
    Path out;

    @Option(names = "--val-fraction", defaultValue = "0.1", description = "Share of the input (by bytes, at the end) that goes to validation shards (default: ${DEFAULT-VALUE}).")
    double valFraction;

    @Option(names = "--shard-tokens", defaultValue = "100000000", description = "Tokens per shard at most (default: ${DEFAULT-VALUE}).")
    long shardTokens;

    @Option(names = "--threads", description = "Tokenizing threads (default: all cores).")
    Integer threads;

    @Option(names = "--name", defaultValue = "corpus", description = "Shard file prefix: NAME_train_000000.bin, NAME_val_000000.bin (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--replace-invalid", description = "Read bytes that are not UTF-8 as U+FFFD instead of stopping.")
    boolean replaceInvalid;

    @Parameters(arity = "1..*", paramLabel = "FILE|DIR", description = "Text files, or folders whose files (recursively, sorted) are read.")
    List<Path> inputs;

    @Override
    public Integer call() throws IOException {
        if (!(valFraction >= 0 && valFraction < 1)) throw new IllegalArgumentException("--val-fraction must be in [0, 1), got " + valFraction);
        if (shardTokens < 1) throw new IllegalArgumentException("--shard-tokens must be positive, got " + shardTokens);
        if (threads != null && threads < 1) throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
        if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.contains("..")) {
            throw new IllegalArgumentException("--name must be a plain file name prefix (no folders), got '" + name + "'");
        }
        List<Path> files = expand(inputs);
        if (files.isEmpty()) throw new IllegalArgumentException("no input files in " + inputs);
        int threadCount = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        Function<String, int[]> encoder;
        int endOfText;
        Files.createDirectories(out);
        switch (tokenizer) {
            case "gpt2" -> {
                BytePairTokenizer gpt2 = BytePairTokenizer.gpt2();
                encoder = gpt2::encodeOrdinary;
                endOfText = gpt2.specialId(BytePairTokenizer.END_OF_TEXT);
                writeTokenizerInfo(new TokenizerInfo("gpt2", null, endOfText, gpt2.vocabSize()));
            }
            case "char" -> {
                CharTokenizer chars = alphabetOf(files);
                encoder = chars::encode;
                endOfText = chars.vocabSize(); // one id past the characters
                writeTokenizerInfo(new TokenizerInfo("char", chars.alphabet(), endOfText, chars.vocabSize() + 1));
            }
            default -> throw new IllegalArgumentException("--tokenizer must be gpt2 or char, got '" + tokenizer + "'");
        }
        CorpusPreparer preparer = new CorpusPreparer(encoder, endOfText, valFraction, shardTokens, name, threadCount);
        ProgressLine bar = new ProgressLine(System.err, "prepare");
        CorpusPreparer.Summary s = preparer.prepare(files, out, replaceInvalid, bar::update);
        System.out.printf("documents: %d, tokens: %,d train + %,d validation, shards: %d, in %s%n",
                s.documents(), s.trainTokens(), s.valTokens(), s.shards().size(), out);
        System.out.printf("read %.1f MB in %.2f s (%.1f MB/s on %d thread%s)%n", s.bytes() / 1e6, s.seconds(),
                s.bytes() / 1e6 / s.seconds(), threadCount, threadCount == 1 ? "" : "s");
        for (Path p : s.shards()) System.out.println("  " + p);
        return 0;
    }

    /** What a later command needs to decode the shards: written as tokenizer.json beside them. */
    record TokenizerInfo(String tokenizer, String alphabet, int endOfText, int vocabSize) {}

    private void writeTokenizerInfo(TokenizerInfo info) throws IOException {
        Files.writeString(out.resolve("tokenizer.json"), new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(info), StandardCharsets.UTF_8);
    }

    private CharTokenizer alphabetOf(List<Path> files) throws IOException {
        TreeSet<Integer> chars = new TreeSet<>();
        for (Path f : files) Utf8Text.forEachCodePoint(f, replaceInvalid, chars::add);    // streamed: corpora of any size
        if (chars.size() + 1 > 65536) throw new IllegalArgumentException("the corpus has " + chars.size() + " distinct characters; uint16 shards hold at most 65,535");
        return new CharTokenizer(chars.stream().mapToInt(Integer::intValue).toArray());
    }

    static List<Path> expand(List<Path> inputs) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path p : inputs) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> walk = Files.walk(p)) {
                    walk.filter(Files::isRegularFile).sorted().forEach(files::add);
                }
            } else if (Files.isRegularFile(p)) {
                files.add(p);
            } else {
                throw new IOException(p + ": no such file or folder");
            }
        }
        return files;
    }
}
