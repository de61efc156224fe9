#!/usr/bin/env python3
"""Throughput of the full rule set with and without the claims rules.

Generates a corpus of invented clinic pages (Markdown) from templates: promotional
paragraphs with claims, vague and proper citations, risk sections, logistics and prose.
Lints every page in-process with all rules, then with the claims rules (category
"claims": uncited-claim, vague-citation, conflicting-attribution, broken-reference,
exaggerated-claim) ignored, then with the risk rules ignored too (they reuse the claims
analysis, so only the third row runs without it), and prints words per second.

    python benchmarks/bench_claims.py --pages 2000
"""
from __future__ import annotations

import argparse
import random
import time

TREATMENTS = ["ketamine infusions", "NAD+ drips", "red light therapy", "PRP injections", "TMS",
              "semaglutide", "CBD oil", "hyperbaric oxygen therapy", "IV vitamin therapy", "ashwagandha"]
CLAIMS = ["{t} ease {c} for many of our clients.", "Our {t} may help reduce {c} within weeks.",
          "Studies show that {t} relieve {c}.", "Patients tell us {t} restore their energy and focus.",
          "{T} has shown promise for {c} in early research.",
          "In a randomized trial, {t} improved {c} more than placebo (Lee et al., 2021)."]
CONDITIONS = ["anxiety", "chronic pain", "low mood", "brain fog", "joint stiffness", "poor sleep", "fatigue"]
RISKS = ["Common side effects of {t} include nausea, headache and dizziness.",
         "{T} can cause bruising or soreness at the treatment site.",
         "Do not use {t} if you are pregnant or have a seizure disorder."]
PROSE = ["Each visit starts with a short health questionnaire and a check of your blood pressure.",
         "Our lounge is open seven days a week, and parking is free for all guests.",
         "Your care team will go over your goals, your medicines and your schedule with you.",
         "Memberships include two visits a month and discounts on add-on services.",
         "Plan to arrive ten minutes early so the nurse can review your history."]


def page(rng: random.Random) -> str:
    t = rng.choice(TREATMENTS)
    out = [f"# {t[0].upper() + t[1:]} at Our Clinic", ""]
    for section in range(rng.randint(3, 6)):
        out += [f"## Section {section + 1}", ""]
        for _ in range(rng.randint(2, 4)):
            sents = []
            for _ in range(rng.randint(3, 6)):
                kind = rng.random()
                if kind < 0.4:
                    s = rng.choice(CLAIMS)
                elif kind < 0.55:
                    s = rng.choice(RISKS)
                else:
                    s = rng.choice(PROSE)
                sents.append(s.format(t=t, T=t[0].upper() + t[1:], c=rng.choice(CONDITIONS)))
            out += [" ".join(sents), ""]
    return "\n".join(out)


def run(pages, ignore):
    from medlint.engine import Linter, Options
    from medlint.parsers import parse
    linter = Linter(Options(ignore=ignore, isolated=True))
    words = 0
    start = time.perf_counter()
    for i, text in enumerate(pages):
        doc = parse(text, f"page{i}.md", "markdown")
        linter.lint(doc)
        words += len(text.split())
    return words, time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    pages = [page(rng) for _ in range(a.pages)]
    run(pages[:20], [])  # warm up: pipeline, rules, knowledge base
    print(f"{'rules':<28} {'pages':>6} {'words':>9} {'seconds':>8} {'words/s':>9}")
    rows = (("all rules", []), ("without claims rules", ["claims"]),
            ("without claims and risk rules", ["claims", "risk"]))
    for label, ignore in rows:
        words, secs = run(pages, ignore)
        print(f"{label:<28} {len(pages):>6} {words:>9} {secs:>8.1f} {words / secs:>9.0f}")


if __name__ == "__main__":
    main()
