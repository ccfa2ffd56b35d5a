package llm.tokenizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;

/**
 * Byte-level byte-pair encoding, the tokenizer of GPT-2 (Book §2.5; OpenAI's {@code encoder.py} and
 * {@code tiktoken}). Encoding a text takes three steps:
 * <ol>
 *   <li>split it into pieces with GPT-2's regular expression ({@link #GPT2_PATTERN}): contractions, runs of
 *   letters, of digits, of other symbols (each with an optional leading space), and runs of whitespace;</li>
 *   <li>turn each piece into its UTF-8 bytes, one token per byte to start with;</li>
 *   <li>repeatedly merge the adjacent pair whose merged bytes have the lowest rank (the earliest merge
 *   learned), until no adjacent pair is a token. For GPT-2 a token's rank is its id.</li>
 * </ol>
 * Pieces repeat a lot in text ("the", " of"), so their ids are cached.
 *
 * <p>Special tokens ({@code <|endoftext|>}) follow tiktoken's rules: {@link #encode(String, Set)} turns the
 * allowed ones into their ids and refuses text that contains any other; {@link #encodeOrdinary} treats them
 * as plain text.
 *
 * {@snippet :
 * BytePairTokenizer gpt2 = BytePairTokenizer.gpt2();
 * gpt2.encode("Hello, do you like tea? <|endoftext|> In the sunlit terraces", Set.of("<|endoftext|>"));
 * // [15496, 11, 466, 345, 588, 8887, 30, 220, 50256, 554, 262, 4252, 18250, 8812, 2114]
 * }
 */
public final class BytePairTokenizer implements Tokenizer {
    /** GPT-2's pre-tokenisation pattern, as in {@code encoder.py} and tiktoken's r50k_base. */
    public static final String GPT2_REGEX = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
    /** {@link #GPT2_REGEX} compiled with Unicode whitespace, as Python's and Rust's regex engines read {@code \s}. */
    public static final Pattern GPT2_PATTERN = Pattern.compile(GPT2_REGEX, Pattern.UNICODE_CHARACTER_CLASS);
    public static final String END_OF_TEXT = "<|endoftext|>";
    /** Pieces cached before the cache is emptied (a bound on memory for endless streams of new words). */
    private static final int CACHE_LIMIT = 1 << 17;

    private final RankTable ranks;
    private final byte[][] tokenBytes;               // id -> bytes (null for special ids)
    private final Map<String, Integer> specials;     // special token text -> id
    private final Pattern pattern;
    private final Pattern specialPattern;            // any special token, longest first
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * A tokenizer from mergeable ranks (byte sequence → rank, which is also the id), special tokens and a
     * pre-tokenisation pattern.
     */
    public BytePairTokenizer(Map<byte[], Integer> mergeableRanks, Map<String, Integer> specialTokens, Pattern pattern) {
        this.pattern = pattern;
        int maxId = checkIds(mergeableRanks, specialTokens);
        this.ranks = new RankTable(mergeableRanks.size());
        this.tokenBytes = new byte[maxId + 1][];
        for (var e : mergeableRanks.entrySet()) {
            int id = e.getValue();
            if (tokenBytes[id] != null) throw new IllegalArgumentException("two tokens have id " + id);
            tokenBytes[id] = e.getKey();
            ranks.put(e.getKey(), id);
        }
        this.specials = Collections.unmodifiableMap(new LinkedHashMap<>(specialTokens));
        for (var e : specials.entrySet()) {
            if (tokenBytes[e.getValue()] != null) throw new IllegalArgumentException("special token " + e.getKey() + " reuses id " + e.getValue());
        }
        List<String> longestFirst = new ArrayList<>(specials.keySet());
        longestFirst.sort((a, b) -> b.length() - a.length());
        this.specialPattern = longestFirst.isEmpty() ? null
                : Pattern.compile(String.join("|", longestFirst.stream().map(Pattern::quote).toList()));
    }

