"""The side-by-side suite of issue 16, one command, one table: the machine's FMA peak (measured in the same run),
then GPT-2 124M training steps, ours (`llm.bench.TrainBench`) and PyTorch's (`torch_train.py`) alternated for each
setting, our GEMM against numpy's OpenBLAS on GPT-2's shapes (`matmul_side_by_side.py`), and generation at batch 1
with fp32, bf16 and int8 weights against the memory bandwidth measured in the same process (`llm.bench.GenerationBench`,
GPT-2 124M with random weights: speed only; its --checkpoint/--text options add greedy tokens and losses). Prints a Markdown
table: medians with the range over the rounds, the ratio to the peer per round, and MFU (model FLOPs of a step,
`llm.bench.ModelFlops`, over the step time times the FMA peak of that many threads).

    python3 benchmarks/suite.py [rounds] [steps] [--isa avx2]   # defaults 3 rounds of 3 timed steps; about 25 minutes

--isa avx2 stands in for an AVX2 machine on an AVX-512 one: every side is held to 256-bit vectors. Ours runs with
-XX:UseAVX=2 (8 lanes, 16 vector registers: the 4-row GEMM tile; the FMA peak is measured under the same flag),
PyTorch with ATEN_CPU_CAPABILITY=avx2 and MKL_ENABLE_INSTRUCTIONS=AVX2, numpy's OpenBLAS with its Haswell kernels
(OPENBLAS_CORETYPE=Haswell). The caches, the memory and the clock stay the AVX-512 machine's, so this is not a
measurement of an AVX2 CPU, only of the code paths one would run.

Otherwise OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, which this workplace sets for old OpenBLAS builds, are removed for
numpy's runs so that OpenBLAS picks its best kernel for the CPU (SkylakeX on AVX-512). Needs benchmarks/target/benchmarks.jar
(`mvn -B -q package -DskipTests -pl benchmarks -am`), torch and numpy. The tests never need Python.
"""
import json
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
JAVA = os.environ.get("JAVA25", "/usr/lib/jvm/temurin-25-jdk-amd64") + "/bin/java"
JAR = os.path.join(HERE, "target", "benchmarks.jar")
SETTINGS = [(1, 4, 64), (2, 4, 64), (1, 4, 256), (2, 4, 256)]          # threads, batch, tokens


# G1 with a heap just above what the step needs, its regions of 32 MB and transparent huge pages, as ./llm runs it.
# A step's memory depends on the model and the batch, not on the machine, so the heaps were found once: the smallest
# heap tried in which TrainBench ran (4 x 64: 2.8 GB and not 2.7; 4 x 256: 4.0 GB and not 3.8) plus 300-400 MB, so that
# G1 is not collecting all the time. An unbounded heap grows with the garbage of each step (4 x 64: G1 to 5.0-5.4 GB,
# ParallelGC to 5.0-5.7) for nothing. With G1's default regions (2 MB in such a heap) every activation of GPT-2 is a
# "humongous" object and G1 collects hundreds of times a step (the launcher's comment has the figures).
# SUITE_JAVA_OPTS replaces the collector and its options (and the heap, if it names one).
JVM_OPTS = os.environ.get("SUITE_JAVA_OPTS", "-XX:+UseG1GC -XX:G1HeapRegionSize=32m -XX:+UseTransparentHugePages").split()
HEAP = {64: "-Xmx3100m", 256: "-Xmx4400m"}
AVX2 = "--isa" in sys.argv and sys.argv[sys.argv.index("--isa") + 1] == "avx2"
if AVX2:
    JVM_OPTS.append("-XX:UseAVX=2")


def java(cls, *args, threads=2, heap=None):
    opts = JVM_OPTS + ([heap] if heap and not any(o.startswith("-Xmx") for o in JVM_OPTS) else [])
    cmd = [JAVA, "--add-modules", "jdk.incubator.vector", *opts, f"-Dllm.threads={threads}", "-cp", JAR, cls, *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def peer_env(threads):
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)
    if AVX2:
        env.update(OPENBLAS_CORETYPE="Haswell", ATEN_CPU_CAPABILITY="avx2", MKL_ENABLE_INSTRUCTIONS="AVX2",
                   BENCH_JAVA_OPTS=(env.get("BENCH_JAVA_OPTS", "") + " -XX:UseAVX=2").strip())
    env["OPENBLAS_NUM_THREADS"] = str(threads)
    return env


def fma_peaks():
    out = java("llm.bench.FmaPeak", 2)
    one = float(re.search(r"1 thread ([\d.]+)", out).group(1))
    two = float(re.search(r"2 threads ([\d.]+)", out).group(1))
    return {1: one, 2: two}


