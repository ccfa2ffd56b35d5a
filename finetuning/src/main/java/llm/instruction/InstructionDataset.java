package llm.instruction;

import java.util.ArrayList;
import java.util.List;

import llm.data.Batch;
import llm.data.Dataset;
import llm.tokenizer.Tokenizer;

/**
 * The book's {@code InstructionDataset} (§7.3): each record formatted with a {@link PromptTemplate} (prompt and
 * response) and encoded once; a batch is made by {@link CustomCollate#customCollateFn}, so batches are padded only
 * to their own longest item.
 */
public final class InstructionDataset implements Dataset<Batch> {
    /** GPT-2's {@code <|endoftext|>}: the padding and end-of-response token. */
    public static final int PAD_TOKEN_ID = 50256;
    /** PyTorch's {@code ignore_index}. */
    public static final int IGNORE_INDEX = -100;

    private final List<int[]> encoded = new ArrayList<>();
    private final int[] promptLengths;
    private final boolean maskInstruction;
    private final int allowedMaxLength;

    /**
     * @param maskInstruction  ignore the prompt's tokens in the targets (exercise 7.2)
     * @param allowedMaxLength cut batches to this many tokens (the model's context, 1024 for GPT-2), or -1
     */
    public InstructionDataset(List<InstructionData.Entry> data, Tokenizer tokenizer, PromptTemplate template, boolean maskInstruction,
                              int allowedMaxLength) {
        promptLengths = new int[data.size()];
        for (int i = 0; i < data.size(); i++) {
            InstructionData.Entry e = data.get(i);
            String prompt = template.formatInput(e);
            int[] ids = tokenizer.encode(prompt + template.response(e.output()));
            encoded.add(ids);
            promptLengths[i] = tokenizer.encode(prompt).length;
            if (allowedMaxLength > 0 && promptLengths[i] >= allowedMaxLength) {
                throw new IllegalArgumentException("record " + i + ": its instruction and input take " + promptLengths[i]
                        + " tokens, no fewer than the " + allowedMaxLength + " the model reads; no response would fit");
            }
        }
        this.maskInstruction = maskInstruction;
        this.allowedMaxLength = allowedMaxLength;
    }

    @Override
    public int size() {
        return encoded.size();
    }

    /** Record {@code i}'s token ids (prompt and response). */
    public int[] encoded(int i) {
        return encoded.get(i).clone();
    }

    @Override
    public Batch batch(int[] rows) {
        List<int[]> items = new ArrayList<>();
        int[] prompts = new int[rows.length];
        for (int r = 0; r < rows.length; r++) {
            items.add(encoded.get(rows[r]));
            prompts[r] = promptLengths[rows[r]];
        }
        return CustomCollate.customCollateFn(items, maskInstruction ? prompts : null, PAD_TOKEN_ID, IGNORE_INDEX, allowedMaxLength);
    }
}
