"""Scores on the shared development corpus (outside the repository; skipped when absent)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

CORPUS = ROOT.parent / "shared" / "corpus" / "dev"
EVALUATE = ROOT.parent / "shared" / "tools" / "evaluate.py"
pytestmark = pytest.mark.skipif(not CORPUS.is_dir() or not EVALUATE.exists(),
                                reason="../shared/corpus/dev is not available here")


def _json(*paths):
    p = subprocess.run([sys.executable, "-m", "medlint", "check", "--format", "json", *map(str, paths)],
                       capture_output=True, text=True)
    return json.loads(p.stdout)


def test_evaluate_thresholds():
    p = subprocess.run([sys.executable, str(EVALUATE), str(CORPUS), "--medlint", f"{sys.executable} -m medlint"],
                       capture_output=True, text=True)
    scores = {}
    for line in p.stdout.splitlines():
        if "P=" in line and not line.startswith("overall"):
            name = line.split()[0]
            scores[name] = {k + "=": float(v) for k, v in (x.split("=") for x in line.split() if x[:2] in ("P=", "R="))}
    want = {"claims": (0.85, 0.85), "exaggeration": (0.80, 0.70), "risk-minimizing": (0.80, 0.70),
            "risk-disclosure": (0.90, 0.90), "duplicates": (0.95, 0.95)}
    for cat, (p_min, r_min) in want.items():
        assert scores[cat]["P="] >= p_min and scores[cat]["R="] >= r_min, (cat, p.stdout)


def test_no_claim_findings_on_the_careful_guide():
    data = _json(CORPUS / "careful-anxiety-guide.md")
    assert not [f for f in data["findings"] if f["category"] == "claims"]


def test_seed_expectations():
    seed = CORPUS / "seed-ketamine-anxiety.txt"
    data = _json(seed)
    fs = data["findings"]
    vague = {f["line"] for f in fs if f["rule"] == "vague-citation"}
    assert {13, 71} <= vague
    conflicts = [f for f in fs if f["rule"] == "conflicting-attribution"]
    assert len(conflicts) == 1 and {conflicts[0]["line"], conflicts[0]["related"][0]["line"]} == {13, 71}
    missing = {f["subject"] for f in fs if f["rule"] == "missing-risk-disclosure"}
    assert missing == {"psilocybin", "MDMA"}
    incomplete = {f["subject"]: f["message"] for f in fs if f["rule"] == "incomplete-risk-disclosure"}
    assert "abuse" in incomplete["ketamine"] and "not FDA-approved" in incomplete["ketamine"]
    assert "suicidal" in incomplete["SSRIs"]
    assert not [f for f in fs if f.get("subject") == "CBT"]
