"""HTML parser on the standard library's tolerant ``html.parser``.

The parser reports the exact (line, column) of every tag, text run and entity, so block
text maps back to the source without searching. ``<script>``, ``<style>``, ``<pre>``,
``<code>`` and friends are not prose; ``<img alt>`` becomes an alt-text block; ``<a href>``
is recorded as a link and ``<sup>N</sup>`` as a reference marker. Blocks inside
``<nav>``, ``<header>``, ``<footer>`` and ``<aside>`` are kept but tagged with their
container, so rules that want main content only can skip them.

Page furniture is also recognised on other elements, for pages exported from site builders:

- an ARIA landmark role: ``role="navigation"`` -> "nav", ``banner`` -> "header",
  ``contentinfo`` -> "footer", ``complementary`` -> "aside" (explicit, always tagged);
- a class or id naming a cookie banner (``cookie``) or breadcrumbs (``breadcrumb``): always
  tagged ("aside", "nav");
- a class or id naming ``nav``, ``menu``, ``footer``, ``sidebar`` or ``gdpr``/``consent``
  (as a word start: ``site-nav``, ``navbar``, ``sub-menu``; not ``canvas``, ``has-sidebar``
  or ``no-sidebar``): only the blocks inside it that are mostly link text (half of their
  characters or more) are tagged. Class names are a guess: a ``treatment-menu`` of priced
  services or a ``content-sidebar-wrap`` around the whole article holds prose, and prose
  is never hidden on a guess.

``<html>``, ``<body>``, ``<main>`` and ``<article>`` are never tagged by class or role.
Tagging changes no block text or offset; ``Options.main_content`` (``medlint audit``) drops
the findings located in tagged blocks.
"""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from ..document import (ALT_TEXT, BLOCKQUOTE, HEADING, LIST_ITEM, PARAGRAPH, TABLE_CELL, TITLE,
                        BlockBuilder, Document, Link, Marker, expand_labels, finish_document)

SKIP = {"script", "style", "pre", "code", "noscript", "template", "svg", "math", "textarea",
        "select", "object", "iframe"}
# skipped elements that sit inside a line of prose: the text around them stays one block
INLINE_SKIP = {"code", "svg", "math", "textarea", "select", "object", "iframe", "noscript"}
BLOCK_TAGS = {
    "p": PARAGRAPH, "div": PARAGRAPH, "section": PARAGRAPH, "article": PARAGRAPH,
    "main": PARAGRAPH, "body": PARAGRAPH, "span_block": PARAGRAPH, "figcaption": PARAGRAPH,
    "caption": PARAGRAPH, "dd": PARAGRAPH, "dt": PARAGRAPH, "summary": PARAGRAPH,
    "details": PARAGRAPH, "form": PARAGRAPH, "label": PARAGRAPH, "button": PARAGRAPH,
    "header": PARAGRAPH, "footer": PARAGRAPH, "nav": PARAGRAPH, "aside": PARAGRAPH,
    "li": LIST_ITEM, "td": TABLE_CELL, "th": TABLE_CELL, "blockquote": BLOCKQUOTE,
    "h1": HEADING, "h2": HEADING, "h3": HEADING, "h4": HEADING, "h5": HEADING, "h6": HEADING,
    "title": TITLE, "ul": PARAGRAPH, "ol": PARAGRAPH, "table": PARAGRAPH, "tr": PARAGRAPH,
    "html": PARAGRAPH, "hr": PARAGRAPH, "br_block": PARAGRAPH,
}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr"}
CONTAINERS = {"nav", "header", "footer", "aside"}
ROLE_CONTAINERS = {"navigation": "nav", "banner": "header", "contentinfo": "footer",
                   "complementary": "aside"}
# class/id words: (?<![a-z0-9]) = at a word start; layout classes such as has-sidebar are not furniture
_WORD_START = r"(?<![a-z0-9])(?<!has-)(?<!no-)(?<!with-)(?<!without-)"
STRONG_MARK_RE = re.compile(_WORD_START + r"(cookie|breadcrumb)")
WEAK_MARK_RE = re.compile(_WORD_START + r"(nav|menu|footer|sidebar|gdpr|consent)")
MARK_NAMES = {"cookie": "aside", "breadcrumb": "nav", "nav": "nav", "menu": "nav", "footer": "footer",
              "sidebar": "aside", "gdpr": "aside", "consent": "aside"}
NEVER_MARKED = {"html", "body", "main", "article"}
LINK_DENSITY = 0.5


