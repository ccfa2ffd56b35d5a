package llm.rlhf;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;

import llm.data.BatchStream;
import llm.optim.AdamW;
import llm.tensor.SeededRandom;
import llm.training.Trainer;

/**
 * PPO for RLHF (Book §8.5; Ziegler et al., 2019; TRL's {@code PPOTrainer}) on the generic {@link Trainer}: the
 * trainer's batch stream is a {@link BatchStream} that, whenever its minibatches run out, collects a new
 * {@link Rollout} from the current policy and hands out {@code ppoEpochs} shuffled passes over it; each trainer step
 * is one AdamW step on one minibatch's {@link PpoLoss}. So clipping, divergence checks, checkpoints and their resume
 * are the ones every other kind of training here uses.
 *
 * <p>One iteration = one rollout and {@link PpoSettings#stepsPerIteration()} optimiser steps; after it the adaptive
 * KL controller moves β, and the listener receives an {@link IterationReport}.
 */
public final class PpoTrainer {
    /** What one iteration did: the rollout's rewards and KL, and the means of its minibatches' statistics. */
    public record IterationReport(int iteration, int totalIterations, double meanScore, double meanKl, double klCoef, double meanTotalReward,
                                  double policyLoss, double valueLoss, double clipFraction, double approxKl, double entropy,
                                  double meanResponseLength, double seconds) {}

    /** Receives each finished iteration, after its optimiser steps, and (optionally) each step. */
    public interface Listener {
        void onIteration(IterationReport report);

        default void onStep(Trainer.StepReport report) {}
    }

    private final PolicyWithValueHead actor;
    private final ReferencePolicy reference;
    private final RewardFunction reward;
    private final int[][] prompts;
    private final PpoSettings settings;
    private final int endOfText;
    private final KlController kl;
    private final Trainer<PpoMinibatch> trainer;
    private final List<IterationReport> history = new ArrayList<>();
    private final List<PpoLoss.Stats> stepStats = new ArrayList<>();
    private PpoLoss.PolicyObjective objective = PpoLoss::clippedPolicyLoss;
    private Listener listener = r -> {};
    private int iterationsDone;
    private Rollout current;
    private long iterationStarted;

    /**
     * @param actor          the policy with its value head: its parameters that require gradients are trained
     * @param reference      the frozen reference: the starting policy
     * @param reward         scores responses
     * @param prompts        the prompts' token ids, cycled through in a shuffled order per pass
     * @param endOfText      the token that ends a response (-1: none)
     * @param checkpoint     where the trainer writes its resumable state, or null
     * @param checkpointEvery iterations between checkpoints (0: at the end only)
     */
    public PpoTrainer(PolicyWithValueHead actor, ReferencePolicy reference, RewardFunction reward, List<int[]> prompts, int endOfText,
                      PpoSettings settings, Path checkpoint, int checkpointEvery) {
        if (prompts.isEmpty()) throw new IllegalArgumentException("PPO needs at least one prompt");
        this.actor = actor;
        this.reference = reference;
        this.reward = reward;
        this.prompts = prompts.toArray(new int[0][]);
        this.settings = settings;
        this.endOfText = endOfText;
        this.kl = settings.klController();
        int perIteration = settings.stepsPerIteration();
        AdamW optimizer = new AdamW(actor.namedParameters(), settings.lr(), AdamW.Options.withWeightDecay(0));
        Trainer.Options options = Trainer.Options.steps((long) settings.iterations() * perIteration).clip(settings.maxGradNorm());
        if (checkpoint != null) options = options.checkpoint(checkpoint, checkpointEvery * perIteration);
        this.trainer = Trainer.builder(actor, optimizer, new RolloutStream(), this::loss)
                .options(options)
                .tokens(mb -> mb.sequences().tokens().numel())
                .build();
        trainer.listener(new Trainer.Listener() {
            @Override
            public void onStep(Trainer.StepReport r) {
                listener.onStep(r);
                if (r.step() % perIteration == 0) finishIteration();
            }
        });
    }

    /** The generic trainer underneath: options, checkpoint metadata, restore. */
    public Trainer<PpoMinibatch> trainer() {
        return trainer;
    }

    public PpoTrainer listener(Listener l) {
        this.listener = l;
        return this;
    }

    /** Replaces PPO's clipped objective (tests show that a wrong sign makes the reward fall). */
    PpoTrainer objective(PpoLoss.PolicyObjective o) {
        this.objective = o;
        return this;
    }

