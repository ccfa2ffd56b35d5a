"""MB/s for TokenizerBenchmark's JMH JSON, ours beside JTokkit per corpus.

    python3 benchmarks/tokenizer_report.py tokenizer.json
"""
import json
import os
import sys


def main(path, data_dir="data"):
    rows = {}
    for r in json.load(open(path)):
        name = r["benchmark"].rsplit(".", 1)[1]
        corpus = r["params"]["corpus"]
        size = os.path.getsize(os.path.join(data_dir, corpus))
        rows.setdefault(corpus, {})[name] = size / 1e6 / (r["primaryMetric"]["score"] / 1e3)
    for corpus, by in rows.items():
        j = by.get("jtokkit")
        line = f"{corpus:22}" + "".join(f" {k} {v:6.1f} MB/s" for k, v in sorted(by.items()))
        if j:
            line += "  | ours/JTokkit: warm %.2f, cold %.2f" % (by.get("oursWarm", 0) / j, by.get("oursCold", 0) / j)
        print(line)


if __name__ == "__main__":
    main(*sys.argv[1:])
