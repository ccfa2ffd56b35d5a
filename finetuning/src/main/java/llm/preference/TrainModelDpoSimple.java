package llm.preference;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import llm.data.DataLoader;
import llm.data.EpochBatches;
import llm.gpt.GPTModel;
import llm.optim.AdamW;
import llm.optim.Optimizer;
import llm.tensor.SeededRandom;
import llm.training.DataParallel;
import llm.training.StepEngine;
import llm.training.Trainer;

/**
 * The book's {@code train_model_dpo_simple} (DPO notebook), on the generic {@link Trainer}: AdamW on the policy, the
 * DPO loss against the frozen reference, and every {@code evalFreq} steps the loss and the chosen/rejected rewards
 * on {@code evalIter} batches of each loader, printed as the book does
 * ({@code Ep 1 (Step 000000): Train loss 0.692, Val loss 0.693, Train reward margins 0.014, Val reward margins 0.005}).
 */
public final class TrainModelDpoSimple {
    private TrainModelDpoSimple() {}

    /** One evaluation: step, losses and reward margins of training and validation data. */
    public record Evaluation(long step, double trainLoss, double valLoss, double trainChosen, double trainRejected, double valChosen, double valRejected) {
        public double trainMargin() {
            return trainChosen - trainRejected;
        }

        public double valMargin() {
            return valChosen - valRejected;
        }
    }

    /** Trains {@code policy} for {@code numEpochs} passes; {@code reference} stays as it is. */
    public static List<Evaluation> trainModelDpoSimple(GPTModel policy, GPTModel reference, DataLoader<PreferenceBatch> trainLoader,
                                                       DataLoader<PreferenceBatch> valLoader, double beta, double lr, double weightDecay,
                                                       int numEpochs, int evalFreq, int evalIter, SeededRandom rng, PrintStream out,
                                                       Trainer.Listener progress) {
        return trainModelDpoSimple(policy, reference, trainLoader, valLoader, beta, lr, weightDecay, numEpochs, evalFreq, evalIter, rng, out,
                progress, DataParallel.SINGLE);
    }

    /** As above, as one of {@code parallel.worldSize()} processes (Book appendix A.9); rank 0 evaluates and prints. */
    public static List<Evaluation> trainModelDpoSimple(GPTModel policy, GPTModel reference, DataLoader<PreferenceBatch> trainLoader,
                                                       DataLoader<PreferenceBatch> valLoader, double beta, double lr, double weightDecay,
                                                       int numEpochs, int evalFreq, int evalIter, SeededRandom rng, PrintStream out,
                                                       Trainer.Listener progress, DataParallel parallel) {
        return trainModelDpoSimple(policy, reference, trainLoader, valLoader, beta, lr, weightDecay, numEpochs, evalFreq, evalIter, rng, out,
                progress, parallel, null);
    }

    /**
     * As above, every step taken by the engine {@code onDevice} makes for the run's optimiser when it is not null
     * ({@code --device gpu}, {@link DpoDeviceStep}): the policy is synced from it before each evaluation and at the end,
     * so evaluations and what follows the run use the CPU model as always.
     */
    public static List<Evaluation> trainModelDpoSimple(GPTModel policy, GPTModel reference, DataLoader<PreferenceBatch> trainLoader,
                                                       DataLoader<PreferenceBatch> valLoader, double beta, double lr, double weightDecay,
                                                       int numEpochs, int evalFreq, int evalIter, SeededRandom rng, PrintStream out,
                                                       Trainer.Listener progress, DataParallel parallel,
                                                       Function<Optimizer, StepEngine<PreferenceBatch>> onDevice) {
        reference.eval();
        reference.requiresGrad(false);
        int perEpoch = trainLoader.size();
        if (perEpoch == 0) throw new IllegalArgumentException("the preference loader yields no batches (fewer pairs than one batch?)");
        AdamW optimizer = new AdamW(policy.namedParameters(), lr, AdamW.Options.withWeightDecay(weightDecay));
        Trainer<PreferenceBatch> trainer = Trainer.builder(policy, optimizer, new EpochBatches<>(trainLoader, rng),
                        (PreferenceBatch b) -> DpoLoss.computeDpoLossBatch(b, policy, reference, beta).loss())
                .options(Trainer.Options.steps((long) numEpochs * perEpoch))
                .tokens(b -> b.chosen().dim(0))
                .random(rng).distributed(parallel, PreferenceBatch.ROWS).build();
        StepEngine<PreferenceBatch> engine = onDevice == null ? null : onDevice.apply(optimizer);
        if (engine != null) trainer.engine(engine);
        List<Evaluation> history = new ArrayList<>();
        trainer.listener(new Trainer.Listener() {
            @Override
            public void onStep(Trainer.StepReport r) {
                if (progress != null) progress.onStep(r);
                if (!r.evaluatesEvery(evalFreq)) return;
                if (engine != null) engine.sync();
                policy.eval();
                double[] train = DpoLoss.computeDpoLossLoader(trainLoader, policy, reference, beta, evalIter);
                double[] val = DpoLoss.computeDpoLossLoader(valLoader, policy, reference, beta, evalIter);
                policy.train();
                Evaluation e = new Evaluation(r.step() - 1, train[0], val[0], train[1], train[2], val[1], val[2]);
                history.add(e);
                if (out != null) {
                    out.printf("Ep %d (Step %06d): Train loss %.3f, Val loss %.3f, Train reward margins %.3f, Val reward margins %.3f%n",
                            e.step() / perEpoch + 1, e.step(), e.trainLoss(), e.valLoss(), e.trainMargin(), e.valMargin());
                }
            }
        });
        trainer.run();
        if (engine != null) engine.sync();
        return history;
    }
}
