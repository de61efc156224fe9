#!/usr/bin/env python3
"""How well ``medlint claims`` lists the claims a labelled corpus marks.

For every line labelled ``claims_uncited`` or ``claims_cited`` in the gold files (see the
corpus's GUIDE.md), is there a register row on that line (recall), and does its status agree
with the label (a ``claims_cited`` line: every row on it is ``cited``; a ``claims_uncited``
line: at least one row is not)? Also prints the share of register lines that the gold marks as
a claim line or ambiguous (precision). Works on both layouts: ``dev/`` (page + ``.gold.yaml``
side by side) and ``real/`` (``pages/`` and ``gold/``).

    python benchmarks/eval_register.py ../shared/corpus/dev
    python benchmarks/eval_register.py ../shared/corpus/real --jobs 2
"""
from __future__ import annotations

import argparse
import os
import sys

import yaml


def gold_pairs(corpus: str) -> list[tuple[str, str]]:
    pages = os.path.join(corpus, "pages")
    if os.path.isdir(pages):
        out = []
        for name in sorted(os.listdir(pages)):
            g = os.path.join(corpus, "gold", os.path.splitext(name)[0] + ".yaml")
            if os.path.exists(g):
                out.append((os.path.join(pages, name), g))
        return out
    out = []
    for name in sorted(os.listdir(corpus)):
        if name.endswith(".gold.yaml"):
            stem = name[:-len(".gold.yaml")]
            page = next((os.path.join(corpus, f) for f in sorted(os.listdir(corpus))
                         if f.startswith(stem + ".") and not f.endswith(".gold.yaml")), None)
            if page:
                out.append((page, os.path.join(corpus, name)))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--misses", action="store_true", help="list the labelled lines the register misses")
    a = ap.parse_args()
    from medlint.engine import Options
    from medlint.register import register
    from medlint.runner import run

    pairs = gold_pairs(a.corpus)
    if not pairs:
        print(f"no labelled pages in {a.corpus}", file=sys.stderr)
        return 2
    res = run([p for p, _ in pairs], Options(isolated=True, claims=True), jobs=a.jobs)
    by_path = {r.path: r for r in res.files}
    labelled = found = agree = 0
    reg_lines = reg_ok = 0
    misses = []
    for page, gpath in pairs:
        with open(gpath, encoding="utf-8") as fh:
            gold = yaml.safe_load(fh) or {}
        rows = by_path[page].claims or []
        on: dict[int, list[str]] = {}
        for r in rows:
            for ln in range(r["line"], r["end_line"] + 1):
                on.setdefault(ln, []).append(r["status"])
        uncited, cited = set(gold.get("claims_uncited") or []), set(gold.get("claims_cited") or [])
        amb = set(gold.get("ambiguous") or [])
        for ln in sorted(uncited | cited):
            labelled += 1
            st = on.get(ln)
            if not st:
                misses.append(f"{page}:{ln}")
                continue
            found += 1
            if ln in cited and ln not in uncited:
                agree += all(s == "cited" for s in st)
            else:
                agree += any(s != "cited" for s in st)
        for ln in on:
            reg_lines += 1
            reg_ok += ln in uncited or ln in cited or ln in amb
    print(f"{len(pairs)} pages, {labelled} labelled claim lines, {sum(len(r.claims or []) for r in res.files)} "
          f"register entries, {len(register(r.claims or [] for r in res.files))} rows after collapsing")
    print(f"recall {found / max(labelled, 1):.3f} ({found}/{labelled}); status agrees with the label on "
          f"{agree / max(found, 1):.3f} ({agree}/{found}) of them; precision (register lines labelled a "
          f"claim or ambiguous) {reg_ok / max(reg_lines, 1):.3f} ({reg_ok}/{reg_lines})")
    if a.misses:
        print("\n".join(misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
