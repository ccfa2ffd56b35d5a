package llm.instruction;

/**
 * How an instruction record becomes text (Book §7.2): the Alpaca-style prompt the book uses, or the Phi-3 style of
 * exercise 7.1. {@link #formatInput} is the book's {@code format_input} (instruction and optional input); {@link
 * #response} is the text the model learns to continue with; {@link #responseMarker} is where a generated response
 * starts.
 */
public enum PromptTemplate {
    /** {@code Below is an instruction ... ### Instruction: ... ### Input: ... ### Response: ...} */
    ALPACA {
        @Override
        public String formatInput(InstructionData.Entry e) {
            String instruction = "Below is an instruction that describes a task. Write a response that appropriately completes the request."
                    + "\n\n### Instruction:\n" + e.instruction();
            return instruction + (e.input().isEmpty() ? "" : "\n\n### Input:\n" + e.input());
        }

        @Override
        public String responseMarker() {
            return "\n\n### Response:\n";
        }
    },
    /** {@code <|user|>\n instruction \n input \n<|assistant|>:\n response} */
    PHI3 {
        @Override
        public String formatInput(InstructionData.Entry e) {
            return "<|user|>\n" + e.instruction() + (e.input().isEmpty() ? "" : "\n" + e.input());
        }

        @Override
        public String responseMarker() {
            return "\n<|assistant|>:\n";
        }
    };

    /** The book's {@code format_input}: the prompt without the response. */
    public abstract String formatInput(InstructionData.Entry e);

    /** The text between the prompt and the response. */
    public abstract String responseMarker();

    /** The marker followed by {@code output}: what is appended to the prompt for training. */
    public String response(String output) {
        return responseMarker() + output;
    }

    /** {@code alpaca} or {@code phi3}. */
    public static PromptTemplate parse(String name) {
        return switch (name) {
            case "alpaca" -> ALPACA;
            case "phi3" -> PHI3;
            default -> throw new IllegalArgumentException("unknown prompt template '" + name + "' (alpaca or phi3)");
        };
    }
}
