"""Safe fixes (``medlint check --fix`` / ``--diff``).

A finding may carry a fix: a replacement for its span (``jargon`` and ``plain-words``: the
plain word, when the text uses the term's own form). Fixing a file lints it, applies every
fix whose span does not overlap an earlier one, and lints the result again, until nothing
fixable is left or MAX_PASSES passes are done (a rule that reports a term once per page
reports its next use after the first is fixed). Nothing else is ever rewritten: duplicate
sections are not removed, whatever their kind.

A file that cannot be read, is not UTF-8, or failed to lint (a parse error, a time-out) is
never written; a read-only file is reported, not written. Writes are atomic (a temporary
file beside the target, renamed over it), keep the file's mode, its line endings and its
byte-order mark, and go to the symbolic link's target.
"""
from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field

from .engine import Linter
from .finding import Finding
from .runner import MAX_FILE_SIZE, InputError, decode, lint_source_safely, read_bytes

MAX_PASSES = 10


@dataclass
class FixResult:
    path: str
    original: str = ""
    fixed: str = ""
    applied: list[Finding] = field(default_factory=list)  # the fixes made, pass by pass
    remaining: list[Finding] = field(default_factory=list)  # findings of the fixed text
    error: str | None = None
    bom: bool = False

    @property
    def changed(self) -> bool:
        return self.error is None and self.fixed != self.original

    def diff(self) -> str:
        if not self.changed:
            return ""
        return "".join(difflib.unified_diff(
            self.original.splitlines(keepends=True), self.fixed.splitlines(keepends=True),
            fromfile=self.path, tofile=self.path))


def apply_fixes(source: str, findings: list[Finding]) -> tuple[str, list[Finding]]:
    """``source`` with the fixes of ``findings`` applied (overlapping ones: the first only)."""
    todo = sorted((f for f in findings if f.fix is not None and 0 <= f.start_offset <= f.end_offset),
                  key=lambda f: (f.start_offset, f.end_offset))
    out, applied, pos = [], [], 0
    for f in todo:
        if f.start_offset < pos or f.end_offset > len(source):
            continue
        out.append(source[pos:f.start_offset])
        out.append(f.fix.replacement)
        pos = f.end_offset
        applied.append(f)
    out.append(source[pos:])
    return "".join(out), applied


def fix_source(linter: Linter, source: str, path: str, fmt: str | None = None) -> FixResult:
    res = FixResult(path, original=source, fixed=source)
    for _ in range(MAX_PASSES):
        lint = lint_source_safely(linter, res.fixed, path, fmt)
        if lint.errors:
            res.error = "; ".join(lint.errors) + ("" if not res.applied else " (after fixing)")
            res.fixed = source
            res.applied = []
            return res
        res.remaining = lint.findings
        new, applied = apply_fixes(res.fixed, lint.findings)
        if not applied or new == res.fixed:
            break
        res.fixed = new
        res.applied += applied
    else:
        res.remaining = lint_source_safely(linter, res.fixed, path, fmt).findings
    return res


def fix_path(linter: Linter, path: str, max_size: int = MAX_FILE_SIZE) -> FixResult:
    try:
        data = read_bytes(path, max_size)
        source = decode(data, path, max_size)
    except InputError as e:
        return FixResult(path, error=f"{e}; not fixed")
    res = fix_source(linter, source, path)
    res.bom = data.startswith(b"\xef\xbb\xbf")
    return res


def write_fixed(res: FixResult) -> None:
    """Write a fixed file in place (atomically), or set ``res.error`` when it cannot be."""
    from .util import atomic_write, is_read_only
    target = os.path.realpath(res.path)
    if is_read_only(target):
        res.error = f"{res.path}: file is read-only; not fixed"
        return
    try:
        atomic_write(target, ("\ufeff" if res.bom else "") + res.fixed)
    except OSError as e:
        res.error = f"{res.path}: cannot write: {e.strerror or e}; not fixed"
