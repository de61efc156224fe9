"""Baselines: record today's findings, then report only new ones.

A finding's fingerprint is a hash of its path, rule and the text it spans (whitespace
collapsed), plus how many identical (path, rule, text) findings come before it in the file.
Line numbers are not part of it, so edits elsewhere in the file do not break the baseline;
changing the flagged text itself does (it is then a new finding).
"""
from __future__ import annotations

import hashlib
import json
import re
from collections import Counter

from .registry import MedlintError
from .util import atomic_write

BASELINE_SCHEMA = 1


def fingerprint_findings(findings, source: str):
    """Set ``fingerprint`` on each finding of one file (findings in document order)."""
    seen: Counter = Counter()
    for f in findings:
        text = source[f.start_offset:f.end_offset] if 0 <= f.start_offset <= f.end_offset else ""
        norm = re.sub(r"\s+", " ", text).strip().lower()
        key = (f.path.replace("\\", "/"), f.rule, norm)
        seen[key] += 1
        h = hashlib.sha256("\x1f".join((*key, str(seen[key]))).encode("utf-8")).hexdigest()[:32]
        f.fingerprint = h


def write_baseline(path: str, findings):
    data = {"schema": BASELINE_SCHEMA,
            "findings": [{"fingerprint": f.fingerprint, "path": f.path, "rule": f.rule, "line": f.line}
                         for f in findings]}
    atomic_write(path, json.dumps(data, indent=1) + "\n")


def read_baseline(path: str) -> set[str]:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        return {e["fingerprint"] for e in data["findings"]}
    except OSError as e:
        raise MedlintError(f"{path}: cannot read baseline: {e.strerror or e}") from None
    except (ValueError, KeyError, TypeError):
        raise MedlintError(f"{path}: not a medlint baseline file (write one with --write-baseline)") from None
