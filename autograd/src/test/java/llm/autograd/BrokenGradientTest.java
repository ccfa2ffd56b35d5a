package llm.autograd;

import static llm.autograd.Shapes.randn;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

import llm.tensor.NDArray;

/** The gradient check is only worth something if it fails on wrong gradients: these are deliberately wrong. */
class BrokenGradientTest {

    /** Multiplication whose backward forgets the factor: d(ab)/da = 1 instead of b. */
    private static Tensor mulDroppedFactor(Tensor a, Tensor b) {
        return Graph.record(a.data().mul(b.data()), "brokenMul", List.of(a, b), g -> {
            a.accumulateGrad(g);
            b.accumulateGrad(g.mul(a.data()));
        });
    }

    /** Matrix product whose backward forgets a transpose: dA = dC·B instead of dC·Bᵀ (square, so shapes fit). */
    private static Tensor matmulMissingTranspose(Tensor a, Tensor b) {
        return Graph.record(a.data().matmul(b.data()), "brokenMatmul", List.of(a, b), g -> {
            a.accumulateGrad(g.matmul(b.data()));
            b.accumulateGrad(a.data().transpose(0, 1).matmul(g));
        });
    }

    /** tanh whose backward forgets the square: 1 - tanh instead of 1 - tanh². */
    private static Tensor tanhMissingSquare(Tensor x) {
        NDArray out = x.data().tanh();
        return Graph.record(out, "brokenTanh", List.of(x), g -> x.accumulateGrad(g.mul(NDArray.scalar(1f).sub(out))));
    }

    @Test
    void droppedFactorIsCaught() {
        assertThrows(AssertionError.class, () ->
                GradCheck.check("broken mul", in -> mulDroppedFactor(in.get(0), in.get(1)), randn(1, 3, 4), randn(2, 3, 4)));
    }

    @Test
    void missingTransposeIsCaught() {
        assertThrows(AssertionError.class, () ->
                GradCheck.check("broken matmul", in -> matmulMissingTranspose(in.get(0), in.get(1)), randn(3, 4, 4), randn(4, 4, 4)));
    }

    @Test
    void missingSquareIsCaught() {
        assertThrows(AssertionError.class, () ->
                GradCheck.check("broken tanh", in -> tanhMissingSquare(in.get(0)), randn(5, 3, 4)));
    }

    @Test
    void correctVersionsPass() {
        GradCheck.check("mul", in -> in.get(0).mul(in.get(1)), randn(1, 3, 4), randn(2, 3, 4));
        GradCheck.check("matmul", in -> in.get(0).matmul(in.get(1)), randn(3, 4, 4), randn(4, 4, 4));
        GradCheck.check("tanh", in -> in.get(0).tanh(), randn(5, 3, 4));
    }
}
