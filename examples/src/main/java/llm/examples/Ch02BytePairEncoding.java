package llm.examples;

import java.util.Arrays;
import java.util.Set;

import llm.tokenizer.BytePairTokenizer;

/**
 * Book §2.5: GPT-2's byte pair encoding (tiktoken's "gpt2" in the book), on the book's sentences, an unknown
 * word split into subwords, and the whole of "The Verdict".
 */
public final class Ch02BytePairEncoding {
    private Ch02BytePairEncoding() {}

    public static void main(String[] args) {
        BytePairTokenizer tokenizer = BytePairTokenizer.gpt2();
        String text = "Hello, do you like tea? <|endoftext|> In the sunlit terracesof someunknownPlace.";
        int[] ids = tokenizer.encode(text, Set.of("<|endoftext|>"));
        System.out.println(Arrays.toString(ids));
        System.out.println(tokenizer.decode(ids));

        int[] unknown = tokenizer.encode("Akwirw ier");
        System.out.println("Akwirw ier -> " + Arrays.toString(unknown));
        StringBuilder pieces = new StringBuilder();
        for (int id : unknown) pieces.append(id).append(" -> '").append(tokenizer.decode(new int[] {id})).append("'  ");
        System.out.println(pieces.toString().trim());

        int[] verdict = tokenizer.encode(BookData.read("the-verdict.txt"));
        System.out.println("The Verdict: " + verdict.length + " tokens, starting " + Arrays.toString(Arrays.copyOf(verdict, 8)));
    }
}
