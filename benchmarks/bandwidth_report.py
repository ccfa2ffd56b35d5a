"""GB/s for BandwidthBenchmark's JMH JSON: bytes each kernel moves divided by its time.

    python3 benchmarks/bandwidth_report.py jmh.json
"""
import json
import sys

# floats read + written per element (softmax reads its input twice and its output twice: max, exp+sum, scale)
TRAFFIC = {"copyArraycopy": 2, "addScalar": 3, "addVector": 3, "sumScalar": 1, "sumVector": 1,
           "softmaxRowsScalar": 4, "softmaxRowsVector": 4}


def main(path):
    for r in json.load(open(path)):
        name = r["benchmark"].rsplit(".", 1)[1]
        n = int(r["params"]["n"])
        ms = r["primaryMetric"]["score"]
        gbs = TRAFFIC[name] * 4 * n / (ms / 1e3) / 1e9
        print(f"{name:20} {ms:8.2f} ms  {gbs:6.1f} GB/s")


if __name__ == "__main__":
    main(sys.argv[1])
