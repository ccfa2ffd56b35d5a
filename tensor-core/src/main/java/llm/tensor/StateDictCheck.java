package llm.tensor;

import java.util.Map;
import java.util.function.Function;

/**
 * The one check that a set of named tensors fits another (PyTorch's {@code load_state_dict(strict=True)}): every
 * expected name present, no extra name, every shape equal. Modules loading a state dictionary, checkpoints and
 * optimiser state all use it, so their messages read alike and name the source, the tensor and both shapes:
 * <pre>
 * checkpoint run/checkpoint.safetensors: tensor 'model.final_norm.scale' has shape (64), expected (128)
 * </pre>
 * Nothing is changed by the check; callers copy only after it passed, so a failed load leaves the target as it was.
 */
public final class StateDictCheck {
    private StateDictCheck() {}

    /**
     * @param source   what is being loaded, for the message (a file, "loadStateDict", "AdamW state")
     * @param prefix   put before each name in messages (the key prefix the source uses, or "")
     * @param expected the names and values the target has
     * @param given    the names and values the source offers
     */
    public static <A, B> void check(String source, String prefix, Map<String, A> expected, Function<A, int[]> expectedShape,
                                    Map<String, B> given, Function<B, int[]> givenShape) {
        for (String name : expected.keySet()) {
            if (!given.containsKey(name)) throw new IllegalArgumentException(source + ": missing tensor '" + prefix + name + "'");
        }
        for (var e : given.entrySet()) {
            A want = expected.get(e.getKey());
            if (want == null) throw new IllegalArgumentException(source + ": unexpected tensor '" + prefix + e.getKey() + "'");
            int[] wantShape = expectedShape.apply(want), gotShape = givenShape.apply(e.getValue());
            if (!Shape.same(wantShape, gotShape)) {
                throw new IllegalArgumentException(source + ": tensor '" + prefix + e.getKey() + "' has shape " + Shape.format(gotShape)
                        + ", expected " + Shape.format(wantShape));
            }
        }
    }
}
