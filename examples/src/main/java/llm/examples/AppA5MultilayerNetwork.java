package llm.examples;

import llm.autograd.Grad;
import llm.autograd.Tensor;
import llm.tensor.NDArray;
import llm.tensor.SeededRandom;

/**
 * Book Appendix A.5, "Implementing multilayer neural networks": the 50 → 30 → 20 → 3 network, its 2,213
 * trainable parameters, and one forward pass on a random input, with and without recording the graph.
 */
public final class AppA5MultilayerNetwork {
    private AppA5MultilayerNetwork() {}

    public static void main(String[] args) {
        SeededRandom rng = new SeededRandom(123);
        AppendixANeuralNetwork model = new AppendixANeuralNetwork(50, 3, rng);
        System.out.println("Total number of trainable model parameters: " + model.numParameters());

        Tensor x = Tensor.constant(NDArray.rand(rng, 1, 50));
        Tensor out = model.forward(x);
        System.out.println("forward, graph recorded: " + out);
        try (var off = Grad.off()) {
            Tensor probs = model.forward(x).softmax(1);
            System.out.println("class probabilities (no graph): " + probs);
        }
    }
}