    /** Runs the remaining iterations. */
    public List<IterationReport> run() {
        trainer.run();
        return history();
    }

    /** Runs until {@code iterations} are done (a test stops early and resumes). */
    public void runUntil(int iterations) {
        trainer.runUntil((long) iterations * settings.stepsPerIteration());
    }

    public List<IterationReport> history() {
        return Collections.unmodifiableList(history);
    }

    /** Puts back the iterations of a resumed run (the trainer's counters come from its checkpoint). */
    public void restoreHistory(List<IterationReport> reports) {
        history.clear();
        history.addAll(reports);
    }

    public KlController klController() {
        return kl;
    }

    public int iterationsDone() {
        return iterationsDone;
    }

    private llm.autograd.Tensor loss(PpoMinibatch mb) {
        PolicyWithValueHead.Output out = actor.forward(mb.sequences(), settings.temperature());
        PpoLoss.Result r = PpoLoss.computePpoLoss(objective, out.logProbs().logProbs(), out.values(), out.logProbs().entropy(), mb,
                settings.clip(), settings.valueClip(), settings.vfCoef());
        stepStats.add(r.stats());
        return r.loss();
    }

    private void finishIteration() {
        double policy = 0, value = 0, clip = 0, approx = 0, entropy = 0;
        for (PpoLoss.Stats s : stepStats) {
            policy += s.policyLoss();
            value += s.valueLoss();
            clip += s.clipFraction();
            approx += s.approxKl();
            entropy += s.entropy();
        }
        int n = stepStats.size();
        double meanKl = current.meanKl();
        IterationReport report = new IterationReport(iterationsDone + 1, settings.iterations(), current.meanScore(), meanKl, current.beta,
                current.meanTotalReward(), policy / n, value / n, clip / n, approx / n, entropy / n, current.meanResponseLength(),
                (System.nanoTime() - iterationStarted) / 1e9);
        kl.update(meanKl, current.size());
        stepStats.clear();
        iterationsDone++;
        history.add(report);
        listener.onIteration(report);
    }

    /** The prompts of iteration {@code i}: a fixed shuffle of all prompts per pass, taken {@code rolloutBatch} at a time. */
    int[][] promptsOf(int iteration) {
        int[][] out = new int[settings.rolloutBatch()][];
        for (int k = 0; k < out.length; k++) {
            long position = (long) iteration * out.length + k;
            int pass = (int) (position / prompts.length);
            out[k] = prompts[permutation(pass)[(int) (position % prompts.length)]];
        }
        return out;
    }

    private int[] lastPermutation;
    private int lastPass = -1;

    private int[] permutation(int pass) {
        if (pass != lastPass) {
            lastPermutation = new SeededRandom(settings.seed() + pass).permutation(prompts.length);
            lastPass = pass;
        }
        return lastPermutation;
    }

    /** Rollouts turned into minibatches: a new rollout whenever the last one's epochs are used up. */
    private final class RolloutStream implements BatchStream<PpoMinibatch> {
        private final Deque<int[]> pending = new ArrayDeque<>();

        @Override
        public PpoMinibatch next() {
            if (pending.isEmpty()) {
                iterationStarted = System.nanoTime();
                long seed = settings.seed() * 1_000_003L + (long) iterationsDone * settings.rolloutBatch();
                current = Rollout.collect(actor, reference, reward, promptsOf(iterationsDone), settings, kl.value(), seed, endOfText);
                for (int epoch = 0; epoch < settings.ppoEpochs(); epoch++) {
                    int[] order = new SeededRandom(seed + 7919L * (epoch + 1)).permutation(current.size());
                    for (int start = 0; start < order.length; start += settings.minibatch()) {
                        pending.add(java.util.Arrays.copyOfRange(order, start, start + settings.minibatch()));
                    }
                }
            }
            return current.minibatch(pending.poll());
        }

        @Override
        public long[] saveState() {
            if (!pending.isEmpty()) throw new IllegalStateException("PPO's state can be saved only between iterations");
            return new long[] {iterationsDone, Double.doubleToLongBits(kl.value())};
        }

        @Override
        public void restoreState(long[] state) {
            if (state.length != 2) throw new IllegalArgumentException("not a PPO checkpoint: its data state has " + state.length + " numbers, not 2");
            iterationsDone = (int) state[0];
            kl.restore(Double.longBitsToDouble(state[1]));
            pending.clear();
        }
    }
}
