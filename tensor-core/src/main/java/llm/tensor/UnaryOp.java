package llm.tensor;

/** The element-wise functions of one argument, each defined by its scalar formula. */
public enum UnaryOp {
    NEG, EXP, LOG, SQRT, TANH, ABS, RELU, SIGMOID, STEP;

    /** The function applied to one number: the definition every kernel must agree with. */
    public float apply(float x) {
        return switch (this) {
            case NEG -> -x;
            case EXP -> (float) Math.exp(x);
            case LOG -> (float) Math.log(x);
            case SQRT -> (float) Math.sqrt(x);
            case TANH -> (float) Math.tanh(x);
            case ABS -> Math.abs(x);
            case RELU -> x > 0 ? x : 0f;
            case SIGMOID -> (float) (1.0 / (1.0 + Math.exp(-x)));
            case STEP -> x > 0 ? 1f : 0f;
        };
    }
}
