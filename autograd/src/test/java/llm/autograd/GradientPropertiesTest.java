package llm.autograd;

import static llm.autograd.Shapes.awayFromZero;
import static llm.autograd.Shapes.broadcastPartner;
import static llm.autograd.Shapes.distinct;
import static llm.autograd.Shapes.positive;
import static llm.autograd.Shapes.randn;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.List;

import org.junit.jupiter.api.Test;

import llm.autograd.fused.CrossEntropy;
import llm.autograd.fused.FusedDropout;
import llm.autograd.fused.FusedGELU;
import llm.autograd.fused.FusedLayerNorm;
import llm.autograd.ops.SoftmaxOps;
import llm.tensor.IntNDArray;
import llm.tensor.NDArray;
import llm.tensor.SeededRandom;

/**
 * Property-based gradient checks (QuickTheories): for random shapes, broadcast patterns and values, every
 * differentiable operation's backward rule agrees with finite differences.
 */
class GradientPropertiesTest {
    private static final int EXAMPLES = 40;

    /** rows 1-4, columns 1-5, a broadcast pattern, and a seed for the values. */
    private interface Case {
        void check(int rows, int cols, int kind, long seed);
    }

    private static void forAll(Case c) {
        qt().withExamples(EXAMPLES).forAll(integers().between(1, 4), integers().between(1, 5), integers().between(0, 4), longs().all())
                .checkAssert(c::check);
    }

    @Test
    void addSubMulDivWithBroadcasting() {
        forAll((r, c, kind, seed) -> {
            int[] other = broadcastPartner(r, c, kind);
            GradCheck.check("add", in -> in.get(0).add(in.get(1)), randn(seed, r, c), randn(seed + 1, other));
            GradCheck.check("add (broadcast left)", in -> in.get(1).add(in.get(0)), randn(seed, r, c), randn(seed + 1, other));
            GradCheck.check("sub", in -> in.get(0).sub(in.get(1)), randn(seed, r, c), randn(seed + 1, other));
            GradCheck.check("mul", in -> in.get(0).mul(in.get(1)), randn(seed, r, c), randn(seed + 1, other));
            GradCheck.check("div", in -> in.get(0).div(in.get(1)), randn(seed, r, c), awayFromZero(seed + 1, other));
        });
    }

    @Test
    void unaryFunctions() {
        forAll((r, c, kind, seed) -> {
            GradCheck.check("neg", in -> in.get(0).neg(), randn(seed, r, c));
            GradCheck.check("exp", in -> in.get(0).exp(), randn(seed, r, c));
            GradCheck.check("log", in -> in.get(0).log(), positive(seed, r, c));
            GradCheck.check("sqrt", in -> in.get(0).sqrt(), positive(seed, r, c));
            GradCheck.check("tanh", in -> in.get(0).tanh(), randn(seed, r, c));
            GradCheck.check("relu", in -> in.get(0).relu(), awayFromZero(seed, r, c));
            GradCheck.check("sigmoid", in -> in.get(0).sigmoid(), randn(seed, r, c));
            GradCheck.check("pow 3", in -> in.get(0).pow(3f), randn(seed, r, c));
            GradCheck.check("pow -0.5", in -> in.get(0).pow(-0.5f), positive(seed, r, c));
        });
    }

    @Test
    void reductions() {
        forAll((r, c, kind, seed) -> {
            int dim = kind % 2;
            boolean keep = kind >= 2;
            GradCheck.check("sum all", in -> in.get(0).sum(), randn(seed, r, c));
            GradCheck.check("sum dim", in -> in.get(0).sum(dim, keep), randn(seed, r, c, 2));
            GradCheck.check("mean dim", in -> in.get(0).mean(dim - 1, keep), randn(seed, 2, r, c));
            GradCheck.check("max dim", in -> in.get(0).max(dim, keep), distinct(seed, r, c));
            GradCheck.check("var biased", in -> in.get(0).var(-1, false, keep), randn(seed, r, c + 1));
            GradCheck.check("var unbiased", in -> in.get(0).var(0, true, keep), randn(seed, r + 1, c));
        });
    }

    @Test
    void matmulWithBatchesAndTransposedOperands() {
        forAll((r, c, kind, seed) -> {
            int k = kind + 1;
            GradCheck.check("matmul 2-D", in -> in.get(0).matmul(in.get(1)), randn(seed, r, k), randn(seed + 1, k, c));
            GradCheck.check("matmul batched, broadcast", in -> in.get(0).matmul(in.get(1)), randn(seed, 2, 1, r, k), randn(seed + 1, 3, k, c));
            GradCheck.check("matmul x·Wᵀ", in -> in.get(0).matmul(in.get(1).transpose(0, 1)), randn(seed, r, k), randn(seed + 1, c, k));
            GradCheck.check("matmul vector", in -> in.get(0).matmul(in.get(1)), randn(seed, k), randn(seed + 1, k, c));
        });
    }

