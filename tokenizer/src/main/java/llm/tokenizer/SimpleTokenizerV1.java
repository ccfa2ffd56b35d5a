package llm.tokenizer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The book's first tokenizer (Book §2.3): split into words and punctuation with {@link WordSplitter}, then
 * look each one up in a vocabulary built from the training text, sorted alphabetically. A word not in the
 * vocabulary is an error; {@link SimpleTokenizerV2} handles it instead.
 *
 * {@snippet :
 * var vocab = SimpleTokenizerV1.buildVocabulary(theVerdict);   // 1,130 words
 * var tokenizer = new SimpleTokenizerV1(vocab);
 * tokenizer.encode("\"It's the last he painted, you know,\" Mrs. Gisburn said with pardonable pride.");
 * }
 */
public class SimpleTokenizerV1 implements Tokenizer {
    protected final Map<String, Integer> strToInt;
    protected final String[] intToStr;

    public SimpleTokenizerV1(Map<String, Integer> vocabulary) {
        this.strToInt = Map.copyOf(vocabulary);
        this.intToStr = new String[vocabulary.size()];
        for (var e : vocabulary.entrySet()) {
            int id = e.getValue();
            if (id < 0 || id >= intToStr.length || intToStr[id] != null) {
                throw new IllegalArgumentException("vocabulary ids must be 0.." + (intToStr.length - 1) + " without gaps or repeats; '"
                        + e.getKey() + "' has " + id);
            }
            intToStr[id] = e.getKey();
        }
    }

    /** Every distinct word and punctuation mark of {@code text}, sorted, numbered from 0 (Book §2.3). */
    public static Map<String, Integer> buildVocabulary(String text) {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (String w : new TreeSet<>(WordSplitter.split(text))) vocab.put(w, vocab.size());
        return vocab;
    }

    @Override
    public int[] encode(String text) {
        List<String> words = WordSplitter.split(text);
        int[] ids = new int[words.size()];
        for (int i = 0; i < ids.length; i++) ids[i] = idOf(words.get(i));
        return ids;
    }

    /** The id of one word; V1 has no fallback for unknown words. */
    protected int idOf(String word) {
        Integer id = strToInt.get(word);
        if (id == null) throw new IllegalArgumentException("SimpleTokenizerV1: '" + word + "' is not in the vocabulary (use SimpleTokenizerV2 for <|unk|>)");
        return id;
    }

    @Override
    public String decode(int[] ids) {
        List<String> words = new ArrayList<>(ids.length);
        for (int id : ids) {
            if (id < 0 || id >= intToStr.length) throw new IllegalArgumentException("decode: token id " + id + " is outside the vocabulary of " + intToStr.length);
            words.add(intToStr[id]);
        }
        return WordSplitter.join(words);
    }

    @Override
    public int vocabSize() {
        return intToStr.length;
    }
}
