package llm.instruction;

import java.util.Locale;

/**
 * Measures of generated responses that need no judge model: exact match (after trimming and lower-casing) and
 * ROUGE-L (Lin, 2004), the F1 of the longest common subsequence of words between response and reference.
 */
public final class ResponseMetrics {
    private ResponseMetrics() {}

    /** 1 when response and reference are the same text, ignoring case and surrounding space. */
    public static double exactMatch(String response, String reference) {
        return response.strip().toLowerCase(Locale.ROOT).equals(reference.strip().toLowerCase(Locale.ROOT)) ? 1 : 0;
    }

    /** ROUGE-L F1 over lower-cased words: {@code 2 P R / (P + R)} with {@code P = LCS / |response|}, {@code R = LCS / |reference|}. */
    public static double rougeL(String response, String reference) {
        String[] a = words(response), b = words(reference);
        if (a.length == 0 || b.length == 0) return a.length == b.length ? 1 : 0;
        int[][] lcs = new int[a.length + 1][b.length + 1];
        for (int i = 1; i <= a.length; i++) {
            for (int j = 1; j <= b.length; j++) {
                lcs[i][j] = a[i - 1].equals(b[j - 1]) ? lcs[i - 1][j - 1] + 1 : Math.max(lcs[i - 1][j], lcs[i][j - 1]);
            }
        }
        double l = lcs[a.length][b.length];
        if (l == 0) return 0;
        double p = l / a.length, r = l / b.length;
        return 2 * p * r / (p + r);
    }

    private static String[] words(String s) {
        String t = s.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}' ]", " ").strip();
        return t.isEmpty() ? new String[0] : t.split("\\s+");
    }
}
