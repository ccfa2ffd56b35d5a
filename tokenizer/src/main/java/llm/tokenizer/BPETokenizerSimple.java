package llm.tokenizer;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.reflect.TypeToken;

/**
 * Byte-pair encoding trained from scratch: the book's bonus {@code BPETokenizerSimple} (chapter 2 bonus
 * material, "BPE from scratch"). It works on characters, with GPT-2's convention that a space before a word
 * becomes the character {@code Ġ} at the start of that word.
 *
 * <p>Training starts from the 256 characters U+0000..U+00FF, the other characters of the text, {@code Ġ} and the
 * allowed special tokens; then, until the vocabulary is full, it finds the most frequent adjacent pair of tokens
 * (the first one seen, on ties) and replaces it everywhere by a new token. Pairs whose second token begins with
 * {@code Ġ}, and pairs with a newline, are never merged, so a learned token never spans two words or lines. Encoding splits the text into words and
 * merges, in each word, the learned pairs from left to right until none is left.
 *
 * <p>The same class also loads OpenAI's GPT-2 files and then merges by GPT-2's ranks (for real use, {@link
 * BytePairTokenizer} is the exact and fast GPT-2 tokenizer).
 *
 * {@snippet :
 * var bpe = new BPETokenizerSimple();
 * bpe.train(theVerdict, 1000, Set.of("<|endoftext|>"));   // 742 merges
 * int[] ids = bpe.encode("Jack embraced beauty through art and life.");
 * }
 */
public final class BPETokenizerSimple implements Tokenizer {
    /** GPT-2's stand-in for a space at the start of a word. */
    public static final char SPACE = 'Ġ';

    private final Map<Integer, String> vocab = new HashMap<>();          // id -> token
    private final Map<String, Integer> inverseVocab = new HashMap<>();   // token -> id
    private final Map<Long, Integer> merges = new LinkedHashMap<>();     // (id1, id2) -> merged id, in learning order
    private final Map<String, Integer> gpt2Ranks = new HashMap<>();      // "tok1 tok2" -> rank, when loaded from OpenAI

