package llm.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import llm.data.Batch;
import llm.data.DataLoader;
import llm.data.GPTDatasetV1;
import llm.generation.Generator;
import llm.gpt.GPTModel;
import llm.tensor.SeededRandom;
import llm.tokenizer.BytePairTokenizer;
import llm.pretraining.LanguageModelLoss;
import llm.weights.GPT2Weights;

/**
 * Book §5.5, "Loading pretrained weights from OpenAI": OpenAI's GPT-2 weights in this project's model, then the
 * book's checks: greedy text from "Every effort moves you" and the loss on the-verdict.
 *
 * <p>Nothing is downloaded here. Pass the weights you have: Hugging Face's {@code openai-community/gpt2} folder
 * (or its {@code model.safetensors} / {@code pytorch_model.bin}), or the book's converted {@code
 * gpt2-small-124M.pth}. With the 124M weights the book gets
 * <pre>
 * Every effort moves you forward.
 *
 * The first step is to understand the importance of your work
 * training loss 3.7547, validation loss 3.5596
 * </pre>
 * Without an argument the example loads the tiny random GPT-2 that the tests generate with PyTorch, to show
 * the loader at work.
 */
public final class Ch05PretrainedGPT2 {
    private Ch05PretrainedGPT2() {}

    public static void main(String[] args) throws IOException {
        Path weights = args.length > 0 ? Path.of(args[0]) : tinyFixture();
        long start = System.nanoTime();
        GPTModel model = GPT2Weights.load(weights, 0f);
        System.out.printf("loaded %s in %.1f s: %s, %,d parameters, head %s%n", weights, (System.nanoTime() - start) / 1e9,
                model.config(), model.numParameters(), model.tiedHead() ? "tied to the token embedding" : "separate");
        if (model.config().vocabSize() != 50257) {
            System.out.println("(not GPT-2's vocabulary: pass real GPT-2 weights to see the book's text and losses)");
            return;
        }
        BytePairTokenizer tok = BytePairTokenizer.gpt2();
        int[] out = Generator.generateTextSimple(model, tok.encode("Every effort moves you"), 15, model.config().contextLength());
        System.out.println(tok.decode(out));

        String text = BookData.read("the-verdict.txt");
        int split = (int) (0.9 * text.length());
        int ctx = Math.min(256, model.config().contextLength());
        DataLoader<Batch> train = new DataLoader<>(new GPTDatasetV1(tok.encode(text.substring(0, split)), ctx, ctx), 2, true, true, new SeededRandom(123));
        DataLoader<Batch> val = new DataLoader<>(new GPTDatasetV1(tok.encode(text.substring(split)), ctx, ctx), 2, false, false, null);
        System.out.printf("training loss %.4f, validation loss %.4f%n", LanguageModelLoss.calcLossLoader(model, train, 0), LanguageModelLoss.calcLossLoader(model, val, 0));
    }

    private static Path tinyFixture() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("gpt/src/test/resources/llm/weights/tiny-gpt2");
            if (Files.isDirectory(candidate)) return candidate;
        }
        throw new IllegalArgumentException("pass the path of GPT-2 weights (a Hugging Face folder, model.safetensors, pytorch_model.bin or a .pth)");
    }
}
