package llm.rlhf;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import llm.data.DataLoader;
import llm.data.EpochBatches;
import llm.optim.AdamW;
import llm.optim.Optimizer;
import llm.preference.PreferenceBatch;
import llm.tensor.SeededRandom;
import llm.training.StepEngine;
import llm.training.Trainer;

/**
 * Reward-model training (Book §8.4) on the generic {@link Trainer}, in the style of the book's
 * {@code train_model_dpo_simple}: AdamW on every parameter, the Bradley-Terry {@link RewardLoss}, and every
 * {@code evalFreq} steps the loss, pairwise accuracy and margin on {@code evalIter} batches of each loader:
 * {@code Ep 1 (Step 000000): Train loss 0.693, Val loss 0.693, Train acc 50.0%, Val acc 50.0%, Val margin 0.000}.
 */
public final class TrainRewardModelSimple {
    private TrainRewardModelSimple() {}

    /** One evaluation of training and validation pairs. */
    public record Evaluation(long step, RewardLoss.Stats train, RewardLoss.Stats val) {}

    /** Trains {@code model} for {@code numEpochs} passes over {@code trainLoader}. */
    public static List<Evaluation> trainRewardModelSimple(RewardModel model, DataLoader<PreferenceBatch> trainLoader, DataLoader<PreferenceBatch> valLoader,
                                                          double lr, double weightDecay, double centerCoef, int numEpochs, int evalFreq, int evalIter,
                                                          SeededRandom rng, PrintStream out, Trainer.Listener progress) {
        return trainRewardModelSimple(model, trainLoader, valLoader, lr, weightDecay, centerCoef, numEpochs, evalFreq, evalIter, rng, out, progress, null);
    }

    /**
     * As above, every step taken by the engine {@code onDevice} makes for the run's optimiser when it is not null
     * ({@code --device gpu}, {@link RewardDeviceStep}): the model is synced from it before each evaluation and at the
     * end, so evaluations and what follows use the CPU model as always.
     */
    public static List<Evaluation> trainRewardModelSimple(RewardModel model, DataLoader<PreferenceBatch> trainLoader, DataLoader<PreferenceBatch> valLoader,
                                                          double lr, double weightDecay, double centerCoef, int numEpochs, int evalFreq, int evalIter,
                                                          SeededRandom rng, PrintStream out, Trainer.Listener progress,
                                                          Function<Optimizer, StepEngine<PreferenceBatch>> onDevice) {
        int perEpoch = trainLoader.size();
        if (perEpoch == 0) throw new IllegalArgumentException("the preference loader yields no batches (fewer pairs than one batch?)");
        model.model().requiresGrad(true);
        AdamW optimizer = new AdamW(model.model().namedParameters(), lr, AdamW.Options.withWeightDecay(weightDecay));
        Trainer<PreferenceBatch> trainer = Trainer.builder(model.model(), optimizer, new EpochBatches<>(trainLoader, rng),
                        (PreferenceBatch b) -> RewardLoss.computeRewardLossBatch(b, model, centerCoef).loss())
                .options(Trainer.Options.steps((long) numEpochs * perEpoch))
                .tokens(b -> 2L * b.chosen().numel())
                .random(rng).build();
        StepEngine<PreferenceBatch> engine = onDevice == null ? null : onDevice.apply(optimizer);
        if (engine != null) trainer.engine(engine);
        List<Evaluation> history = new ArrayList<>();
        trainer.listener(new Trainer.Listener() {
            @Override
            public void onStep(Trainer.StepReport r) {
                if (progress != null) progress.onStep(r);
                if (!r.evaluatesEvery(evalFreq)) return;
                if (engine != null) engine.sync();
                Evaluation e = new Evaluation(r.step() - 1, RewardLoss.computeRewardLossLoader(trainLoader, model, centerCoef, evalIter),
                        RewardLoss.computeRewardLossLoader(valLoader, model, centerCoef, evalIter));
                history.add(e);
                if (out != null) {
                    out.printf("Ep %d (Step %06d): Train loss %.3f, Val loss %.3f, Train acc %.1f%%, Val acc %.1f%%, Val margin %.3f%n",
                            e.step() / perEpoch + 1, e.step(), e.train().loss(), e.val().loss(), 100 * e.train().accuracy(),
                            100 * e.val().accuracy(), e.val().margin());
                }
            }
        });
        trainer.run();
        if (engine != null) engine.sync();
        model.model().eval();
        return history;
    }
}
