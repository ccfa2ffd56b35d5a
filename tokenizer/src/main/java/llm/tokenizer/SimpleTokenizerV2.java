package llm.tokenizer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The book's second tokenizer (Book §2.4): {@link SimpleTokenizerV1} plus two special tokens. Unknown
 * words become {@code <|unk|>}, and {@code <|endoftext|>} separates unrelated texts.
 *
 * {@snippet :
 * var tokenizer = new SimpleTokenizerV2(SimpleTokenizerV2.buildVocabulary(theVerdict));
 * tokenizer.encode("Hello, do you like tea? <|endoftext|> In the sunlit terraces of the palace.");
 * // [1131, 5, 355, 1126, 628, 975, 10, 1130, 55, 988, 956, 984, 722, 988, 1131, 7]
 * }
 */
public class SimpleTokenizerV2 extends SimpleTokenizerV1 {
    public static final String END_OF_TEXT = "<|endoftext|>";
    public static final String UNKNOWN = "<|unk|>";

    public SimpleTokenizerV2(Map<String, Integer> vocabulary) {
        super(vocabulary);
        if (!vocabulary.containsKey(UNKNOWN) || !vocabulary.containsKey(END_OF_TEXT)) {
            throw new IllegalArgumentException("SimpleTokenizerV2: the vocabulary needs " + END_OF_TEXT + " and " + UNKNOWN
                    + " (buildVocabulary adds them)");
        }
    }

    /** The words of {@code text} as in V1, then {@code <|endoftext|>} and {@code <|unk|>} (Book §2.4). */
    public static Map<String, Integer> buildVocabulary(String text) {
        Map<String, Integer> vocab = new LinkedHashMap<>(SimpleTokenizerV1.buildVocabulary(text));
        vocab.put(END_OF_TEXT, vocab.size());
        vocab.put(UNKNOWN, vocab.size());
        return vocab;
    }

    @Override
    protected int idOf(String word) {
        Integer id = strToInt.get(word);
        return id != null ? id : strToInt.get(UNKNOWN);
    }
}
