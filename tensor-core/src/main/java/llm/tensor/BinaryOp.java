package llm.tensor;

/** The element-wise functions of two arguments; comparisons give 1 for true and 0 for false. */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, MAX, POW, GT, GE, LT, LE, EQ;

    /** The function applied to one pair of numbers: the definition every kernel must agree with. */
    public float apply(float a, float b) {
        return switch (this) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case MAX -> Math.max(a, b);
            case POW -> (float) Math.pow(a, b);
            case GT -> a > b ? 1f : 0f;
            case GE -> a >= b ? 1f : 0f;
            case LT -> a < b ? 1f : 0f;
            case LE -> a <= b ? 1f : 0f;
            case EQ -> a == b ? 1f : 0f;
        };
    }
}
