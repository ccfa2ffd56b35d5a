package llm.autograd;

import java.util.List;

/**
 * How a tensor was made: the operation's name, its inputs, and its {@link Backward} rule. Leaves
 * (parameters, inputs) have no node.
 */
record Node(String op, List<Tensor> inputs, Backward backward) {}
