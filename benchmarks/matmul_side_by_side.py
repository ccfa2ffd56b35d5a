"""Our matrix multiply and numpy's OpenBLAS on the same shapes, alternated seconds apart, with the ratio of
each pair: the comparison to trust on a shared machine whose speed drifts from minute to minute.

    OPENBLAS_NUM_THREADS=2 python3 benchmarks/matmul_side_by_side.py 2 [rounds] > side-by-side-2.jsonl

The thread count (first argument) is given to both; OPENBLAS_NUM_THREADS must match it, because OpenBLAS reads
it once at start. Each round times Java, then numpy, on one shape (about half a second each, after warm-up
rounds that are not counted), then moves to the next shape, so every shape is sampled across the whole run.
Prints one JSON object per shape: medians of the GFLOP/s of each and of the per-round ratio, with min and max.
Java runs `llm.bench.MatMulTimingServer` from benchmarks/target/benchmarks.jar (or BENCH_JAR) with the JDK 25
that JAVA25 names, or /usr/lib/jvm/temurin-25-jdk-amd64, and any extra JVM flags in BENCH_JAVA_OPTS.
"""
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

from numpy_matmul import SHAPES, operands

JAVA = os.environ.get("JAVA25", "/usr/lib/jvm/temurin-25-jdk-amd64") + "/bin/java"
JAR = os.environ.get("BENCH_JAR", os.path.join(os.path.dirname(os.path.abspath(__file__)), "target", "benchmarks.jar"))
SECONDS = 0.5
WARMUP_ROUNDS = 2
# OpenBLAS's threads keep polling for work for a while after numpy's product returns (its THREAD_TIMEOUT). Timed
# right after, Java shared both cores with them: 1024^3 on 2 threads measured 138-142 GFLOP/s straight after numpy
# and 240-265 with this pause before each timing (512^3: 228-245 against 259-270). Both sides get the pause.
PAUSE = 0.3


def numpy_seconds(a, b, reps):
    start = time.perf_counter()
    for _ in range(reps):
        a @ b
    return (time.perf_counter() - start) / reps


def main():
    threads = int(sys.argv[1])
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    if os.environ.get("OPENBLAS_NUM_THREADS") != str(threads):
        sys.exit(f"set OPENBLAS_NUM_THREADS={threads} so that numpy uses {threads} thread(s) too")
    java = subprocess.Popen([JAVA, "--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xmx4g",
                             *os.environ.get("BENCH_JAVA_OPTS", "").split(), "-cp", JAR, "llm.bench.MatMulTimingServer", str(threads)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)

    def java_seconds(spec, reps):
        java.stdin.write(f"{spec} {reps}\n")
        java.stdin.flush()
        return float(java.stdout.readline())

    ops, reps = {}, {}
    for spec in SHAPES:
        m, k, n, a, b = operands(spec)
        ops[spec] = (2.0 * m * n * k, a, b)
        reps[spec] = max(1, int(SECONDS / numpy_seconds(a, b, 1)))
    samples = {spec: [] for spec in SHAPES}
    for r in range(WARMUP_ROUNDS + rounds):
        for spec in SHAPES:
            flops, a, b = ops[spec]
            time.sleep(PAUSE)
            j = java_seconds(spec, reps[spec])
            time.sleep(PAUSE)
            p = numpy_seconds(a, b, reps[spec])
            if r >= WARMUP_ROUNDS:
                samples[spec].append((flops / j / 1e9, flops / p / 1e9))
    java.stdin.write("\n")
    java.stdin.flush()
    java.wait()
    for spec in SHAPES:
        js = [s[0] for s in samples[spec]]
        ps = [s[1] for s in samples[spec]]
        ratios = [s[0] / s[1] for s in samples[spec]]
        print(json.dumps({"shape": spec, "threads": threads, "rounds": rounds,
                          "java_gflops": round(statistics.median(js), 1), "java_min": round(min(js), 1), "java_max": round(max(js), 1),
                          "numpy_gflops": round(statistics.median(ps), 1), "numpy_min": round(min(ps), 1), "numpy_max": round(max(ps), 1),
                          "ratio": round(statistics.median(ratios), 3), "ratio_min": round(min(ratios), 3), "ratio_max": round(max(ratios), 3)}),
              flush=True)


if __name__ == "__main__":
    main()
