package llm.autograd;

import llm.tensor.NDArray;

/**
 * The local derivative of one operation: given the gradient of the loss with respect to the operation's
 * output, add the gradients with respect to its inputs into them (micrograd's {@code _backward}).
 */
@FunctionalInterface
public interface Backward {
    void apply(NDArray outputGrad);
}
