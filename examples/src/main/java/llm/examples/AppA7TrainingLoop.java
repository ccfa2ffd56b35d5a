package llm.examples;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

import llm.autograd.Grad;
import llm.autograd.Tensor;
import llm.autograd.fused.CrossEntropy;
import llm.tensor.IntNDArray;
import llm.tensor.NDArray;
import llm.tensor.SeededRandom;

/**
 * Book Appendix A.6-A.7, "Setting up efficient data loaders" and "A typical training loop": five toy training
 * points in two classes, batches of two (shuffled, last incomplete batch dropped), the 2 → 30 → 20 → 2
 * network, cross-entropy loss and plain stochastic gradient descent with learning rate 0.5.
 *
 * <p>The optimiser step is written out ({@code p -= lr · grad}) because Appendix A is about what
 * {@code optimizer.step()} does; the training module provides the optimisers.
 */
public final class AppA7TrainingLoop {
    static final float[][] X_TRAIN = {{-1.2f, 3.1f}, {-0.9f, 2.9f}, {-0.5f, 2.6f}, {2.3f, -1.1f}, {2.7f, -1.5f}};
    static final int[] Y_TRAIN = {0, 0, 0, 1, 1};
    static final float[][] X_TEST = {{-0.8f, 2.8f}, {2.6f, -1.6f}};
    static final int[] Y_TEST = {0, 1};

    private AppA7TrainingLoop() {}

    public static void main(String[] args) {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Result r = train(epochs, 123, System.out);
        System.out.printf("Train accuracy: %.2f%n", r.trainAccuracy());
        System.out.printf("Test accuracy:  %.2f%n", r.testAccuracy());
    }

    /** What a training run ends with: the loss of every batch, in order, and the two accuracies. */
    public record Result(List<Float> losses, float trainAccuracy, float testAccuracy) {}

    /** Trains from the given seed, printing one line per batch to {@code out} as the book does. */
    public static Result train(int epochs, long seed, PrintStream out) {
        SeededRandom rng = new SeededRandom(seed);
        AppendixANeuralNetwork model = new AppendixANeuralNetwork(2, 2, rng);
        float learningRate = 0.5f;
        int batchSize = 2;
        int batches = Y_TRAIN.length / batchSize; // drop_last=True
        List<Float> losses = new ArrayList<>();
        for (int epoch = 0; epoch < epochs; epoch++) {
            int[] order = shuffled(Y_TRAIN.length, rng);
            for (int batch = 0; batch < batches; batch++) {
                float[][] xs = new float[batchSize][];
                int[] ys = new int[batchSize];
                for (int i = 0; i < batchSize; i++) {
                    xs[i] = X_TRAIN[order[batch * batchSize + i]];
                    ys[i] = Y_TRAIN[order[batch * batchSize + i]];
                }
                Tensor logits = model.forward(Tensor.constant(NDArray.of(xs)));
                Tensor loss = CrossEntropy.apply(logits, IntNDArray.of(ys));

                for (Tensor p : model.parameters()) p.zeroGrad();  // optimizer.zero_grad()
                loss.backward();
                for (Tensor p : model.parameters()) {                // optimizer.step()
                    p.setData(p.data().sub(p.grad().mul(learningRate)));
                }
                losses.add(loss.item());
                out.printf("Epoch: %03d/%03d | Batch %03d/%03d | Train Loss: %.2f%n", epoch + 1, epochs, batch, batches, loss.item());
            }
        }
        return new Result(losses, accuracy(model, X_TRAIN, Y_TRAIN), accuracy(model, X_TEST, Y_TEST));
    }

    /** Fisher-Yates shuffle of 0..n-1 from the run's generator (the DataLoader's shuffle=True). */
    private static int[] shuffled(int n, SeededRandom rng) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i]; order[i] = order[j]; order[j] = t;
        }
        return order;
    }

    /** Book A.7's {@code compute_accuracy}: the share of rows whose largest logit is the label. */
    static float accuracy(AppendixANeuralNetwork model, float[][] x, int[] y) {
        try (var off = Grad.off()) {
            int[] predicted = model.forward(Tensor.constant(NDArray.of(x))).data().argmax(1).toArray();
            int correct = 0;
            for (int i = 0; i < y.length; i++) if (predicted[i] == y[i]) correct++;
            return (float) correct / y.length;
        }
    }
}
