"""The claims register (``medlint claims``): every claim a page makes, how it is cited, its status.

Compliance reviewers keep such a register by hand: one row per claim, the reference that
substantiates it and whether it does. Built from what the linter already decides for each
sentence (:mod:`medlint.claims`, :mod:`medlint.risk`) plus the findings on it, so the register
and ``medlint check`` never disagree.

Per page, :func:`page_claims` gives one entry per claim sentence; :func:`register` collapses
identical claims (same words, case, spacing and end punctuation aside, and the same status)
across a site into one row listing every place it appears: a reviewer approves a claim once.
"""
from __future__ import annotations

import re

from .claims import analyze, citation_found, lexicon

# the finding codes whose sentence belongs in the register even when the claim model passes it
CLAIM_RULES = {"uncited-claim", "vague-citation", "exaggerated-claim", "risk-minimizing",
               "conflicting-attribution", "broken-reference"}
STATUSES = ("uncited", "vague", "broken reference", "cited")
KINDS = ("efficacy", "safety", "exaggeration", "vague attribution")
FIELDS = ("status", "kind", "treatment", "path", "line", "column", "end_line", "end_column", "claim",
          "citation", "cited_by", "codes", "pages", "occurrences")


def _overlaps(f, line, col, end_line, end_col) -> bool:
    a = (f.line, f.column)
    b = (f.end_line or f.line, f.end_column or f.column)
    return a <= (end_line, end_col) and (line, col) <= b


def page_claims(doc, rs, findings) -> list[dict]:
    """The claim sentences of one parsed, linted page (``findings``: its findings)."""
    from .risk import analyze_risk
    sents = analyze(doc, rs)
    reports = analyze_risk(doc, rs)
    treat: dict[int, list[str]] = {}
    for rep in reports.values():
        for s in rep.claims:
            names = treat.setdefault(id(s), [])
            if rep.subject not in names:
                names.append(rep.subject)
    lex = lexicon()
    findings = [f for f in findings if f.rule in CLAIM_RULES]
    furniture = rs.options.main_content  # HTML navigation, footers: not reported
    rows = []
    for s in sents:
        if furniture and s.block.container:
            continue
        line, col, end_line, end_col = doc.span_position(s.block, s.start, s.end)
        on = [f for f in findings if _overlaps(f, line, col, end_line, end_col)]
        if not s.claim and not on:
            continue
        rules = {f.rule for f in on}
        found = citation_found(doc, s.block, s.start, s.end, s.text, lex)
        if found:
            status = "cited"
        elif "broken-reference" in rules:
            status = "broken reference"
        elif s.vague or "vague-citation" in rules:
            status = "vague"
        else:
            status = "uncited"
        if "exaggerated-claim" in rules:
            kind = "exaggeration"
        elif s.vague or "vague-citation" in rules:
            kind = "vague attribution"
        elif s.kind == "safety" or "risk-minimizing" in rules:
            kind = "safety"
        else:
            kind = "efficacy"
        rows.append({
            "status": status, "kind": kind, "treatment": treat.get(id(s), []),
            "path": doc.path, "line": line, "column": col, "end_line": end_line, "end_column": end_col,
            "claim": " ".join(s.text.split()),
            "citation": found[1] if found else (s.source or None),
            "cited_by": found[0] if found else None,
            "codes": sorted({f.code for f in on}),
        })
    return rows


def _key(row: dict) -> tuple:
    text = re.sub(r"[\s.!?;:]+$", "", row["claim"].lower())
    return re.sub(r"\s+", " ", text), row["status"]


