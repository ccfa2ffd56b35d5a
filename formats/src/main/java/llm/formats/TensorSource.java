package llm.formats;

import java.util.List;
import java.util.Map;

import llm.tensor.NDArray;

/**
 * Named tensors to load a model from, read one at a time: a memory-mapped {@link SafeTensorsFile}, or the
 * tensors of a PyTorch checkpoint ({@link TorchCheckpoint}).
 */
public interface TensorSource {
    /** Tensor names, in the file's order. */
    List<String> names();

    /** Reads one tensor as float32; an error naming it when it is absent. */
    NDArray read(String name);

    /** The file, for error messages. */
    String describe();

    /** Tensors already in memory. */
    static TensorSource of(Map<String, NDArray> tensors, String description) {
        return new TensorSource() {
            @Override
            public List<String> names() {
                return List.copyOf(tensors.keySet());
            }

            @Override
            public NDArray read(String name) {
                NDArray t = tensors.get(name);
                if (t == null) throw new IllegalArgumentException(description + " has no tensor '" + name + "'");
                return t;
            }

            @Override
            public String describe() {
                return description;
            }
        };
    }
}
