package llm.gpu;

import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import llm.autograd.Tensor;
import llm.gpt.GPTModel;
import llm.tensor.NDArray;

/**
 * Where each of a GPT's parameters sits in one flat array, as llm.c lays them out: one device array for the
 * parameters, one of the same layout for their gradients and one each for AdamW's moments, so that zeroing the
 * gradients, clipping them and the AdamW update are each one kernel over everything. A tied head (GPT-2's) has no
 * numbers of its own: its name, and {@link #head()}, give the token embedding's offset.
 */
final class PackedParameters {
    private final Map<String, int[]> offsetAndSize = new LinkedHashMap<>();
    private final Map<String, int[]> shapes = new LinkedHashMap<>();
    private final Map<String, Boolean> trains = new LinkedHashMap<>();
    private final int total;
    private final boolean tied;

    PackedParameters(GPTModel model) {
        int at = 0;
        Map<Tensor, int[]> placed = new IdentityHashMap<>();        // a tied head's name points at the embedding's numbers
        for (var e : model.namedParameters().entrySet()) {
            int[] where = placed.get(e.getValue());
            if (where == null) {
                where = new int[] {at, e.getValue().data().numel()};
                placed.put(e.getValue(), where);
                at = Math.addExact(at, where[1]);
            }
            offsetAndSize.put(e.getKey(), where);
            shapes.put(e.getKey(), e.getValue().shape());
            trains.put(e.getKey(), e.getValue().requiresGrad());
        }
        this.total = at;
        this.tied = model.tiedHead();
    }

    /** Numbers in all parameters together (a shared tensor once). */
    int total() {
        return total;
    }

    /** Offset of parameter {@code name}; a clear error names a parameter the model lacks. */
    int at(String name) {
        int[] os = offsetAndSize.get(name);
        if (os == null) throw new IllegalArgumentException("the model has no parameter '" + name + "'");
        return os[0];
    }

    /** Offset of the output head's weight: the token embedding's when the head is tied to it. */
    int head() {
        return tied ? at("tok_emb.weight") : at("out_head.weight");
    }

    /** Whether parameter {@code name} trains (its tensor requires a gradient) or is frozen. */
    boolean trains(String name) {
        at(name);                                                   // the clear error for a name the model lacks
        return trains.get(name);
    }

    /** Names of the parameters, in the order of the packed array. */
    Iterable<String> names() {
        return offsetAndSize.keySet();
    }

    /**
     * The packed array cut into runs of neighbouring parameters that all train ({@code training} true) or are all
     * frozen: {@code {offset, length}} each. With every parameter training, one run covers the whole array.
     */
    java.util.List<int[]> runs(boolean training) {
        java.util.List<int[]> runs = new java.util.ArrayList<>();
        int start = -1, end = 0, seen = 0;
        for (var e : offsetAndSize.entrySet()) {
            int at = e.getValue()[0], size = e.getValue()[1];
            if (at < seen) continue;                                // a tied head: the embedding's numbers, seen already
            seen = at + size;
            if (trains.get(e.getKey()) == training) {
                if (start < 0) start = at;
                end = at + size;
            } else if (start >= 0) {
                runs.add(new int[] {start, end - start});
                start = -1;
            }
        }
        if (start >= 0) runs.add(new int[] {start, end - start});
        return runs;
    }

    /** The model's parameters, one after another. */
    float[] pack(GPTModel model) {
        float[] all = new float[total];
        for (var e : model.namedParameters().entrySet()) {
            float[] v = e.getValue().data().contiguous().toArray();
            System.arraycopy(v, 0, all, at(e.getKey()), v.length);
        }
        return all;
    }

    /** {@code all} cut back into the model's named parameters. */
    Map<String, float[]> unpack(float[] all) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (var e : offsetAndSize.entrySet()) {
            float[] v = new float[e.getValue()[1]];
            System.arraycopy(all, e.getValue()[0], v, 0, v.length);
            out.put(e.getKey(), v);
        }
        return out;
    }

    /** {@code all} as a state dictionary {@code model.loadStateDict} takes. */
    Map<String, NDArray> stateDict(float[] all) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        unpack(all).forEach((name, v) -> out.put(name, NDArray.of(v, shapes.get(name))));
        return out;
    }
}
