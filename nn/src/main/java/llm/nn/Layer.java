package llm.nn;

import llm.autograd.Tensor;

/** A module that maps one tensor to another: what {@link Sequential} chains. */
public interface Layer {
    Tensor forward(Tensor x);
}
