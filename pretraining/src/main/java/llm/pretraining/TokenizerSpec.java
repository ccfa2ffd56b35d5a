package llm.pretraining;

import java.util.Map;

import llm.tokenizer.BytePairTokenizer;
import llm.tokenizer.CharTokenizer;
import llm.tokenizer.Tokenizer;

/**
 * Which tokenizer a model reads with, as a checkpoint stores it: {@code gpt2} (GPT-2's byte-level BPE, Book §2.5)
 * or {@code char} with its alphabet (the course's character tokenizer), and for char shards from {@code ./llm
 * prepare} the end-of-text id after the alphabet. The metadata keys are {@code tokenizer}, {@code alphabet} and
 * {@code end_of_text}.
 */
public record TokenizerSpec(String name, String alphabet, boolean endOfText) {
    public static final TokenizerSpec GPT2 = new TokenizerSpec("gpt2", null, false);

    /** A spec without a separate end-of-text id (GPT-2 has its own; a char tokenizer of a text file has none). */
    public TokenizerSpec(String name, String alphabet) {
        this(name, alphabet, false);
    }

    public TokenizerSpec {
        if (!name.equals("gpt2") && !name.equals("char")) throw new IllegalArgumentException("unknown tokenizer '" + name + "' (gpt2 or char)");
        if (name.equals("char") && (alphabet == null || alphabet.isEmpty())) throw new IllegalArgumentException("a char tokenizer needs its alphabet");
    }

    /** The tokenizer itself. */
    public Tokenizer create() {
        return name.equals("gpt2") ? BytePairTokenizer.gpt2() : new CharTokenizer(alphabet.codePoints().toArray(), endOfText);
    }

    /** The spec a checkpoint's metadata names (GPT-2's when it names none). */
    public static TokenizerSpec fromMetadata(Map<String, String> meta) {
        return new TokenizerSpec(meta.getOrDefault("tokenizer", "gpt2"), meta.get("alphabet"), Boolean.parseBoolean(meta.get("end_of_text")));
    }

    /** Adds the spec to checkpoint metadata. */
    public void putInto(Map<String, String> meta) {
        meta.put("tokenizer", name);
        if (alphabet != null) meta.put("alphabet", alphabet);
        if (endOfText) meta.put("end_of_text", "true");
    }
}
