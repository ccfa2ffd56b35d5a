package llm.examples;

import java.util.Arrays;

import llm.autograd.Grad;
import llm.autograd.Tensor;
import llm.autograd.fused.CrossEntropy;
import llm.data.Batch;
import llm.data.DataLoader;
import llm.data.GPTDatasetV1;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.tensor.IntNDArray;
import llm.tensor.NDArray;
import llm.tensor.SeededRandom;
import llm.tokenizer.BytePairTokenizer;
import llm.pretraining.LanguageModelLoss;

/**
 * Book §5.1, "Evaluating generative text models": the untrained 124M model (context 256) on the book's two
 * inputs, "every effort moves" and "I really like", the probabilities it gives the right next tokens, their
 * cross-entropy and perplexity (§5.1.2), then the training and validation loss over the-verdict split 90/10
 * (§5.1.3). The book's numbers come from PyTorch's random initialisation, this model's from its own; both land
 * near ln(50257) ≈ 10.8, the loss of a model that knows nothing.
 */
public final class Ch05TextGenerationLoss {
    private Ch05TextGenerationLoss() {}

    public static void main(String[] args) {
        GPTConfig cfg = GPTConfig.GPT2_SMALL.withContextLength(256);
        GPTModel model = new GPTModel(cfg, false, new SeededRandom(123));
        model.eval();
        int[][] inputs = {{16833, 3626, 6100}, {40, 1107, 588}};     // "every effort moves", "I really like"
        int[][] targets = {{3626, 6100, 345}, {1107, 588, 11311}};  // " effort moves you", " really like chocolate"
        BytePairTokenizer tok = BytePairTokenizer.gpt2();
        try (var off = Grad.off()) {
            Tensor logits = model.forward(IntNDArray.of(inputs));
            System.out.println("logits shape " + Arrays.toString(logits.shape()));
            NDArray probs = logits.data().softmax(-1);
            int[] argmax = probs.argmax(-1).toArray();
            System.out.println("targets batch 1: " + tok.decode(targets[0]));
            System.out.println("outputs batch 1: " + tok.decode(Arrays.copyOf(argmax, 3)));
            for (int b = 0; b < 2; b++) {
                float[] p = new float[3];
                for (int t = 0; t < 3; t++) p[t] = probs.get(b, t, targets[b][t]);
                System.out.printf("target probabilities, text %d: %s%n", b + 1, Arrays.toString(p));
            }
            Tensor loss = CrossEntropy.apply(logits.flatten(0, 1), IntNDArray.of(targets).view(-1));
            System.out.printf("cross-entropy %.4f, perplexity %.1f (vocabulary %,d)%n", loss.item(), LanguageModelLoss.perplexity(loss.item()), cfg.vocabSize());
        }

        String text = BookData.read("the-verdict.txt");
        int split = (int) (0.9 * text.length());
        int[] train = tok.encode(text.substring(0, split)), val = tok.encode(text.substring(split));
        System.out.printf("characters %,d, tokens %,d%n", text.length(), tok.encode(text).length);
        DataLoader<Batch> trainLoader = new DataLoader<>(new GPTDatasetV1(train, 256, 256), 2, true, true, new SeededRandom(123));
        DataLoader<Batch> valLoader = new DataLoader<>(new GPTDatasetV1(val, 256, 256), 2, false, false, null);
        System.out.printf("train batches %d, validation batches %d%n", trainLoader.size(), valLoader.size());
        System.out.printf("training loss %.4f%n", LanguageModelLoss.calcLossLoader(model, trainLoader, 0));
        System.out.printf("validation loss %.4f%n", LanguageModelLoss.calcLossLoader(model, valLoader, 0));
    }
}
