package llm.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;

import llm.data.Utf8Text;
import llm.tokenizer.BytePairTokenizer;
import llm.tokenizer.CharTokenizer;
import llm.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./llm tokenize}: how many tokens a file has (Book §2.5), and optionally the ids. */
@Command(name = "tokenize", mixinStandardHelpOptions = true, description = "Print the token count (and with --ids the token ids) of a text file.")
final class TokenizeCommand implements Callable<Integer> {

    @Option(names = "--tokenizer", defaultValue = "gpt2", description = "gpt2 or char (the file's own characters) (default: ${DEFAULT-VALUE}).")
    String tokenizer;

    @Option(names = "--ids", description = "Also print the ids.")
    boolean ids;

    @Option(names = "--replace-invalid", description = "Read bytes that are not UTF-8 as U+FFFD instead of stopping.")
    boolean replaceInvalid;

    @Parameters(paramLabel = "FILE")
    Path file;

    @Override
    public Integer call() throws IOException {
        String text = Utf8Text.read(file, replaceInvalid);
        Tokenizer t = switch (tokenizer) {
            case "gpt2" -> BytePairTokenizer.gpt2();
            case "char" -> CharTokenizer.fromText(text);
            default -> throw new IllegalArgumentException("--tokenizer must be gpt2 or char, got '" + tokenizer + "'");
        };
        int[] tokens = t instanceof BytePairTokenizer bpe ? bpe.encodeOrdinary(text) : t.encode(text);
        System.out.printf("%s: %,d characters, %,d tokens (%s, vocabulary %,d)%n", file, text.length(), tokens.length, tokenizer, t.vocabSize());
        if (ids) System.out.println(Arrays.toString(tokens));
        return 0;
    }
}
