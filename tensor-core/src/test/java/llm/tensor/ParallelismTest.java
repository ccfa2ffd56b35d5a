package llm.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.Test;

class ParallelismTest {

    @Test
    void everyTaskRunsExactlyOnceAndFailuresReachTheCaller() {
        Parallelism par = new Parallelism(3);
        AtomicIntegerArray runs = new AtomicIntegerArray(100);
        par.forEach(100, runs::incrementAndGet);
        for (int i = 0; i < 100; i++) assertEquals(1, runs.get(i), "task " + i);
        var e = assertThrows(IllegalStateException.class, () -> par.forEach(10, t -> {
            if (t == 7) throw new IllegalStateException("task 7 failed");
        }));
        assertEquals("task 7 failed", e.getMessage());
    }

    @Test
    void nestedUseOfTheSamePoolDoesNotDeadlock() {
        Parallelism par = new Parallelism(2);
        AtomicIntegerArray runs = new AtomicIntegerArray(16);
        par.forEach(4, outer -> par.forEach(4, inner -> runs.incrementAndGet(outer * 4 + inner)));
        for (int i = 0; i < 16; i++) assertEquals(1, runs.get(i));
    }

    @Test
    void rejectsZeroThreads() {
        assertThrows(IllegalArgumentException.class, () -> new Parallelism(0));
    }
}