    /**
     * The largest id, after checking every id before anything is allocated: ids are never negative, and none lies
     * beyond twice the number of tokens (real vocabularies are dense, with at most a small gap before the special
     * tokens; an id of two billion in a hostile file would otherwise ask for a table of two billion entries).
     */
    private static int checkIds(Map<byte[], Integer> mergeableRanks, Map<String, Integer> specialTokens) {
        long tokens = mergeableRanks.size() + specialTokens.size();
        long limit = 2 * tokens + 256;
        int maxId = -1;
        for (var e : mergeableRanks.entrySet()) maxId = Math.max(maxId, checkId(e.getValue(), ByteUnicode.toChars(e.getKey()), limit, tokens));
        for (var e : specialTokens.entrySet()) maxId = Math.max(maxId, checkId(e.getValue(), e.getKey(), limit, tokens));
        return maxId;
    }

    private static int checkId(Integer id, String token, long limit, long tokens) {
        if (id == null || id < 0 || id >= limit) {
            throw new IllegalArgumentException("token '" + token + "' has id " + id + "; ids must lie in [0, " + limit + ") for a vocabulary of " + tokens + " tokens");
        }
        return id;
    }

    // ---------------------------------------------------------------- loading

    /** GPT-2's tokenizer from OpenAI's {@code encoder.json} and {@code vocab.bpe}, bundled with this module. */
    public static BytePairTokenizer gpt2() {
        return Gpt2Holder.INSTANCE;
    }

    private static final class Gpt2Holder {
        static final BytePairTokenizer INSTANCE = loadBundledGpt2();
    }

    private static BytePairTokenizer loadBundledGpt2() {
        try (InputStream enc = resource("gpt2/encoder.json"); InputStream bpe = resource("gpt2/vocab.bpe")) {
            return fromOpenAi(new InputStreamReader(enc, StandardCharsets.UTF_8), new InputStreamReader(bpe, StandardCharsets.UTF_8), "bundled gpt2/");
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the bundled GPT-2 tokenizer files", e);
        }
    }

    private static InputStream resource(String name) {
        InputStream in = BytePairTokenizer.class.getResourceAsStream(name);
        if (in == null) throw new IllegalStateException("resource llm/tokenizer/" + name + " is missing from the classpath");
        return in;
    }

    /** GPT-2's tokenizer from OpenAI's two files on disk. */
    public static BytePairTokenizer fromOpenAi(Path encoderJson, Path vocabBpe) throws IOException {
        try (Reader enc = Files.newBufferedReader(encoderJson, StandardCharsets.UTF_8);
             Reader bpe = Files.newBufferedReader(vocabBpe, StandardCharsets.UTF_8)) {
            return fromOpenAi(enc, bpe, encoderJson.getParent() + "/");
        }
    }

