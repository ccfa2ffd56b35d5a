package llm.examples;

import java.util.Arrays;

import llm.tokenizer.CharTokenizer;

/**
 * The freeCodeCamp course's character-level tokenizer on tinyshakespeare: the vocabulary is the text's
 * distinct characters (65), and the train/validation split is 90/10 by position.
 */
public final class CourseCharacterTokenizer {
    private CourseCharacterTokenizer() {}

    public static void main(String[] args) {
        String text = BookData.read("tinyshakespeare.txt");
        CharTokenizer chars = CharTokenizer.fromText(text);
        System.out.println("characters: " + text.length() + ", vocabulary: " + chars.vocabSize());
        System.out.println("alphabet: " + chars.alphabet().replace("\n", "\\n"));
        int[] ids = chars.encode("hii there");
        System.out.println("hii there -> " + Arrays.toString(ids) + " -> " + chars.decode(ids));
        int[] data = chars.encode(text);
        int n = (int) (0.9 * data.length);
        System.out.println("train tokens: " + n + ", validation tokens: " + (data.length - n));
        System.out.println("first 20 ids: " + Arrays.toString(Arrays.copyOf(data, 20)));
    }
}
