"""Scores on the project's own labelled pages (tests/corpus), so that a rule change that
trades precision or recall away shows up in CI. The scoring mirrors the shared evaluation:
a finding counts for its line; lines labelled ambiguous count neither way."""
import json
import subprocess
import sys
from collections import defaultdict

import pytest
import yaml

from .conftest import ROOT

CORPUS = ROOT / "tests" / "corpus"
CATEGORIES = {  # category -> (rule names, gold key, key of lines that count neither way)
    "claims": ({"uncited-claim", "vague-citation"}, "claims_uncited", "ambiguous_claims"),
    "exaggeration": ({"exaggerated-claim"}, "exaggerations", "ambiguous_exaggerations"),
    "risk-minimizing": ({"risk-minimizing"}, "risk_minimizing", "ambiguous_risk_minimizing"),
}
# floors a little under what the rules score today
FLOORS = {"claims": (0.90, 0.85), "exaggeration": (0.90, 0.75), "risk-minimizing": (0.85, 0.85),
          "duplicates": (0.95, 0.95), "risk-disclosure": (0.75, 0.70)}


@pytest.fixture(scope="module")
def scores():
    pages = sorted(CORPUS.glob("*.txt"))
    p = subprocess.run([sys.executable, "-m", "medlint", "check", "--isolated", "--format", "json",
                        *map(str, pages)], capture_output=True, text=True)
    findings = json.loads(p.stdout)["findings"]
    by_page = defaultdict(list)
    for f in findings:
        by_page[f["path"]].append(f)
    counts = defaultdict(lambda: [0, 0, 0])
    for page in pages:
        gold = yaml.safe_load((CORPUS / (page.stem + ".gold.yaml")).read_text(encoding="utf-8"))
        fs = by_page[str(page)]
        amb = set(gold.get("ambiguous") or [])
        for cat, (rules, key, skipkey) in CATEGORIES.items():
            skip = amb | set(gold.get(skipkey) or [])
            want = set(gold.get(key) or []) - skip
            got = {f["line"] for f in fs if f["rule"] in rules}
            c = counts[cat]
            c[0] += len(want & got)
            c[1] += len(got - want - skip)
            c[2] += len(want - got)
        dwant = {tuple(sorted(x)) for x in gold.get("duplicates") or []}
        dskip = {tuple(sorted(x)) for x in gold.get("ambiguous_duplicates") or []}
        dgot = {tuple(sorted((f["line"], r["line"]))) for f in fs if f["rule"] == "duplicate-section"
                for r in f["related"] if r["path"] == f["path"] and r["line"] != f["line"]}
        c = counts["duplicates"]
        c[0] += len(dwant & dgot)
        c[1] += len(dgot - dwant - dskip)
        c[2] += len(dwant - dgot)
        subjects = {f["subject"].lower() for f in fs if f["rule"] == "missing-risk-disclosure"}
        c = counts["risk-disclosure"]
        for name, entry in (gold.get("treatments") or {}).items():
            names = {n.strip().lower() for n in name.replace(")", "").replace("(", ",").replace("/", ",").split(",")}
            hit = any(s in names or any(s in n or n in s for n in names) for s in subjects)
            if entry.get("risk_disclosed") is False:
                c[0 if hit else 2] += 1
            elif hit and entry.get("risk_disclosed") not in ("ambiguous",):
                c[1] += 1
    out = {}
    for cat, (tp, fp, fn) in counts.items():
        out[cat] = (tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0)
    return out


@pytest.mark.parametrize("category", sorted(FLOORS))
def test_category_scores(scores, category):
    precision, recall = scores[category]
    p_min, r_min = FLOORS[category]
    assert precision >= p_min and recall >= r_min, f"{category}: P={precision:.2f} R={recall:.2f}"
