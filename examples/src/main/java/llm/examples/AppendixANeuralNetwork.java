package llm.examples;

import java.util.List;

import llm.autograd.Tensor;
import llm.tensor.NDArray;
import llm.tensor.SeededRandom;

/**
 * The multilayer perceptron of Book Appendix A.5: two hidden layers (30 and 20 units) with ReLU, then an
 * output layer of logits. Each linear layer is written out as a weight {@code (out, in)} and a bias {@code
 * (out)} with PyTorch's default initialisation, so the parameter count matches the book's.
 *
 * {@snippet :
 * var model = new AppendixANeuralNetwork(50, 3, new SeededRandom(123));
 * model.numParameters();   // 2,213
 * }
 */
public final class AppendixANeuralNetwork {
    private final Tensor w1, b1;  // (30, in), (30)
    private final Tensor w2, b2;  // (20, 30), (20)
    private final Tensor w3, b3;  // (out, 20), (out)

    public AppendixANeuralNetwork(int numInputs, int numOutputs, SeededRandom rng) {
        w1 = weight(rng, 30, numInputs);
        b1 = bias(rng, 30, numInputs);
        w2 = weight(rng, 20, 30);
        b2 = bias(rng, 20, 30);
        w3 = weight(rng, numOutputs, 20);
        b3 = bias(rng, numOutputs, 20);
    }

    private static Tensor weight(SeededRandom rng, int out, int in) {
        return Tensor.parameter(NDArray.kaimingUniform(rng, in, out, in));
    }

    private static Tensor bias(SeededRandom rng, int out, int fanIn) {
        return Tensor.parameter(NDArray.kaimingUniform(rng, fanIn, out));
    }

    /** {@code x (N, in)} to logits {@code (N, out)}: Linear, ReLU, Linear, ReLU, Linear. */
    public Tensor forward(Tensor x) {
        Tensor h = x.matmul(w1.transpose(0, 1)).add(b1).relu();
        h = h.matmul(w2.transpose(0, 1)).add(b2).relu();
        return h.matmul(w3.transpose(0, 1)).add(b3);
    }

    public List<Tensor> parameters() {
        return List.of(w1, b1, w2, b2, w3, b3);
    }

    /** Number of trainable numbers, like {@code sum(p.numel() for p in model.parameters())}. */
    public long numParameters() {
        long n = 0;
        for (Tensor p : parameters()) n += p.numel();
        return n;
    }
}
