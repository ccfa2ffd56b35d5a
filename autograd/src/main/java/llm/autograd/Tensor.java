package llm.autograd;

import java.util.List;

import llm.autograd.ops.Activations;
import llm.autograd.ops.Arithmetic;
import llm.autograd.ops.IndexOps;
import llm.autograd.ops.JoinOps;
import llm.autograd.ops.MaskOps;
import llm.autograd.ops.MinMax;
import llm.autograd.ops.MatMulOp;
import llm.autograd.ops.ReduceOps;
import llm.autograd.ops.SoftmaxOps;
import llm.autograd.ops.ViewOps;
import llm.tensor.IntNDArray;
import llm.tensor.NDArray;
import llm.tensor.Shape;

/**
 * A differentiable tensor: an {@link NDArray} value, the gradient of a loss with respect to it, and (when an
 * operation made it) the {@link Node} that knows how to pass that gradient back to the operation's inputs.
 *
 * <p>Book Appendix A.3-A.4 (computation graphs and automatic differentiation); the design is micrograd's
 * {@code Value}, with arrays instead of single numbers. Every method here is one line that hands the work to
 * an operation class in {@code llm.autograd.ops} (forward and backward rule side by side) or {@code
 * llm.autograd.fused} (hand-written fused kernels). Gradients are always added, never assigned, so a tensor
 * used twice gets the sum of both contributions.
 *
 * {@snippet :
 * Tensor w = Tensor.parameter(NDArray.of(new float[] {2.2f}, 1));
 * Tensor b = Tensor.parameter(NDArray.of(new float[] {0.0f}, 1));
 * Tensor x = Tensor.constant(NDArray.of(new float[] {1.1f}, 1));
 * Tensor z = x.mul(w).add(b);
 * z.sum().backward();
 * w.grad();   // [1.1]
 * }
 */
public final class Tensor {
    private NDArray data;
    private NDArray grad;
    private boolean ownsGrad;                   // grad is this tensor's alone: later gradients may be added into it in place
    private boolean requiresGrad;
    private Node node;

    private Tensor(NDArray data, boolean requiresGrad, Node node) {
        this.data = data;
        this.requiresGrad = requiresGrad;
        this.node = node;
    }

    /** A value that needs no gradient: an input, a target, a mask. */
    public static Tensor constant(NDArray data) {
        return new Tensor(data, false, null);
    }

    /** A leaf whose gradient {@link #backward()} computes: a weight or bias. */
    public static Tensor parameter(NDArray data) {
        return new Tensor(data, true, null);
    }

    /** A leaf made from numbers and a shape, needing a gradient or not. */
    public static Tensor of(float[] values, boolean requiresGrad, int... shape) {
        return new Tensor(NDArray.of(values, shape), requiresGrad, null);
    }

    static Tensor fromNode(NDArray data, Node node) {
        return new Tensor(data, true, node);
    }

    // ---------------------------------------------------------------- value, gradient, graph

    /** The value. */
    public NDArray data() {
        return data;
    }

    /**
     * Replaces the value of a leaf in place of an optimiser step, keeping its gradient. Not allowed on a
     * tensor made by an operation, whose value the graph depends on.
     */
    public void setData(NDArray value) {
        if (node != null) throw new IllegalStateException("setData: " + node.op() + " output is not a leaf");
        if (!Shape.same(value.shape(), data.shape())) {
            throw new IllegalArgumentException("setData: new value " + Shape.format(value.shape()) + " for tensor " + Shape.format(data.shape()));
        }
        this.data = value;
    }

