package llm.examples;

import java.util.Arrays;
import java.util.Set;

import llm.tokenizer.BPETokenizerSimple;

/**
 * Chapter 2 bonus, "BPE from scratch": train a byte pair tokenizer with a vocabulary of 1,000 on "The Verdict"
 * and use it.
 */
public final class Ch02BPEFromScratch {
    private Ch02BPEFromScratch() {}

    public static void main(String[] args) {
        BPETokenizerSimple tokenizer = new BPETokenizerSimple();
        tokenizer.train(BookData.read("the-verdict.txt"), 1000, Set.of("<|endoftext|>"));
        System.out.println("vocabulary: " + tokenizer.vocabSize() + ", merges: " + tokenizer.mergeCount());
        String text = "Jack embraced beauty through art and life.";
        int[] ids = tokenizer.encode(text);
        System.out.println(Arrays.toString(ids));
        StringBuilder pieces = new StringBuilder();
        for (int id : ids) pieces.append('\'').append(tokenizer.token(id)).append("' ");
        System.out.println(pieces.toString().trim());
        System.out.println(tokenizer.decode(ids));
    }
}