def ours(threads, b, t, steps):
    out = java("llm.bench.TrainBench", b, t, steps, threads=threads, heap=HEAP.get(t, "-Xmx5g"))
    m = re.search(r"median step ([\d.]+) s, ([\d.]+) tokens/s, (\d+) model GFLOP.*peak RSS ([\d.]+) GB", out)
    first = re.search(r"step 0: loss [\d.]+, ([\d.]+) s", out)     # the JIT's warm-up is in it
    return float(m.group(2)), float(m.group(3)), float(m.group(4)), float(first.group(1))


def torch(threads, b, t, steps):
    out = subprocess.run([sys.executable, os.path.join(HERE, "torch_train.py"), str(threads), str(b), str(t), str(steps)],
                         capture_output=True, text=True, check=True, cwd=HERE, env=peer_env(threads)).stdout
    m = re.search(r"([\d.]+) tokens/s.*peak RSS ([\d.]+) GB", out)
    return float(m.group(1)), float(m.group(2))


def spread(xs):
    return f"{statistics.median(xs):.1f} ({min(xs):.1f}–{max(xs):.1f})"


def main():
    numbers = [a for a in sys.argv[1:] if a.isdigit()]
    rounds = int(numbers[0]) if len(numbers) > 0 else 3
    steps = int(numbers[1]) if len(numbers) > 1 else 3
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    isa = "AVX-512" if "avx512f" in open("/proc/cpuinfo").read() else "AVX2"
    if AVX2 and isa == "AVX-512":
        isa = "AVX-512 held to AVX2 (--isa avx2: a stand-in, not an AVX2 CPU)"
    peaks = fma_peaks()
    print(f"machine: {cpu}, {isa}, {os.cpu_count()} cores; FMA peak measured: 1 thread {peaks[1]:.0f} GFLOP/s, 2 threads {peaks[2]:.0f} GFLOP/s; "
          f"ours with {' '.join(JVM_OPTS)} (heap per step: {', '.join(f'{t} tokens {h}' for t, h in HEAP.items())}), {rounds} rounds of {steps} timed steps\n")
    print("| GPT-2 124M training step | ours tokens/s | PyTorch tokens/s | ratio (per round) | ours MFU | peak RSS ours / PyTorch (GB) | ours first step (s) |")
    print("|---|---|---|---|---|---|---|")
    for threads, b, t in SETTINGS:
        o, p, r, mfu, mo, mp, first = [], [], [], [], [], [], []
        for _ in range(rounds):
            tok, gflop, rss, f = ours(threads, b, t, steps)
            first.append(f)
            ptok, prss = torch(threads, b, t, steps)
            o.append(tok); p.append(ptok); r.append(tok / ptok); mo.append(rss); mp.append(prss)
            mfu.append(gflop * tok / (b * t) / peaks[threads])
        print(f"| {b} × {t}, {threads} thread{'s' if threads > 1 else ''} | {spread(o)} | {spread(p)} | **{statistics.median(r):.2f}** "
              f"({min(r):.2f}–{max(r):.2f}) | **{statistics.median(mfu):.2f}** ({min(mfu):.2f}–{max(mfu):.2f}) | {max(mo):.1f} / {max(mp):.1f} | "
              f"{spread(first)} |", flush=True)
    print("\n| GEMM (shape M×K×N:layout) | threads | ours GFLOP/s | OpenBLAS GFLOP/s | ratio | ours / FMA peak |")
    print("|---|---|---|---|---|---|")
    for threads in (1, 2):
        out = subprocess.run([sys.executable, os.path.join(HERE, "matmul_side_by_side.py"), str(threads), str(rounds)], capture_output=True,
                             text=True, check=True, cwd=HERE, env=peer_env(threads)).stdout
        for line in out.splitlines():
            row = json.loads(line)
            print(f"| {row['shape']} | {threads} | {row['java_gflops']} ({row['java_min']}–{row['java_max']}) | {row['numpy_gflops']} "
                  f"({row['numpy_min']}–{row['numpy_max']}) | **{row['ratio']:.2f}** ({row['ratio_min']:.2f}–{row['ratio_max']:.2f}) | "
                  f"{row['java_gflops'] / peaks[threads]:.2f} |", flush=True)
    print("\n| generation, GPT-2 124M, batch 1 | threads | bandwidth GB/s | tokens/s, median (min–max) | GB/s | of bandwidth | vs fp32 |")
    print("|---|---|---|---|---|---|---|")
    for threads in (1, 2):
        out = java("llm.bench.GenerationBench", "--rounds", rounds, threads=threads)
        bandwidth = re.search(r"bandwidth: best of \d+ probes, ([\d.]+) GB/s", out).group(1)
        for line in out.splitlines():
            cells = [c.strip() for c in line.strip("|").split("|")]
            if line.startswith("| MatVecDecoder") or line.startswith("| GPTModel"):
                print(f"| {cells[0]} | {threads} | {bandwidth} | {cells[2]} | {cells[3]} | **{cells[4]}** | **{cells[5]}** |", flush=True)


if __name__ == "__main__":
    main()
