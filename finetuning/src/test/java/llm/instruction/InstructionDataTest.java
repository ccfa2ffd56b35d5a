package llm.instruction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import llm.data.Batch;
import llm.data.DataLoader;
import llm.tokenizer.BytePairTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Book §7.2-7.4: the data, format_input, the splits, custom_collate_fn on the book's example, and the loaders. */
class InstructionDataTest {
    static final Path DATA = Path.of("../data/instruction-data.json");

    @TempDir
    Path tmp;

    @Test
    void theBooksSplitAndPrompt() throws IOException {
        List<InstructionData.Entry> data = InstructionData.read(DATA, false);
        assertEquals(1100, data.size());
        var s = InstructionData.split(data);
        assertEquals(935, s.train().size());
        assertEquals(55, s.validation().size());
        assertEquals(110, s.test().size());
        InstructionData.Entry e = data.get(50);
        assertEquals("Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n"
                + "### Instruction:\nIdentify the correct spelling of the following word.\n\n### Input:\nOcassion", PromptTemplate.ALPACA.formatInput(e));
        assertEquals("\n\n### Response:\nThe correct spelling is 'Occasion.'", PromptTemplate.ALPACA.response(e.output()));
        InstructionData.Entry noInput = data.get(999);
        assertTrue(!PromptTemplate.ALPACA.formatInput(noInput).contains("### Input"), "no input section for an empty input");
        assertEquals("<|user|>\nIdentify the correct spelling of the following word.\nOcassion", PromptTemplate.PHI3.formatInput(e));
    }

    @Test
    void customCollateFnOnTheBooksExample() {
        Batch b = CustomCollate.customCollateFn(List.of(new int[] {0, 1, 2, 3, 4}, new int[] {5, 6}, new int[] {7, 8, 9}), null, 50256, -100, -1);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 50256, 50256, 50256, 7, 8, 9, 50256, 50256}, b.inputs().storage());
        assertArrayEquals(new int[] {1, 2, 3, 4, 50256, 6, 50256, -100, -100, -100, 8, 9, 50256, -100, -100}, b.targets().storage());
        assertArrayEquals(new int[] {3, 5}, b.inputs().shape());
        Batch cut = CustomCollate.customCollateFn(List.of(new int[] {0, 1, 2, 3, 4}, new int[] {5, 6}), null, 50256, -100, 3);
        assertArrayEquals(new int[] {0, 1, 2, 5, 6, 50256}, cut.inputs().storage());
        assertArrayEquals(new int[] {1, 2, 3, 6, 50256, -100}, cut.targets().storage());
        Batch masked = CustomCollate.customCollateFn(List.of(new int[] {0, 1, 2, 3, 4}), new int[] {3}, 50256, -100, -1);
        assertArrayEquals(new int[] {-100, -100, 3, 4, 50256}, masked.targets().storage(), "exercise 7.2: the prompt's targets ignored");
    }

    @Test
    void loadersOfTheBook() throws IOException {
        var s = InstructionData.split(InstructionData.read(DATA, false));
        var tok = BytePairTokenizer.gpt2();
        InstructionDataset train = new InstructionDataset(s.train(), tok, PromptTemplate.ALPACA, false, 1024);
        DataLoader<Batch> loader = new DataLoader<>(train, 8, true, true, new llm.tensor.SeededRandom(123));
        assertEquals(116, loader.size());
        Batch first = loader.iterator().next();
        assertEquals(8, first.inputs().dim(0));
        assertEquals(first.inputs().dim(1), first.targets().dim(1));
    }

    @Test
    void aPromptLongerThanTheContextNamesItsRecord() {
        var entries = List.of(new InstructionData.Entry("short", "", "ok", null, null), new InstructionData.Entry("word ".repeat(80), "", "ok", null, null));
        var e = assertThrows(IllegalArgumentException.class,
                () -> new InstructionDataset(entries, BytePairTokenizer.gpt2(), PromptTemplate.ALPACA, false, 64));
        assertTrue(e.getMessage().startsWith("record 1: its instruction and input take"), e.getMessage());
    }

    @Test
    void badFilesNameTheRecordAndField() throws IOException {
        Path f = tmp.resolve("bad.json");
        Files.writeString(f, "{\"instruction\": \"x\"}");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> InstructionData.read(f, false)).getMessage().contains("bad.json is not a JSON array"));
        Files.writeString(f, "[{\"instruction\": \"x\", \"output\": \"y\"}, {\"instruction\": \"z\"}]");
        String e = assertThrows(IllegalArgumentException.class, () -> InstructionData.read(f, false)).getMessage();
        assertTrue(e.contains("bad.json record 1 has no 'output'"), e);
        Files.writeString(f, "[{\"instruction\": \"x\", \"output\": \"y\", \"chosen\": \"a\"}]");
        e = assertThrows(IllegalArgumentException.class, () -> InstructionData.read(f, true)).getMessage();
        assertTrue(e.contains("bad.json record 0 has no 'rejected'"), e);
    }
}
