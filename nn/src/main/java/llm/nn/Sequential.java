package llm.nn;

import java.util.ArrayList;
import java.util.List;

import llm.autograd.Tensor;

/** Layers applied in order, named "0", "1", ... like {@code torch.nn.Sequential}. */
public final class Sequential extends Module implements Layer {
    private final List<Layer> layers = new ArrayList<>();

    /** Each layer must be a {@link Module} too, so that its parameters are registered. */
    public Sequential(Layer... layers) {
        for (Layer l : layers) add(l);
    }

    public Sequential add(Layer layer) {
        if (!(layer instanceof Module m)) throw new IllegalArgumentException("Sequential: " + layer.getClass().getSimpleName() + " is not a Module");
        registerModule(String.valueOf(layers.size()), m);
        layers.add(layer);
        return this;
    }

    public Layer get(int i) {
        return layers.get(i);
    }

    public int size() {
        return layers.size();
    }

    @Override
    public Tensor forward(Tensor x) {
        for (Layer l : layers) x = l.forward(x);
        return x;
    }
}
