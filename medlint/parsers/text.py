"""Plain-text parser.

Paragraphs are separated by blank lines. Inside a group of lines, a short line without
closing punctuation followed by more text is a heading (web copy pasted as text keeps its
headings on their own line); a line ending a sentence ends its block; a line that ends
mid-sentence continues into the next (hard-wrapped prose). Lines that are only an HTML
comment (the suppression dialect) are not prose. Bullet markers ("-", "*", "•", "1.")
make list items.

A file written one paragraph per line (copy pasted from a web page or a word processor:
long lines, paragraphs separated by single line breaks) is not hard-wrapped, so there every
line is its own paragraph, whatever it ends with: see :func:`one_paragraph_per_line`.
"""
from __future__ import annotations

import re

from ..document import HEADING, LIST_ITEM, PARAGRAPH, BlockBuilder, Document, finish_document

BULLET_RE = re.compile(r"^(\s*)([-*+\u2022\u25aa\u2013]|\d{1,3}[.)]|\[\d{1,3}\])\s+")
COMMENT_LINE_RE = re.compile(r"^\s*<!--.*-->\s*$")
END_RE = re.compile(r"""[.!?:;]["'\u201d\u2019)\]]*\s*$""")


# a line ending in one of these words continues on the next line (hard-wrapped prose)
CONTINUATION_WORDS = {"a", "an", "the", "and", "or", "but", "nor", "of", "to", "in", "on", "at",
                      "for", "with", "by", "from", "as", "that", "which", "who", "is", "are",
                      "was", "were", "be", "your", "our", "their", "its", "my", "than", "into",
                      "about", "if", "when", "while", "because", "so", "can", "may", "will"}


def _is_heading(line: str, nxt: str | None) -> bool:
    s = line.strip()
    if not s or BULLET_RE.match(line):
        return False
    standalone = nxt is None or not nxt.strip()
    if END_RE.search(s) and not (standalone and s.endswith("?")):
        return False
    words = s.split()
    if len(words) > 14:
        return False
    if standalone:
        return True
    # followed by more text: a heading only when the next line starts afresh and this line
    # does not stop mid-phrase (otherwise it is the first line of hard-wrapped prose)
    if nxt.strip()[:1].islower() or s.endswith((",", "-", "\u2013", "\u2014")):
        return False
    return words[-1].lower() not in CONTINUATION_WORDS and _title_like(words)


# a line longer than this is not hard-wrapped text (editors and mail wrap at 72-80 columns)
LONG_LINE = 100


def one_paragraph_per_line(lines: list[str]) -> bool:
    """Whether a file puts each paragraph on one line: at least a quarter of its lines of
    prose (five words or more) are longer than LONG_LINE characters. Hard-wrapped text has
    none, whether or not it separates paragraphs with blank lines."""
    prose = [ln for ln in lines if len(ln.split()) >= 5]
    if not prose:
        return False
    return sum(len(ln.strip()) > LONG_LINE for ln in prose) * 4 >= len(prose)


def parse_text(source: str, path: str = "<text>") -> Document:
    doc = Document(path, source, "text")
    starts = doc.lines.starts
    n = len(starts)
    lines = []
    for i in range(n):
        a = starts[i]
        b = starts[i + 1] if i + 1 < n else len(source)
        raw = source[a:b]
        lines.append((a, raw.rstrip("\r\n")))
    if source.startswith("\ufeff"):  # a byte-order mark is not text (nor a line's indent)
        lines[0] = (1, lines[0][1][1:])
    per_line = one_paragraph_per_line([ln for _, ln in lines])
    builder: BlockBuilder | None = None

    def flush():
        nonlocal builder
        if builder is not None:
            blk = builder.build()
            if blk is not None:
                doc.blocks.append(blk)
        builder = None

    for i, (start, line) in enumerate(lines):
        if not line.strip() or COMMENT_LINE_RE.match(line):
            flush()
            continue
        if per_line:
            flush()  # one paragraph per line: no line continues another
        nxt = lines[i + 1][1] if i + 1 < len(lines) else None
        if nxt is not None and COMMENT_LINE_RE.match(nxt):
            nxt = None
        m = BULLET_RE.match(line)
        if m:
            flush()
            builder = BlockBuilder(LIST_ITEM)
            num = re.match(r"\[?(\d+)", m.group(2))
            builder.label = num.group(1) if num else None
            builder.add(line[m.end():], start + m.end())
            if END_RE.search(line):
                flush()
            continue
        if per_line:
            # a short unpunctuated line that leads a paragraph; a question stays a paragraph (FAQ
            # entries: their answers belong with them, as in hard-wrapped text)
            heading = (not line.rstrip().endswith("?") and _is_heading(line, None)
                       and (_standalone_heading(line) or _leads_prose(line, nxt)))
        else:
            heading = builder is None and _is_heading(line, nxt) and (nxt is not None and nxt.strip()
                                                                       or _standalone_heading(line))
        if heading:
            b = BlockBuilder(HEADING, 0)
            b.add(line, start)
            blk = b.build()
            if blk:
                doc.blocks.append(blk)
            continue
        if builder is not None and not _continues(lines[i - 1][1], line):
            flush()
        if builder is None:
            builder = BlockBuilder(PARAGRAPH)
        else:
            builder.add(source[start - 1], start - 1, strip_urls=False)  # the line break
        builder.add(line, start)
        if END_RE.search(line):
            flush()
    flush()
    return finish_document(doc)


def _continues(prev: str, line: str) -> bool:
    """A hard-wrapped line continues the previous one when it starts in lower case or the
    previous line breaks after a comma, a dash or an opening bracket; lines that start with a
    capital after a line with no closing punctuation are separate (list-like) lines."""
    first = line.lstrip()[:1]
    return bool(first) and (first.islower() or prev.rstrip()[-1:] in ",;([-\u2013\u2014&/")


def _leads_prose(line: str, nxt: str | None) -> bool:
    """A short line followed by a paragraph at least twice as long (a dozen words or more):
    the heading of a text written one paragraph per line, in any case."""
    if not nxt or BULLET_RE.match(nxt):
        return False
    n = len(nxt.split())
    return n >= 12 and n >= 2 * len(line.split())


def _standalone_heading(line: str) -> bool:
    """A short line on its own between blank lines, with no sentence punctuation."""
    s = line.strip()
    words = s.split()
    if not words or len(words) > 14:
        return False
    if s.endswith("?"):
        return True
    return _title_like(words)


SMALL_WORDS = {"a", "an", "the", "and", "or", "of", "in", "on", "for", "to", "with", "at", "by",
               "vs", "vs.", "from", "&", "|", "-", "\u2013", "\u2014", "is", "are", "your", "our"}


def _title_like(words) -> bool:
    """Title Case or ALL CAPS: most words that are not small words start with a capital."""
    big = [w for w in words if w.lower() not in SMALL_WORDS]
    if not big:
        return False
    caps = sum(1 for w in big if w[:1].isupper() or not w[:1].isalpha())
    return caps >= 0.6 * len(big)
