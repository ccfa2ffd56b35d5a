package llm.examples;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import llm.tokenizer.SimpleTokenizerV1;
import llm.tokenizer.SimpleTokenizerV2;
import llm.tokenizer.WordSplitter;

/**
 * Book §2.2-2.4: split "The Verdict" into words, build the vocabulary, and encode the book's sentences with
 * {@code SimpleTokenizerV1} and {@code SimpleTokenizerV2}.
 */
public final class Ch02SimpleTokenizer {
    private Ch02SimpleTokenizer() {}

    public static void main(String[] args) {
        String rawText = BookData.read("the-verdict.txt");
        System.out.println("Total number of characters: " + rawText.length());
        List<String> preprocessed = WordSplitter.split(rawText);
        System.out.println("Tokens: " + preprocessed.size() + ", first 30: " + preprocessed.subList(0, 30));

        Map<String, Integer> vocab = SimpleTokenizerV1.buildVocabulary(rawText);
        System.out.println("Vocabulary size: " + vocab.size());
        SimpleTokenizerV1 v1 = new SimpleTokenizerV1(vocab);
        String text = "\"It's the last he painted, you know,\" Mrs. Gisburn said with pardonable pride.";
        int[] ids = v1.encode(text);
        System.out.println("V1 ids: " + Arrays.toString(ids));
        System.out.println("V1 decoded: " + v1.decode(ids));

        Map<String, Integer> vocab2 = SimpleTokenizerV2.buildVocabulary(rawText);
        System.out.println("Vocabulary size with <|endoftext|> and <|unk|>: " + vocab2.size());
        SimpleTokenizerV2 v2 = new SimpleTokenizerV2(vocab2);
        String joined = String.join(" <|endoftext|> ", "Hello, do you like tea?", "In the sunlit terraces of the palace.");
        int[] ids2 = v2.encode(joined);
        System.out.println("V2 ids: " + Arrays.toString(ids2));
        System.out.println("V2 decoded: " + v2.decode(ids2));
    }
}
