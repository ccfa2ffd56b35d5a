package llm.autograd;

/**
 * Whether operations record the graph that {@link Tensor#backward()} walks. On by default; switch it off for
 * evaluation and generation, where no gradient is needed, to save the memory the graph would hold.
 *
 * <p>The flag belongs to the calling thread, so two threads can generate with one shared model while a third
 * trains. Book Appendix A.7 ({@code torch.no_grad()}).
 *
 * {@snippet :
 * try (var off = Grad.off()) {
 *     Tensor logits = model.forward(ids);   // records nothing
 * }
 * }
 */
public final class Grad {
    private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> Boolean.TRUE);

    private Grad() {}

    /** True when operations on this thread record the graph. */
    public static boolean isEnabled() {
        return ENABLED.get();
    }

    /** Stops recording until the returned scope is closed; scopes nest. */
    public static Scope off() {
        boolean before = ENABLED.get();
        ENABLED.set(Boolean.FALSE);
        return new Scope(before);
    }

    /** Restores the recording state of before {@link #off()} when closed. */
    public static final class Scope implements AutoCloseable {
        private final boolean before;

        private Scope(boolean before) {
            this.before = before;
        }

        @Override
        public void close() {
            ENABLED.set(before);
        }
    }
}