class Register:
    """A site's claims register, built page by page: identical claims (see :func:`_key`) are one
    row that lists every place. Kept compact (a tuple per distinct claim, its places as
    integers) so an audit of 100,000 pages holds it in little memory; :meth:`rows` gives the
    rows as dicts, one at a time."""

    def __init__(self, pages=()):
        self._index: dict[tuple, int] = {}
        self._rows: list[list] = []  # [first entry (tuple), places (array of path, line, column), treatments, codes]
        self._paths: list[str] = []
        self._path_no: dict[str, int] = {}
        for claims in pages:
            self.add(claims)

    def add(self, claims) -> None:
        from array import array
        for c in claims:
            p = self._path_no.get(c["path"])
            if p is None:
                p = self._path_no[c["path"]] = len(self._paths)
                self._paths.append(c["path"])
            key = _key(c)
            n = self._index.get(key)
            if n is None:
                self._index[key] = len(self._rows)
                first = (c["status"], c["kind"], c["claim"], c["citation"], c["cited_by"], p, c["line"],
                         c["column"], c["end_line"], c["end_column"])
                self._rows.append([first, array("l", (p, c["line"], c["column"])), list(c["treatment"]),
                                   set(c["codes"])])
                continue
            row = self._rows[n]
            row[1].extend((p, c["line"], c["column"]))
            row[2] += [t for t in c["treatment"] if t not in row[2]]
            row[3].update(c["codes"])
            if not row[0][3] and c["citation"]:  # the first copy that cites: how it cites
                row[0] = row[0][:3] + (c["citation"], c["cited_by"]) + row[0][5:]

    def __len__(self) -> int:
        return len(self._rows)

    def rows(self):
        for first, places, treatments, codes in self._rows:
            status, kind, claim, citation, cited_by, p, line, col, end_line, end_col = first
            occ = [{"path": self._paths[places[i]], "line": places[i + 1], "column": places[i + 2]}
                   for i in range(0, len(places), 3)]
            yield {"status": status, "kind": kind, "treatment": list(treatments), "path": self._paths[p],
                   "line": line, "column": col, "end_line": end_line, "end_column": end_col, "claim": claim,
                   "citation": citation, "cited_by": cited_by, "codes": sorted(codes),
                   "pages": len(set(places[0::3])), "occurrences": occ}

    def summary(self) -> dict:
        return _summary((first[0], places[0::3]) for first, places, _t, _c in self._rows)


def register(pages) -> list[dict]:
    """Rows from per-page claim lists (in page order): identical claims collapse into the first
    one, which lists every place (``occurrences``) and the number of distinct ``pages``."""
    return list(Register(pages).rows())


def summary(rows: list[dict]) -> dict:
    return _summary((r["status"], [o["path"] for o in r["occurrences"]]) for r in rows)


def _summary(entries) -> dict:
    """Counts for (status, the pages of each place) per row."""
    by_status = {s: 0 for s in STATUSES}
    pages: set = set()
    rows = occurrences = 0
    for status, places in entries:
        rows += 1
        by_status[status] += 1
        pages.update(places)
        occurrences += len(places)
    return {"claims": rows, "occurrences": occurrences, "pages": len(pages), "by_status": by_status}


# -- output -----------------------------------------------------------------------------------

def to_json(rows: list[dict]) -> str:
    import json
    return json.dumps({"summary": summary(rows), "claims": rows}, indent=2, ensure_ascii=False)


def write_csv(rows: list[dict], fh) -> None:
    import csv
    w = csv.writer(fh)
    w.writerow(FIELDS)
    for r in rows:
        w.writerow([r["status"], r["kind"], "; ".join(r["treatment"]), r["path"], r["line"], r["column"],
                    r["end_line"], r["end_column"], r["claim"], r["citation"] or "", r["cited_by"] or "",
                    " ".join(r["codes"]), r["pages"],
                    "; ".join(f"{o['path']}:{o['line']}:{o['column']}" for o in r["occurrences"])])


def to_table(rows: list[dict], width: int | None = None) -> str:
    """A table: status, kind, treatment, location (with the number of other places) and the
    claim, cut to ``width`` columns when given (a terminal), whole otherwise."""
    if not rows:
        return "No claims found."
    loc = [f"{r['path']}:{r['line']}:{r['column']}" + (f" +{len(r['occurrences']) - 1}" if len(r["occurrences"]) > 1 else "")
           for r in rows]
    treat = [", ".join(r["treatment"]) or "-" for r in rows]
    cols = [("STATUS", [r["status"] for r in rows]), ("KIND", [r["kind"] for r in rows]),
            ("TREATMENT", [t[:24] for t in treat]), ("WHERE", loc)]
    widths = [max(len(h), *(len(v) for v in vals)) for h, vals in cols]
    lines = ["  ".join(h.ljust(w) for (h, _), w in zip(cols, widths)) + "  CLAIM"]
    room = max(30, width - sum(widths) - 2 * len(widths)) if width else None
    for i, r in enumerate(rows):
        claim = r["claim"] if room is None or len(r["claim"]) <= room else r["claim"][:room - 1] + "…"
        lines.append("  ".join(vals[i].ljust(w) for (_, vals), w in zip(cols, widths)) + "  " + claim)
    s = summary(rows)
    counts = ", ".join(f"{n} {k}" for k, n in s["by_status"].items() if n)
    lines.append(f"\n{s['claims']} claims ({counts}) in {s['pages']} page{'s' if s['pages'] != 1 else ''}.")
    return "\n".join(lines)