    /** The gradient accumulated by {@link #backward()}, or null when none has been computed. */
    public NDArray grad() {
        return grad;
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Turns gradient tracking on or off for a leaf (freezing a parameter, Book §6.5). */
    public Tensor setRequiresGrad(boolean requiresGrad) {
        if (node != null) throw new IllegalStateException("setRequiresGrad: only leaves can change, this is the output of " + node.op());
        this.requiresGrad = requiresGrad;
        return this;
    }

    Node node() {
        return node;
    }

    /** The name of the operation that made this tensor, or "leaf". */
    public String op() {
        return node == null ? "leaf" : node.op();
    }

    /**
     * Forgets the gradient (optimisers call this before each step's backward pass). The array is dropped, not
     * kept for the next step: the forward pass, whose activations are the step's largest, then runs without a
     * model-sized set of gradients beside them (PyTorch's {@code zero_grad()} sets them to None for the same reason).
     */
    public void zeroGrad() {
        grad = null;
    }

    void releaseGrad() {
        if (node != null) grad = null;
    }

    /**
     * Lets go of the inputs and the backward rule once the rule has run, so the activations it kept are garbage
     * while the rest of the backward pass still runs (PyTorch frees saved tensors the same way). The operation's
     * name stays; a second backward pass through this tensor fails with a message saying why.
     */
    void releaseNode() {
        if (node == null) return;
        String op = node.op();
        node = new Node(op, List.of(), g -> {
            throw new IllegalStateException("backward: the graph through " + op + " was already used by an earlier backward pass, "
                    + "which freed what it saved; run the forward pass again (one backward per forward)");
        });
    }

    /**
     * Adds {@code g} into this tensor's gradient; ignored when the tensor needs none. Backward rules call this;
     * {@code g} must have exactly this tensor's shape (use {@link NDArray#sumTo} after broadcasting). The caller
     * may keep using {@code g}: a leaf copies it, an intermediate tensor shares it until a second gradient comes.
     */
    public void accumulateGrad(NDArray g) {
        accumulate(g, false);
    }

    /**
     * {@link #accumulateGrad} for an array the backward rule has just made and nobody else holds (a product, a
     * sum, a kernel's output): the tensor keeps it as its gradient without copying, and adds later gradients into
     * it in place. For GPT-2 124M this saves a copy of every weight's gradient, half a gigabyte per step.
     */
    public void accumulateFreshGrad(NDArray g) {
        accumulate(g, true);
    }

    private void accumulate(NDArray g, boolean fresh) {
        if (!requiresGrad) return;
        fresh &= g.isContiguous();             // gradients are added into it in place, which needs one plain run
        if (!Shape.same(g.shape(), data.shape())) {
            throw new IllegalStateException("gradient of shape " + Shape.format(g.shape()) + " for tensor of shape "
                    + Shape.format(data.shape()) + " made by " + op());
        }
        if (grad == null) {
            // A leaf owns its gradient (optimisers scale it in place), so a shared g is copied; an intermediate
            // tensor only reads it once, so sharing is safe until a second gradient has to be added.
            grad = node == null && !fresh ? g.copy() : g;
            ownsGrad = fresh || node == null;
        } else if (ownsGrad) {
            grad.addInPlace(g);
        } else if (fresh) {                    // a shared gradient plus a fresh one: add into the fresh array
            g.addInPlace(grad);
            grad = g;
            ownsGrad = true;
        } else {
            grad = grad.add(g);
            ownsGrad = true;
        }
    }

    /** Backpropagation from a one-element tensor (a loss): d(this)/d(this) = 1. */
    public void backward() {
        if (data.numel() != 1) {
            throw new IllegalStateException("backward: tensor of shape " + Shape.format(data.shape())
                    + " is not a single number; pass the upstream gradient with backward(NDArray)");
        }
        backward(NDArray.full(1f, data.shape()));
    }

    /** Backpropagation with a given gradient of some loss with respect to this tensor. */
    public void backward(NDArray upstream) {
        if (!requiresGrad) throw new IllegalStateException("backward: this tensor does not require a gradient (no parameter was involved, or gradients were off)");
        Graph.backward(this, upstream);
    }

    /** The same value, cut from the graph. */
    public Tensor detach() {
        return constant(data);
    }

    // ---------------------------------------------------------------- shape

    public int[] shape() {
        return data.shape();
    }

    public int dim(int d) {
        return data.dim(d);
    }

    public int rank() {
        return data.rank();
    }

    public int numel() {
        return data.numel();
    }

    public float item() {
        return data.item();
    }

    // ---------------------------------------------------------------- element-wise

    public Tensor add(Tensor other) { return Arithmetic.add(this, other); }
    public Tensor sub(Tensor other) { return Arithmetic.sub(this, other); }
    public Tensor mul(Tensor other) { return Arithmetic.mul(this, other); }
    public Tensor div(Tensor other) { return Arithmetic.div(this, other); }
    public Tensor add(float s) { return Arithmetic.add(this, constant(NDArray.scalar(s))); }
    public Tensor sub(float s) { return Arithmetic.sub(this, constant(NDArray.scalar(s))); }
    public Tensor mul(float s) { return Arithmetic.mul(this, constant(NDArray.scalar(s))); }
    public Tensor div(float s) { return Arithmetic.div(this, constant(NDArray.scalar(s))); }
    public Tensor neg() { return Arithmetic.neg(this); }
    public Tensor pow(float p) { return Arithmetic.pow(this, p); }
    public Tensor exp() { return Activations.exp(this); }
    public Tensor log() { return Activations.log(this); }
    public Tensor sqrt() { return Activations.sqrt(this); }
    public Tensor tanh() { return Activations.tanh(this); }
    public Tensor relu() { return Activations.relu(this); }
    public Tensor sigmoid() { return Activations.sigmoid(this); }
    /** Element-wise {@code min(this, other)} with broadcasting ({@code torch.minimum}). */
    public Tensor minimum(Tensor other) { return MinMax.minimum(this, other); }
    /** Element-wise {@code max(this, other)} with broadcasting ({@code torch.maximum}). */
    public Tensor maximum(Tensor other) { return MinMax.maximum(this, other); }
    /** Each value limited to {@code [lo, hi]} ({@code torch.clamp}). */
    public Tensor clamp(float lo, float hi) { return MinMax.clamp(this, lo, hi); }

    // ---------------------------------------------------------------- reductions

    public Tensor sum() { return ReduceOps.sumAll(this); }
    public Tensor sum(int dim, boolean keepDim) { return ReduceOps.sum(this, dim, keepDim); }
    public Tensor mean() { return ReduceOps.sumAll(this).div(Math.max(numel(), 1)); }
    public Tensor mean(int dim, boolean keepDim) { return ReduceOps.sum(this, dim, keepDim).div(dim(dim)); }
    public Tensor max(int dim, boolean keepDim) { return ReduceOps.max(this, dim, keepDim); }
    /** Variance, composed of mean, subtraction, square and mean, so it needs no backward rule of its own. */
    public Tensor var(int dim, boolean unbiased, boolean keepDim) { return ReduceOps.var(this, dim, unbiased, keepDim); }

    // ---------------------------------------------------------------- matrices, softmax

    public Tensor matmul(Tensor other) { return MatMulOp.matmul(this, other); }
    public Tensor softmax(int dim) { return SoftmaxOps.softmax(this, dim); }
    public Tensor logSoftmax(int dim) { return SoftmaxOps.logSoftmax(this, dim); }

    // ---------------------------------------------------------------- views

    public Tensor view(int... shape) { return ViewOps.reshape(this, shape, "view"); }
    public Tensor reshape(int... shape) { return ViewOps.reshape(this, shape, "reshape"); }
    public Tensor transpose(int d0, int d1) { return ViewOps.transpose(this, d0, d1); }
    public Tensor permute(int... order) { return ViewOps.permute(this, order); }
    public Tensor narrow(int dim, int start, int length) { return ViewOps.narrow(this, dim, start, length); }
    public Tensor expand(int... shape) { return ViewOps.expand(this, shape); }
    public Tensor squeeze(int dim) { return ViewOps.reshape(this, data.squeeze(dim).shape(), "squeeze"); }
    public Tensor unsqueeze(int dim) { return ViewOps.reshape(this, data.unsqueeze(dim).shape(), "unsqueeze"); }
    public Tensor contiguous() { return ViewOps.contiguous(this); }
    /** Merges dimensions {@code start..end} into one, like {@code torch.flatten(start, end)}. */
    public Tensor flatten(int start, int end) { return ViewOps.flatten(this, start, end); }

    // ---------------------------------------------------------------- masks, joins, indexing

    public Tensor maskedFill(NDArray mask, float value) { return MaskOps.maskedFill(this, mask, value); }
    public Tensor tril(int k) { return MaskOps.tril(this, k); }
    public Tensor triu(int k) { return MaskOps.triu(this, k); }
    public static Tensor where(NDArray cond, Tensor a, Tensor b) { return MaskOps.where(cond, a, b); }
    public static Tensor concat(List<Tensor> parts, int dim) { return JoinOps.concat(parts, dim); }
    public static Tensor stack(List<Tensor> parts, int dim) { return JoinOps.stack(parts, dim); }
    public List<Tensor> split(int size, int dim) { return JoinOps.split(this, size, dim); }
    public Tensor gather(int dim, IntNDArray index) { return IndexOps.gather(this, dim, index); }
    public Tensor indexSelect(int dim, IntNDArray index) { return IndexOps.indexSelect(this, dim, index); }
    /** Rows of {@code weight (V, C)} picked by token ids: {@code (S...) -> (S..., C)}. Book §2.7. */
    public static Tensor embedding(Tensor weight, IntNDArray ids) { return IndexOps.embedding(weight, ids); }

    @Override
    public String toString() {
        String s = data.toString();
        return requiresGrad ? s.substring(0, s.length() - 1) + ", grad_fn=" + op() + ")" : s;
    }
}