def furniture_mark(tag: str, attrs: dict) -> tuple[str, bool] | None:
    """(container name, strong) when the element's role, class or id names page furniture."""
    if tag in NEVER_MARKED:
        return None
    role = (attrs.get("role") or "").strip().lower()
    if role in ROLE_CONTAINERS:
        return ROLE_CONTAINERS[role], True
    names = f"{attrs.get('class') or ''} {attrs.get('id') or ''}".lower()
    m = STRONG_MARK_RE.search(names)
    if m:
        return MARK_NAMES[m.group(1)], True
    m = WEAK_MARK_RE.search(names)
    if m:
        return MARK_NAMES[m.group(1)], False
    return None


def _link_dense(block) -> bool:
    n = len(block.text)
    linked = sum(max(0, min(l.end, n) - l.start) for l in block.links)
    return n > 0 and linked >= LINK_DENSITY * n


class _Parser(HTMLParser):
    def __init__(self, doc: Document):
        super().__init__(convert_charrefs=False)
        self.doc = doc
        # html.parser counts lines by "\n" alone (a lone "\r" does not end its lines), so
        # its (line, column) positions are turned into offsets with line starts of its own
        self.starts = [0] + [m.end() for m in re.finditer("\n", doc.source)]
        self.stack: list[tuple[str, BlockBuilder | None]] = []
        self.builder: BlockBuilder | None = None
        self.skip_depth = 0
        self.in_sup: int | None = None
        self.link: tuple[int, str] | None = None
        # open containers, innermost last: (name, stack depth or None for <nav> & co., strong)
        self.containers: list[tuple[str, int | None, bool]] = []
        self.ol_counters: list[int] = []

    def _offset(self) -> int:
        line, col = self.getpos()
        return self.starts[line - 1] + col

    def _flush(self):
        if self.builder is not None:
            blk = self.builder.build()
            if blk is not None:
                weak = getattr(self.builder, "weak_container", None)
                if weak and blk.container is None and _link_dense(blk):
                    blk.container = weak
                self.doc.blocks.append(blk)
        self.builder = None

    def _new_block(self, kind: str, level: int = 0, label: str | None = None):
        self._flush()
        self.builder = BlockBuilder(kind, level)
        self.builder.label = label
        self.builder.container, self.builder.weak_container = self._container()

    def _container(self) -> tuple[str | None, str | None]:
        """(innermost strong container, a weak one inside it) for a block opened now."""
        weak = None
        for name, _depth, strong in reversed(self.containers):
            if strong:
                return name, weak
            weak = weak or name
        return None, weak

    def handle_starttag(self, tag, attrs):
        if self.skip_depth:
            if tag in SKIP and tag not in VOID:
                self.skip_depth += 1
            return
        if tag in SKIP:
            if tag not in INLINE_SKIP:
                self._flush()
            self.skip_depth = 1
            return
        attrs = dict(attrs)
        if tag == "img":
            alt = attrs.get("alt")
            if alt and alt.strip():
                self._alt_block(alt)
            return
        if tag == "br":
            if self.builder is not None:
                raw = self.get_starttag_text() or "<br>"
                self.builder.add_decoded("\n", self._offset(), len(raw))
            return
        if tag in CONTAINERS:
            self.containers.append((tag, None, True))
        elif tag in BLOCK_TAGS:
            mark = furniture_mark(tag, attrs)
            if mark:
                self.containers.append((mark[0], len(self.stack), mark[1]))
        if tag == "ol":
            self.ol_counters.append(int(attrs.get("start") or 1) - 1)
        if tag in BLOCK_TAGS:
            kind = BLOCK_TAGS[tag]
            label = None
            if tag == "li" and self.ol_counters:
                self.ol_counters[-1] += 1
                label = str(self.ol_counters[-1])
            # the enclosing block resumes (as a new block) after this one closes
            parent = (self.builder.kind, self.builder.level) if self.builder else None
            self.stack.append((tag, parent))
            self._new_block(kind, int(tag[1]) if kind == HEADING else 0, label)
            return
        if tag == "sup" and self.builder is not None:
            # the tag separates the marker from the word before it ("cholesterol<sup>1")
            raw = self.get_starttag_text() or "<sup>"
            self.builder.add_decoded(" ", self._offset(), len(raw))
            self.in_sup = self.builder.length
        if tag == "a":
            href = attrs.get("href") or ""
            if self.builder is None:
                self._new_block(PARAGRAPH)
            self.link = (self.builder.length, href)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if self.skip_depth:
            if tag in SKIP:
                self.skip_depth -= 1
            return
        if tag == "sup" and self.builder is not None and self.in_sup is not None:
            start = self.in_sup
            txt = self.builder.text[start:]
            if re.fullmatch(r"\s*\[?\d{1,3}(\s*[,\u2013-]\s*\d{1,3})*\]?\s*", txt):
                # the marker is its label(s), not the white space (or line break) around them
                lead, trail = len(txt) - len(txt.lstrip()), len(txt) - len(txt.rstrip())
                self.builder.markers.append(Marker(start + lead, self.builder.length - trail,
                                                   expand_labels(txt.strip().strip("[]")), "sup"))
            self.in_sup = None
            return
        if tag == "a" and self.link is not None and self.builder is not None:
            start, href = self.link
            if href and not href.startswith("#") or re.match(r"#(cite|ref|fn)", href or ""):
                self.builder.links.append(Link(start, self.builder.length, href))
            self.link = None
            return
        if tag == "ol" and self.ol_counters:
            self.ol_counters.pop()
        if tag in BLOCK_TAGS:
            # pop up to the matching open tag (tolerate unclosed children)
            for k in range(len(self.stack) - 1, -1, -1):
                if self.stack[k][0] == tag:
                    parent = self.stack[k][1]
                    del self.stack[k:]
                    self.containers = [c for c in self.containers if c[1] is None or c[1] < k]
                    self._flush()
                    if parent is not None:
                        self._new_block(parent[0], parent[1])
                    break
        if tag in CONTAINERS and (tag, None, True) in self.containers:
            i = len(self.containers) - 1 - self.containers[::-1].index((tag, None, True))
            del self.containers[i]
            self._flush()

    def _alt_block(self, alt: str):
        """Map the alt attribute's value inside the raw start tag."""
        raw = self.get_starttag_text() or ""
        start = self._offset()
        m = re.search(r"""\balt\s*=\s*(["']?)""", raw, re.I)
        if not m:
            return
        q = m.group(1)
        vstart = start + m.end()
        vend_rel = raw.find(q, m.end()) if q else re.search(r"[\s>]", raw[m.end():]).start() + m.end()
        raw_val = raw[m.end():vend_rel]
        b = BlockBuilder(ALT_TEXT)
        b.container = self._container()[0]
        _add_with_entities(b, raw_val, vstart)
        blk = b.build()
        if blk:
            # keep the surrounding block intact: alt text goes in as its own block
            cur = self.builder
            if cur is not None:
                self._flush()
                self.doc.blocks.append(blk)
                self.builder = BlockBuilder(cur.kind, cur.level)
                self.builder.container = cur.container
                self.builder.weak_container = getattr(cur, "weak_container", None)
            else:
                self.doc.blocks.append(blk)

    def handle_data(self, data):
        if self.skip_depth or not data:
            return
        start = self._offset()
        if start == 0 and data.startswith("\ufeff"):  # a byte-order mark is not text
            data, start = data[1:], 1
        if self.builder is None:
            if not data.strip():
                return
            self._new_block(PARAGRAPH)
        if "&" in data:  # at the end of the page html.parser hands over "&amp" undecoded
            _add_with_entities(self.builder, data, start)
        else:
            self.builder.add(data, start)

    def _entity(self, raw: str):
        if self.skip_depth:
            return
        if self.builder is None:
            self._new_block(PARAGRAPH)
        decoded = html.unescape(raw)
        start = self._offset()
        if decoded == raw:
            self.builder.add(raw, start)
        else:
            self.builder.add_decoded(decoded, start, len(raw))

    def handle_entityref(self, name):
        start = self._offset()
        raw = self.doc.source[start:start + len(name) + 2]
        if not raw.endswith(";"):
            raw = raw[:-1]
        self._entity(raw)

    def handle_charref(self, name):
        start = self._offset()
        raw = self.doc.source[start:start + len(name) + 3]
        if not raw.endswith(";"):
            raw = raw[:-1]
        self._entity(raw)

    def close(self):
        super().close()
        self._flush()


def _add_with_entities(b: BlockBuilder, raw: str, start: int):
    from . import ENTITY_RE
    pos = 0
    for m in ENTITY_RE.finditer(raw):
        b.add(raw[pos:m.start()], start + pos)
        decoded = html.unescape(m.group(0))
        if decoded == m.group(0):
            b.add(decoded, start + m.start())
        else:
            b.add_decoded(decoded, start + m.start(), len(m.group(0)))
        pos = m.end()
    b.add(raw[pos:], start + pos)


def parse_html(source: str, path: str = "<text>") -> Document:
    doc = Document(path, source, "html")
    p = _Parser(doc)
    try:
        p.feed(source)
        p.close()
    except AssertionError:  # html.parser's last-resort complaint about malformed markup
        p._flush()
    return finish_document(doc)
