package llm.tokenizer;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The freeCodeCamp course's character tokenizer: the vocabulary is the sorted set of distinct characters
 * (code points) of the training text, and each character is one token. Tiny vocabularies (65 for
 * tinyshakespeare) make the course's bigram model and character-level GPT fast to train.
 *
 * {@snippet :
 * var chars = CharTokenizer.fromText(tinyShakespeare);   // 65 characters
 * int[] ids = chars.encode("hii there");
 * }
 */
public final class CharTokenizer implements Tokenizer {
    private final int[] codePoints;              // id -> code point
    private final Map<Integer, Integer> ids;     // code point -> id
    private final boolean endOfText;             // one more id, after the characters, that ends a document

    /** A tokenizer over the given characters, numbered in the order given. */
    public CharTokenizer(int[] codePoints) {
        this(codePoints, false);
    }

    /**
     * A tokenizer over the given characters and, with {@code endOfText}, one more id (the number of characters) that
     * marks the end of a document, as {@code ./llm prepare} puts between files. It decodes to nothing, and no text
     * encodes to it.
     */
    public CharTokenizer(int[] codePoints, boolean endOfText) {
        this.endOfText = endOfText;
        this.codePoints = codePoints.clone();
        this.ids = new HashMap<>();
        for (int i = 0; i < codePoints.length; i++) {
            if (ids.put(codePoints[i], i) != null) {
                throw new IllegalArgumentException("CharTokenizer: character " + describe(codePoints[i]) + " appears twice");
            }
        }
    }

    /** The distinct characters of {@code text}, sorted by code point. */
    public static CharTokenizer fromText(String text) {
        TreeSet<Integer> set = new TreeSet<>();
        text.codePoints().forEach(set::add);
        return new CharTokenizer(set.stream().mapToInt(Integer::intValue).toArray());
    }

    /** The characters, in id order, as one string (what {@code fromText} would rebuild this tokenizer from). */
    public String alphabet() {
        return new String(codePoints, 0, codePoints.length);
    }

    @Override
    public int[] encode(String text) {
        int[] cps = text.codePoints().toArray();
        int[] out = new int[cps.length];
        for (int i = 0; i < cps.length; i++) {
            Integer id = ids.get(cps[i]);
            if (id == null) {
                throw new IllegalArgumentException("CharTokenizer: character " + describe(cps[i]) + " at position " + i + " is not in the vocabulary");
            }
            out[i] = id;
        }
        return out;
    }

    @Override
    public String decode(int[] tokens) {
        int[] cps = new int[tokens.length];
        int n = 0;
        for (int token : tokens) {
            if (endOfText && token == codePoints.length) continue;      // the document separator prints as nothing
            if (token < 0 || token >= codePoints.length) {
                throw new IllegalArgumentException("decode: token id " + token + " is outside the vocabulary of " + vocabSize());
            }
            cps[n++] = codePoints[token];
        }
        return new String(cps, 0, n);
    }

    @Override
    public int vocabSize() {
        return codePoints.length + (endOfText ? 1 : 0);
    }

    /** The end-of-text id, or -1 when this tokenizer has none. */
    public int endOfTextId() {
        return endOfText ? codePoints.length : -1;
    }

    private static String describe(int cp) {
        return "'" + new String(Character.toChars(cp)) + "' (U+" + String.format("%04X", cp) + ")";
    }

    @Override
    public String toString() {
        return "CharTokenizer" + Arrays.toString(codePoints.length <= 100 ? new String[] {alphabet()} : new String[] {codePoints.length + " characters"});
    }
}
