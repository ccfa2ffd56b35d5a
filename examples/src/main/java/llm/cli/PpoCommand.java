package llm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.PrintStream;
import java.util.concurrent.Callable;

import llm.rlhf.PpoRun;
import llm.rlhf.PpoSettings;
import llm.rlhf.PpoTrainer;
import llm.training.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./llm ppo}: RLHF with PPO against a reward model (Book §8.5); flags checked, then {@link PpoRun}. */
@Command(name = "ppo", mixinStandardHelpOptions = true, sortOptions = false,
        description = "RLHF with PPO (Book chapter 8): samples responses, scores them with a reward model, updates the policy with a KL penalty; "
                + "one line per iteration, checkpoints (resumable), metrics.csv and ppo.png in --out.")
final class PpoCommand implements Callable<Integer> {
    @Option(names = "--policy", description = "The instruction-tuned model to start from (also the frozen reference): the output of 'finetune-instruct'.")
    Path policy;

    @Option(names = "--reward-model", description = "The reward model: the output of 'reward-model'.")
    Path rewardModel;

    @Option(names = "--prompts", description = "A JSON array of {instruction, input, output} records (instruction-data.json); its training split gives the rollout prompts, its test split the held-out ones.")
    Path prompts;

    @Option(names = "--out", required = true, description = "Output folder: ppo-state.safetensors (resumable), checkpoint.safetensors (the policy), metrics.csv, ppo.png.")
    Path out;

    @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint, with its stored models, prompts and settings (--iterations may extend it).")
    boolean resume;

    @Option(names = "--iterations", description = "Rollouts to collect and learn from (default: 20).")
    Integer iterations;

    @Option(names = "--rollout-batch", defaultValue = "8", description = "Prompts per rollout (default: ${DEFAULT-VALUE}).")
    int rolloutBatch;

    @Option(names = "--minibatch", defaultValue = "4", description = "Responses per optimiser step; divides --rollout-batch (default: ${DEFAULT-VALUE}).")
    int minibatch;

    @Option(names = "--ppo-epochs", defaultValue = "4", description = "Passes over each rollout (default: ${DEFAULT-VALUE}).")
    int ppoEpochs;

    @Option(names = "--kl-coef", defaultValue = "0.05", description = "KL penalty coefficient beta, or its start with --target-kl (default: ${DEFAULT-VALUE}).")
    double klCoef;

    @Option(names = "--target-kl", description = "Adapt beta towards this KL per response (Ziegler et al.'s controller); default: beta fixed.")
    Double targetKl;

    @Option(names = "--kl-horizon", defaultValue = "10000", description = "Responses over which the adaptive controller moves beta (default: ${DEFAULT-VALUE}, as Ziegler et al.).")
    double klHorizon;

    @Option(names = "--clip", defaultValue = "0.2", description = "PPO's epsilon: the ratio's clip range (default: ${DEFAULT-VALUE}).")
    double clip;

    @Option(names = "--vf-coef", defaultValue = "0.1", description = "Weight of the value loss (default: ${DEFAULT-VALUE}).")
    double vfCoef;

    @Option(names = "--lr", defaultValue = "1e-5", description = "AdamW learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--max-new-tokens", defaultValue = "32", description = "Longest response (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--temperature", defaultValue = "0.7", description = "Sampling temperature of the rollouts (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--checkpoint-every", defaultValue = "5", description = "Iterations between checkpoints, 0 for the end only (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--sample-every", defaultValue = "5", description = "Iterations between sample responses, 0 for none (default: ${DEFAULT-VALUE}).")
    int sampleEvery;

    @Option(names = "--eval-prompts", defaultValue = "10", description = "Held-out prompts scored before and after training (default: ${DEFAULT-VALUE}).")
    int evalPrompts;

    @Option(names = "--lora-rank", defaultValue = "0", description = "Train LoRA adapters of this rank (and the value head) instead of every weight; "
            + "the reference is then the policy with its adapters off, so no second copy is loaded (default: ${DEFAULT-VALUE}, off).")
    int loraRank;

    @Option(names = "--lora-alpha", defaultValue = "16", description = "LoRA's alpha (default: ${DEFAULT-VALUE}).")
    double loraAlpha;

    @Option(names = "--compare", description = "Another model (a 'dpo' output, say) whose held-out responses and reward are printed beside the policy's; repeatable.")
    java.util.List<Path> compare = new java.util.ArrayList<>();

