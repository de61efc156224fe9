"""The document model: blocks of prose whose every character maps back to the source.

A parser turns a source file into a :class:`Document` made of :class:`Block` objects. Each
block keeps ``segments``: runs of its text and the source offsets they came from, so a span
inside a block is converted to a source offset (and then to a line and column) exactly once,
by bisection, without searching the source again.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Iterator

# Block kinds (rule scopes). "prose" kinds are what rules read by default.
HEADING = "heading"
PARAGRAPH = "paragraph"
LIST_ITEM = "list_item"
TABLE_CELL = "table_cell"
BLOCKQUOTE = "blockquote"
ALT_TEXT = "alt_text"
TITLE = "title"
REFERENCE = "reference"  # an entry of the page's reference list / footnote definitions
BLOCK_KINDS = (HEADING, PARAGRAPH, LIST_ITEM, TABLE_CELL, BLOCKQUOTE, ALT_TEXT, TITLE, REFERENCE)
PROSE_KINDS = (HEADING, PARAGRAPH, LIST_ITEM, TABLE_CELL, BLOCKQUOTE, ALT_TEXT)

URL_RE = re.compile(r"""(?:https?://|www\.)[^\s<>"'\]\)]*[^\s<>"'\]\).,;:!?]""", re.I)
REFERENCE_HEADING_RE = re.compile(
    r"^\s*(references?|sources?|citations?|bibliography|works cited|footnotes|notes|"
    r"further reading|literature cited|studies cited)\s*:?\s*$", re.I)


_ASTRAL_RE = re.compile("[\U00010000-\U0010FFFF]")


class LineIndex:
    """Offset -> (line, column) by bisection. Lines and columns are 1-based code points.

    ``\\n``, ``\\r\\n`` and a lone ``\\r`` all end a line.
    """

    def __init__(self, source: str):
        self.source = source
        starts = [0]
        for m in re.finditer(r"\r\n|\r|\n", source):
            starts.append(m.end())
        self.starts = starts

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line ending."""
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.source)
        return self.source[start:end].rstrip("\r\n")

    def offset(self, line: int, column: int) -> int:
        return self.starts[line - 1] + column - 1

    def utf16_column(self, line: int, column: int) -> int:
        """0-based UTF-16 code unit column for a 1-based code point column (for LSP)."""
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.source)
        # the line's text up to the column (line_text(line)[:column - 1] without copying a
        # long line whole: a paragraph is often one line)
        text = self.source[start:min(end, start + column - 1)].rstrip("\r\n")
        return len(text) + len(_ASTRAL_RE.findall(text))  # two code units outside the BMP

    @property
    def line_count(self) -> int:
        return len(self.starts)


@dataclass
class Segment:
    """``length`` characters of block text starting at ``text_start`` come from
    ``src_len`` source characters at ``src_start``. When the two lengths differ the run was
    decoded (an HTML entity): every character of it maps to the entity."""

    text_start: int
    src_start: int
    length: int
    src_len: int

    @property
    def decoded(self) -> bool:
        return self.length != self.src_len


@dataclass
class Link:
    """A hyperlink or bare URL attached to a span of block text (start == end for a URL
    that was removed from the prose)."""

    start: int
    end: int
    url: str


@dataclass
class Marker:
    """A reference marker such as ``[3]``, ``<sup>3</sup>`` or ``[^3]``."""

    start: int
    end: int
    labels: tuple[str, ...]
    style: str  # "bracket", "sup", "footnote"


@dataclass
class Block:
    kind: str
    text: str
    segments: list[Segment]
    level: int = 0  # heading level
    section: int | None = None  # index of the heading block this block sits under
    index: int = 0
    links: list[Link] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    label: str | None = None  # for reference entries: the number/label it answers to
    in_references: bool = False
    container: str | None = None  # e.g. "footer", "nav" for HTML blocks outside main content

    def src_offset(self, i: int) -> int:
        """Source offset of block text character ``i``."""
        seg = self._segment(i)
        if seg.decoded:
            return seg.src_start
        return seg.src_start + (i - seg.text_start)

    def src_end(self, i: int) -> int:
        """Source offset just past block text character ``i - 1`` (for span ends)."""
        if i <= 0:
            return self.src_offset(0)
        seg = self._segment(i - 1)
        if seg.decoded:
            return seg.src_start + seg.src_len
        return seg.src_start + (i - seg.text_start)

    def _segment(self, i: int) -> Segment:
        if not self.segments:
            raise IndexError("empty block")
        starts = self.__dict__.get("_starts")
        if starts is None or len(starts) != len(self.segments):
            starts = self.__dict__["_starts"] = [s.text_start for s in self.segments]
        return self.segments[max(0, bisect_right(starts, i) - 1)]

    @property
    def is_prose(self) -> bool:
        return self.kind in PROSE_KINDS and not self.in_references


@dataclass
class Document:
    path: str
    source: str
    format: str  # "text", "markdown", "html"
    blocks: list[Block] = field(default_factory=list)
    # label -> index of the reference-list block that answers to it
    references: dict[str, int] = field(default_factory=dict)
    cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        self.lines = LineIndex(self.source)

    def prose_blocks(self, kinds=PROSE_KINDS) -> Iterator[Block]:
        for b in self.blocks:
            if b.kind in kinds and not b.in_references and b.text.strip():
                yield b

    def span_position(self, block: Block, start: int, end: int) -> tuple[int, int, int, int]:
        """(line, column, end_line, end_column) of block text span [start, end).
        The end column is exclusive-ended inclusive position convention of LSP-like ranges:
        ``end_column`` is the column just after the last character."""
        s = block.src_offset(start)
        e = block.src_end(end) if end > start else s
        line, col = self.lines.position(s)
        end_line, end_col = self.lines.position(e)
        return line, col, end_line, end_col


class BlockBuilder:
    """Accumulates the text of one block from source pieces, recording the offset map.

    Parsers call :meth:`add` with text that appears verbatim in the source at ``src_start``,
    and :meth:`add_decoded` for text decoded from an entity. Bare URLs are kept out of the
    prose text and recorded as links.
    """

    def __init__(self, kind: str, level: int = 0, strip_urls: bool = True):
        self.kind = kind
        self.level = level
        self.parts: list[str] = []
        self.segments: list[Segment] = []
        self.links: list[Link] = []
        self.markers: list[Marker] = []
        self.length = 0
        self.strip_urls = strip_urls
        self.label: str | None = None
        self.container: str | None = None

    def add(self, text: str, src_start: int, strip_urls: bool | None = None):
        if not text:
            return
        strip = self.strip_urls if strip_urls is None else strip_urls
        if strip:
            pos = 0
            for m in URL_RE.finditer(text):
                self._append(text[pos:m.start()], src_start + pos)
                self.links.append(Link(self.length, self.length, m.group(0)))
                pos = m.end()
            text, src_start = text[pos:], src_start + pos
        self._append(text, src_start)

    def _append(self, text: str, src_start: int):
        if not text:
            return
        last = self.segments[-1] if self.segments else None
        if last and not last.decoded and last.src_start + last.src_len == src_start \
                and last.text_start + last.length == self.length:
            last.length += len(text)
            last.src_len += len(text)
        else:
            self.segments.append(Segment(self.length, src_start, len(text), len(text)))
        self.parts.append(text)
        self.length += len(text)

    def add_decoded(self, text: str, src_start: int, src_len: int):
        if not text:
            return
        self.segments.append(Segment(self.length, src_start, len(text), src_len))
        self.parts.append(text)
        self.length += len(text)

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def build(self) -> Block | None:
        """The block, trimmed of surrounding whitespace; None when it holds no text."""
        text = self.text
        lead = len(text) - len(text.lstrip())
        trail = len(text.rstrip())
        if trail <= lead:
            return None
        if lead or trail < len(text):
            segments = _slice_segments(self.segments, lead, trail)
            text = text[lead:trail]
            links = [Link(max(0, min(l.start - lead, trail - lead)), max(0, min(l.end - lead, trail - lead)), l.url)
                     for l in self.links]
            markers = [Marker(m.start - lead, m.end - lead, m.labels, m.style) for m in self.markers
                       if m.start >= lead and m.end <= trail]
        else:
            segments, links, markers = self.segments, self.links, self.markers
        block = Block(self.kind, text, segments, level=self.level, links=links, markers=markers)
        block.label = self.label
        block.container = self.container
        return block


def _slice_segments(segments: list[Segment], lo: int, hi: int) -> list[Segment]:
    out = []
    for s in segments:
        a, b = max(lo, s.text_start), min(hi, s.text_start + s.length)
        if a >= b:
            continue
        if s.decoded:
            out.append(Segment(a - lo, s.src_start, b - a, s.src_len))
        else:
            out.append(Segment(a - lo, s.src_start + (a - s.text_start), b - a, b - a))
    return out


MARKER_RE = re.compile(r"\[(\d{1,3}(?:\s*[,\u2013\u2014-]\s*\d{1,3})*)\]")


def expand_labels(spec: str) -> tuple[str, ...]:
    """'1, 3-5' -> ('1', '3', '4', '5')."""
    labels: list[str] = []
    for part in re.split(r"\s*,\s*", spec.strip()):
        m = re.match(r"^(\d+)\s*[\u2013\u2014-]\s*(\d+)$", part)
        if m and int(m.group(2)) - int(m.group(1)) < 50:
            labels += [str(n) for n in range(int(m.group(1)), int(m.group(2)) + 1)]
        elif part:
            labels.append(part)
    return tuple(labels)


def finish_document(doc: Document) -> Document:
    """Common post-processing for every parser: bracket markers, sections, reference list."""
    in_refs = False
    ref_level = 0
    ref_container = None
    section = None
    for i, b in enumerate(doc.blocks):
        b.index = i
        if in_refs and b.container != ref_container:
            in_refs = False
        if b.kind == HEADING:
            if in_refs and b.level and b.level <= ref_level:
                in_refs = False
            elif in_refs and not b.level:
                in_refs = False
            if REFERENCE_HEADING_RE.match(b.text):
                in_refs, ref_level, ref_container = True, b.level or 0, b.container
            section = i
        else:
            b.section = section
        if in_refs and b.kind != HEADING:
            b.in_references = True
            if b.kind in (LIST_ITEM, PARAGRAPH, REFERENCE):
                if b.label is None:
                    m = re.match(r"^\s*\[?\^?(\d{1,3})[\].):]?\s+\S", b.text)
                    if m:
                        b.label = m.group(1)
        if b.kind == REFERENCE:
            b.in_references = True
        if b.in_references and b.label is not None:
            doc.references.setdefault(b.label, i)
        for m in MARKER_RE.finditer(b.text):
            if b.in_references and m.start() == 0:
                continue
            if any(x.start <= m.start() and m.end() <= x.end for x in b.markers):
                continue  # already a marker: <sup>[1]</sup>
            b.markers.append(Marker(m.start(), m.end(), expand_labels(m.group(1)), "bracket"))
        b.markers.sort(key=lambda m: m.start)
    return doc