    /**
     * Reads {@code encoder.json} (token → id) and {@code vocab.bpe} (the merges, in the order they were
     * learned). A token's rank is its position: the 256 single bytes first, then merge {@code i} at {@code
     * 256 + i}. GPT-2's ids equal these ranks; a file where they disagree is reported.
     */
    static BytePairTokenizer fromOpenAi(Reader encoderJson, Reader vocabBpe, String where) throws IOException {
        Map<String, Integer> encoder;
        try {
            encoder = new Gson().fromJson(encoderJson, new TypeToken<Map<String, Integer>>() {}.getType());
        } catch (com.google.gson.JsonParseException e) {
            throw new IllegalArgumentException(where + "encoder.json is not a JSON object of token to id (" + e.getMessage() + ")");
        }
        if (encoder == null) throw new IllegalArgumentException(where + "encoder.json is empty");
        Map<String, Integer> specials = new LinkedHashMap<>();
        Map<byte[], Integer> mergeable = new LinkedHashMap<>();
        for (var e : encoder.entrySet()) {
            if (e.getKey().startsWith("<|") && e.getKey().endsWith("|>")) specials.put(e.getKey(), e.getValue());
        }
        // rank of the single bytes: their order in bytes_to_unicode's listing, which is byte order
        for (int b = 0; b < 256; b++) {
            String c = String.valueOf(ByteUnicode.charOf(b));
            Integer id = encoder.get(c);
            if (id == null) throw new IllegalArgumentException(where + "encoder.json lacks the single-byte token '" + c + "'");
            mergeable.put(new byte[] {(byte) b}, id);
        }
        BufferedReader lines = new BufferedReader(vocabBpe);
        String line;
        int lineNo = 0, merge = 0;
        while ((line = lines.readLine()) != null) {
            lineNo++;
            if (line.startsWith("#version") || line.isBlank()) continue;
            String[] pair = line.split(" ");
            if (pair.length != 2) throw new IllegalArgumentException(where + "vocab.bpe line " + lineNo + ": expected two tokens, got '" + line + "'");
            String merged = pair[0] + pair[1];
            Integer id = encoder.get(merged);
            if (id == null) throw new IllegalArgumentException(where + "vocab.bpe line " + lineNo + ": merged token '" + merged + "' is not in encoder.json");
            int rank = 256 + merge++;
            if (id != rank) {
                throw new IllegalArgumentException(where + "vocab.bpe line " + lineNo + ": merge " + (rank - 256) + " makes '" + merged
                        + "' whose id in encoder.json is " + id + ", not its rank " + rank);
            }
            mergeable.put(ByteUnicode.bytesOf(merged), id);
        }
        if (mergeable.size() + specials.size() != encoder.size()) {
            throw new IllegalArgumentException(where + "encoder.json has " + encoder.size() + " tokens but vocab.bpe accounts for "
                    + (mergeable.size() + specials.size()));
        }
        try {
            return new BytePairTokenizer(mergeable, specials, GPT2_PATTERN);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + "encoder.json: " + e.getMessage());
        }
    }

    /**
     * A tiktoken rank file ({@code .tiktoken}: one {@code base64(token bytes) rank} per line), with the
     * special tokens and pattern of the encoding it belongs to (r50k_base: {@code <|endoftext|>} = 50256 and
     * {@link #GPT2_PATTERN}).
     */
    public static BytePairTokenizer fromTiktoken(Path file, Map<String, Integer> specialTokens, Pattern pattern) throws IOException {
        Map<byte[], Integer> mergeable = new LinkedHashMap<>();
        int lineNo = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            lineNo++;
            if (line.isBlank()) continue;
            String[] parts = line.trim().split(" ");
            try {
                if (parts.length != 2) throw new IllegalArgumentException("expected 'base64 rank'");
                mergeable.put(Base64.getDecoder().decode(parts[0]), Integer.parseInt(parts[1]));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + " line " + lineNo + ": '" + line + "' is not 'base64 rank' (" + e.getMessage() + ")");
            }
        }
        try {
            return new BytePairTokenizer(mergeable, specialTokens, pattern);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- encoding

    /** Encodes text that must not contain special tokens (tiktoken's default: all specials disallowed). */
    @Override
    public int[] encode(String text) {
        return encode(text, Set.of());
    }

    /**
     * Encodes {@code text}; the special tokens in {@code allowedSpecial} become their ids, and any other
     * special token in the text is an error naming it and its position (tiktoken's {@code
     * disallowed_special="all"}).
     */
    public int[] encode(String text, Set<String> allowedSpecial) {
        for (String s : allowedSpecial) {
            if (!specials.containsKey(s)) throw new IllegalArgumentException("encode: '" + s + "' is not a special token of this tokenizer " + specials.keySet());
        }
        IntList out = new IntList(text.length() / 3 + 4);
        int start = 0;
        if (specialPattern != null) {
            Matcher m = specialPattern.matcher(text);
            while (m.find()) {
                String special = m.group();
                if (!allowedSpecial.contains(special)) {
                    throw new IllegalArgumentException("encode: the text contains the special token " + special + " at character " + m.start()
                            + "; allow it (encode(text, Set.of(\"" + special + "\"))) or encode it as plain text (encodeOrdinary)");
                }
                encodeOrdinary(text, start, m.start(), out);
                out.add(specials.get(special));
                start = m.end();
            }
        }
        encodeOrdinary(text, start, text.length(), out);
        return out.toArray();
    }

    /** Encodes {@code text} with every special token read as ordinary text. */
    public int[] encodeOrdinary(String text) {
        IntList out = new IntList(text.length() / 3 + 4);
        encodeOrdinary(text, 0, text.length(), out);
        return out.toArray();
    }

    private void encodeOrdinary(String text, int from, int to, IntList out) {
        if (from >= to) return;
        Matcher m = pattern.matcher(text).region(from, to);
        while (m.find()) {
            String piece = m.group();
            int[] ids = cache.get(piece);
            if (ids == null) {
                ids = bytePairEncode(piece.getBytes(StandardCharsets.UTF_8));
                if (cache.size() >= CACHE_LIMIT) cache.clear();
                cache.put(piece, ids);
            }
            out.addAll(ids);
        }
    }

    /** Pieces up to this many bytes use {@link #bytePairEncodeScan}; longer ones the heap, whose overhead only pays off there. */
    static final int SCAN_LIMIT = 128;

    /** BPE on the bytes of one piece: the scan for short pieces (almost all of them), the heap for long ones. */
    int[] bytePairEncode(byte[] piece) {
        int whole = ranks.get(piece, 0, piece.length);
        if (whole >= 0) return new int[] {whole};
        return piece.length <= SCAN_LIMIT ? bytePairEncodeScan(piece) : bytePairEncodeHeap(piece);
    }

    /**
     * BPE as the reference implementations write it: keep the boundaries between the current tokens, and at each
     * step remove the boundary whose two neighbours merge into the lowest-ranked token (the leftmost on a tie).
     * {@code pairRank[i]} caches the rank of the token that removing boundary {@code i+1} would make. Each step
     * scans every pair, so a piece of n bytes costs O(n²): fine for words, minutes for a megabyte without spaces.
     */
    int[] bytePairEncodeScan(byte[] piece) {
        int n = piece.length;
        int[] bounds = new int[n + 1];       // token i is piece[bounds[i], bounds[i+1])
        for (int i = 0; i <= n; i++) bounds[i] = i;
        int[] pairRank = new int[n];         // rank of tokens i and i+1 merged, or MAX_VALUE
        int count = n;                       // number of tokens
        for (int i = 0; i + 1 < count; i++) pairRank[i] = rankOf(piece, bounds[i], bounds[i + 2]);
        while (count > 1) {
            int best = Integer.MAX_VALUE, at = -1;
            for (int i = 0; i + 1 < count; i++) {
                if (pairRank[i] < best) {
                    best = pairRank[i];
                    at = i;
                }
            }
            if (at < 0) break;
            // merge tokens at and at+1: drop boundary at+1
            System.arraycopy(bounds, at + 2, bounds, at + 1, count - at - 1);
            System.arraycopy(pairRank, at + 1, pairRank, at, count - at - 2);
            count--;
            if (at + 1 < count) pairRank[at] = rankOf(piece, bounds[at], bounds[at + 2]);
            if (at > 0) pairRank[at - 1] = rankOf(piece, bounds[at - 1], bounds[at + 1]);
        }
        int[] starts = java.util.Arrays.copyOf(bounds, count + 1);
        return idsOf(piece, starts, count);
    }

    /**
     * The same merges in O(n log n): the tokens form a linked list ({@code next[start]} is the start of the token
     * after the one starting at {@code start}), and a min-heap holds every adjacent pair keyed by (rank, start), so
     * the lowest rank, leftmost on a tie, comes out first, exactly the scan's choice. A merge removes one token and
     * pushes the two pairs it creates; entries of pairs that no longer exist are recognised when they come out (the
     * pair at that start now has another rank, or none) and skipped.
     */
    int[] bytePairEncodeHeap(byte[] piece) {
        int n = piece.length;
        int[] next = new int[n], prev = new int[n];
        boolean[] alive = new boolean[n];
        LongHeap heap = new LongHeap(2 * n);
        for (int i = 0; i < n; i++) {
            next[i] = i + 1;
            prev[i] = i - 1;
            alive[i] = true;
        }
        for (int i = 0; i + 1 < n; i++) push(heap, piece, i, i + 2);
        int count = n;
        while (!heap.isEmpty()) {
            long top = heap.pop();
            int rank = (int) (top >>> 32), left = (int) top;
            if (!alive[left] || next[left] >= n) continue;
            int right = next[left], end = next[right];
            if (rankOf(piece, left, end) != rank) continue;            // a pair that a merge has since changed
            alive[right] = false;                                        // merge: the left token now ends where the right one did
            next[left] = end;
            if (end < n) prev[end] = left;
            count--;
            if (prev[left] >= 0) push(heap, piece, prev[left], end);
            if (end < n) push(heap, piece, left, next[end]);
        }
        int[] starts = new int[count + 1];
        for (int i = 0, k = 0; i < n; i = next[i]) starts[k++] = i;
        starts[count] = n;
        return idsOf(piece, starts, count);
    }

    private void push(LongHeap heap, byte[] piece, int from, int to) {
        int r = rankOf(piece, from, to);
        if (r != Integer.MAX_VALUE) heap.push(((long) r << 32) | from);
    }

    private int[] idsOf(byte[] piece, int[] starts, int count) {
        int[] ids = new int[count];
        for (int i = 0; i < count; i++) {
            int id = ranks.get(piece, starts[i], starts[i + 1]);
            if (id < 0) throw new IllegalStateException("byte sequence at " + starts[i] + " of a piece has no token (the rank file lacks single bytes?)");
            ids[i] = id;
        }
        return ids;
    }

    /** A binary min-heap of longs, without boxing. */
    private static final class LongHeap {
        private long[] a;
        private int size;

        LongHeap(int capacity) {
            a = new long[Math.max(capacity, 4)];
        }

        boolean isEmpty() {
            return size == 0;
        }

        void push(long v) {
            if (size == a.length) a = java.util.Arrays.copyOf(a, 2 * size);
            int i = size++;
            while (i > 0 && a[(i - 1) / 2] > v) {
                a[i] = a[(i - 1) / 2];
                i = (i - 1) / 2;
            }
            a[i] = v;
        }

        long pop() {
            long top = a[0], last = a[--size];
            int i = 0;
            while (2 * i + 1 < size) {
                int c = 2 * i + 1;
                if (c + 1 < size && a[c + 1] < a[c]) c++;
                if (a[c] >= last) break;
                a[i] = a[c];
                i = c;
            }
            a[i] = last;
            return top;
        }
    }

    private int rankOf(byte[] piece, int from, int to) {
        int r = ranks.get(piece, from, to);
        return r < 0 ? Integer.MAX_VALUE : r;
    }

    // ---------------------------------------------------------------- decoding

    /** The text of {@code ids}; byte sequences that are not valid UTF-8 decode to U+FFFD, as in tiktoken. */
    @Override
    public String decode(int[] ids) {
        return new String(decodeBytes(ids), StandardCharsets.UTF_8);
    }

    /** The bytes of {@code ids}, concatenated. */
    public byte[] decodeBytes(int[] ids) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(ids.length * 4);
        for (int id : ids) {
            byte[] b = id >= 0 && id < tokenBytes.length ? tokenBytes[id] : null;
            if (b == null) {
                String special = specialText(id);
                if (special == null) throw new IllegalArgumentException("decode: token id " + id + " is outside the vocabulary of " + vocabSize());
                b = special.getBytes(StandardCharsets.UTF_8);
            }
            out.writeBytes(b);
        }
        return out.toByteArray();
    }

    private String specialText(int id) {
        for (var e : specials.entrySet()) if (e.getValue() == id) return e.getKey();
        return null;
    }

    /** Forgets the cached pieces, so that a benchmark can measure encoding without the cache's help. */
    public void clearCache() {
        cache.clear();
    }

    /** The special tokens and their ids. */
    public Map<String, Integer> specialTokens() {
        return specials;
    }

    /** The id of a special token, e.g. {@code specialId("<|endoftext|>")} = 50256 for GPT-2. */
    public int specialId(String token) {
        Integer id = specials.get(token);
        if (id == null) throw new IllegalArgumentException("'" + token + "' is not a special token of this tokenizer " + specials.keySet());
        return id;
    }

    @Override
    public int vocabSize() {
        return tokenBytes.length;
    }

    /** A growable int array, to avoid boxing while collecting ids. */
    private static final class IntList {
        private int[] a;
        private int n;

        IntList(int capacity) {
            a = new int[Math.max(capacity, 8)];
        }

        void add(int v) {
            if (n == a.length) a = java.util.Arrays.copyOf(a, n * 2);
            a[n++] = v;
        }

        void addAll(int[] vs) {
            if (n + vs.length > a.length) a = java.util.Arrays.copyOf(a, Math.max(n * 2, n + vs.length));
            System.arraycopy(vs, 0, a, n, vs.length);
            n += vs.length;
        }

        int[] toArray() {
            return java.util.Arrays.copyOf(a, n);
        }
    }
}
