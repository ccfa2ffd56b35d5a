package llm.autograd.ops;

import java.util.List;

import llm.autograd.Graph;
import llm.autograd.Tensor;
import llm.tensor.IntNDArray;
import llm.tensor.Indexing;
import llm.tensor.NDArray;
import llm.tensor.Shape;

/** Reads by index; the gradient is added back to the positions that were read (scatter-add). Book §2.7. */
public final class IndexOps {
    private IndexOps() {}

    public static Tensor gather(Tensor x, int dim, IntNDArray index) {
        int[] shape = x.shape();
        int d = Shape.dim(dim, shape.length, "gather");
        return Graph.record(x.data().gather(d, index), "gather", List.of(x),
                g -> x.accumulateGrad(Indexing.scatterAdd(shape, d, index, g)));
    }

    public static Tensor indexSelect(Tensor x, int dim, IntNDArray index) {
        int[] shape = x.shape();
        int d = Shape.dim(dim, shape.length, "indexSelect");
        return Graph.record(x.data().indexSelect(d, index), "indexSelect", List.of(x),
                g -> x.accumulateGrad(Indexing.indexAdd(shape, d, index, g)));
    }

    /** Embedding lookup; each row of the weight gets the sum of the gradients of the positions that used it. */
    public static Tensor embedding(Tensor weight, IntNDArray ids) {
        NDArray out = Indexing.embedding(weight.data(), ids);
        int vocab = weight.dim(0);
        return Graph.record(out, "embedding", List.of(weight),
                g -> weight.accumulateFreshGrad(Indexing.embeddingBackward(g, ids, vocab)));
    }
}
