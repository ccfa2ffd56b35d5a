"""The peer for MatMulBenchmark: numpy's float32 matmul (OpenBLAS sgemm) on the same shapes and layouts.

Run with the thread count fixed through the environment, for example
    OPENBLAS_NUM_THREADS=2 python3 benchmarks/numpy_matmul.py
Prints one JSON object per line: shape, threads, median milliseconds and GFLOP/s over repeated runs.
"""
import json
import os
import statistics
import time

import numpy as np

SHAPES = ["256x256x256:nn", "512x512x512:nn", "1024x1024x1024:nn", "2048x2048x2048:nn",
          "1024x768x2304:nt", "1024x768x3072:nt", "1024x3072x768:nt", "1024x768x50257:nt",
          "1024x3072x768:nt-backward-dx", "768x1024x3072:tn-backward-dw"]


def operands(spec):
    dims, layout = spec.split(":")
    m, k, n = (int(d) for d in dims.split("x"))
    rng = np.random.default_rng(1)
    a = rng.random((k, m), dtype=np.float32).T if layout.startswith("tn") else rng.random((m, k), dtype=np.float32)
    b = rng.random((n, k), dtype=np.float32).T if layout.startswith("nt") else rng.random((k, n), dtype=np.float32)
    return m, k, n, a, b


def main():
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    for spec in SHAPES:
        m, k, n, a, b = operands(spec)
        flops = 2.0 * m * n * k
        reps = max(1, int(2e9 / flops))
        for _ in range(3):
            a @ b
        times = []
        for _ in range(7):
            start = time.perf_counter()
            for _ in range(reps):
                a @ b
            times.append((time.perf_counter() - start) / reps)
        ms = statistics.median(times) * 1e3
        print(json.dumps({"shape": spec, "threads": threads, "ms": round(ms, 3),
                          "gflops": round(flops / (ms / 1e3) / 1e9, 1)}), flush=True)


if __name__ == "__main__":
    main()
