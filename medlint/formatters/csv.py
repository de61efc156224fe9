"""CSV of an audit: one row per finding, plus one row per page error.

Columns (stable; new columns are only ever appended)::

    path, line, column, end_line, end_column, code, rule, category, severity, message,
    subject, excerpt, related, page_risk_score

``excerpt`` is the flagged text; ``related`` lists the other locations as
``path:line:column`` separated by `` | ``. A page that failed (could not be read or parsed,
or a rule crashed on it) has a row with ``code`` ``ERROR``, ``rule`` ``page-error``,
``severity`` ``error`` and the error as the message, so every failed page is in the file.

Cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return) are prefixed with an apostrophe (OWASP CSV injection advice);
page copy is untrusted input.
"""
from __future__ import annotations

import csv
import io

COLUMNS = ("path", "line", "column", "end_line", "end_column", "code", "rule", "category", "severity",
           "message", "subject", "excerpt", "related", "page_risk_score")


def _cell(v) -> str:
    if v is None:
        return ""
    s = str(v).encode("utf-8", "replace").decode("utf-8")  # undecodable bytes in file names
    if s and s[0] in "=+-@\t\r":
        return "'" + s
    return s


def rows(result):
    """(column -> value) dicts, by path then position (the order of the JSON findings)."""
    for r in sorted(result.files, key=lambda r: r.path):
        score = result.scores.get(r.path)
        for e in r.errors:
            yield {"path": r.path, "line": "", "column": "", "end_line": "", "end_column": "",
                   "code": "ERROR", "rule": "page-error", "category": "error", "severity": "error",
                   "message": e, "subject": "", "excerpt": "", "related": "", "page_risk_score": score}
        exs = result.excerpts.get(r.path) or []
        for i, f in enumerate(r.findings):
            ex = exs[i] if i < len(exs) else None
            yield {"path": f.path, "line": f.line, "column": f.column, "end_line": f.end_line,
                   "end_column": f.end_column, "code": f.code, "rule": f.rule, "category": f.category,
                   "severity": f.severity, "message": f.message, "subject": f.subject or "",
                   "excerpt": ex[1] if ex else "",
                   "related": " | ".join(f"{x.path}:{x.line}:{x.column}" for x in f.related),
                   "page_risk_score": score}


def write_csv(result, fh) -> None:
    """Stream the CSV to a text file opened with ``newline=""``."""
    w = csv.writer(fh, lineterminator="\r\n")
    w.writerow(COLUMNS)
    for row in rows(result):
        w.writerow([_cell(row[c]) for c in COLUMNS])


def render_csv(result) -> str:
    buf = io.StringIO()
    write_csv(result, buf)
    return buf.getvalue()
