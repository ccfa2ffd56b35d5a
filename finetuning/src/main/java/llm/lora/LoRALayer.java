package llm.lora;

import llm.autograd.Tensor;
import llm.nn.Layer;
import llm.nn.Module;
import llm.tensor.NDArray;
import llm.tensor.SeededRandom;

/**
 * Low-rank adaptation (Hu et al., "LoRA", 2021; Book Appendix E): instead of updating a frozen weight {@code W (out,
 * in)}, learn {@code ΔW = (α / r) · (A · B)ᵀ} with {@code A (in, r)} and {@code B (r, out)}, so the layer computes
 * {@code x · Wᵀ + (α / r) · x · A · B}. {@code A} starts Kaiming-uniform ({@code a = √5}, as {@code
 * torch.nn.init.kaiming_uniform_}: bound {@code 1/√r} for A's fan-in of {@code r}), {@code B} starts at zero, so an
 * adapted model begins exactly where the base model is. Scaled by {@code α / r}, as the book's current code does.
 *
 * <p>Parameters: {@code A (in, r)}, {@code B (r, out)}; for a rank of 16 on a 768 → 768 layer that is 24,576
 * numbers instead of 589,824.
 */
public final class LoRALayer extends Module implements Layer {
    public final Tensor a;   // (in, r)
    public final Tensor b;   // (r, out)
    private final int rank;
    private final double alpha;

    public LoRALayer(int in, int out, int rank, double alpha, SeededRandom rng) {
        if (rank < 1) throw new IllegalArgumentException("LoRA rank must be at least 1, got " + rank);
        if (!(alpha > 0)) throw new IllegalArgumentException("LoRA alpha must be > 0, got " + alpha);
        this.rank = rank;
        this.alpha = alpha;
        this.a = registerParameter("A", Tensor.parameter(NDArray.kaimingUniform(rng, rank, in, rank)));
        this.b = registerParameter("B", Tensor.parameter(NDArray.zeros(rank, out)));
    }

    public int rank() {
        return rank;
    }

    public double alpha() {
        return alpha;
    }

    /** {@code α / r}. */
    public float scaling() {
        return (float) (alpha / rank);
    }

    /** {@code (..., in) -> (..., out)}: {@code (α / r) · x · A · B}. */
    @Override
    public Tensor forward(Tensor x) {
        return x.matmul(a).matmul(b).mul(scaling());
    }

    /** {@code ΔW = (α / r) · (A · B)ᵀ}, in the base weight's layout {@code (out, in)}. */
    public NDArray deltaWeight() {
        return a.data().matmul(b.data()).transpose(0, 1).mul(scaling()).contiguous();
    }
}
