package llm.pretraining;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

import llm.autograd.Grad;
import llm.autograd.Tensor;
import llm.data.Batch;
import llm.generation.Generator;
import llm.gpt.GPTModel;
import llm.optim.Optimizer;
import llm.tokenizer.Tokenizer;

/**
 * The book's own training functions of §5.2, line for line: {@code train_model_simple}, {@code evaluate_model}
 * and {@code generate_and_print_sample}. No schedule, clipping, accumulation or checkpoints: that is {@link
 * llm.training.Trainer}, the Appendix D loop, which {@code ./llm train} uses. Read this one first.
 *
 * {@snippet :
 * var history = TrainModelSimple.trainModelSimple(model, trainLoader, valLoader, optimizer, 10, 5, 5,
 *         "Every effort moves you", tokenizer, System.out);
 * // Ep 1 (Step 000000): Train loss 9.781, Val loss 9.933
 * }
 */
public final class TrainModelSimple {
    private TrainModelSimple() {}

    /** The three lists {@code train_model_simple} returns: losses at each evaluation and the tokens seen by then. */
    public record History(List<Double> trainLosses, List<Double> valLosses, List<Long> tokensSeen) {}

    /**
     * {@code train_model_simple}: {@code numEpochs} passes over {@code trainLoader}; after every {@code evalFreq}
     * steps (counting from the first), the mean loss over {@code evalIter} batches of each loader is recorded and
     * printed as {@code Ep 1 (Step 000000): Train loss ..., Val loss ...}; after each epoch a sample continues
     * {@code startContext}.
     */
    public static History trainModelSimple(GPTModel model, Iterable<Batch> trainLoader, Iterable<Batch> valLoader, Optimizer optimizer,
                                           int numEpochs, int evalFreq, int evalIter, String startContext, Tokenizer tokenizer,
                                           PrintStream out) {
        History history = new History(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        long tokensSeen = 0, globalStep = -1;
        for (int epoch = 0; epoch < numEpochs; epoch++) {
            model.train();
            for (Batch batch : trainLoader) {
                optimizer.zeroGrad();                                       // reset the gradients of the previous step
                Tensor loss = LanguageModelLoss.calcLossBatch(model, batch);
                loss.backward();                                            // gradients of the loss
                optimizer.step();                                           // update the weights with them
                tokensSeen += batch.inputs().numel();
                globalStep++;
                if (globalStep % evalFreq == 0) {
                    double[] losses = evaluateModel(model, trainLoader, valLoader, evalIter);
                    history.trainLosses().add(losses[0]);
                    history.valLosses().add(losses[1]);
                    history.tokensSeen().add(tokensSeen);
                    out.printf("Ep %d (Step %06d): Train loss %.3f, Val loss %.3f%n", epoch + 1, globalStep, losses[0], losses[1]);
                }
            }
            generateAndPrintSample(model, tokenizer, startContext, out);
        }
        return history;
    }

    /** {@code evaluate_model}: train and validation loss over {@code evalIter} batches each, in evaluation mode. */
    public static double[] evaluateModel(GPTModel model, Iterable<Batch> trainLoader, Iterable<Batch> valLoader, int evalIter) {
        model.eval();
        try {
            return new double[] {LanguageModelLoss.calcLossLoader(model, trainLoader, evalIter), LanguageModelLoss.calcLossLoader(model, valLoader, evalIter)};
        } finally {
            model.train();
        }
    }

    /** {@code generate_and_print_sample}: 50 greedy tokens after {@code startContext}, on one line. */
    public static void generateAndPrintSample(GPTModel model, Tokenizer tokenizer, String startContext, PrintStream out) {
        model.eval();
        try (var off = Grad.off()) {
            int contextSize = model.config().contextLength();
            int[] ids = Generator.generateTextSimple(model, tokenizer.encode(startContext), 50, contextSize);
            out.println(tokenizer.decode(ids).replace("\n", " "));
        } finally {
            model.train();
        }
    }
}
