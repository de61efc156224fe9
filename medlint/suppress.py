"""Inline suppression, one dialect for Markdown, HTML and plain text::

    <!-- medlint-disable -->                 all rules from here on
    <!-- medlint-disable exaggerated-claim, MED2 -->   named rules (name, code, prefix, category)
    <!-- medlint-enable [NAMES] -->          turn them back on
    <!-- medlint-disable-next-line [NAMES] -->  only the next line that holds text
    <!-- medlint-disable-line [NAMES] -->    the line the comment is on

Plain-text files use the same comments on a line of their own; the text parser does not
treat such lines as prose.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

COMMENT_RE = re.compile(
    r"<!--\s*medlint-(disable-next-line|disable-line|disable|enable)\b([^>]*?)\s*-->", re.I)


@dataclass
class Directive:
    action: str
    names: tuple[str, ...]  # empty: all rules
    line: int


def directives(doc) -> list[Directive]:
    out = []
    for m in COMMENT_RE.finditer(doc.source):
        names = tuple(n for n in re.split(r"[\s,]+", m.group(2).strip()) if n)
        line, _ = doc.lines.position(m.start())
        out.append(Directive(m.group(1).lower(), names, line))
    return out


class Suppressions:
    def __init__(self, doc):
        self.doc = doc
        self.items = directives(doc)

    def __bool__(self):
        return bool(self.items)

    def suppressed(self, rule, line: int) -> bool:
        def applies(d):
            return not d.names or any(rule.matches(n) for n in d.names)

        off = False
        for d in self.items:
            if d.line > line:
                break
            if not applies(d):
                continue
            if d.action == "disable":
                off = True
            elif d.action == "enable":
                off = False
        if off:
            return True
        for d in self.items:
            if not applies(d):
                continue
            if d.action == "disable-line" and d.line == line:
                return True
            if d.action == "disable-next-line" and d.line < line and self._next_text_line(d.line) == line:
                return True
        return False

    def _next_text_line(self, line: int) -> int:
        n = self.doc.lines.line_count
        for k in range(line + 1, n + 1):
            if self.doc.lines.line_text(k).strip():
                return k
        return line + 1
