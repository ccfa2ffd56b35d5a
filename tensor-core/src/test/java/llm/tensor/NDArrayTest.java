package llm.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Views, broadcasting, reductions and the other array operations, against hand-worked values. */
class NDArrayTest {

    private static NDArray m23() {
        return NDArray.arange(0, 6).view(2, 3); // [[0, 1, 2], [3, 4, 5]]
    }

    @Test
    void viewsShareStorageAndContiguousCopiesOnlyWhenNeeded() {
        NDArray x = m23();
        NDArray t = x.transpose(0, 1);
        assertSame(x.storage(), t.storage());
        assertArrayEquals(new int[] {3, 2}, t.shape());
        assertEquals(5f, t.get(2, 1));
        assertFalse(t.isContiguous());
        assertSame(x, x.contiguous());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, t.contiguous().toArray());
        assertArrayEquals(new float[] {1, 4}, x.narrow(1, 1, 1).contiguous().toArray());
        assertArrayEquals(new float[] {3, 4, 5}, x.select(0, 1).toArray());
        assertArrayEquals(new int[] {2, 1, 3}, x.unsqueeze(1).shape());
        assertArrayEquals(new int[] {2, 3}, x.unsqueeze(1).squeeze(1).shape());
        assertArrayEquals(new int[] {3, 2}, x.view(3, -1).shape());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, t.reshape(6).toArray());
        NDArray e = NDArray.of(new float[] {1, 2, 3}, 3).expand(2, 3);
        assertArrayEquals(new int[] {0, 1}, e.strides());
        assertArrayEquals(new float[] {1, 2, 3, 1, 2, 3}, e.toArray());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, x.permute(1, 0).toArray());
    }

    @Test
    void viewErrorsNameTheShapes() {
        var e = assertThrows(IllegalArgumentException.class, () -> m23().view(4, 2));
        assertTrue(e.getMessage().contains("(2, 3)") && e.getMessage().contains("(4, 2)"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> m23().transpose(0, 1).view(6));
        var b = assertThrows(IllegalArgumentException.class, () -> NDArray.zeros(2, 3).add(NDArray.zeros(4)));
        assertEquals("add: shapes (2, 3) and (4,) do not broadcast: dimension -1 has sizes 3 and 4", b.getMessage());
    }

    @Test
    void broadcastingArithmetic() {
        NDArray x = m23();
        assertArrayEquals(new float[] {10, 21, 32, 13, 24, 35}, x.add(NDArray.of(new float[] {10, 20, 30}, 3)).toArray());
        assertArrayEquals(new float[] {0, 1, 2, 30, 40, 50}, x.mul(NDArray.of(new float[] {1, 10}, 2, 1)).toArray());
        assertArrayEquals(new float[] {0, 0.5f, 1, 1.5f, 2, 2.5f}, x.div(2f).toArray());
        assertArrayEquals(new float[] {0, 0, 0, 1, 1, 1}, x.gt(2.5f).toArray());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, x.transpose(0, 1).add(NDArray.zeros(3, 2)).toArray());
        NDArray acc = NDArray.zeros(2, 3);
        acc.addInPlace(NDArray.ones(3));
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1}, acc.toArray());
    }

    @Test
    void reductions() {
        NDArray x = m23();
        assertEquals(15f, x.sum().item());
        assertArrayEquals(new float[] {3, 5, 7}, x.sum(0, false).toArray());
        assertArrayEquals(new float[] {3, 12}, x.sum(1, false).toArray());
        assertArrayEquals(new int[] {2, 1}, x.sum(1, true).shape());
        assertArrayEquals(new float[] {1, 4}, x.mean(-1, false).toArray());
        assertArrayEquals(new float[] {2, 5}, x.max(1, false).toArray());
        assertArrayEquals(new int[] {1, 1, 1}, x.argmax(0).toArray());
        assertArrayEquals(new float[] {1, 1}, x.var(1, true, false).toArray(), 1e-6f);
        assertArrayEquals(new float[] {2f / 3, 2f / 3}, x.var(1, false, false).toArray(), 1e-6f);
        assertArrayEquals(new float[] {3, 12}, x.sumTo(2, 1).toArray());
        assertArrayEquals(new float[] {3, 5, 7}, x.sumTo(3).toArray());
        assertArrayEquals(new float[] {15}, x.sumTo().toArray());
    }

    @Test
    void softmaxMatchesTheBook() {
        // Book §3.3.1: attention scores of query 2 for "Your journey starts with one step".
        NDArray scores = NDArray.of(new float[] {0.9544f, 1.4950f, 1.4754f, 0.8434f, 0.7070f, 1.0865f}, 6);
        assertArrayEquals(new float[] {0.1385f, 0.2379f, 0.2333f, 0.1240f, 0.1082f, 0.1581f}, scores.softmax(0).toArray(), 1e-4f);
        NDArray x = m23();
        NDArray s = x.softmax(0);
        assertArrayEquals(new float[] {1, 1, 1}, s.sum(0, false).toArray(), 1e-6f);
        assertArrayEquals(x.softmax(1).log().toArray(), x.logSoftmax(1).toArray(), 1e-5f);
    }

    @Test
    void masksJoinsAndIndexing() {
        NDArray ones = NDArray.ones(3, 3);
        assertArrayEquals(new float[] {1, 0, 0, 1, 1, 0, 1, 1, 1}, ones.tril(0).toArray());
        assertArrayEquals(new float[] {0, 1, 1, 0, 0, 1, 0, 0, 0}, ones.triu(1).toArray());
        NDArray filled = NDArray.zeros(3, 3).maskedFill(ones.triu(1), Float.NEGATIVE_INFINITY);
        assertEquals(Float.NEGATIVE_INFINITY, filled.get(0, 2));
        assertEquals(0f, filled.get(2, 0));
        NDArray x = m23();
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5}, NDArray.concat(List.of(x, x), 0).toArray());
        assertArrayEquals(new int[] {2, 2, 3}, NDArray.stack(List.of(x, x), 0).shape());
        assertEquals(2, x.split(2, 1).size());
        assertArrayEquals(new float[] {2, 3}, x.gather(1, IntNDArray.of(new int[] {2, 0}, 2, 1)).toArray());
        assertArrayEquals(new float[] {2, 0, 5, 3}, x.indexSelect(1, IntNDArray.of(new int[] {2, 0})).toArray());
        NDArray emb = Indexing.embedding(x, IntNDArray.of(new int[] {1, 1, 0}, 3));
        assertArrayEquals(new float[] {3, 4, 5, 3, 4, 5, 0, 1, 2}, emb.toArray());
        var bad = assertThrows(IndexOutOfBoundsException.class, () -> Indexing.embedding(x, IntNDArray.of(new int[] {2})));
        assertTrue(bad.getMessage().contains("token id 2"), bad.getMessage());
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, NDArray.where(NDArray.ones(1), x, NDArray.zeros(1)).toArray());
    }

    @Test
    void topkMatchesTheBook() {
        // Book §5.3.2: the nine next-token logits and their top-3.
        NDArray logits = NDArray.of(new float[] {4.51f, 0.89f, -1.90f, 6.75f, 1.63f, -1.62f, -1.89f, 6.28f, 1.79f}, 9);
        TopK top = logits.topk(3, 0);
        assertArrayEquals(new int[] {3, 7, 0}, top.indices().toArray());
        assertArrayEquals(new float[] {6.75f, 6.28f, 4.51f}, top.values().toArray());
        assertEquals(3, logits.argmax(0).get());
        NDArray masked = logits.maskedFill(logits.lt(top.values().get(2)), Float.NEGATIVE_INFINITY);
        assertArrayEquals(new float[] {0.0615f, 0, 0, 0.5775f, 0, 0, 0, 0.3610f, 0}, masked.softmax(0).toArray(), 1e-4f);
        TopK cols = m23().topk(1, 0);
        assertArrayEquals(new int[] {1, 1, 1}, cols.indices().toArray());
        TopK both = NDArray.of(new float[] {5, 1, 2, 9, 7, 3}, 3, 2).topk(2, 0); // columns [5, 2, 7] and [1, 9, 3]
        assertArrayEquals(new int[] {2, 2}, both.indices().shape());
        assertArrayEquals(new int[] {2, 1, 0, 2}, both.indices().toArray());
        assertArrayEquals(new float[] {7, 9, 5, 3}, both.values().toArray());
    }

    @Test
    void multinomialFollowsTheWeights() {
        SeededRandom rng = new SeededRandom(123);
        NDArray probs = NDArray.of(new float[] {0.1f, 0f, 0.6f, 0.3f}, 4);
        int[] counts = new int[4];
        for (int id : Sampling.multinomial(probs, 10000, rng).toArray()) counts[id]++;
        assertEquals(0, counts[1]);
        assertEquals(1000, counts[0], 100);
        assertEquals(6000, counts[2], 150);
        assertEquals(3000, counts[3], 150);
        assertThrows(IllegalArgumentException.class, () -> Sampling.multinomial(NDArray.of(new float[] {-1f, 2f}, 2), 1, rng));
    }

    @Test
    void seededRandomIsReproducibleAndHasTheRightMoments() {
        NDArray a = NDArray.randn(new SeededRandom(5), 20000);
        NDArray b = NDArray.randn(new SeededRandom(5), 20000);
        assertArrayEquals(a.toArray(), b.toArray());
        assertEquals(0f, a.mean().item(), 0.03f);
        assertEquals(1f, a.var(0, true, false).item(), 0.03f);
        NDArray k = NDArray.kaimingUniform(new SeededRandom(1), 100, 10000);
        assertTrue(k.max(0, false).item() < 0.1f && k.neg().max(0, false).item() <= 0.1f);
        SeededRandom r = new SeededRandom(9);
        r.nextGaussian();
        long[] saved = r.saveState();
        double next = r.nextGaussian();
        r.restoreState(saved);
        assertEquals(next, r.nextGaussian());
    }

    @Test
    void naiveMatmulAgreesWithFastOnOneAndAllThreads() {
        NDArray a = NDArray.randn(new SeededRandom(1), 17, 33), b = NDArray.randn(new SeededRandom(2), 33, 29);
        assertArrayEquals(MatMul.matmulNaive(a, b).toArray(), a.matmul(b).toArray(), 1e-4f);
        assertArrayEquals(MatMul.matmulNaive(a, b).toArray(), MatMul.matmul(a, b, Parallelism.SINGLE).toArray(), 1e-4f);
    }
}
