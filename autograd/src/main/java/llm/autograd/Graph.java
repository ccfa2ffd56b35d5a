package llm.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

import llm.tensor.NDArray;

/**
 * Records operations as they run and walks them backwards: reverse-mode automatic differentiation in two
 * methods (Book Appendix A.4, "Automatic differentiation made easy"; micrograd's {@code backward}).
 */
public final class Graph {
    private Graph() {}

    /**
     * Wraps an operation's result. When gradients are on and some input needs a gradient, the result remembers
     * its inputs and the rule that passes its gradient back to them; otherwise it is a plain constant.
     *
     * @param value    the output the operation computed
     * @param op       a short name, shown when printing the graph and in errors
     * @param inputs   the tensors the output depends on
     * @param backward adds the gradients of the inputs, given the output's gradient
     */
    public static Tensor record(NDArray value, String op, List<Tensor> inputs, Backward backward) {
        if (!Grad.isEnabled()) return Tensor.constant(value);
        for (Tensor t : inputs) {
            if (t.requiresGrad()) return Tensor.fromNode(value, new Node(op, List.copyOf(inputs), backward));
        }
        return Tensor.constant(value);
    }

    /**
     * Runs every backward rule once, outputs before inputs: a depth-first topological sort of the graph, then
     * the rules in reverse order. Gradients of intermediate tensors are dropped once used, and so is what each
     * rule saved from the forward pass (activations); leaves keep their gradients.
     */
    static void backward(Tensor root, NDArray seed) {
        List<Tensor> order = topologicalOrder(root);
        root.accumulateGrad(seed);
        for (int i = order.size() - 1; i >= 0; i--) {
            // Every tensor that reads t comes later in the order, so its rule has run: once t's rule has run too,
            // nothing needs t's value or what its rule saved, and the list lets go of it.
            Tensor t = order.set(i, null);
            Node node = t.node();
            NDArray g = t.grad();
            if (node == null || g == null) continue;
            node.backward().apply(g);
            t.releaseGrad();
            t.releaseNode();
        }
    }

    /** Inputs before the tensors made from them, found without recursion (graphs can be thousands of ops deep). */
    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        Set<Tensor> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Object[]> stack = new ArrayDeque<>(); // {tensor, next input index}
        stack.push(new Object[] {root, 0});
        visited.add(root);
        while (!stack.isEmpty()) {
            Object[] top = stack.peek();
            Tensor t = (Tensor) top[0];
            int next = (Integer) top[1];
            List<Tensor> inputs = t.node() == null ? List.of() : t.node().inputs();
            if (next < inputs.size()) {
                top[1] = next + 1;
                Tensor in = inputs.get(next);
                if (in.requiresGrad() && visited.add(in)) stack.push(new Object[] {in, 0});
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }
}
