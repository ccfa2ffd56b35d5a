package llm.rlhf;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;
import llm.formats.AtomicFile;
import llm.instruction.InstructionData;
import llm.instruction.InstructionRun;
import llm.instruction.PromptTemplate;
import llm.lora.LinearWithLoRA;
import llm.pretraining.GPTCheckpoints;
import llm.pretraining.PretrainedModel;
import llm.pretraining.TokenizerSpec;
import llm.tensor.SeededRandom;
import llm.tokenizer.BytePairTokenizer;
import llm.training.Checkpoint;
import llm.training.LossPlot;

/**
 * A PPO run (Book §8.5) as one library call for {@code ./llm ppo}: the policy and a frozen reference loaded from the
 * same instruction-tuned checkpoint, the reward model from {@code ./llm reward-model}, the training prompts of an
 * instruction file (chapter 7's 935 / 55 / 110 split) as rollout prompts, {@link PpoTrainer}; the resumable state in
 * {@value #STATE_FILE}, the policy alone in {@code checkpoint.safetensors} (for {@code generate} and {@code chat}),
 * {@code metrics.csv} with one row per iteration, and {@code ppo.png} with the reward and the KL.
 */
public final class PpoRun {
    /** The resumable state: policy, value head, AdamW, KL coefficient, iteration, history. */
    public static final String STATE_FILE = "ppo-state.safetensors";
    private static final Gson GSON = new com.google.gson.GsonBuilder().serializeSpecialFloatingPointValues().create();

    /**
     * How the run is kept and shaped besides {@link PpoSettings}.
     *
     * @param checkpointEvery iterations between checkpoints (0: at the end only)
     * @param evalPrompts     held-out (test) prompts scored before and after training
     * @param loraRank        LoRA's rank on every linear layer of the policy, or 0 to train every weight
     * @param loraAlpha       LoRA's alpha
     */
    public record Options(int checkpointEvery, int evalPrompts, int loraRank, double loraAlpha) {
        public Options {
            if (checkpointEvery < 0 || evalPrompts < 0) throw new IllegalArgumentException("checkpoint interval and held-out prompts must be >= 0");
            if (loraRank < 0) throw new IllegalArgumentException("LoRA rank must be at least 1 (or 0 for none), got " + loraRank);
        }
    }

    private final Path out;
    private final PretrainedModel policy, reference;
    private final RewardModel rewardModel;
    private final PpoSettings settings;
    private final List<InstructionData.Entry> heldOut;
    private final PpoTrainer ppo;
    private final int context;
    private final int loraRank;

    /**
     * Loads everything and checks that it fits together before any rollout: the reward model reads the policy's
     * tokens, and every prompt plus {@code maxNewTokens} fits both contexts.
     *
     * <p>With {@code options.loraRank() > 0} the policy's base is frozen and LoRA adapters are trained (with the value
     * head); the reference is then the same model with its adapters off, so no second copy is loaded.
     */
    public PpoRun(Path policyPath, Path rewardModelPath, Path prompts, PpoSettings s, Path out, Options options) throws IOException {
        List<InstructionData.Entry> records = InstructionData.read(prompts, false);
        InstructionData.Splits splits = InstructionData.split(records);
        this.out = out;
        this.settings = s;
        this.policy = PretrainedModel.load(policyPath);
        if (!(policy.tokenizer() instanceof BytePairTokenizer)) throw new IllegalArgumentException("PPO here reads GPT-2 tokens; the policy uses another tokenizer");
        this.rewardModel = RewardModel.load(rewardModelPath, policy.endOfText());
        TokenizerSpec rmTokens = TokenizerSpec.fromMetadata(Checkpoint.metadata(rewardModelPath));
        if (!rmTokens.name().equals("gpt2")) {
            throw new IllegalArgumentException("the reward model " + rewardModelPath + " reads " + rmTokens.name() + " tokens, the policy reads gpt2 tokens");
        }
        int vocab = policy.model().config().vocabSize(), rmVocab = rewardModel.model().config().vocabSize();
        if (vocab != rmVocab) throw new IllegalArgumentException("the reward model's vocabulary has " + rmVocab + " tokens, the policy's " + vocab);
        this.context = Math.min(policy.model().config().contextLength(), rewardModel.model().config().contextLength());
        List<int[]> queries = new ArrayList<>();
        for (int i = 0; i < splits.train().size(); i++) {
            int[] q = policy.tokenizer().encode(query(splits.train().get(i)));
            if (q.length + s.maxNewTokens() > context) {
                throw new IllegalArgumentException(prompts + " record " + i + ": its prompt takes " + q.length + " tokens; with --max-new-tokens "
                        + s.maxNewTokens() + " that exceeds the " + context + " tokens policy and reward model read");
            }
            queries.add(q);
        }
        this.heldOut = splits.test().subList(0, Math.min(options.evalPrompts(), splits.test().size()));
        SeededRandom rng = new SeededRandom(s.seed());
        ReferencePolicy frozenStart;
        if (options.loraRank() > 0) {
            policy.model().requiresGrad(false);
            LinearWithLoRA.replaceLinearWithLoRA(policy.model(), options.loraRank(), options.loraAlpha(), rng);
            this.reference = policy;                     // the same weights: adapters off is the starting policy
            frozenStart = ReferencePolicy.adaptersOff(policy.model());
        } else {
            this.reference = PretrainedModel.load(policyPath);
            frozenStart = ReferencePolicy.frozen(reference.model());
        }
        this.loraRank = options.loraRank();
        PolicyWithValueHead actor = new PolicyWithValueHead(policy.model(), rng);
        this.ppo = new PpoTrainer(actor, frozenStart, rewardModel, queries, policy.endOfText(), s, out.resolve(STATE_FILE), options.checkpointEvery());
        Map<String, String> meta = ppo.trainer().extraMetadata();
        GPTCheckpoints.describe(policy.model(), meta);
        TokenizerSpec.GPT2.putInto(meta);
        meta.put("ppo_settings", GSON.toJson(s));
        meta.put("policy_path", policyPath.toAbsolutePath().normalize().toString());
        meta.put("reward_model_path", rewardModelPath.toAbsolutePath().normalize().toString());
        meta.put("prompts_path", prompts.toAbsolutePath().normalize().toString());
        meta.put("ppo_options", GSON.toJson(options));
        meta.put("ppo_history", "[]");
    }

