package llm.examples;

import java.util.Iterator;

import llm.data.Batch;
import llm.data.DataLoader;
import llm.data.GPTDatasetV1;
import llm.tokenizer.BytePairTokenizer;

/**
 * Book §2.6, "Data sampling with a sliding window": inputs and next-token targets from "The Verdict", first
 * with batch size 1, max length 4 and stride 1, then batch size 8 with stride 4 (no overlap between batches).
 */
public final class Ch02DataSampling {
    private Ch02DataSampling() {}

    public static void main(String[] args) {
        int[] ids = BytePairTokenizer.gpt2().encode(BookData.read("the-verdict.txt"));
        Iterator<Batch> batches = new DataLoader<>(new GPTDatasetV1(ids, 4, 1), 1, false, true, null).iterator();
        Batch first = batches.next();
        System.out.println("first batch:  inputs " + first.inputs() + ", targets " + first.targets());
        Batch second = batches.next();
        System.out.println("second batch: inputs " + second.inputs() + ", targets " + second.targets());

        Batch eight = new DataLoader<>(new GPTDatasetV1(ids, 4, 4), 8, false, false, null).iterator().next();
        System.out.println("Inputs:");
        print(eight.inputs().toArray(), 4);
        System.out.println("Targets:");
        print(eight.targets().toArray(), 4);
    }

    private static void print(int[] values, int columns) {
        for (int r = 0; r < values.length / columns; r++) {
            StringBuilder sb = new StringBuilder("  [");
            for (int c = 0; c < columns; c++) sb.append(c == 0 ? "" : ", ").append(String.format("%5d", values[r * columns + c]));
            System.out.println(sb.append(']'));
        }
    }
}
