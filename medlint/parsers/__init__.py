"""Parsers: source text -> :class:`~medlint.document.Document`.

Each parser returns blocks whose text maps back to exact source offsets.
"""
from __future__ import annotations

import os
import re

from html import unescape as _unescape  # not `import html`: the .html submodule shadows it

from ..document import BlockBuilder, Document

FORMATS = {
    ".md": "markdown", ".markdown": "markdown", ".mdown": "markdown", ".mkd": "markdown",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".txt": "text", ".text": "text",
}

ENTITY_RE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?")
COMMENT_RE = re.compile(r"<!--.*?-->", re.S)


def format_for(path: str, default: str = "text") -> str:
    return FORMATS.get(os.path.splitext(path)[1].lower(), default)


def parse(source: str, path: str = "<text>", fmt: str | None = None) -> Document:
    """Parse ``source`` into a Document; ``fmt`` is "text", "markdown" or "html"
    (guessed from the path's extension when omitted)."""
    fmt = fmt or format_for(path)
    if fmt == "markdown":
        from .markdown import parse_markdown
        return parse_markdown(source, path)
    if fmt == "html":
        from .html import parse_html
        return parse_html(source, path)
    from .text import parse_text
    return parse_text(source, path)


def align(builder: BlockBuilder, text: str, src: str, cursor: int, limit: int) -> int:
    """Add ``text`` (rendered by a parser) to ``builder`` by walking the source from
    ``cursor``; returns the new cursor. Text that appears verbatim is mapped in one run;
    otherwise character by character, skipping markup and decoding entities and escapes."""
    if not text:
        return cursor
    pos = src.find(text, cursor, limit)
    if pos >= 0 and not src[cursor:pos].strip("*_~`[]!\\ \t\r\n>#|=+-"):
        builder.add(text, pos)
        return pos + len(text)
    i = 0
    while i < len(text):
        c = text[i]
        if cursor >= limit:
            break
        if src[cursor] == c:
            builder.add(c, cursor, strip_urls=False)
            cursor += 1
            i += 1
            continue
        m = ENTITY_RE.match(src, cursor) if src[cursor] == "&" else None
        if m:
            decoded = _unescape(m.group(0))
            if decoded and text.startswith(decoded, i):
                builder.add_decoded(decoded, cursor, m.end() - cursor)
                cursor = m.end()
                i += len(decoded)
                continue
        if src[cursor] == "\\" and cursor + 1 < limit and src[cursor + 1] == c:
            cursor += 1
            continue
        nxt = src.find(c, cursor, limit)
        if nxt < 0:
            break
        cursor = nxt
    return cursor
