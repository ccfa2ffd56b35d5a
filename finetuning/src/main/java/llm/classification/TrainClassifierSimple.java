package llm.classification;

import java.util.ArrayList;
import java.util.List;

import llm.data.Batch;
import llm.data.DataLoader;
import llm.data.EpochBatches;
import llm.gpt.GPTModel;
import llm.optim.Optimizer;
import llm.tensor.SeededRandom;
import llm.training.DataParallel;
import llm.training.StepEngine;
import llm.training.Trainer;

/**
 * The book's {@code train_classifier_simple} (§6.7), run by the generic {@link Trainer}: {@code numEpochs} passes
 * over the training loader, the loss of the last token's logits, evaluation every {@code evalFreq} steps over
 * {@code evalIter} batches of each loader ({@code Ep 1 (Step 000000): Train loss 2.153, Val loss 2.392}), and
 * after each epoch the accuracy over {@code evalIter} batches ({@code Training accuracy: 70.00% | Validation
 * accuracy: 72.50%}). Tokens seen are counted as examples seen, as the book does.
 */
public final class TrainClassifierSimple {
    private TrainClassifierSimple() {}

    /** What the book's function returns: losses at each evaluation, accuracies after each epoch, examples seen. */
    public record History(List<Double> trainLosses, List<Double> valLosses, List<Double> trainAccs, List<Double> valAccs, long examplesSeen) {}

    /** Receives the run's lines as they happen (printing them, say); {@link Trainer.Listener} for progress. */
    public interface Listener extends Trainer.Listener {
        default void onEpoch(int epoch, double trainAccuracy, double valAccuracy) {}
    }

    /**
     * Trains {@code model} (its head already replaced and its trainable parts chosen) for {@code numEpochs} passes
     * over {@code trainLoader}, shuffled with {@code rng} (which dropout draws from too, as the book's one generator).
     */
    public static History trainClassifierSimple(GPTModel model, DataLoader<Batch> trainLoader, DataLoader<Batch> valLoader, Optimizer optimizer,
                                                int numEpochs, int evalFreq, int evalIter, SeededRandom rng, Listener listener) {
        return trainClassifierSimple(model, trainLoader, valLoader, optimizer, numEpochs, evalFreq, evalIter, rng, listener, DataParallel.SINGLE);
    }

    /**
     * As above, as one of {@code parallel.worldSize()} processes (Book appendix A.9): the loaders give global
     * batches, each process trains on its share, and only rank 0 evaluates and hears the listener.
     */
    public static History trainClassifierSimple(GPTModel model, DataLoader<Batch> trainLoader, DataLoader<Batch> valLoader, Optimizer optimizer,
                                                int numEpochs, int evalFreq, int evalIter, SeededRandom rng, Listener listener, DataParallel parallel) {
        return trainClassifierSimple(model, trainLoader, valLoader, optimizer, numEpochs, evalFreq, evalIter, rng, listener, parallel, null);
    }

    /**
     * As above, every step taken by {@code engine} when it is not null ({@code --device gpu}): the model is synced
     * from it before each epoch's accuracies (the last step ends an epoch too), so those, the evaluations and
     * everything after the run use the CPU model as always.
     */
    public static History trainClassifierSimple(GPTModel model, DataLoader<Batch> trainLoader, DataLoader<Batch> valLoader, Optimizer optimizer,
                                                int numEpochs, int evalFreq, int evalIter, SeededRandom rng, Listener listener, DataParallel parallel,
                                                StepEngine<Batch> engine) {
        int perEpoch = trainLoader.size();
        if (perEpoch == 0) throw new IllegalArgumentException("the training loader yields no batches (fewer examples than one batch?)");
        Trainer<Batch> trainer = Trainer.builder(model, optimizer, new EpochBatches<>(trainLoader, rng), ClassifierLoss.of(model))
                .options(Trainer.Options.steps((long) numEpochs * perEpoch).evalEvery(evalFreq).evalBatches(evalIter))
                .evaluateOn(trainLoader, valLoader)
                .tokens(b -> b.inputs().dim(0))                       // the book counts examples, not tokens
                .random(rng)
                .distributed(parallel, Trainer.BATCH_ROWS)
                .build();
        if (engine != null) trainer.engine(engine);
        History history = new History(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), 0);
        trainer.listener(new Trainer.Listener() {
            @Override
            public void onStep(Trainer.StepReport r) {
                listener.onStep(r);
                if (r.step() % perEpoch != 0) return;
                if (engine != null) engine.sync();
                double train = ClassifierLoss.calcAccuracyLoader(model, trainLoader, evalIter);
                double val = ClassifierLoss.calcAccuracyLoader(model, valLoader, evalIter);
                history.trainAccs().add(train);
                history.valAccs().add(val);
                listener.onEpoch((int) (r.step() / perEpoch), train, val);
            }

            @Override
            public void onEvaluation(Trainer.Evaluation e) {
                history.trainLosses().add(e.trainLoss());
                history.valLosses().add(e.valLoss());
                listener.onEvaluation(e);
            }
        });
        trainer.run();
        return new History(history.trainLosses(), history.valLosses(), history.trainAccs(), history.valAccs(), trainer.tokensSeen());
    }

    /** A listener printing the book's lines: evaluations with their epoch, and the accuracies after each epoch. */
    public static Listener printing(java.io.PrintStream out, int batchesPerEpoch) {
        return new Listener() {
            @Override
            public void onEvaluation(Trainer.Evaluation e) {
                out.printf("Ep %d (Step %06d): Train loss %.3f, Val loss %.3f%n", (e.step() - 1) / batchesPerEpoch + 1, e.step() - 1, e.trainLoss(), e.valLoss());
            }

            @Override
            public void onEpoch(int epoch, double trainAccuracy, double valAccuracy) {
                out.printf("Training accuracy: %.2f%% | Validation accuracy: %.2f%%%n", 100 * trainAccuracy, 100 * valAccuracy);
            }
        };
    }
}
