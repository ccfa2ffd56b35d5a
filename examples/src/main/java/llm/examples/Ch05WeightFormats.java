package llm.examples;

import java.util.Arrays;

import llm.generation.Generator;
import llm.generation.MatVecDecoder;
import llm.generation.ModelDecoder;
import llm.generation.Perplexity;
import llm.generation.SamplingOptions;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.tensor.SeededRandom;
import llm.tensor.WeightFormat;
import llm.tokenizer.BytePairTokenizer;

/**
 * Beyond Book §5.3: generating with the weights stored in fp32, bf16 or int8 ({@link MatVecDecoder}). A token at
 * batch 1 reads every weight once, so its time is the bytes of the weights over the memory bandwidth: bf16 halves
 * them, int8 (one scale per row) quarters them. What that costs: each format's largest logit change against fp32,
 * whether greedy decoding still picks fp32's tokens, and the loss on the-verdict (§5.1.2) beside fp32's. The model is
 * the quickstart's shape with random weights, so its logits lie close together and a small change can flip a greedy
 * pick; {@code docs/generation-speed.md} has the trained GPT-2 124M's figures and the tokens/s.
 */
public final class Ch05WeightFormats {
    private Ch05WeightFormats() {}

    public static void main(String[] args) {
        GPTConfig cfg = new GPTConfig(50257, 64, 128, 4, 4, 0.0f, false);
        GPTModel model = new GPTModel(cfg, false, new SeededRandom(123));
        model.eval();
        BytePairTokenizer tok = BytePairTokenizer.gpt2();
        int[] prompt = tok.encode("Every effort moves you");
        int[] text = Arrays.copyOf(tok.encode(BookData.read("the-verdict.txt")), 1025);   // 16 windows of 64 and the last target
        System.out.printf("model: 4 layers, width 128, context 64, %,d parameters (random weights, seed 123)%n", model.numParameters());

        float[] reference = new ModelDecoder(model, 64).prefill(prompt);
        int[] fp32Tokens = Generator.generate(new MatVecDecoder(model, 64, WeightFormat.FP32), prompt, 20, SamplingOptions.GREEDY, id -> {});
        for (WeightFormat format : WeightFormat.values()) {
            MatVecDecoder decoder = new MatVecDecoder(model, 64, format);
            float[] logits = decoder.prefill(prompt);
            float change = 0;
            for (int v = 0; v < logits.length; v++) change = Math.max(change, Math.abs(logits[v] - reference[v]));
            int[] tokens = Generator.generate(decoder, prompt, 20, SamplingOptions.GREEDY, id -> {});
            int first = Arrays.mismatch(fp32Tokens, tokens);
            Perplexity.Result loss = Perplexity.of(decoder, text, 64);
            System.out.printf("%s: %.1f MB read per token, largest logit change %.5f, greedy 20 tokens %s, loss %.4f (perplexity %.0f)%n",
                    format, decoder.weightBytesPerToken() / 1e6, change,
                    first < 0 ? "as fp32" : "differ from token " + (first - prompt.length + 1), loss.loss(), loss.perplexity());
        }
        System.out.println("fp32 greedy: " + tok.decode(Arrays.copyOfRange(fp32Tokens, prompt.length, fp32Tokens.length)));
        for (WeightFormat format : WeightFormat.values()) {
            MatVecDecoder decoder = new MatVecDecoder(model, 64, format);
            long start = System.nanoTime();
            Generator.generate(decoder, prompt, 40, SamplingOptions.GREEDY, id -> {});
            System.out.printf("%s: %.0f tokens/s (40 tokens, no warm-up)%n", format, 40 / ((System.nanoTime() - start) / 1e9));
        }
    }
}