    @Option(names = "--seed", defaultValue = "123", description = "Seed of prompt order, sampling and the value head (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws IOException {
        if (iterations != null && iterations < 1) throw new IllegalArgumentException("--iterations must be at least 1, got " + iterations);
        if (checkpointEvery < 0 || sampleEvery < 0 || evalPrompts < 0) throw new IllegalArgumentException("--checkpoint-every, --sample-every and --eval-prompts must be >= 0");
        PpoRun run;
        if (resume) {
            run = PpoRun.resume(out, iterations);
            System.out.printf("resuming %s at iteration %d of %d%n", out.resolve(PpoRun.STATE_FILE), run.trainer().iterationsDone(), run.settings().iterations());
        } else {
            if (policy == null || rewardModel == null || prompts == null) throw new IllegalArgumentException("a new run needs --policy, --reward-model and --prompts (or --resume)");
            if (!Files.isRegularFile(prompts)) throw new IllegalArgumentException("--prompts: no such file: " + prompts);
            TrainCommand.checkWritable(out);
            if (Files.exists(out.resolve(PpoRun.STATE_FILE)) || Files.exists(out.resolve("checkpoint.safetensors"))) {
                throw new IllegalArgumentException("--out: " + out + " already holds a run; add --resume to continue it, or choose another folder");
            }
            PpoSettings s = new PpoSettings(iterations == null ? 20 : iterations, rolloutBatch, minibatch, ppoEpochs, klCoef,
                    targetKl == null ? Double.NaN : targetKl, klHorizon, clip, 0.2, vfCoef, 1.0, 0.95, lr, 1.0, maxNewTokens, temperature, seed);
            Files.createDirectories(out);
            run = new PpoRun(policy, rewardModel, prompts, s, out, new PpoRun.Options(checkpointEvery, evalPrompts, loraRank, loraAlpha));
        }
        PpoSettings s = run.settings();
        System.out.printf("policy: %s%nPPO: %d iterations of %d responses, %d epochs of minibatches of %d (%d steps each), beta %s, clip %.2f, lr %.1e, up to %d new tokens at temperature %.2f%n",
                run.policy().description(), s.iterations(), s.rolloutBatch(), s.ppoEpochs(), s.minibatch(), s.stepsPerIteration(),
                Double.isNaN(s.targetKl()) ? String.format("%.3f fixed", s.klCoef()) : String.format("%.3f adaptive to KL %.2f", s.klCoef(), s.targetKl()),
                s.clip(), s.lr(), s.maxNewTokens(), s.temperature());
        for (Path c : compare) if (!java.nio.file.Files.exists(c)) throw new IllegalArgumentException("--compare: no such file or folder: " + c);
        PpoRun.HeldOut before = run.evaluateReference(s.maxNewTokens());
        System.out.printf("held-out prompts: mean reward %.3f before PPO (greedy responses of the starting policy)%n", before.meanScore());
        TrainingProgress progress = new TrainingProgress(System.out, s.stepsPerIteration());
        PrintStream lines = progress.linesBelow();
        long started = System.nanoTime();
        run.run(new PpoTrainer.Listener() {
            @Override
            public void onIteration(PpoTrainer.IterationReport r) {
                lines.printf("iter %3d/%d  reward %7.3f  kl %6.3f  beta %.4f  clip %.3f  approx-kl %.4f  value-loss %.4f  entropy %.3f  length %5.1f  (%.1f s)%n",
                        r.iteration(), r.totalIterations(), r.meanScore(), r.meanKl(), r.klCoef(), r.clipFraction(), r.approxKl(), r.valueLoss(),
                        r.entropy(), r.meanResponseLength(), r.seconds());
            }

            @Override
            public void onStep(Trainer.StepReport r) {
                progress.onStep(r);
            }
        }, sampleEvery, lines);
        progress.clear();
        PpoRun.HeldOut after = run.evaluate(run.policy(), s.maxNewTokens());
        System.out.printf("held-out prompts: mean reward %.3f after PPO (%.3f before)%n", after.meanScore(), before.meanScore());
        java.util.List<String> names = new java.util.ArrayList<>(java.util.List.of("before", "after"));
        java.util.List<PpoRun.HeldOut> answers = new java.util.ArrayList<>(java.util.List.of(before, after));
        for (Path c : compare) {
            PpoRun.HeldOut other = run.evaluate(llm.pretraining.PretrainedModel.load(c), s.maxNewTokens());
            System.out.printf("held-out prompts: mean reward %.3f from %s%n", other.meanScore(), c);
            names.add(c.getFileName().toString());
            answers.add(other);
        }
        int width = names.stream().mapToInt(String::length).max().orElse(6) + 1;
        for (int i = 0; i < Math.min(3, after.prompts().size()); i++) {
            System.out.printf("%n%s%n", after.prompts().get(i));
            for (int k = 0; k < names.size(); k++) System.out.printf("  %-" + width + "s %s%n", names.get(k) + ":", answers.get(k).responses().get(i));
        }
        System.out.printf("PPO completed in %.2f minutes.%nwrote %s, %s, metrics.csv, ppo.png%n", (System.nanoTime() - started) / 6e10,
                out.resolve("checkpoint.safetensors"), out.resolve(PpoRun.STATE_FILE));
        return 0;
    }
}
