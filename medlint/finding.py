"""The one Finding type every front end consumes."""
from __future__ import annotations

from dataclasses import dataclass, field

SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


@dataclass
class Related:
    path: str
    line: int
    column: int
    message: str
    end_line: int | None = None
    end_column: int | None = None

    def to_json(self) -> dict:
        d = {"path": self.path, "line": self.line, "column": self.column, "message": self.message}
        if self.end_line is not None:
            d["end_line"], d["end_column"] = self.end_line, self.end_column
        return d


@dataclass
class Fix:
    """Replace the finding's span with ``replacement``."""
    replacement: str
    message: str

    def to_json(self) -> dict:
        return {"replacement": self.replacement, "message": self.message}


@dataclass
class Finding:
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    rule: str
    category: str
    severity: str
    message: str
    subject: str | None = None
    related: list[Related] = field(default_factory=list)
    fix: Fix | None = None
    # source offsets of the span (not serialised; used by fixes and the LSP)
    start_offset: int = -1
    end_offset: int = -1
    fingerprint: str | None = None  # see medlint.baseline (SARIF partialFingerprints, --baseline)

    def sort_key(self):
        return (self.path, self.line, self.column, self.code, self.end_line, self.end_column, self.message)

    def severity_sort_key(self):
        return (-SEVERITY_RANK.get(self.severity, 0),) + self.sort_key()

    def to_json(self) -> dict:
        return {
            "path": self.path, "line": self.line, "column": self.column,
            "end_line": self.end_line, "end_column": self.end_column,
            "code": self.code, "rule": self.rule, "category": self.category,
            "severity": self.severity, "message": self.message, "subject": self.subject,
            "related": [r.to_json() for r in self.related],
            "fix": self.fix.to_json() if self.fix else None,
        }

    @classmethod
    def from_json(cls, d: dict) -> "Finding":
        d = dict(d)
        related = [Related(**r) for r in d.pop("related", []) or []]
        fix = d.pop("fix", None)
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in d.items() if k in known}, related=related,
                   fix=Fix(**fix) if fix else None)


def finding_stats(findings, into: dict | None = None) -> dict:
    """{(rule, code, category, severity, fixable): count}: what the audit's summary, risk
    score, pages table and exit status, ``--statistics`` and the severity summary line need,
    without the findings themselves."""
    out = {} if into is None else into
    for f in findings:
        k = (f.rule, f.code, f.category, f.severity, f.fix is not None)
        out[k] = out.get(k, 0) + 1
    return out
