package llm.examples;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

import llm.data.Batch;
import llm.instruction.CustomCollate;
import llm.instruction.InstructionData;
import llm.instruction.PromptTemplate;

/**
 * Book §7.2-7.3: the instruction data, {@code format_input} on the book's example record, the 85/10/5 split, and
 * {@code custom_collate_fn} on the book's three short token lists.
 */
public final class Ch07InstructionData {
    private Ch07InstructionData() {}

    public static void main(String[] args) throws IOException {
        List<InstructionData.Entry> data = InstructionData.read(BookData.path("instruction-data.json"), false);
        System.out.println("Number of entries: " + data.size());
        InstructionData.Entry e = data.get(50);
        System.out.println(PromptTemplate.ALPACA.formatInput(e) + PromptTemplate.ALPACA.response(e.output()));
        var s = InstructionData.split(data);
        System.out.printf("Training set length: %d%nValidation set length: %d%nTest set length: %d%n", s.train().size(), s.validation().size(), s.test().size());
        Batch b = CustomCollate.customCollateFn(List.of(new int[] {0, 1, 2, 3, 4}, new int[] {5, 6}, new int[] {7, 8, 9}), null, 50256, -100, -1);
        int t = b.inputs().dim(1);
        for (String name : new String[] {"inputs", "targets"}) {
            int[] v = name.equals("inputs") ? b.inputs().storage() : b.targets().storage();
            System.out.println(name + ":");
            for (int r = 0; r < 3; r++) System.out.println("  " + Arrays.toString(Arrays.copyOfRange(v, r * t, (r + 1) * t)));
        }
    }
}
