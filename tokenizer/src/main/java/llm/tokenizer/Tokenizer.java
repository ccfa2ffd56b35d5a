package llm.tokenizer;

import java.util.List;

/**
 * Text to token ids and back (Book §2.2-2.5). Implemented by the book's regex tokenizers, the GPT-2
 * byte-pair encoder, the trainable BPE tokenizer and the course's character tokenizer.
 *
 * {@snippet :
 * Tokenizer gpt2 = BytePairTokenizer.gpt2();
 * int[] ids = gpt2.encode("Hello, do you like tea?");   // [15496, 11, 466, 345, 588, 8887, 30]
 * String text = gpt2.decode(ids);
 * }
 */
public interface Tokenizer {

    /** The token ids of {@code text}. */
    int[] encode(String text);

    /** The text of {@code ids}; an id outside the vocabulary is an error naming it. */
    String decode(int[] ids);

    /** Number of distinct ids: every id is in {@code [0, vocabSize())}. */
    int vocabSize();

    /** Convenience for code that holds ids in a list. */
    default String decode(List<Integer> ids) {
        int[] a = new int[ids.size()];
        for (int i = 0; i < a.length; i++) a[i] = ids.get(i);
        return decode(a);
    }
}
