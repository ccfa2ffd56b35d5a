package llm.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import llm.autograd.Tensor;
import llm.tensor.NDArray;
import llm.tensor.SeededRandom;

class ModuleTest {

    @Test
    void namesCountsModesAndFreezing() {
        SeededRandom rng = new SeededRandom(1);
        FeedForward ff = new FeedForward(8, rng);
        assertEquals(List.of("layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias"), List.copyOf(ff.namedParameters().keySet()));
        assertEquals(8 * 32 + 32 + 32 * 8 + 8, ff.numParameters());
        Sequential s = new Sequential(new Linear(4, 4, true, rng), new Dropout(0.5f, rng));
        s.eval();
        assertFalse(s.children().get("1").isTraining());
        s.train();
        assertTrue(s.children().get("1").isTraining());
        s.requiresGrad(false);
        assertEquals(0, s.numParameters());
        assertThrows(IllegalArgumentException.class, () -> s.add(x -> x)); // not a Module
    }

    @Test
    void linearInitialisesLikePyTorchAndComputesXWTransposedPlusB() {
        Linear l = new Linear(100, 50, true, new SeededRandom(2));
        float bound = 0.1f;
        for (float w : l.weight.data().toArray()) assertTrue(Math.abs(w) <= bound);
        for (float b : l.bias.data().toArray()) assertTrue(Math.abs(b) <= bound);
        Tensor x = Tensor.constant(NDArray.randn(new SeededRandom(3), 2, 100));
        NDArray expected = x.data().matmul(l.weight.data().transpose(0, 1)).add(l.bias.data());
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected.toArray(), l.forward(x).data().toArray(), 1e-5f);
        Linear tied = Linear.sharing(l.weight);
        assertSame(l.weight, tied.weight);
    }

    @Test
    void embeddingIsStandardNormal() {
        Embedding e = new Embedding(1000, 50, new SeededRandom(4));
        NDArray w = e.weight.data();
        assertEquals(0f, w.mean().item(), 0.02f);
        assertEquals(1f, w.reshape(-1).var(0, true, false).item(), 0.03f);
        LayerNorm ln = new LayerNorm(6);
        assertEquals(List.of("scale", "shift"), List.copyOf(ln.namedParameters().keySet()));
    }

    @Test
    void moduleListNamesItsModules() {
        ModuleList<Linear> list = new ModuleList<>();
        list.add(new Linear(2, 2, false, new SeededRandom(5))).add(new Linear(2, 3, false, new SeededRandom(6)));
        class Holder extends Module {
            Holder() {
                registerModule("heads", list);
            }
        }
        assertEquals(List.of("heads.0.weight", "heads.1.weight"), List.copyOf(new Holder().namedParameters().keySet()));
    }
}
