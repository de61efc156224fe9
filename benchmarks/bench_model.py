#!/usr/bin/env python3
"""Lint time with and without the learned sentence model on one large page.

Builds one Markdown page of about 195,000 words from the project's own examples
(``examples/*.md``, repeated), then lints it in-process with all rules twice per setting,
alternating: with the model (the default) and without it (``model = false`` for
uncited-claim, exaggerated-claim and risk-minimizing, so the rules decide alone). Prints
the median time of each, words per second and the model's share of the time. A first,
untimed run warms the caches (spaCy, lexicons, the model file) so that only linting is
timed.

    python benchmarks/bench_model.py [--words 195000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RULES_OFF = {n: {"model": False} for n in ("uncited-claim", "exaggerated-claim", "risk-minimizing")}


def build_page(words: int) -> str:
    parts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples").glob("*.md"))]
    unit = "\n\n".join(parts)
    n = max(1, round(words / len(unit.split())))
    return "\n\n".join(unit for _ in range(n))


def lint_once(source: str, use_model: bool) -> tuple[float, int]:
    from medlint.config import Config
    from medlint.engine import Linter, Options
    from medlint.runner import lint_source
    linter = Linter(Options(config=Config(rules={} if use_model else RULES_OFF)))
    t = time.perf_counter()
    res = lint_source(linter, source, "bench-page.md")
    return time.perf_counter() - t, len(res.findings)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--words", type=int, default=195_000)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    source = build_page(a.words)
    n_words = len(source.split())
    lint_once(source[:20000], True)  # warm-up: pipeline, lexicons, knowledge, model
    lint_once(source[:20000], False)
    times = {True: [], False: []}
    found = {}
    for _ in range(a.repeat):
        for use in (False, True):
            t, n = lint_once(source, use)
            times[use].append(t)
            found[use] = n
    print(f"page: {n_words:,} words ({len(source):,} characters)")
    for use in (False, True):
        med = statistics.median(times[use])
        label = "with the model   " if use else "without the model"
        print(f"{label}: median {med:6.2f} s over {a.repeat} runs, {n_words / med:9,.0f} words/s, "
              f"{found[use]:,} findings")
    on, off = statistics.median(times[True]), statistics.median(times[False])
    print(f"the model adds {on - off:+.2f} s ({(on - off) / off:+.1%} of the lint time)")


if __name__ == "__main__":
    main()
