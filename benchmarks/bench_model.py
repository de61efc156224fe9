#!/usr/bin/env python3
"""Lint time with and without the learned sentence model on one large page.

Builds one Markdown page of about 195,000 words from the project's own examples
(``examples/*.md``, repeated), then lints it in-process with all rules twice per setting,
alternating: with the model (the default) and without it (``model = false`` for
uncited-claim, exaggerated-claim and risk-minimizing, so the rules decide alone). Prints
the median CPU time of each, words per second and the model's share of the time. A first,
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
    """CPU seconds of one lint (less disturbed by other work on the machine than wall
    time; linting is single-threaded) and the number of findings."""
    from medlint.config import Config
    from medlint.engine import Linter, Options
    from medlint.runner import lint_source
    linter = Linter(Options(config=Config(rules={} if use_model else RULES_OFF)))
    t = time.process_time()
    res = lint_source(linter, source, "bench-page.md")
    return time.process_time() - t, len(res.findings)


def attribute(source: str) -> tuple[float, float]:
    """(CPU seconds inside the model's own code, CPU seconds of the whole lint) in one run
    with the model: its share measured without comparing two noisy runs. The model's code:
    claims._decide (features, scores, claim decisions and cues) and, for the learned rules,
    model.decide and Model.cues (nested calls counted once)."""
    from medlint import claims, model
    spent = [0.0]
    depth = [0]

    def timed(fn):
        def wrapper(*args, **kw):
            depth[0] += 1
            t = time.process_time()
            try:
                return fn(*args, **kw)
            finally:
                depth[0] -= 1
                if depth[0] == 0:
                    spent[0] += time.process_time() - t
        return wrapper
    saved = (claims._decide, model.decide, model.Model.cues)
    claims._decide, model.decide, model.Model.cues = (timed(f) for f in saved)
    try:
        total, _ = lint_once(source, True)
    finally:
        claims._decide, model.decide, model.Model.cues = saved
    return spent[0], total


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
        print(f"{label}: median {med:6.2f} CPU s over {a.repeat} runs, {n_words / med:9,.0f} words/s, "
              f"{found[use]:,} findings")
    on, off = statistics.median(times[True]), statistics.median(times[False])
    print(f"A/B: the model adds {on - off:+.2f} s ({(on - off) / off:+.1%} of the lint time without it); "
          f"fastest runs {min(times[True]):.2f} s against {min(times[False]):.2f} s "
          f"({(min(times[True]) - min(times[False])) / min(times[False]):+.1%})")
    model, total = attribute(source)
    print(f"inside one run with the model: {model:.2f} s of {total:.2f} s in the model's own code "
          f"({model / (total - model):+.1%} on top of the rest)")


if __name__ == "__main__":
    main()
