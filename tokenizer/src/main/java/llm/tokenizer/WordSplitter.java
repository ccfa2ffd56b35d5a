package llm.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The book's regular expression for splitting text into words and punctuation (Book §2.2):
 * {@code re.split(r'([,.:;?_!"()\']|--|\s)', text)}, keeping the punctuation and dropping whitespace.
 */
public final class WordSplitter {
    /** A punctuation mark, a double dash, or one whitespace character. */
    static final Pattern SPLIT = Pattern.compile("([,.:;?_!\"()']|--|\\s)");
    /** A space before punctuation, which decoding removes: {@code r'\s+([,.?!"()\'])'}. */
    static final Pattern SPACE_BEFORE_PUNCTUATION = Pattern.compile("\\s+([,.?!\"()'])");

    private WordSplitter() {}

    /** Words and punctuation of {@code text}, in order, with whitespace removed. */
    public static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = SPLIT.matcher(text);
        int last = 0;
        while (m.find()) {
            addStripped(out, text.substring(last, m.start()));
            addStripped(out, m.group(1));
            last = m.end();
        }
        addStripped(out, text.substring(last));
        return out;
    }

    private static void addStripped(List<String> out, String piece) {
        String s = piece.strip();
        if (!s.isEmpty()) out.add(s);
    }

    /** Joins tokens with spaces and removes the space before punctuation. */
    static String join(List<String> tokens) {
        return SPACE_BEFORE_PUNCTUATION.matcher(String.join(" ", tokens)).replaceAll("$1");
    }
}
