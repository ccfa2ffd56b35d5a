package llm.nn;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Modules held in a list and named "0", "1", ... like {@code torch.nn.ModuleList}; unlike {@link Sequential}
 * it has no forward: the owner decides how to use them (the heads of {@code MultiHeadAttentionWrapper}).
 */
public final class ModuleList<M extends Module> extends Module implements Iterable<M> {
    private final List<M> modules = new ArrayList<>();

    public ModuleList<M> add(M module) {
        registerModule(String.valueOf(modules.size()), module);
        modules.add(module);
        return this;
    }

    public M get(int i) {
        return modules.get(i);
    }

    public int size() {
        return modules.size();
    }

    @Override
    public Iterator<M> iterator() {
        return modules.iterator();
    }
}
