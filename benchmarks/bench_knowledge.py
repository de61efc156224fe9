"""Load time of the knowledge base (all treatment entries and the plain-language list).

    python benchmarks/bench_knowledge.py [--runs 7]

Each run is a fresh process that imports medlint and loads the knowledge base once ("warm":
the files are in the operating system's cache, and their parsed form in medlint's compiled
cache, after the first run; see medlint/cache.py); it prints the median and the fastest
load time, and the number of entries.
"""
import argparse
import statistics
import subprocess
import sys

CODE = ("import time; from medlint.knowledge import load_knowledge; t = time.perf_counter(); "
        "kb = load_knowledge(); print(time.perf_counter() - t, len(kb.treatments))")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    a = ap.parse_args()
    times = []
    n = 0
    for _ in range(a.runs + 1):
        out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, check=True).stdout.split()
        times.append(float(out[0]))
        n = int(out[1])
    warm = times[1:]
    print(f"knowledge base: {n} treatment entries")
    print(f"load, warm: median {statistics.median(warm) * 1000:.0f} ms, fastest {min(warm) * 1000:.0f} ms "
          f"({a.runs} runs)")


if __name__ == "__main__":
    main()
