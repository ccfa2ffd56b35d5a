package llm.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.floats;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** The exactly-rounded-operations {@code exp} and {@code tanh} against {@code Math}'s. */
class VectorFunctionsTest {
    static float expLane(float x) {
        return VectorFunctions.exp(FloatVector.broadcast(Vectorization.SPECIES, x)).lane(0);
    }

    static float tanhLane(float x) {
        return VectorFunctions.tanh(FloatVector.broadcast(Vectorization.SPECIES, x)).lane(0);
    }

    @Test
    void expAgreesWithMathExp() {
        qt().withExamples(5000).forAll(floats().between(-87f, 88f)).checkAssert(x -> {
            double want = Math.exp(x);
            assertEquals(want, expLane(x), 3e-7 * want, "exp(" + x + ")");
        });
        for (float x = -20f; x <= 20f; x += 0.001f) assertEquals(Math.exp(x), expLane(x), 3e-7 * Math.exp(x), "exp(" + x + ")");
    }

    @Test
    void expEdges() {
        assertEquals(0f, expLane(Float.NEGATIVE_INFINITY));   // masked attention scores
        assertEquals(0f, expLane(-100f));
        assertEquals(Float.POSITIVE_INFINITY, expLane(100f));
        assertEquals(Float.POSITIVE_INFINITY, expLane(Float.POSITIVE_INFINITY));
        assertTrue(Float.isNaN(expLane(Float.NaN)));
        assertEquals(1f, expLane(0f));
    }

    @Test
    void tanhAgreesWithMathTanh() {
        qt().withExamples(5000).forAll(floats().between(-30f, 30f)).checkAssert(x ->
                assertEquals(Math.tanh(x), tanhLane(x), 2e-7 + 2e-7 * Math.abs(Math.tanh(x)), "tanh(" + x + ")"));
        assertEquals(1f, tanhLane(100f));
        assertEquals(-1f, tanhLane(-100f));
        assertEquals(0f, tanhLane(0f));
    }
}