    /** A run continued from {@code out}'s {@value #STATE_FILE}, with its stored paths and settings, to {@code iterations} in all (null: as planned). */
    public static PpoRun resume(Path out, Integer iterations) throws IOException {
        Path state = out.resolve(STATE_FILE);
        if (!Files.isRegularFile(state)) throw new IllegalArgumentException("--resume: " + out + " holds no " + STATE_FILE + " to resume from");
        Map<String, String> meta = Checkpoint.metadata(state);
        for (String key : List.of("ppo_settings", "ppo_options", "policy_path", "reward_model_path", "prompts_path", "ppo_history")) {
            if (!meta.containsKey(key)) throw new IllegalArgumentException(state + " is not a PPO state file (no '" + key + "')");
        }
        PpoSettings s = GSON.fromJson(meta.get("ppo_settings"), PpoSettings.class);
        if (iterations != null) s = s.withIterations(iterations);
        PpoRun run = new PpoRun(Path.of(meta.get("policy_path")), Path.of(meta.get("reward_model_path")), Path.of(meta.get("prompts_path")), s, out,
                GSON.fromJson(meta.get("ppo_options"), Options.class));
        Checkpoint.restore(state, run.ppo.trainer());
        List<PpoTrainer.IterationReport> history = GSON.fromJson(meta.get("ppo_history"), new TypeToken<List<PpoTrainer.IterationReport>>() {}.getType());
        run.ppo.restoreHistory(history);
        run.ppo.trainer().extraMetadata().put("ppo_history", meta.get("ppo_history"));
        return run;
    }

    /** The rollout prompt of a record: the Alpaca prompt and the response marker, so that the policy writes the response itself. */
    static String query(InstructionData.Entry e) {
        return PromptTemplate.ALPACA.formatInput(e) + PromptTemplate.ALPACA.responseMarker();
    }

    public PpoSettings settings() {
        return settings;
    }

    public PpoTrainer trainer() {
        return ppo;
    }

    /** Greedy responses to the held-out prompts and the reward model's mean score of them. */
    public record HeldOut(double meanScore, List<String> prompts, List<String> responses) {}

    /** The starting policy's held-out responses and score (with LoRA: the policy with its adapters off). */
    public HeldOut evaluateReference(int maxNewTokens) {
        return loraRank > 0 ? LinearWithLoRA.withAdaptersDisabled(policy.model(), () -> evaluate(policy, maxNewTokens)) : evaluate(reference, maxNewTokens);
    }