    /** Trains on {@code text} until the vocabulary has {@code vocabSize} tokens (or no pair is left). */
    public void train(String text, int vocabSize, Set<String> allowedSpecial) {
        clear();
        // Every space but a leading one becomes Ġ, glued to the word after it.
        StringBuilder processed = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == ' ' && i != 0) processed.append(SPACE);
            if (c != ' ') processed.append(c);
        }
        List<String> initial = new ArrayList<>();
        for (int c = 0; c < 256; c++) initial.add(String.valueOf((char) c));
        for (char c : new TreeSet<>(chars(processed))) if (c >= 256) initial.add(String.valueOf(c));
        if (!initial.contains(String.valueOf(SPACE))) initial.add(String.valueOf(SPACE));
        for (String token : initial) add(token);
        for (String special : new TreeSet<>(allowedSpecial)) if (!inverseVocab.containsKey(special)) add(special);

        int[] ids = new int[processed.length()];
        for (int i = 0; i < ids.length; i++) ids[i] = inverseVocab.get(String.valueOf(processed.charAt(i)));
        int n = ids.length;
        for (int newId = vocab.size(); newId < vocabSize; newId++) {
            long pair = mostFrequentPair(ids, n);
            if (pair < 0) break;
            n = replacePair(ids, n, pair, newId);
            merges.put(pair, newId);
            String merged = vocab.get(first(pair)) + vocab.get(second(pair));
            vocab.put(newId, merged);
            inverseVocab.put(merged, newId);
        }
    }

    /** The most frequent adjacent pair of {@code ids[0..n)} that may merge; the earliest seen on ties; -1 if none. */
    private long mostFrequentPair(int[] ids, int n) {
        Map<Long, Integer> counts = new LinkedHashMap<>(); // insertion order = order first seen
        for (int i = 0; i + 1 < n; i++) {
            String left = vocab.get(ids[i]), right = vocab.get(ids[i + 1]);
            if (right.charAt(0) == SPACE) continue;                  // never merge across a word boundary
            if (left.equals("\n") || right.equals("\n")) continue; // nor across a line break
            counts.merge(pack(ids[i], ids[i + 1]), 1, Integer::sum);
        }
        long best = -1;
        int bestCount = 0;
        for (var e : counts.entrySet()) {
            if (e.getValue() > bestCount) {
                bestCount = e.getValue();
                best = e.getKey();
            }
        }
        return best;
    }

    /** Replaces each occurrence of {@code pair}, left to right without overlaps, by {@code newId}; returns the new length. */
    private static int replacePair(int[] ids, int n, long pair, int newId) {
        int a = first(pair), b = second(pair), out = 0;
        for (int i = 0; i < n; i++) {
            if (i + 1 < n && ids[i] == a && ids[i + 1] == b) {
                ids[out++] = newId;
                i++;
            } else {
                ids[out++] = ids[i];
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- encoding

    @Override
    public int[] encode(String text) {
        return encode(text, Set.of());
    }

    /**
     * Encodes {@code text}; the allowed special tokens become their ids and any other special token of the
     * vocabulary in the text is an error.
     */
    public int[] encode(String text, Set<String> allowedSpecial) {
        List<Integer> out = new ArrayList<>();
        int start = 0;
        if (!allowedSpecial.isEmpty()) {
            List<String> longestFirst = new ArrayList<>(allowedSpecial);
            longestFirst.sort((x, y) -> y.length() - x.length());
            var m = java.util.regex.Pattern.compile(String.join("|", longestFirst.stream().map(java.util.regex.Pattern::quote).toList())).matcher(text);
            while (m.find()) {
                encodeWords(text.substring(start, m.start()), out);
                Integer id = inverseVocab.get(m.group());
                if (id == null) throw new IllegalArgumentException("encode: special token " + m.group() + " is not in the vocabulary");
                out.add(id);
                start = m.end();
            }
        }
        String rest = text.substring(start);
        // only text with "<|" can hold a special token: spare the walk over the vocabulary otherwise
        if (rest.contains("<|")) for (String token : inverseVocab.keySet()) {
            if (token.startsWith("<|") && token.endsWith("|>") && rest.contains(token) && !allowedSpecial.contains(token)) {
                throw new IllegalArgumentException("encode: the text contains the special token " + token + ", which is not allowed");
            }
        }
        encodeWords(rest, out);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Lines, then whitespace-separated words; every word but the very first carries a leading Ġ. */
    private void encodeWords(String text, List<Integer> out) {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (i > 0) out.add(idOf("\n"));
            String[] words = lines[i].trim().isEmpty() ? new String[0] : lines[i].trim().split("\\s+");
            for (int j = 0; j < words.length; j++) {
                String token = (j == 0 && i == 0) ? words[j] : SPACE + words[j];
                Integer whole = inverseVocab.get(token);
                if (whole != null) out.add(whole);
                else out.addAll(gpt2Ranks.isEmpty() ? mergeLearned(token) : mergeByRank(token));
            }
        }
    }

    private int idOf(String token) {
        Integer id = inverseVocab.get(token);
        if (id == null) throw new IllegalArgumentException("encode: '" + token.replace("\n", "\\n") + "' is not in the vocabulary");
        return id;
    }

    /** The book's merge loop: sweep left to right merging every learned pair, until a sweep merges nothing. */
    private List<Integer> mergeLearned(String token) {
        List<Integer> ids = new ArrayList<>();
        for (char c : token.toCharArray()) ids.add(idOf(String.valueOf(c)));
        boolean merged = true;
        while (merged && ids.size() > 1) {
            merged = false;
            List<Integer> next = new ArrayList<>();
            int i = 0;
            while (i < ids.size() - 1) {
                Integer m = merges.get(pack(ids.get(i), ids.get(i + 1)));
                if (m != null) {
                    next.add(m);
                    i += 2;
                    merged = true;
                } else {
                    next.add(ids.get(i++));
                }
            }
            if (i < ids.size()) next.add(ids.get(i));
            ids = next;
        }
        return ids;
    }

    /** GPT-2's rule for loaded OpenAI merges: merge every occurrence of the lowest-ranked pair, repeatedly. */
    private List<Integer> mergeByRank(String token) {
        List<String> symbols = new ArrayList<>();
        for (char c : token.toCharArray()) symbols.add(String.valueOf(c));
        while (symbols.size() > 1) {
            int bestRank = Integer.MAX_VALUE;
            String a = null, b = null;
            for (int i = 0; i + 1 < symbols.size(); i++) {
                Integer r = gpt2Ranks.get(symbols.get(i) + " " + symbols.get(i + 1));
                if (r != null && r < bestRank) {
                    bestRank = r;
                    a = symbols.get(i);
                    b = symbols.get(i + 1);
                }
            }
            if (a == null) break;
            List<String> next = new ArrayList<>();
            for (int i = 0; i < symbols.size(); i++) {
                if (i + 1 < symbols.size() && symbols.get(i).equals(a) && symbols.get(i + 1).equals(b)) {
                    next.add(a + b);
                    i++;
                } else {
                    next.add(symbols.get(i));
                }
            }
            symbols = next;
        }
        List<Integer> ids = new ArrayList<>();
        for (String s : symbols) ids.add(idOf(s));
        return ids;
    }

    // ---------------------------------------------------------------- decoding

    @Override
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            String token = vocab.get(id);
            if (token == null) throw new IllegalArgumentException("decode: token id " + id + " is not in the vocabulary");
            if (token.equals("\n")) {
                if (!sb.isEmpty() && sb.charAt(sb.length() - 1) != ' ') sb.append(' ');
                sb.append(token);
            } else if (token.charAt(0) == SPACE) {
                sb.append(' ').append(token, 1, token.length());
            } else {
                sb.append(token);
            }
        }
        return sb.toString();
    }

    @Override
    public int vocabSize() {
        return vocab.size();
    }

    /** Number of merges learned (or loaded). */
    public int mergeCount() {
        return gpt2Ranks.isEmpty() ? merges.size() : gpt2Ranks.size();
    }

    /** The token text of an id, with GPT-2's Ġ for a leading space. */
    public String token(int id) {
        return vocab.get(id);
    }

    // ---------------------------------------------------------------- files

    /**
     * Saves the vocabulary ({@code {"id": "token"}}) and the merges ({@code [{"pair": [a, b], "new_id": n}]}) as
     * JSON, each written to a temporary file and renamed into place.
     */
    public void saveVocabAndMerges(Path vocabPath, Path mergesPath) throws IOException {
        Gson gson = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();
        Map<String, String> v = new LinkedHashMap<>();
        for (var e : new TreeMap<>(vocab).entrySet()) v.put(String.valueOf(e.getKey()), e.getValue());
        writeAtomically(vocabPath, gson.toJson(v));
        List<Map<String, Object>> m = new ArrayList<>();
        for (var e : merges.entrySet()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("pair", List.of(first(e.getKey()), second(e.getKey())));
            entry.put("new_id", e.getValue());
            m.add(entry);
        }
        writeAtomically(mergesPath, gson.toJson(m));
    }

    /** Loads what {@link #saveVocabAndMerges} wrote. */
    public void loadVocabAndMerges(Path vocabPath, Path mergesPath) throws IOException {
        clear();
        Gson gson = new Gson();
        Map<String, String> v;
        try (Reader r = Files.newBufferedReader(vocabPath, StandardCharsets.UTF_8)) {
            v = gson.fromJson(r, new TypeToken<Map<String, String>>() {}.getType());
        }
        if (v == null) throw new IOException(vocabPath + ": empty vocabulary file");
        for (var e : v.entrySet()) {
            int id;
            try {
                id = Integer.parseInt(e.getKey());
            } catch (NumberFormatException nfe) {
                throw new IOException(vocabPath + ": key '" + e.getKey() + "' is not a token id");
            }
            vocab.put(id, e.getValue());
            inverseVocab.put(e.getValue(), id);
        }
        record Merge(List<Integer> pair, Integer new_id) {}
        List<Merge> m;
        try (Reader r = Files.newBufferedReader(mergesPath, StandardCharsets.UTF_8)) {
            m = gson.fromJson(r, new TypeToken<List<Merge>>() {}.getType());
        }
        if (m == null) throw new IOException(mergesPath + ": empty merges file");
        for (int i = 0; i < m.size(); i++) {
            Merge merge = m.get(i);
            if (merge.pair() == null || merge.pair().size() != 2 || merge.new_id() == null || !vocab.containsKey(merge.new_id())) {
                throw new IOException(mergesPath + ": merge " + i + " is not {\"pair\": [a, b], \"new_id\": n} with n in the vocabulary");
            }
            merges.put(pack(merge.pair().get(0), merge.pair().get(1)), merge.new_id());
        }
    }

    /** Loads OpenAI's GPT-2 {@code encoder.json} and {@code vocab.bpe}: encoding then merges by GPT-2's ranks. */
    public void loadVocabAndMergesFromOpenAi(Path encoderJson, Path vocabBpe) throws IOException {
        clear();
        Map<String, Integer> encoder;
        try (Reader r = Files.newBufferedReader(encoderJson, StandardCharsets.UTF_8)) {
            encoder = new Gson().fromJson(r, new TypeToken<Map<String, Integer>>() {}.getType());
        }
        for (var e : encoder.entrySet()) {
            vocab.put(e.getValue(), e.getKey());
            inverseVocab.put(e.getKey(), e.getValue());
        }
        // GPT-2 writes a newline as Ċ; this character-level class reads "\n" as that token
        inverseVocab.put("\n", encoder.get(String.valueOf(ByteUnicode.charOf('\n'))));
        vocab.put(encoder.get(String.valueOf(ByteUnicode.charOf('\n'))), "\n");
        int rank = 0;
        for (String line : Files.readAllLines(vocabBpe, StandardCharsets.UTF_8)) {
            if (line.startsWith("#") || line.isBlank()) continue;
            String[] pair = line.trim().split(" ");
            if (pair.length == 2 && inverseVocab.containsKey(pair[0]) && inverseVocab.containsKey(pair[1])) {
                gpt2Ranks.put(pair[0] + " " + pair[1], rank++);
            }
        }
    }

    private void clear() {
        vocab.clear();
        inverseVocab.clear();
        merges.clear();
        gpt2Ranks.clear();
    }

    private void add(String token) {
        int id = vocab.size();
        vocab.put(id, token);
        inverseVocab.put(token, id);
    }

    private static Set<Character> chars(CharSequence s) {
        Set<Character> set = new java.util.HashSet<>();
        for (int i = 0; i < s.length(); i++) set.add(s.charAt(i));
        return set;
    }

    private static void writeAtomically(Path path, String content) throws IOException {
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            w.write(content);
        }
        Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static long pack(int a, int b) {
        return ((long) a << 32) | (b & 0xFFFFFFFFL);
    }

    private static int first(long pair) {
        return (int) (pair >>> 32);
    }

    private static int second(long pair) {
        return (int) pair;
    }
}
