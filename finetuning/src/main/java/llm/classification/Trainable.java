package llm.classification;

import java.util.List;

import llm.gpt.GPTModel;
import llm.nn.Module;

/**
 * Which parts of a GPT a classification fine-tuning updates (Book §6.5): everything is frozen first, then the new
 * head, and the book's default adds the last transformer block and the final LayerNorm. Written as {@code
 * last-block}, {@code head}, {@code all} or {@code blocks:N} on the command line.
 *
 * @param lastBlocks the last blocks (and the final LayerNorm) to train; -1 for every parameter
 */
public record Trainable(int lastBlocks) {
    /** The book's choice: the last block, the final LayerNorm, the head. */
    public static final Trainable LAST_BLOCK = new Trainable(1);
    /** Only the new output head. */
    public static final Trainable HEAD = new Trainable(0);
    /** Every parameter. */
    public static final Trainable ALL = new Trainable(-1);

    public Trainable {
        if (lastBlocks < -1) throw new IllegalArgumentException("trainable blocks must be >= 0 (or all), got " + lastBlocks);
    }

    /** {@code last-block}, {@code head}, {@code all} or {@code blocks:N}. */
    public static Trainable parse(String s) {
        return switch (s) {
            case "last-block" -> LAST_BLOCK;
            case "head" -> HEAD;
            case "all" -> ALL;
            default -> {
                if (!s.startsWith("blocks:")) throw new IllegalArgumentException("trainable part must be last-block, head, all or blocks:N, got '" + s + "'");
                try {
                    yield new Trainable(Integer.parseInt(s.substring(7)));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("trainable part blocks:N needs a number, got '" + s + "'");
                }
            }
        };
    }

    /** Freezes {@code model}, then unfreezes what this choice trains; the head always trains. */
    public void apply(GPTModel model) {
        if (lastBlocks < 0) {
            model.requiresGrad(true);
            return;
        }
        model.requiresGrad(false);
        List<Module> blocks = List.copyOf(((Module) model.children().get("trf_blocks")).children().values());
        if (lastBlocks > blocks.size()) throw new IllegalArgumentException("the model has " + blocks.size() + " blocks, not " + lastBlocks + " to train");
        for (int i = blocks.size() - lastBlocks; i < blocks.size(); i++) blocks.get(i).requiresGrad(true);
        if (lastBlocks > 0) model.children().get("final_norm").requiresGrad(true);
        model.outHead().requiresGrad(true);
    }

    @Override
    public String toString() {
        return lastBlocks < 0 ? "all" : lastBlocks == 0 ? "head" : lastBlocks == 1 ? "last-block" : "blocks:" + lastBlocks;
    }
}
