package llm.examples;

import llm.autograd.Grad;
import llm.autograd.Tensor;
import llm.classification.SpamClassifier;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.lora.LinearWithLoRA;
import llm.tensor.IntNDArray;
import llm.tensor.SeededRandom;

/**
 * Book Appendix E, "Parameter-efficient fine-tuning with LoRA": GPT-2 124M (qkv bias, the 2-class head of chapter
 * 6) frozen, then a rank-16 LoRA layer on every linear layer: the trainable parameters drop from 124 million to
 * 2.7 million, and since B starts at zero the adapted model gives the base model's outputs.
 */
public final class AppELoRA {
    private AppELoRA() {}

    static long count(GPTModel m, boolean trainableOnly) {
        long n = 0;
        for (Tensor t : m.parameters()) if (!trainableOnly || t.requiresGrad()) n += t.numel();
        return n;
    }

    public static void main(String[] args) {
        GPTModel model = new GPTModel(GPTConfig.GPT2_SMALL.withDropRate(0f).withQkvBias(true), false, new SeededRandom(123));
        SpamClassifier.replaceHead(model, 2, new SeededRandom(123));
        System.out.printf("Total trainable parameters before: %,d%n", count(model, true));
        model.requiresGrad(false);
        System.out.printf("Total trainable parameters after: %,d%n", count(model, true));
        IntNDArray probe = IntNDArray.of(new int[] {40, 367, 2885, 1464}, 1, 4);
        float[] before;
        try (var off = Grad.off()) {
            before = model.forward(probe).data().toArray();
        }
        var targets = LinearWithLoRA.replaceLinearWithLoRA(model, 16, 16, new SeededRandom(123));
        System.out.printf("Total trainable LoRA parameters: %,d (%d linear layers adapted)%n", count(model, true), targets.size());
        try (var off = Grad.off()) {
            System.out.println("outputs unchanged with B = 0: " + java.util.Arrays.equals(before, model.forward(probe).data().toArray()));
        }
    }
}
