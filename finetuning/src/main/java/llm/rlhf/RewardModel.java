package llm.rlhf;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import llm.autograd.Grad;
import llm.autograd.Tensor;
import llm.gpt.GPTModel;
import llm.nn.Linear;
import llm.pretraining.GPTCheckpoints;
import llm.tensor.IntNDArray;
import llm.tensor.NDArray;
import llm.tensor.SeededRandom;
import llm.training.Checkpoint;

/**
 * A reward model (Book §8.3): a GPT whose output head is replaced by one scalar, {@code Linear(C, 1)}, read at the
 * last token of prompt + response (the one that has attended to all of it, as the chapter 6 classifier reads its
 * last token). Padding after the response is never read. Trained on preference pairs by {@link RewardLoss}, it
 * scores responses for PPO as a {@link RewardFunction}.
 */
public final class RewardModel implements RewardFunction {
    /** Checkpoint metadata naming what a folder holds. */
    public static final String KIND_KEY = "kind";
    public static final String KIND = "reward-model";

    private final GPTModel model;
    private final int endOfText;

    /** {@code model}'s head must give one output; {@code endOfText} (stripped from the end of responses before scoring) may be -1. */
    public RewardModel(GPTModel model, int endOfText) {
        if (model.outHead().outFeatures() != 1) {
            throw new IllegalArgumentException("a reward model's head gives 1 score, this model's gives " + model.outHead().outFeatures());
        }
        this.model = model;
        this.endOfText = endOfText;
    }

    /** Turns {@code base} into a reward model: its head becomes {@code Linear(C, 1)} (with a bias, as a classifier head here). */
    public static RewardModel fromBase(GPTModel base, int endOfText, SeededRandom rng) {
        base.replaceOutputHead(new Linear(base.config().embDim(), 1, true, rng));
        return new RewardModel(base, endOfText);
    }

    /** A reward model saved by {@code ./llm reward-model} (a folder or its checkpoint file); the error says what else it holds. */
    public static RewardModel load(Path path, int endOfText) throws IOException {
        if (!Checkpoint.isCheckpoint(path)) throw new IllegalArgumentException(path + " is not a reward model (made by ./llm reward-model): it holds no checkpoint of this project");
        Map<String, String> meta = Checkpoint.metadata(path);
        if (!KIND.equals(meta.get(KIND_KEY))) {
            throw new IllegalArgumentException(Checkpoint.resolve(path) + " is not a reward model (made by ./llm reward-model); it holds "
                    + (meta.containsKey(GPTCheckpoints.HEAD_CLASSES_KEY) ? "a classifier with " + meta.get(GPTCheckpoints.HEAD_CLASSES_KEY) + " classes" : "a language model"));
        }
        return new RewardModel(GPTCheckpoints.loadModel(path), endOfText);
    }

    public GPTModel model() {
        return model;
    }

    /** The rewards {@code (B)} of sequences {@code ids (B, T)}, each read at its position {@code lastIndex[b]}. */
    public Tensor rewards(IntNDArray ids, int[] lastIndex) {
        int b = ids.dim(0), t = ids.dim(1);
        int[] rows = new int[b];
        for (int i = 0; i < b; i++) {
            if (lastIndex[i] < 0 || lastIndex[i] >= t) throw new IllegalArgumentException("row " + i + ": last index " + lastIndex[i] + " is outside 0.." + (t - 1));
            rows[i] = i * t + lastIndex[i];
        }
        Tensor hidden = model.hiddenStates(ids);                                           // (B, T, C)
        Tensor last = hidden.reshape(b * t, hidden.dim(2)).indexSelect(0, IntNDArray.of(rows, b));  // (B, C)
        return model.outHead().forward(last).reshape(b);                                    // (B)
    }

    /** The last position of each row where {@code mask (B, T)} is 1: a preference batch's last response token. */
    public static int[] lastTokenIndices(NDArray mask) {
        int b = mask.dim(0), t = mask.dim(1);
        float[] m = mask.contiguous().toArray();
        int[] out = new int[b];
        for (int i = 0; i < b; i++) {
            out[i] = -1;
            for (int p = t - 1; p >= 0; p--) if (m[i * t + p] != 0f) { out[i] = p; break; }
            if (out[i] < 0) throw new IllegalArgumentException("row " + i + " has no response token (cut off by the maximum length?)");
        }
        return out;
    }

    /** Scores prompt + response in batches, without gradients; a final end-of-text token is not part of the scored text. */
    @Override
    public double[] score(int[][] queries, int[][] responses) {
        double[] out = new double[queries.length];
        boolean wasTraining = model.isTraining();
        model.eval();
        try (var off = Grad.off()) {
            for (int start = 0; start < queries.length; start += 8) {
                int end = Math.min(queries.length, start + 8), t = 0;
                int[][] rows = new int[end - start][];
                for (int i = start; i < end; i++) {
                    int[] r = responses[i];
                    int keep = r.length > 0 && r[r.length - 1] == endOfText ? r.length - 1 : r.length;
                    rows[i - start] = java.util.Arrays.copyOf(queries[i], queries[i].length + keep);
                    System.arraycopy(r, 0, rows[i - start], queries[i].length, keep);
                    t = Math.max(t, rows[i - start].length);
                }
                if (t > model.config().contextLength()) {
                    throw new IllegalArgumentException("a prompt and its response take " + t + " tokens, more than the reward model's context of "
                            + model.config().contextLength());
                }
                int[] ids = new int[rows.length * t], last = new int[rows.length];
                java.util.Arrays.fill(ids, Math.max(endOfText, 0));
                for (int k = 0; k < rows.length; k++) {
                    System.arraycopy(rows[k], 0, ids, k * t, rows[k].length);
                    last[k] = rows[k].length - 1;
                }
                float[] r = rewards(IntNDArray.of(ids, rows.length, t), last).data().toArray();
                for (int k = 0; k < rows.length; k++) out[start + k] = r[k];
            }
        } finally {
            if (wasTraining) model.train();
        }
        return out;
    }
}
