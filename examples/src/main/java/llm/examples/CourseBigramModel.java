package llm.examples;

import llm.autograd.Grad;
import llm.course.BigramLanguageModel;
import llm.data.Batch;
import llm.data.RandomBatches;
import llm.data.TokenSource;
import llm.optim.AdamW;
import llm.tensor.IntNDArray;
import llm.tensor.NDArray;
import llm.tensor.Sampling;
import llm.tensor.SeededRandom;
import llm.tokenizer.CharTokenizer;
import llm.training.Trainer;

/**
 * The freeCodeCamp course's first language model: a bigram model on tinyshakespeare, where each character's
 * embedding row is directly the logits of the next character. Trained with the course's settings (AdamW lr 1e-3,
 * batch 32 of 8 characters, random windows) by the same {@link Trainer} that pretrains a GPT: the loop needs only
 * a module and a loss. The loss falls from about ln 65 = 4.17 towards the bigram limit of about 2.5, and the
 * sample afterwards has Shakespeare's letter pairs without his words.
 */
public final class CourseBigramModel {
    private CourseBigramModel() {}

    public static void main(String[] args) {
        String text = BookData.read("tinyshakespeare.txt");
        CharTokenizer chars = CharTokenizer.fromText(text);
        int[] data = chars.encode(text);
        int n = (int) (0.9 * data.length);
        int[] train = java.util.Arrays.copyOf(data, n), val = java.util.Arrays.copyOfRange(data, n, data.length);

        SeededRandom rng = new SeededRandom(1337);
        BigramLanguageModel model = new BigramLanguageModel(chars.vocabSize(), rng);
        RandomBatches batches = new RandomBatches(TokenSource.of(train), 32, 8, rng);
        RandomBatches valBatches = new RandomBatches(TokenSource.of(val), 32, 8, new SeededRandom(7));
        java.util.List<Batch> valEval = new java.util.ArrayList<>(), trainEval = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            valEval.add(valBatches.next());
            trainEval.add(batches.next());
        }
        Trainer<Batch> trainer = Trainer.builder(model, new AdamW(model.namedParameters(), 1e-3, AdamW.Options.withWeightDecay(0.01)),
                        batches, batch -> model.loss(batch.inputs(), batch.targets()))
                .options(Trainer.Options.steps(3000).evalEvery(500).evalBatches(20))
                .evaluateOn(trainEval, valEval)
                .build();
        trainer.listener(new Trainer.Listener() {
            @Override
            public void onEvaluation(Trainer.Evaluation e) {
                System.out.printf("step %4d: train loss %.4f, val loss %.4f%n", e.step(), e.trainLoss(), e.valLoss());
            }
        });
        System.out.printf("bigram model: %d x %d table, %,d parameters%n", chars.vocabSize(), chars.vocabSize(), model.numParameters());
        trainer.run();

        // generate: sample each next character from the softmax of the current character's row
        SeededRandom sampler = new SeededRandom(42);
        int[] out = new int[200];
        out[0] = chars.encode("\n")[0];
        try (var off = Grad.off()) {
            for (int i = 1; i < out.length; i++) {
                NDArray logits = model.forward(IntNDArray.of(new int[] {out[i - 1]}, 1, 1)).data().view(1, chars.vocabSize());
                out[i] = Sampling.multinomial(logits.softmax(1), 1, sampler).storage()[0];
            }
        }
        System.out.println("sample:" + chars.decode(out));
    }
}
