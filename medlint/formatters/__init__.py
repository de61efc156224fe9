"""Output formats. Each takes a RunResult and returns text."""
from __future__ import annotations

import json

from .. import __version__

SCHEMA_VERSION = 1
FORMATS = ("concise", "full", "json", "github", "sarif")


def render(fmt: str, result, rules=None, color: bool = False) -> str:
    if fmt == "json":
        return render_json(result)
    if fmt == "sarif":
        from .sarif import render_sarif
        return render_sarif(result, rules or [])
    if fmt == "full":
        return render_full(result, color)
    if fmt == "github":
        return render_github(result)
    return render_concise(result)


def statistics(stats: dict) -> list[dict]:
    """Rows of ``--statistics`` from :func:`medlint.finding.finding_stats` counts: code,
    name, findings and how many carry a fix, most frequent first."""
    counts: dict = {}
    for (rule, code, _category, _severity, fixable), n in stats.items():
        c = counts.setdefault((code, rule), [0, 0])
        c[0] += n
        c[1] += n if fixable else 0
    rows = [{"code": code, "name": name, "count": n, "fixable": fx} for (code, name), (n, fx) in counts.items()]
    rows.sort(key=lambda r: (-r["count"], r["code"], r["name"]))
    return rows


def render_statistics(rows: list[dict], fmt: str = "text") -> str:
    """Counts per rule, as ``ruff --statistics`` prints them; JSON with ``--format json``."""
    if fmt == "json":
        return json.dumps(rows, indent=2)
    if not rows:
        return ""
    width = max(len(r["name"]) for r in rows)
    out = [f"{'count':>7}  {'code':<8}  {'rule':<{width}}  fixable"]
    for r in rows:
        out.append(f"{r['count']:>7}  {r['code']:<8}  {r['name']:<{width}}  {r['fixable'] or '':>7}".rstrip())
    return "\n".join(out)


def severity_summary(stats: dict, files: int) -> str:
    """``Found 12 findings (2 errors, 7 warnings, 3 info) in 3 files.`` from
    :func:`medlint.finding.finding_stats` counts."""
    by_sev: dict = {}
    for k, n in stats.items():
        by_sev[k[3]] = by_sev.get(k[3], 0) + n
    total = sum(by_sev.values())
    parts = [f"{by_sev[sev]} {sev}{'s' if by_sev[sev] != 1 and sev != 'info' else ''}"
             for sev in ("error", "warning", "info") if by_sev.get(sev)]
    return (f"Found {total} finding{'s' if total != 1 else ''} ({', '.join(parts)}) in {files} "
            f"file{'s' if files != 1 else ''}.")


def render_json(result) -> str:
    data = {
        "schema": SCHEMA_VERSION,
        "medlint": __version__,
        "findings": [f.to_json() for f in result.findings],
        "files": [r.to_json() for r in result.files if not r.errors or r.readability],
        "errors": result.errors,
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


def render_concise(result) -> str:
    lines = [f"{f.path}:{f.line}:{f.column}: {f.code} [{f.rule}] {f.message}" for f in result.findings]
    return "\n".join(lines)


def _source_line(path, line, cache):
    if path not in cache:
        try:
            with open(path, encoding="utf-8-sig") as fh:
                cache[path] = fh.read().splitlines()
        except (OSError, UnicodeDecodeError):
            cache[path] = []
    lines = cache[path]
    return lines[line - 1] if 0 < line <= len(lines) else None


def render_full(result, color: bool = False) -> str:
    out = []
    cache: dict = {}
    for f in result.findings:
        head = f"{f.path}:{f.line}:{f.column}: {f.code} [{f.rule}] {f.message}"
        out.append(head)
        text = _source_line(f.path, f.line, cache)
        if text is not None:
            gutter = f"{f.line:>5} | "
            shown = text.expandtabs(1)
            out.append(gutter + shown)
            end = f.end_column if f.end_line == f.line else len(text) + 1
            width = max(1, end - f.column)
            mark = "^" * width
            if color:
                mark = f"\033[31m{mark}\033[0m"
            out.append(" " * (len(gutter) + f.column - 1) + mark)
        for r in f.related:
            out.append(f"      = {r.message}: {r.path}:{r.line}:{r.column}")
        if f.fix:
            out.append(f"      = fix: {f.fix.message}")
        out.append("")
    return "\n".join(out).rstrip("\n")


def _gh_escape(s: str, prop: bool = False) -> str:
    s = s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        s = s.replace(":", "%3A").replace(",", "%2C")
    return s


def render_github(result, rules=None) -> str:
    """GitHub Actions workflow commands: one annotation per finding, titled with the rule."""
    level = {"error": "error", "warning": "warning", "info": "notice"}
    lines = []
    for f in result.findings:
        props = (f"file={_gh_escape(f.path, True)},line={f.line},col={f.column},"
                 f"endLine={f.end_line},endColumn={f.end_column},"
                 f"title={_gh_escape(f'{f.code} [{f.rule}] ({f.category}, {f.severity})', True)}")
        lines.append(f"::{level[f.severity]} {props}::{_gh_escape(f.message)}")
    for e in result.errors:
        lines.append(f"::error file={_gh_escape(e['path'], True)}::{_gh_escape(e['message'])}")
    return "\n".join(lines)
