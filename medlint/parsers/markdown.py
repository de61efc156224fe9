"""Markdown parser built on markdown-it-py (CommonMark + tables + footnotes).

markdown-it gives block tokens with line maps but no inline offsets; inline text is mapped
back by walking the block's source lines in order (see :func:`medlint.parsers.align`).
Front matter, code blocks, inline code, HTML blocks and bare URLs are not prose.
"""
from __future__ import annotations

import re
from functools import lru_cache

from ..document import (ALT_TEXT, BLOCKQUOTE, HEADING, LIST_ITEM, PARAGRAPH, REFERENCE,
                        TABLE_CELL, BlockBuilder, Document, Link, Marker, expand_labels,
                        finish_document)
from . import align

FRONT_MATTER_RE = re.compile(r"\A(---|\+\+\+)[ \t]*\r?\n.*?\r?\n(---|\.\.\.|\+\+\+)[ \t]*(\r?\n|\Z)", re.S)
LINE_END_RE = re.compile(r"\r\n|\r|\n")
HTML_A_RE = re.compile(r"""<a\s[^>]*href\s*=\s*["']?([^"'\s>]+)""", re.I)


@lru_cache(maxsize=1)
def _md():
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin
    return MarkdownIt("commonmark").enable("table").use(footnote_plugin)


def _blank_front_matter(source: str) -> str:
    m = FRONT_MATTER_RE.match(source)
    if not m:
        return source
    fm = m.group(0)
    return re.sub(r"[^\r\n]", " ", fm) + source[m.end():]


def parse_markdown(source: str, path: str = "<text>") -> Document:
    doc = Document(path, source, "markdown")
    # a byte-order mark is not text: markdown-it reads the page without it (its line map
    # is unchanged), so a heading, front matter or code on the first line is recognised
    bom = 1 if source.startswith("\ufeff") else 0
    text = _blank_front_matter(source[bom:])
    line_starts = doc.lines.starts
    tokens = _md().parse(text)
    stack: list[tuple[str, int, str | None]] = []  # (container kind, level, label)
    for tok in tokens:
        t = tok.type
        if t == "heading_open":
            stack.append((HEADING, int(tok.tag[1:]), None))
        elif t in ("th_open", "td_open"):
            stack.append((TABLE_CELL, 0, None))
        elif t == "list_item_open":
            stack.append((LIST_ITEM, 0, tok.info or None))
        elif t == "blockquote_open":
            stack.append((BLOCKQUOTE, 0, None))
        elif t == "footnote_open":
            stack.append((REFERENCE, 0, str(tok.meta.get("label", ""))))
        elif t in ("heading_close", "th_close", "td_close", "list_item_close", "blockquote_close",
                   "footnote_close"):
            if stack:
                stack.pop()
        elif t == "inline":
            kind, level, label = stack[-1] if stack else (PARAGRAPH, 0, None)
            start_line, end_line = tok.map if tok.map else (0, 0)
            lo = max(bom, line_starts[min(start_line, len(line_starts) - 1)])
            hi = line_starts[end_line] if end_line < len(line_starts) else len(source)
            for block in _inline_blocks(tok, kind, level, source, lo, hi):
                if kind == REFERENCE:
                    block.label = label
                elif kind == LIST_ITEM and label:
                    block.label = label
                doc.blocks.append(block)
    return finish_document(doc)


def _inline_blocks(tok, kind, level, src, lo, hi):
    b = BlockBuilder(kind, level)
    extra = []
    cursor = lo
    in_sup = False
    link_start = None
    children = tok.children or []
    for c in children:
        ct = c.type
        if ct == "text" and link_start == "autolink":
            continue  # the autolink's text is its URL, already skipped in the source
        if ct == "text":
            if in_sup and re.fullmatch(r"\s*\d{1,3}(\s*[,\u2013-]\s*\d{1,3})*\s*", c.content):
                before = b.length
                cursor = align(b, c.content, src, cursor, hi)
                added = b.text[before:]  # the marker is its label(s), without white space
                lead, trail = len(added) - len(added.lstrip()), len(added) - len(added.rstrip())
                if b.length - trail > before + lead:
                    b.markers.append(Marker(before + lead, b.length - trail,
                                            expand_labels(c.content.strip()), "sup"))
            else:
                cursor = align(b, c.content, src, cursor, hi)
        elif ct in ("softbreak", "hardbreak"):
            # the line end as the source writes it (its last character: LF, or a lone CR)
            m = LINE_END_RE.search(src, cursor, hi)
            if m:
                b.add(src[m.end() - 1], m.end() - 1, strip_urls=False)
                cursor = m.end()
        elif ct == "code_inline":
            pos = src.find(c.content, cursor, hi)
            if pos >= 0:
                cursor = pos + len(c.content)
                end = src.find(c.markup, cursor, hi)
                cursor = end + len(c.markup) if end >= 0 else cursor
        elif ct == "link_open":
            href = c.attrs.get("href", "")
            if c.markup == "autolink":
                # the link text is the URL itself: not prose
                b.links.append(Link(b.length, b.length, str(href)))
                link_start = "autolink"
                end = src.find(">", cursor, hi)
                cursor = end + 1 if end >= 0 else cursor
            else:
                link_start = (b.length, str(href))
        elif ct == "link_close":
            if link_start == "autolink":
                link_start = None
                continue
            if link_start:
                start, href = link_start
                b.links.append(Link(start, b.length, href))
            link_start = None
            cursor = _skip_destination(src, cursor, hi)
        elif ct == "image":
            alt = c.content
            ab = BlockBuilder(ALT_TEXT)
            pos = src.find("![", cursor, hi)
            if pos >= 0:
                cursor = align(ab, alt, src, pos + 2, hi)
                blk = ab.build()
                if blk:
                    extra.append(blk)
                cursor = _skip_destination(src, cursor, hi)
        elif ct == "html_inline":
            pos = src.find(c.content, cursor, hi)
            if pos >= 0:
                cursor = pos + len(c.content)
            low = c.content.lower()
            if low.startswith("<sup"):
                in_sup = True
            elif low.startswith("</sup"):
                in_sup = False
            m = HTML_A_RE.match(c.content)
            if m:
                b.links.append(Link(b.length, b.length, m.group(1)))
        elif ct == "footnote_ref":
            label = str(c.meta.get("label", ""))
            needle = f"[^{label}]"
            pos = src.find(needle, cursor, hi)
            if pos >= 0:
                b.markers.append(Marker(b.length, b.length, (label,), "footnote"))
                cursor = pos + len(needle)
    blk = b.build()
    out = [blk] if blk else []
    return out + extra


def _skip_destination(src: str, cursor: int, hi: int) -> int:
    """After a link's text: skip ``](destination "title")`` or ``][ref]``, balancing parens."""
    if src.startswith("](", cursor):
        depth, i = 0, cursor + 1
        while i < hi:
            ch = src[i]
            if ch == "\\":
                i += 2
                continue
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
                if depth == 0:
                    return i + 1
            elif ch == "\n" and src.startswith("\n\n", i):
                break
            i += 1
        return cursor
    if src.startswith("][", cursor):
        end = src.find("]", cursor + 2, hi)
        return end + 1 if end >= 0 else cursor
    if src.startswith("]", cursor):
        return cursor + 1
    return cursor
