"""Puts MatMulBenchmark's JMH JSON beside numpy_matmul.py's output: GFLOP/s and the ratio, per shape and threads.

    python3 benchmarks/matmul_report.py jmh.json numpy-1thread.jsonl numpy-2threads.jsonl
"""
import json
import sys


def gflops(shape, ms):
    m, k, n = (int(d) for d in shape.split(":")[0].split("x"))
    return 2.0 * m * n * k / (ms / 1e3) / 1e9


def main(jmh_file, *numpy_files):
    peer = {}
    for f in numpy_files:
        for line in open(f):
            if line.strip():
                r = json.loads(line)
                peer[(r["shape"], str(r["threads"]))] = r["gflops"]
    print(f"{'shape (MxKxN:layout)':34} {'thr':>3} {'java GF/s':>10} {'±':>6} {'numpy GF/s':>11} {'ratio':>6}")
    for r in json.load(open(jmh_file)):
        shape, threads = r["params"]["shape"], r["params"]["threads"]
        ms = r["primaryMetric"]["score"]
        err = r["primaryMetric"]["scoreError"]
        java = gflops(shape, ms)
        spread = java - gflops(shape, ms + err) if err == err else float("nan")
        other = peer.get((shape, threads))
        ratio = f"{java / other:6.2f}" if other else "   n/a"
        other_s = f"{other:11.1f}" if other else "        n/a"
        print(f"{shape:34} {threads:>3} {java:10.1f} {spread:6.1f} {other_s} {ratio}")


if __name__ == "__main__":
    main(*sys.argv[1:])
