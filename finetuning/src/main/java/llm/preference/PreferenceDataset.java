package llm.preference;

import java.util.ArrayList;
import java.util.List;

import llm.data.Dataset;
import llm.instruction.InstructionData;
import llm.instruction.PromptTemplate;
import llm.tensor.IntNDArray;
import llm.tensor.NDArray;
import llm.tokenizer.Tokenizer;

/**
 * The book's {@code PreferenceDataset} and its {@code custom_collate_fn} (DPO notebook): each record's prompt, and
 * prompt + chosen and prompt + rejected response (formatted as in chapter 7), encoded once. A batch pads chosen and
 * rejected sequences with 50256 to the longest of both plus one and cuts them to {@code allowedMaxLength}; the masks
 * leave out the padding and, with {@code maskPromptTokens}, the prompt and the two tokens after it (the book's
 * {@code mask[:prompt.shape[0]+2] = False}: the newlines before {@code ### Response:}).
 */
public final class PreferenceDataset implements Dataset<PreferenceBatch> {
    private final List<int[]> prompts = new ArrayList<>(), chosen = new ArrayList<>(), rejected = new ArrayList<>();
    private final int padTokenId;
    private final int allowedMaxLength;
    private final boolean maskPromptTokens;

    public PreferenceDataset(List<InstructionData.Entry> data, Tokenizer tokenizer, PromptTemplate template, int padTokenId,
                             int allowedMaxLength, boolean maskPromptTokens) {
        for (int i = 0; i < data.size(); i++) {
            InstructionData.Entry e = data.get(i);
            if (e.chosen() == null || e.rejected() == null) throw new IllegalArgumentException("record " + i + " needs 'chosen' and 'rejected'");
            String prompt = template.formatInput(e);
            int[] promptIds = tokenizer.encode(prompt);
            if (allowedMaxLength > 0 && promptIds.length + 2 >= allowedMaxLength) {
                throw new IllegalArgumentException("record " + i + ": its instruction and input take " + promptIds.length
                        + " tokens; with the response marker no response would fit in the " + allowedMaxLength + " the model reads");
            }
            prompts.add(promptIds);
            chosen.add(tokenizer.encode(prompt + template.response(e.chosen())));
            rejected.add(tokenizer.encode(prompt + template.response(e.rejected())));
        }
        this.padTokenId = padTokenId;
        this.allowedMaxLength = allowedMaxLength;
        this.maskPromptTokens = maskPromptTokens;
    }

    @Override
    public int size() {
        return prompts.size();
    }

    @Override
    public PreferenceBatch batch(int[] rows) {
        int common = 0;
        for (int r : rows) common = Math.max(common, Math.max(chosen.get(r).length, rejected.get(r).length) + 1);
        int t = allowedMaxLength > 0 ? Math.min(common, allowedMaxLength) : common;
        int[] c = new int[rows.length * t], j = new int[rows.length * t];
        float[] cm = new float[rows.length * t], jm = new float[rows.length * t];
        for (int i = 0; i < rows.length; i++) {
            int promptLength = prompts.get(rows[i]).length;
            fill(chosen.get(rows[i]), promptLength, c, cm, i * t, t);
            fill(rejected.get(rows[i]), promptLength, j, jm, i * t, t);
        }
        return new PreferenceBatch(IntNDArray.of(c, rows.length, t), IntNDArray.of(j, rows.length, t), NDArray.of(cm, rows.length, t), NDArray.of(jm, rows.length, t));
    }

    private void fill(int[] sequence, int promptLength, int[] ids, float[] mask, int at, int t) {
        for (int p = 0; p < t; p++) {
            boolean token = p < sequence.length;
            ids[at + p] = token ? sequence[p] : padTokenId;
            boolean prompt = maskPromptTokens && p < promptLength + 2;
            mask[at + p] = token && !prompt ? 1f : 0f;
        }
    }
}
