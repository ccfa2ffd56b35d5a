package llm.rlhf;

import llm.autograd.Tensor;
import llm.autograd.fused.TokenLogProbs;
import llm.gpt.GPTModel;
import llm.tensor.IntNDArray;

/**
 * Prompts with their responses, padded on the right into one {@code (B, T)} batch, and where the response tokens
 * are: {@code rows (N)} indexes the flattened {@code (B·T)} positions whose outputs predict the {@code N} response
 * tokens {@code tokens (N)} (position {@code p - 1} predicts the token at {@code p}). Right padding leaves every real
 * token's output unchanged, since causal attention looks only backwards.
 *
 * <p>Only those rows go through the vocabulary-wide output head ({@link #responseLogits}), which for a prompt of
 * 60 tokens and a response of 30 skips two thirds of the largest product and of the memory it would take.
 *
 * @param ids      {@code (B, T)} prompt + response + padding
 * @param rows     {@code (N)} flattened positions predicting each response token, response by response
 * @param tokens   {@code (N)} the response tokens
 * @param lengths  tokens in each response, {@code Σ lengths = N}
 */
public record SequenceBatch(IntNDArray ids, IntNDArray rows, IntNDArray tokens, int[] lengths) {

    /** Builds the batch of {@code queries[i] ++ responses[i]} for the chosen samples; {@code padId} fills the rest. */
    public static SequenceBatch of(int[][] queries, int[][] responses, int[] samples, int padId) {
        int t = 0, n = 0;
        for (int i : samples) {
            if (queries[i].length == 0) throw new IllegalArgumentException("sample " + i + " has an empty prompt");
            if (responses[i].length == 0) throw new IllegalArgumentException("sample " + i + " has an empty response");
            t = Math.max(t, queries[i].length + responses[i].length);
            n += responses[i].length;
        }
        int b = samples.length;
        int[] ids = new int[b * t], rows = new int[n], tokens = new int[n], lengths = new int[b];
        java.util.Arrays.fill(ids, padId);
        int k = 0;
        for (int s = 0; s < b; s++) {
            int[] q = queries[samples[s]], r = responses[samples[s]];
            System.arraycopy(q, 0, ids, s * t, q.length);
            System.arraycopy(r, 0, ids, s * t + q.length, r.length);
            for (int j = 0; j < r.length; j++) {
                rows[k] = s * t + q.length + j - 1;
                tokens[k++] = r[j];
            }
            lengths[s] = r.length;
        }
        return new SequenceBatch(IntNDArray.of(ids, b, t), IntNDArray.of(rows, n), IntNDArray.of(tokens, n), lengths);
    }

    /** The final hidden states {@code (N, C)} at {@link #rows}. */
    public Tensor hiddenAtRows(GPTModel model) {
        Tensor hidden = model.hiddenStates(ids);                                  // (B, T, C)
        return hidden.reshape(-1, hidden.dim(2)).indexSelect(0, rows);             // (N, C)
    }

    /** The logits {@code (N, V)} that predict each response token, divided by the sampling temperature. */
    public Tensor responseLogits(GPTModel model, Tensor hiddenAtRows, double temperature) {
        Tensor logits = model.outHead().forward(hiddenAtRows);
        return temperature == 1.0 ? logits : logits.div((float) temperature);
    }

    /** {@code log π(token)} of every response token (and the entropies), as the sampling distribution gave them. */
    public TokenLogProbs.Result logProbs(GPTModel model, double temperature) {
        return TokenLogProbs.apply(responseLogits(model, hiddenAtRows(model), temperature), tokens);
    }

    /** Splits per-token values {@code (N)} back into one array per response. */
    public float[][] perResponse(float[] flat) {
        float[][] out = new float[lengths.length][];
        int k = 0;
        for (int s = 0; s < lengths.length; s++) {
            out[s] = java.util.Arrays.copyOfRange(flat, k, k + lengths[s]);
            k += lengths[s];
        }
        return out;
    }
}
