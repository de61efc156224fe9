#!/usr/bin/env python3
"""Benchmark for duplicate-section across pages (MinHash + LSH).

Generates N pages of invented health-marketing copy from word lists, plants near-duplicate
paragraphs (a few words changed, added or dropped) on several pages each, and runs the
rule's per-page ``collect`` (parse + spaCy sentences + signatures) and the cross-page
``site_check``. Reports, per size: planted later copies found / planted, false alarms,
wall seconds (collect and site check), and peak memory.

    python benchmarks/bench_duplicates.py --pages 1000 10000
    python benchmarks/bench_duplicates.py --pages 1000 --runner   # full medlint.runner.run (all rules)

Each size runs in a fresh subprocess so that peak RSS (resource.getrusage) belongs to that
size only. "site-check peak" is the tracemalloc peak of the cross-page pass alone, and
"kept" is the size of the per-page data held between the two passes (signatures and
positions; no text).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc

ROLES = ["clinic", "care team", "nurse", "coach", "physician", "pharmacist", "therapist", "dietitian",
         "sleep service", "front desk", "counselor", "physiotherapist", "midwife", "trainer", "advisor"]
ROLE_ADJ = ["our", "the", "your", "a trained", "the evening", "the senior", "a local", "the visiting",
            "the weekend", "a licensed", "the community", "the on-call"]
VERBS = ["reviews", "explains", "supports", "measures", "adjusts", "tracks", "describes", "covers",
         "schedules", "checks", "records", "discusses", "plans", "monitors", "outlines", "compares",
         "includes", "follows", "updates", "answers", "prepares", "shares", "confirms", "prints",
         "rebooks", "summarizes", "clarifies", "organizes", "reassesses", "documents"]
ADJ = ["daily", "weekly", "monthly", "written", "printed", "shared", "personal", "detailed", "short",
       "updated", "current", "previous", "planned", "optional", "standard", "family", "morning",
       "evening", "home", "travel", "seasonal", "school", "workplace", "digital", "paper", "group"]
NOUNS = ["blood pressure", "medicines", "sleep diary", "allergies", "routine", "risks", "goals",
         "costs", "insurance", "side effects", "exercises", "diet", "questions", "test results",
         "pain score", "dose schedule", "work hours", "appointments", "mood", "hydration", "posture",
         "stretching", "breathing", "walking plan", "meal plan", "vaccines", "eye checks", "hearing",
         "skin care", "dental visits", "screenings", "referrals", "recovery", "heart rate", "weight",
         "steps", "caffeine", "screen time", "stress", "balance", "joint mobility", "lab work",
         "consent forms", "travel plans", "prescriptions", "refills", "follow-ups", "x-rays"]
TAILS = ["before the session starts", "after every visit", "during the first month", "at each check-in",
         "when something changes", "with your own doctor", "in plain language", "over the phone",
         "at no extra cost", "for adults and teenagers", "in a quiet room", "on weekday evenings",
         "within two working days", "as part of the plan", "with a printed summary", "if you ask",
         "in the patient portal", "at the front desk", "for the whole course", "before any change",
         "by text message", "on Saturday mornings", "through the app", "with an interpreter",
         "near the main entrance", "during school holidays", "for new patients", "after the holidays"]
EXTRA = ["carefully", "always", "usually", "gently", "clearly", "quickly", "again", "also", "often", "then"]


def sentence(rng: random.Random) -> str:
    s = (f"{rng.choice(ROLE_ADJ)} {rng.choice(ROLES)} {rng.choice(VERBS)} {rng.choice(ADJ)} "
         f"{rng.choice(NOUNS)} {rng.choice(TAILS)}")
    if rng.random() < 0.5:
        s += f" and {rng.choice(VERBS)} the {rng.choice(ADJ)} {rng.choice(NOUNS)}"
    return s[0].upper() + s[1:] + "."


def paragraph(rng: random.Random, n: int) -> str:
    return " ".join(sentence(rng) for _ in range(n))


def mutate(text: str, rng: random.Random, edits: int) -> str:
    """A near-verbatim copy: ``edits`` words changed, added or dropped."""
    words = text.split()
    for _ in range(edits):
        op = rng.choice(("change", "add", "drop"))
        i = rng.randrange(1, len(words) - 1)
        if op == "change":
            words[i] = rng.choice(EXTRA)
        elif op == "add":
            words.insert(i, rng.choice(EXTRA))
        elif len(words) > 10:
            del words[i]
    return " ".join(words)


def generate(n_pages: int, seed: int = 1, share: float = 0.2):
    """Pages (name -> text) and the planted ground truth.

    About ``share`` of the pages receive a planted section: each section is pasted, with 0-3
    word edits, into 2-6 pages. Truth: {(page, line): section id} for every copy, and the set
    of (page, line) that are later copies (expected findings)."""
    rng = random.Random(seed)
    pages = {}
    truth = {}
    n_sections = max(1, int(n_pages * share / 3))
    sections = [paragraph(rng, rng.randint(3, 5)) for _ in range(n_sections)]
    placements: dict[int, list[tuple[int, str]]] = {}
    for sid, text in enumerate(sections):
        for p in rng.sample(range(n_pages), rng.randint(2, 6)):
            placements.setdefault(p, []).append((sid, mutate(text, rng, rng.randint(0, 3))))
    for p in range(n_pages):
        name = f"page{p:06d}.txt"
        paras = [f"Topic {p}: How Our Care Works"]
        planted = placements.get(p, [])
        n_own = rng.randint(5, 8)
        slots = sorted(rng.sample(range(n_own + len(planted)), len(planted)))
        own = iter(paragraph(rng, rng.randint(3, 5)) for _ in range(n_own))
        pl = iter(planted)
        lines = []
        for i in range(n_own + len(planted)):
            if i in slots:
                sid, text = next(pl)
                lines.append((sid, text))
            else:
                lines.append((None, next(own)))
        line = 3
        for sid, text in lines:
            paras.append(text)
            if sid is not None:
                truth[(name, line)] = sid
            line += 2
        pages[name] = "\n\n".join(paras) + "\n"
    # later copies: every copy but the one on the first page holding the section
    first = {}
    for (name, line), sid in sorted(truth.items()):
        first.setdefault(sid, name)
    later = {k for k, sid in truth.items() if first[sid] != k[0]}
    return pages, truth, later


def run_size(n_pages: int, use_runner: bool) -> dict:
    from medlint.engine import Linter, Options
    from medlint.parsers import parse
    pages, truth, later = generate(n_pages)
    t0 = time.perf_counter()
    if use_runner:
        from medlint.runner import run
        with tempfile.TemporaryDirectory() as d:
            for name, text in pages.items():
                with open(os.path.join(d, name), "w", encoding="utf-8") as fh:
                    fh.write(text)
            t0 = time.perf_counter()
            res = run([d], Options(select=["duplicate-section"], isolated=True), jobs=os.cpu_count() or 1)
            t_collect = time.perf_counter() - t0
            findings = [f for f in res.findings if f.related and f.related[0].path != f.path]
            findings = [(os.path.basename(f.path), f.line, os.path.basename(f.related[0].path), f.related[0].line)
                        for f in findings]
        t_site, site_peak, kept = float("nan"), float("nan"), float("nan")
    else:
        linter = Linter(Options(select=["duplicate-section"], isolated=True))
        rs = linter.ruleset("page.txt")
        rule = next(r for r in rs.enabled if r.name == "duplicate-section")
        impl = rs.impl(rule)
        collected = []
        for name, text in pages.items():
            doc = parse(text, name)
            collected.append((name, impl.collect(doc, rs)))
        t_collect = time.perf_counter() - t0
        kept = sum(d["sig"].nbytes + d["pos"].nbytes for _, d in collected if d is not None)
        t1 = time.perf_counter()
        out = impl.site_check(collected, rs)
        t_site = time.perf_counter() - t1
        tracemalloc.start()  # a second, traced run for the peak (tracing slows it down)
        impl.site_check(collected, rs)
        site_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        findings = [(os.path.basename(f.path), f.line, os.path.basename(f.related[0].path), f.related[0].line)
                    for fs in out.values() for f in fs]
    found, false = set(), 0
    for page, line, rpage, rline in findings:
        key = (page, line)
        if key in later and truth.get((rpage, rline)) == truth[key]:
            found.add(key)
        else:
            false += 1
    return {"pages": n_pages, "planted": len(later), "found": len(found), "false": false,
            "collect_s": t_collect, "site_s": t_site,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "site_peak_mb": site_peak / 1048576, "kept_mb": kept / 1048576}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--runner", action="store_true", help="run the full medlint.runner.run on files")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        print(json.dumps(run_size(a.one, a.runner)))
        return
    rows = []
    for n in a.pages:
        cmd = [sys.executable, os.path.abspath(__file__), "--one", str(n)] + (["--runner"] if a.runner else [])
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode:
            sys.exit(p.stderr)
        rows.append(json.loads(p.stdout.strip().splitlines()[-1]))
    print(f"{'pages':>7} {'found/planted':>14} {'false':>6} {'collect s':>10} {'site s':>8} "
          f"{'kept MB':>8} {'site peak MB':>13} {'peak RSS MB':>12}")
    for r in rows:
        print(f"{r['pages']:>7} {r['found']:>6}/{r['planted']:<7} {r['false']:>6} {r['collect_s']:>10.1f} "
              f"{r['site_s']:>8.2f} {r['kept_mb']:>8.2f} {r['site_peak_mb']:>13.1f} {r['peak_rss_mb']:>12.0f}")
    if len(rows) > 1:
        a0, b0 = rows[0], rows[-1]
        scale = b0["pages"] / a0["pages"]
        print(f"growth x{scale:g} pages: collect x{b0['collect_s'] / a0['collect_s']:.1f}, "
              f"site check x{b0['site_s'] / a0['site_s']:.1f}")


if __name__ == "__main__":
    main()
