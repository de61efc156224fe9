#!/usr/bin/env python3
"""medlint against proselint, side by side, whole processes as a user runs them.

    pip install -e ".[bench]"          # proselint: a benchmark-only dependency
    python benchmarks/bench_speed.py [--repeat 5] [--skip-huge]

Cases (pages built from the project's own ``examples/*.md``, repeated):

* cold ``check`` of one ~1,950-word page: what every pre-commit run and CI job pays;
  medlint and proselint alternate, median of ``--repeat`` runs each (medlint's compiled
  cache in the user cache directory is warm, as it is after the first run on a machine;
  the first run ever, which builds it, is reported on its own line);
* a ~195,000-word page (the same page repeated): words per second, whole process;
* a 5 MB page: seconds and peak memory (medlint only);
* 50 staged files (invented clinic pages from ``bench_claims.py``) linted the way the
  pre-commit hook runs them (one process, all file names), against the cold single page.

Prints each figure with its ratio and target. The README's performance figures are the
ones this prints.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build_page(words: int) -> str:
    parts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples").glob("*.md"))]
    unit = "\n\n".join(parts)
    n = max(1, round(words / len(unit.split())))
    return "\n\n".join(unit for _ in range(n))


def timed(cmd: list[str], timeout: float = 600, env=None) -> tuple[float, int]:
    """(wall seconds, peak resident memory in MB) of one whole process."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            p.kill()
            os.wait4(p.pid, 0)
            return float("inf"), 0
        time.sleep(0.005)
    p.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - start, usage.ru_maxrss // 1024


def medlint_cmd(*args) -> list[str]:
    return [sys.executable, "-m", "medlint", "check", "--isolated", *args]


def proselint_cmd(*args) -> list[str] | None:
    exe = shutil.which("proselint")
    return [exe, "check", *args] if exe else None


def row(label, value, unit, ratio=None, target=None):
    r = f"{ratio:6.2f}x" if ratio is not None else "       "
    t = f"  target {target}" if target else ""
    print(f"{label:<44} {value:>10} {unit:<8} {r}{t}", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--skip-huge", action="store_true", help="skip the 5 MB page")
    a = ap.parse_args()
    pl = proselint_cmd("x")
    if pl is None:
        print("proselint is not installed (pip install -e '.[bench]'): medlint figures only")
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        page = d / "page.md"
        page.write_text(build_page(1950), encoding="utf-8")
        words = len(page.read_text(encoding="utf-8").split())
        big = d / "big.md"
        big.write_text(build_page(195_000), encoding="utf-8")
        big_words = len(big.read_text(encoding="utf-8").split())
        staged = d / "staged"
        staged.mkdir()
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from bench_claims import page as clinic_page
        rng = random.Random(50)
        for i in range(50):  # 50 distinct invented clinic pages (no paragraph shared verbatim)
            (staged / f"page-{i:02d}.md").write_text(clinic_page(rng), encoding="utf-8")
        staged_words = sum(len(p.read_text(encoding="utf-8").split()) for p in staged.iterdir())

        # the first run on a machine builds the compiled cache
        cache = d / "cache"
        env = dict(os.environ, MEDLINT_CACHE_DIR=str(cache))
        first, _ = timed(medlint_cmd(str(page)), env=env)

        cold_m, cold_p, mem_m = [], [], 0
        for _ in range(a.repeat):
            t, mem = timed(medlint_cmd(str(page)), env=env)
            cold_m.append(t)
            mem_m = max(mem_m, mem)
            if pl:
                cold_p.append(timed(proselint_cmd(str(page)))[0])
        cm = statistics.median(cold_m)
        print(f"{'case':<44} {'value':>10} {'unit':<8} {'ratio':>7}")
        row(f"first run ever ({words} words, builds cache)", f"{first:.2f}", "s")
        row(f"cold check, {words}-word page: medlint", f"{cm:.2f}", "s")
        if cold_p:
            cp = statistics.median(cold_p)
            row(f"cold check, {words}-word page: proselint", f"{cp:.2f}", "s")
            row("  medlint / proselint", "", "", cm / cp, "<= 4x (stretch 2x)")
        row("  peak memory, medlint", f"{mem_m}", "MB")

        tb, mb = timed(medlint_cmd(str(big)), env=env)
        row(f"{big_words}-word page: medlint", f"{big_words / tb:,.0f}", "words/s")
        row("  peak memory, medlint", f"{mb}", "MB")
        if pl:
            tp, _ = timed(proselint_cmd(str(big)))
            row(f"{big_words}-word page: proselint", f"{big_words / tp:,.0f}", "words/s")
            row("  medlint / proselint words/s", "", "", (big_words / tb) / (big_words / tp), ">= 2x")

        staged_files = sorted(str(p) for p in staged.iterdir())
        ts = statistics.median(timed(medlint_cmd(*staged_files), env=env)[0] for _ in range(3))
        row(f"50 staged files ({staged_words} words), one process", f"{ts:.2f}", "s", ts / cm,
            "<= 2x the cold page")

        if not a.skip_huge:
            huge = d / "huge.md"
            huge.write_text(build_page(5 * 1024 * 1024 // 6), encoding="utf-8")
            size = huge.stat().st_size / 1e6
            th, mh = timed(medlint_cmd(str(huge)), timeout=300, env=env)
            shown = f"{th:.1f}" if th != float("inf") else "> 300"
            row(f"{size:.1f} MB page: medlint", shown, "s", None, "<= 30 s")
            row("  peak memory, medlint", f"{mh}", "MB", None, "<= 1024 MB")


if __name__ == "__main__":
    main()