    @Test
    void softmaxAndLogSoftmax() {
        forAll((r, c, kind, seed) -> {
            int dim = kind % 2 == 0 ? -1 : 0;
            GradCheck.check("softmax", in -> in.get(0).softmax(dim), randn(seed, r, c + 1));
            GradCheck.check("logSoftmax", in -> in.get(0).logSoftmax(dim), randn(seed, r, c + 1));
            GradCheck.check("softmax composed", in -> SoftmaxOps.softmaxComposed(in.get(0), dim), randn(seed, r, c + 1));
        });
    }

    @Test
    void views() {
        forAll((r, c, kind, seed) -> {
            GradCheck.check("reshape", in -> in.get(0).reshape(c, r), randn(seed, r, c));
            GradCheck.check("transpose", in -> in.get(0).transpose(0, 1), randn(seed, r, c));
            GradCheck.check("permute", in -> in.get(0).permute(2, 0, 1), randn(seed, r, c, 2));
            GradCheck.check("narrow", in -> in.get(0).narrow(1, kind % c, 1), randn(seed, r, c));
            GradCheck.check("expand", in -> in.get(0).expand(3, r, c), randn(seed, r, 1).expand(r, c).contiguous().narrow(1, 0, 1).contiguous());
            GradCheck.check("unsqueeze+squeeze", in -> in.get(0).unsqueeze(1).mul(in.get(0).unsqueeze(1)).squeeze(1), randn(seed, r, c));
            GradCheck.check("contiguous of transpose", in -> in.get(0).transpose(0, 1).contiguous(), randn(seed, r, c));
            GradCheck.check("flatten", in -> in.get(0).flatten(0, 1), randn(seed, r, c, 2));
        });
    }

    @Test
    void masksAndWhere() {
        forAll((r, c, kind, seed) -> {
            NDArray mask = NDArray.ones(c, c).triu(1);
            NDArray cond = NDArray.randn(new SeededRandom(seed + 7), r, c).gt(0f);
            GradCheck.check("maskedFill", in -> in.get(0).maskedFill(mask, -5f), randn(seed, r, c, c));
            GradCheck.check("tril", in -> in.get(0).tril(kind - 2), randn(seed, r, c));
            GradCheck.check("triu", in -> in.get(0).triu(kind - 2), randn(seed, r, c));
            GradCheck.check("where", in -> Tensor.where(cond, in.get(0), in.get(1)), randn(seed, r, c), randn(seed + 1, c));
        });
    }

    @Test
    void concatStackSplit() {
        forAll((r, c, kind, seed) -> {
            int dim = kind % 2;
            GradCheck.check("concat", in -> Tensor.concat(List.of(in.get(0), in.get(1)), dim), randn(seed, r, c), randn(seed + 1, r, c));
            GradCheck.check("stack", in -> Tensor.stack(List.of(in.get(0), in.get(1)), dim), randn(seed, r, c), randn(seed + 1, r, c));
            GradCheck.check("split", in -> in.get(0).split(2, 1).get(0).mul(in.get(0).split(2, 1).get(0)), randn(seed, r, c + 1));
        });
    }

    @Test
    void indexing() {
        forAll((r, c, kind, seed) -> {
            SeededRandom rng = new SeededRandom(seed);
            int[] idx = new int[r * 2];
            for (int i = 0; i < idx.length; i++) idx[i] = rng.nextInt(c);
            IntNDArray gatherIdx = IntNDArray.of(idx, r, 2);
            IntNDArray select = IntNDArray.of(new int[] {c - 1, 0, c - 1});
            IntNDArray ids = IntNDArray.of(new int[] {kind % c, 0, c - 1, kind % c}, 2, 2);
            GradCheck.check("gather", in -> in.get(0).gather(1, gatherIdx), randn(seed, r, c));
            GradCheck.check("indexSelect", in -> in.get(0).indexSelect(1, select), randn(seed, r, c));
            GradCheck.check("embedding", in -> Tensor.embedding(in.get(0), ids), randn(seed, c, r));
        });
    }

    @Test
    void fusedLayers() {
        forAll((r, c, kind, seed) -> {
            int v = c + 1;
            int[] t = new int[r * 2];
            SeededRandom rng = new SeededRandom(seed);
            for (int i = 0; i < t.length; i++) t[i] = rng.nextInt(v);
            t[0] = kind == 0 && t.length > 1 ? CrossEntropy.IGNORE_INDEX : t[0];
            IntNDArray targets = IntNDArray.of(t, r, 2);
            GradCheck.check("crossEntropy", in -> CrossEntropy.apply(in.get(0), targets), randn(seed, r, 2, v));
            GradCheck.check("layerNorm", in -> FusedLayerNorm.apply(in.get(0), in.get(1), in.get(2), 1e-5f),
                    // spread-out rows: with two close values the normalisation bends sharply within one finite-difference step
                    randn(seed, r, c + 2).mul(3f), randn(seed + 1, c + 2), randn(seed + 2, c + 2));
            GradCheck.check("gelu", in -> FusedGELU.apply(in.get(0)), randn(seed, r, c));
            GradCheck.check("gelu composed", in -> FusedGELU.composed(in.get(0)), randn(seed, r, c));
            GradCheck.check("dropout", in -> FusedDropout.apply(in.get(0), 0.3f, true, new SeededRandom(seed)), randn(seed, r, c));
        });
    }
}