    /** Scores a model's greedy responses to the held-out prompts (the policy before and after training, or another model to compare). */
    public HeldOut evaluate(PretrainedModel model, int maxNewTokens) {
        List<String> prompts = new ArrayList<>(), responses = new ArrayList<>();
        int[][] q = new int[heldOut.size()][], r = new int[heldOut.size()][];
        for (int i = 0; i < heldOut.size(); i++) {
            String prompt = query(heldOut.get(i));
            q[i] = model.tokenizer().encode(prompt);
            String response = InstructionRun.respond(model.model(), model.tokenizer(), model.endOfText(), PromptTemplate.ALPACA, context,
                    PromptTemplate.ALPACA.formatInput(heldOut.get(i)), maxNewTokens);
            r[i] = model.tokenizer().encode(response);
            prompts.add(heldOut.get(i).instruction() + (heldOut.get(i).input().isEmpty() ? "" : " / " + heldOut.get(i).input()));
            responses.add(response);
        }
        double[] scores = heldOut.isEmpty() ? new double[0] : rewardModel.score(q, r);
        return new HeldOut(java.util.Arrays.stream(scores).average().orElse(Double.NaN), prompts, responses);
    }

    public PretrainedModel policy() {
        return policy;
    }

    /**
     * Runs the remaining iterations. {@code lines} receives each iteration; every {@code sampleEvery} iterations
     * (0: never) the policy's greedy response to the first held-out prompt is printed.
     */
    public List<PpoTrainer.IterationReport> run(PpoTrainer.Listener lines, int sampleEvery, PrintStream samples) throws IOException {
        ppo.listener(new PpoTrainer.Listener() {
            @Override
            public void onIteration(PpoTrainer.IterationReport r) {
                ppo.trainer().extraMetadata().put("ppo_history", GSON.toJson(ppo.history()));   // saved with the checkpoint that follows
                lines.onIteration(r);
                if (sampleEvery > 0 && r.iteration() % sampleEvery == 0 && !heldOut.isEmpty() && samples != null) {
                    samples.printf("sample after iteration %d: %s -> %s%n", r.iteration(), heldOut.get(0).instruction(),
                            InstructionRun.respond(policy.model(), policy.tokenizer(), policy.endOfText(), PromptTemplate.ALPACA, context,
                                    PromptTemplate.ALPACA.formatInput(heldOut.get(0)), settings.maxNewTokens()));
                }
            }

            @Override
            public void onStep(llm.training.Trainer.StepReport r) {
                lines.onStep(r);
            }
        });
        try {
            ppo.run();
        } catch (IllegalStateException e) {
            // a non-finite reward or advantage: nothing was learned from it, and the state file is the last good one
            throw new IllegalStateException(e.getMessage() + "; the last good state is " + out.resolve(STATE_FILE)
                    + " (iteration " + ppo.iterationsDone() + " or earlier, by --checkpoint-every)", e);
        }
        writeOutputs();
        return ppo.history();
    }

    private void writeOutputs() throws IOException {
        if (loraRank > 0) LinearWithLoRA.mergeAll(policy.model());   // a plain GPT for generate and chat; the run is over
        Map<String, String> meta = new LinkedHashMap<>();
        GPTCheckpoints.describe(policy.model(), meta);
        TokenizerSpec.GPT2.putInto(meta);
        meta.put("template", "alpaca");
        meta.put("step", Long.toString(ppo.trainer().stepsDone()));
        Checkpoint.saveWeights(out.resolve(Checkpoint.FILE_NAME), policy.model(), meta);
        StringBuilder csv = new StringBuilder("iteration,mean_score,mean_kl,kl_coef,mean_total_reward,policy_loss,value_loss,clip_fraction,approx_kl,entropy,mean_response_length,seconds\n");
        List<Double> x = new ArrayList<>(), score = new ArrayList<>(), kl = new ArrayList<>();
        for (PpoTrainer.IterationReport r : ppo.history()) {
            csv.append(String.format("%d,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.2f,%.3f%n", r.iteration(), r.meanScore(), r.meanKl(), r.klCoef(),
                    r.meanTotalReward(), r.policyLoss(), r.valueLoss(), r.clipFraction(), r.approxKl(), r.entropy(), r.meanResponseLength(), r.seconds()));
            x.add((double) r.iteration());
            score.add(r.meanScore());
            kl.add(r.meanKl());
        }
        AtomicFile.write(out.resolve("metrics.csv"), csv.toString().getBytes(StandardCharsets.UTF_8));
        LossPlot.writeCurves(out.resolve("ppo.png"), "PPO: reward-model score and KL to the reference", "Iteration", "Mean per response",
                List.of(new LossPlot.Curve("Reward-model score", x, score, false), new LossPlot.Curve("KL to the reference", x, kl, true)));
    }
}
