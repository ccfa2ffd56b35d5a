package llm.examples;

import java.util.Arrays;

import llm.autograd.Grad;
import llm.autograd.Tensor;
import llm.generation.Generator;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.tensor.IntNDArray;
import llm.tensor.SeededRandom;
import llm.tokenizer.BytePairTokenizer;

/**
 * Book chapter 4, "Implementing a GPT model from scratch": the 124M configuration's parameter counts (§4.6),
 * a forward pass on the book's two sentences, and greedy generation with the untrained model (§4.7), which
 * produces gibberish until chapter 5 trains it.
 */
public final class Ch04GPTModel {
    private Ch04GPTModel() {}

    public static void main(String[] args) {
        GPTConfig cfg = GPTConfig.GPT2_SMALL;
        System.out.printf("GPT-2 124M: %,d parameters untied, %,d with the output head tied to the token embedding%n",
                cfg.parameterCount(false), cfg.parameterCount(true));
        System.out.printf("per block: feed-forward %,d, attention %,d%n", cfg.feedForwardParameters(), cfg.attentionParameters());
        System.out.printf("size in float32: %.2f MB%n", cfg.parameterCount(false) * 4.0 / (1024 * 1024));
        for (String name : new String[] {"gpt2-medium", "gpt2-large", "gpt2-xl"}) {
            System.out.printf("%s: %,d parameters untied%n", name, GPTConfig.named(name).parameterCount(false));
        }

        BytePairTokenizer tokenizer = BytePairTokenizer.gpt2();
        GPTModel model = new GPTModel(cfg, false, new SeededRandom(123));
        System.out.printf("built: %,d parameters%n", model.numParameters());
        model.eval(); // dropout off
        int[] a = tokenizer.encode("Every effort moves you"), b = tokenizer.encode("Every day holds a");
        int[] both = new int[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        try (var off = Grad.off()) {
            Tensor logits = model.forward(IntNDArray.of(both, 2, 4));
            System.out.println("input batch " + Arrays.toString(both) + " -> logits shape " + Arrays.toString(logits.shape()));
        }
        int[] prompt = tokenizer.encode("Hello, I am");
        int[] out = Generator.generateTextSimple(model, prompt, 6, cfg.contextLength());
        System.out.println("generated ids: " + Arrays.toString(out));
        System.out.println("generated text: " + tokenizer.decode(out));
    }
}
