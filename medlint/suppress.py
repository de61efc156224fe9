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
ANY_COMMENT_RE = re.compile(r"<!--.*?-->", re.S)


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
        self._next: dict[int, int] = {}  # line -> the next line that holds text
        self._comments: list[tuple[int, int]] | None = None  # source spans of all comments

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
        """The first line after ``line`` that holds something besides white space and
        comments: comments stacked above a line (one per rule, as the language server's
        quick fix inserts them) all apply to that line."""
        if line not in self._next:
            self._next[line] = self._find_next_text_line(line)
        return self._next[line]

    def _find_next_text_line(self, line: int) -> int:
        lines = self.doc.lines
        if self._comments is None:
            self._comments = [m.span() for m in ANY_COMMENT_RE.finditer(self.doc.source)]
        comments = self._comments
        n = lines.line_count
        for k in range(line + 1, n + 1):
            start = lines.starts[k - 1]
            text = lines.line_text(k)
            if not text.strip():
                continue
            pos = 0  # the line's text outside comments
            for a, b in comments:
                if b <= start or a >= start + len(text):
                    continue
                if text[pos:max(pos, a - start)].strip():
                    return k
                pos = max(pos, b - start)
            if text[pos:].strip():
                return k
        return line + 1
