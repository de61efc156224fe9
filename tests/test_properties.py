"""Property-based tests (hypothesis) of the three parsers and of position mapping.

Generated pages (Markdown, HTML, plain text) mix health-marketing sentences of our own with
nested inline markup, named and numeric entities (also ``&#xD800;`` and other code points a
page cannot hold), comments, front matter, inline and fenced code, tables, footnotes,
reference markers, CR LF / CR / LF line ends, a byte-order mark, tabs, emoji, combining
marks and zero-width characters. Three properties, each checked on every example:

1. ``test_parse_positions`` (parse only): each block's segments tile its text, move forward
   through the source and hold what the source holds there (verbatim, or what an entity
   or a ``<br>``/``<sup>`` tag stands for); every word, marker and block span maps to the
   line and column an independent computation gives, and the source there renders to the
   span's text (HTML: markup stripped, entities decoded; Markdown: the span's characters in
   order, markup aside; text: the same characters); the UTF-16 column (what the language
   server sends) of every column of every line that is not pure ASCII agrees with a running
   count, its inverse, the UTF-16 encoding's length and pygls's converter.
2. ``test_lint``: a full lint (what ``medlint.lint_text`` does) of a page with suppression
   comments made inert: no error; every finding's range and offsets lie in the file, start
   on a character of their line, are a span of a block whose source holds its text, and
   the language server's UTF-16 range agrees (``medlint.lsp._range``, converted back).
   Then the page with its comments active is linted (a second lint, cheap: the parsed
   blocks are shared) and must lose exactly the findings the README's suppression rules
   name; the inert page has the same length, lines and prose.
3. ``test_suppression_comments``: the same suppression check on short pages dense with
   comments (own line, end of line, stacked, names, codes, prefixes, categories).

Each property runs twice: a fast profile in every run (``-m "not slow"``), and a long one
marked ``slow`` (run by ``.ci/run``) with 20,000 examples each. Both are derandomized, so
a run is reproducible. Measured on the 2-core development machine:

============================  ========  ========  ==================================
property                      fast      slow      slow run time (derandomized)
============================  ========  ========  ==================================
test_parse_positions          400       20,000    340 s
test_lint                     200       20,000    512 s (each example: one lint, plus
                                                  a second, cached one with comments)
test_suppression_comments     200       20,000    282 s
============================  ========  ========  ==================================

The fast profile of the whole file (these three and the explicit tests) takes 14 to 20 s;
the slow profile (``-m slow``) took 1,138 s (19 min) for the three properties. Health
checks: only ``too_slow`` is suppressed, since an example may run a full lint.

Counterexamples the properties found are explicit tests at the end of this file.
"""
from __future__ import annotations

import bisect
import html
import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from medlint.engine import Linter, Options
from medlint.parsers import parse
from medlint.runner import RunResult, lint_source, site_pass

FAST = 200  # examples per property in the fast profile
SLOW = 20_000  # examples per property with -m slow (run by .ci/run)
EXT = {"text": ".txt", "markdown": ".md", "html": ".html"}

# --- the linter --------------------------------------------------------------------------

_LINTER: list = []


def linter() -> Linter:
    if not _LINTER:
        _LINTER.append(Linter(Options(isolated=True)))
    return _LINTER[0]


def full_lint(source: str, fmt: str):
    """What ``medlint.lint_text(source, path, fmt, isolated=True)`` does (parse, every rule,
    inline suppressions, the cross-page pass), on one shared Linter so that an example does
    not pay for building the rule set again; also returns the page's errors, which
    ``lint_text`` would raise."""
    path = "page" + EXT[fmt]
    res = lint_source(linter(), source, path, fmt)
    site_pass(linter(), RunResult(files=[res]))
    return res.findings, res.errors


@pytest.fixture(scope="module", autouse=True)
def _warm():
    """Load the language pipeline and the rule packs once, outside every example's time."""
    full_lint("Our drip cures fatigue in one visit. Studies show it works.[1]\n", "text")


# --- generated pages ---------------------------------------------------------------------
# Sentences in our own words, written so that rules fire: claims, exaggerations, vague and
# broken citations, risk minimising, a promoted treatment, jargon, a long sentence.
SENTENCES = [
    "Our drip cures fatigue in one visit.",
    "Studies show it works.",
    "Side effects are rare and mild.",
    "Semaglutide melts fat fast, guaranteed!",
    "Our clinic offers semaglutide injections for weight loss.",
    "This miracle tonic gives instant relief [1].",
    "It is completely safe and non-addictive.",
    "Results were seen within two weeks.[2]",
    "Ask your doctor whether it suits you.",
    "Nausea and vomiting can occur.",
    "Our hyperlipidemia program lowers cholesterol for good.",
    "Experts agree that the cleanse flushes toxins from your liver.",
    "Ketamine therapy relieves depression immediately.",
    "Book today.",
    "The infusion, which our nurses prepare from a blend of vitamins, minerals, amino acids and "
    "electrolytes selected for each guest after a short consultation, restores energy, sharpens "
    "focus, strengthens immunity and supports recovery after travel, exercise or a long week.",
]
WORDS = ["drip", "cures", "fatigue", "miracle", "[1]", "[2, 3]", "[4-5]", "Studies", "show",
         "semaglutide", "harmless", "visit", "NAD+", "50%", "(see below)", "e.g.", "\u2014"]
# characters that trip position arithmetic: astral (two UTF-16 units), combining marks,
# zero-width characters, a BOM inside text, tabs, CJK, no-break spaces, a line separator
ODD = ["\U0001F600", "\U0001F44D\U0001F3FD", "\U0001D400", "e\u0301", "n\u0303o", "\u200b",
       "\u200d", "\u2060", "\ufeff", "\t", "\u65e5\u672c\u8a9e", "caf\u00e9", "\u00a0", "\u2014",
       "\u201cquoted\u201d", "\u2028", "\x85", "\u00ad", "\\ud800", "\U0001F9EA\u200d\U0001F52C"]
NAMED_ENTITIES = ["&amp;", "&eacute;", "&nbsp;", "&lt;", "&gt;", "&quot;", "&copy;", "&mdash;",
                  "&hellip;", "&amp", "&copy", "&notit;", "&nosuchentity;", "&AMP;"]
NUMERIC_ENTITIES = ["&#233;", "&#xE9;", "&#x1F600;", "&#128512;", "&#xD800;", "&#xDFFF;",
                    "&#0;", "&#x110000;", "&#13;", "&#10;", "&#9;", "&#8203;", "&#x301;",
                    "&#65279;", "&#91;1&#93;", "&#1234567;"]
ENTITIES = NAMED_ENTITIES + NUMERIC_ENTITIES
NEWLINES = ["\n", "\r\n", "\r"]



def _runs() -> list[str]:
    """Runs of prose: the sentences, and the sentences with an odd character or a marker
    inside, before or after them (drawing one run is much cheaper than building it from
    many small draws)."""
    runs = list(SENTENCES) + WORDS + ODD
    for i, s in enumerate(SENTENCES * 3):
        odd_ = ODD[i % len(ODD)]
        words = s.split()
        k = (i * 7) % len(words)
        runs.append(" ".join(words[:k] + [odd_] + words[k:]))
        runs.append(odd_ + s if i % 2 else s + odd_)
        runs.append(s[:-1] + " " + WORDS[i % len(WORDS)] + s[-1])
    return runs


RUNS = _runs()
sentence = st.sampled_from(SENTENCES)
plain_run = st.sampled_from(RUNS)


def _join(draw, parts, seps):
    return "".join(p + draw(st.sampled_from(seps)) for p in parts)


# ... HTML

HTML_LEAVES = (
    [e + tail for e in ENTITIES for tail in ("", "x")]
    + ["<br>", "<br/>", "<br />", "<br>\n", "<sup>1</sup>", "<sup>[2]</sup>", "<sup>3, 4</sup>",
       "<sup><a href=\"#ref-1\">1</a></sup>", "<sup>TM</sup>", "<sup>\n[1]</sup>", "<sup> 2 </sup>",
       "<sup>\n3\n</sup>", "<!-- note -->", "<!-- a > b -->",
       "<!---->", "<!-- multi\nline -->", "<code>x()</code>", "<code>a &lt; b</code>",
       "<svg><text>miracle</text></svg>", "[1]", "[2]", "[1, 3]", "[7]", "[^1]",
       "<img src=\"a.png\" alt=\"Caf&eacute; &amp; spa\">", "<img alt='Our drip cures fatigue.'>",
       "<img src=x alt=\"\U0001F600 instant relief\">", "<img alt=unquoted>"])
HTML_WRAPS = ["<b>{}</b>", "<i>{}</i>", "<em class=\"x\">{}</em>", "<strong>{}</strong>",
              "<span title=\"a &amp; b\">{}</span>", "<a href=\"https://example.org/a?b=1&amp;c=2\">{}</a>",
              "<a href=\"#ref-1\">{}</a>", "<a href=\"/x\">{}</a>", "<small>{}</small>"]
html_leaf = st.one_of(plain_run, st.sampled_from(HTML_LEAVES))


@st.composite
def html_inline(draw, depth=0):
    if depth >= 2 or draw(st.integers(0, 3)):
        return draw(html_leaf)
    inner = draw(st.lists(html_inline(depth + 1), min_size=1, max_size=3))
    return draw(st.sampled_from(HTML_WRAPS)).format(_join(draw, inner, [" ", "", "\n"]).strip(" "))


@st.composite
def html_inlines(draw):
    parts = draw(st.lists(html_inline(), min_size=1, max_size=5))
    return _join(draw, parts, [" ", " ", "", "\n", "\t"]).strip(" ")


HTML_SKIPPED = ["<pre>cures   all\n  ills</pre>", "<script>let a = '<p>x</p>';</script>",
                "<style>p { color: red }</style>", "<textarea>miracle</textarea>",
                "<!-- section break -->", "<!--\nmulti-line\n-->",
                "<h2>References</h2>\n<ol><li>Doe A. A trial of drips. J Test. 2020.</li></ol>",
                "<h2>Sources</h2>\n<ol><li>Doe A. Drips. 2020.</li><li>Roe B. Fatigue outcomes. "
                "2021. https://example.org/r</li></ol>"]
HTML_BLOCKS = ["<p>{}</p>", "<p>{}</p>", "<h1>{}</h1>", "<h3 class=\"t\">{}</h3>", "<ul><li>{}</li></ul>",
               "<ol>\n<li>{}\n<li>two</ol>", "<table>\n<tr><td>{}</td><th>Price</th></tr>\n</table>",
               "<blockquote><p>{}</p></blockquote>", "<div class=\"content\">{}\n<p>more</p></div>",
               "{}", "<p>{}", "<footer><p>{}</p></footer>", "<nav class=\"menu\"><a href=\"/\">{}</a></nav>"]


@st.composite
def html_block(draw):
    if draw(st.integers(0, 4)) == 0:
        return draw(st.sampled_from(HTML_SKIPPED))
    return draw(st.sampled_from(HTML_BLOCKS)).format(draw(html_inlines()))


@st.composite
def html_page(draw):
    body = "\n".join(draw(st.lists(html_block(), min_size=1, max_size=6)))
    if draw(st.booleans()):
        title = draw(st.sampled_from(["Drip &amp; Co", "Semaglutide \U0001F489 plans", SENTENCES[0]]))
        body = (f"<!DOCTYPE html>\n<html><head><title>{title}</title></head>\n"
                f"<body>\n{body}\n</body></html>\n")
    return body


# ... Markdown

MD_LEAVES = (
    ENTITIES
    + ["`x()`", "``a ` b``", "`cures all`", "` miracle `", "[this study](https://example.org/x)",
       "[Our drip cures fatigue.](https://doi.org/10.1/a(b)c)",
       "[**bold** link](<https://x.org/a b> \"title\")",
       "[1](/page \"t\")", "[a reference][ref]", "![Our drip cures fatigue.](img.png \"t\")",
       "![alt with *stars*](img.png)", "![\U0001F600 instant relief](i.png)", "<https://example.org/auto>",
       "https://example.org/bare", "www.example.org/w", "[^1]", "[^note]", "[^9]", "[1]", "[2]", "[1, 3]",
       "[7]", "<sup>1</sup>", "<sup>2, 3</sup>", "<sup> 4 </sup>", "<sup>\n[5]</sup>",
       "<span class=\"x\">", "</span>", "<b>bold</b>", "<br>",
       "<!-- note -->", "\\*", "\\_", "\\[", "\\]", "\\\\", "\\#", "\\&amp;", "  \n", "\\\n"])
MD_WRAPS = ["**{}**", "*{}*", "_{}_", "__{}__", "***{}***", "~~{}~~", "**{} _x_**"]
md_leaf = st.one_of(plain_run, st.sampled_from(MD_LEAVES))


@st.composite
def md_inline(draw, depth=0):
    if depth >= 2 or draw(st.integers(0, 3)):
        return draw(md_leaf)
    inner = draw(st.lists(md_inline(depth + 1), min_size=1, max_size=3))
    return draw(st.sampled_from(MD_WRAPS)).format(" ".join(inner).strip() or "x")


@st.composite
def md_inlines(draw, breaks=True):
    parts = draw(st.lists(md_inline(), min_size=1, max_size=5))
    out = _join(draw, parts, [" ", " ", "", "\n"] if breaks else [" ", ""])
    if not breaks:
        out = out.replace("\n", " ")
    return out.strip(" ") or "x"


MD_FIXED = ["```\nThis miracle cures all.\n<!-- not a comment -->\n```", "~~~python\nx = 1\n~~~",
            "    indented code: a miracle", "<div>\nOur drip cures fatigue in one visit.\n</div>",
            "<!-- section -->", "<!--\nmulti-line comment\n-->", "---",
            "## References\n\n1. Doe A. A trial of drips. 2020.\n2. Roe B. Outcomes. 2021.",
            "[ref]: https://example.org/ref \"Ref\""]
MD_BLOCKS = ["{}", "{}", "{}", "# {}", "## {}", "{}\n===", "{}\n---", "- {}", "1. {}", "* {}\n  - {}",
             "> {}", "> {}\n> {}", "| Head | Price |\n|---|:-:|\n| {} | {} |", "[^1]: {}", "[^note]: {}"]


@st.composite
def md_block(draw):
    if draw(st.integers(0, 4)) == 0:
        return draw(st.sampled_from(MD_FIXED))
    form = draw(st.sampled_from(MD_BLOCKS))
    n = form.count("{}")
    if n == 1 and not form.startswith(("#", ">", "-", "1.", "*", "[^", "|")) and "\n" not in form:
        return form.format(draw(md_inlines()))
    cells = [draw(md_inlines(breaks=False)) for _ in range(n)]
    if form.startswith("|"):
        cells = [c.replace("|", "\\|") for c in cells]
    return form.format(*cells)


@st.composite
def md_page(draw):
    blocks = draw(st.lists(md_block(), min_size=1, max_size=6))
    out = _join(draw, blocks, ["\n\n", "\n\n", "\n", "\n\n\n"])
    if draw(st.integers(0, 3)) == 0:
        front = ["---\ntitle: Drip cures all\n---\n", "+++\ntitle = \"x\"\n+++\n\n"]
        out = draw(st.sampled_from(front)) + out
    return out


# ... plain text

TEXT_FIXED = ["Why Choose Our Drip", "IV THERAPY", "Is It Safe?", "Semaglutide \U0001F489 Plans", "",
              "", " ", "\t", "<!-- a note -->", "References\n[1] Doe A. A trial of drips. 2020.",
              "Sources\n1. Doe A. 2020.\n2. Roe B. 2021."]
TEXT_FORMS = ["{}", "{}", "{}", "- {}", "* {}", "\u2022 {}", "1. {}", "[1] {}", "\t- {}", "{} and"]


@st.composite
def text_line(draw):
    if draw(st.integers(0, 2)) == 0:
        return draw(st.sampled_from(TEXT_FIXED))
    return draw(st.sampled_from(TEXT_FORMS)).format(draw(plain_run))


@st.composite
def text_page(draw):
    return "\n".join(draw(st.lists(text_line(), min_size=1, max_size=10)))


PAGES = {"text": text_page(), "markdown": md_page(), "html": html_page()}


@st.composite
def page(draw, fmt=None):
    """(source, fmt): a generated page with a mix of line ends, maybe a BOM."""
    fmt = fmt or draw(st.sampled_from(sorted(PAGES)))
    src = draw(PAGES[fmt])
    return mix_line_ends(draw, src), fmt


def join_lines(draw, lines, last=False):
    """Lines joined by line ends drawn one by one (and after the last line too when
    ``last``); an empty line between CR and LF would make them one CR LF line end, so
    such an LF becomes a CR."""
    out = ""
    for k, line in enumerate(lines):
        out += line
        if k < len(lines) - 1 or last:
            nl = draw(st.sampled_from(NEWLINES))
            out += "\r" if nl == "\n" and out.endswith("\r") else nl
    return out


def mix_line_ends(draw, src):
    mix = draw(st.sampled_from(["lf", "crlf", "cr", "mixed"]))
    if mix == "mixed":
        src = join_lines(draw, src.split("\n"))
    elif mix != "lf":
        src = src.replace("\n", {"crlf": "\r\n", "cr": "\r"}[mix])
    if draw(st.integers(0, 4)) == 0:
        src = "\ufeff" + src
    return src


# --- independent oracles -----------------------------------------------------------------

LINE_END = re.compile(r"\r\n|\r|\n")


def split_lines(source: str) -> list[str]:
    """The lines of ``source`` without their ends: only CR LF, CR and LF end a line (as in
    the Language Server Protocol; str.splitlines would also split on U+2028 and others)."""
    return LINE_END.split(source)


_STARTS: dict = {}


def where(source: str, offset: int) -> tuple[int, int]:
    """(line, column), 1-based code points, of an offset; computed without LineIndex (the
    line starts of the last page are kept, as a page is asked about many offsets)."""
    if _STARTS.get("source") is not source:
        _STARTS.clear()
        _STARTS.update(source=source, starts=[m.end() for m in LINE_END.finditer(source)])
    starts = _STARTS["starts"]
    line = bisect.bisect_right(starts, offset)
    return line + 1, offset - (starts[line - 1] if line else 0) + 1


def utf16_units(s: str) -> int:
    return len(s.encode("utf-16-le", "surrogatepass")) // 2


def utf16_to_column(line_text: str, units: int) -> int:
    """1-based code point column of a 0-based UTF-16 offset (the inverse of utf16_column)."""
    n = 0
    for k, ch in enumerate(line_text):
        if n >= units:
            return k + 1
        n += 2 if ord(ch) > 0xFFFF else 1
    return len(line_text) + 1


COMMENT = re.compile(r"<!--.*?-->", re.S)
SKIPPED = re.compile(r"<(code|svg|math|textarea|select|object|iframe|noscript)\b.*?</\1\s*>",
                     re.S | re.I)
TAG = re.compile(r"</?[A-Za-z][^>]*>")


def render_html(fragment: str) -> str:
    """The prose text of an HTML source fragment that lies inside one block, computed
    without html.parser: comments and skipped inline elements vanish, <br> is a line
    break, <sup> a space (it separates a marker from the word before it), other tags
    vanish, entities are decoded."""
    fragment = COMMENT.sub("", fragment)
    fragment = SKIPPED.sub("", fragment)

    def tag(m):
        t = m.group(0).lower()
        if re.match(r"<br\b", t):
            return "\n"
        if re.match(r"<sup\b", t):
            return " "
        return ""
    return html.unescape(TAG.sub(tag, fragment))


ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?")


def in_order(needle: str, haystack: str) -> bool:
    """The characters of ``needle`` appear in ``haystack`` in order, each either verbatim or
    as (part of the decoding of) an entity; what lies between them is markup."""
    i = pos = 0
    while i < len(needle):
        if pos >= len(haystack):
            return False
        if haystack[pos] == needle[i]:
            i, pos = i + 1, pos + 1
            continue
        m = ENTITY.match(haystack, pos) if haystack[pos] == "&" else None
        if m and html.unescape(m.group(0)) and needle.startswith(html.unescape(m.group(0)), i):
            i, pos = i + len(html.unescape(m.group(0))), m.end()
            continue
        pos += 1
    return True


# --- the checks --------------------------------------------------------------------------


def check_segments(doc):
    """Each block's segments tile its text, move forward through the source, and hold the
    source's characters (verbatim runs) or what the source's markup decodes to."""
    src = doc.source
    for b in doc.blocks:
        assert b.text and b.segments, (b.kind, b.text)
        covered, last_end = 0, 0
        for seg in b.segments:
            assert seg.text_start == covered, (b.text, b.segments)
            assert seg.length > 0 and seg.src_len > 0
            assert last_end <= seg.src_start and seg.src_start + seg.src_len <= len(src), \
                (b.text, seg, last_end)
            last_end = seg.src_start + seg.src_len
            chunk = b.text[seg.text_start:seg.text_start + seg.length]
            raw = src[seg.src_start:seg.src_start + seg.src_len]
            if not seg.decoded:
                assert raw == chunk, (b.text, seg, raw, chunk)
            elif raw.startswith("&"):
                assert html.unescape(raw) == chunk, (raw, chunk)
            else:  # a <br> or <sup> tag standing for a line break or a space
                assert doc.format == "html" and TAG.fullmatch(raw) and chunk in ("\n", " "), (raw, chunk)
            covered += seg.length
        assert covered == len(b.text)


def check_span(doc, b, s, e):
    """A span [s, e) of block text: its position equals the independent computation of its
    source offsets, and the source there holds the span's text."""
    src = doc.source
    so = b.src_offset(s)
    eo = b.src_end(e) if e > s else so
    assert 0 <= so <= eo <= len(src), (b.text, s, e, so, eo)
    line, col, end_line, end_col = doc.span_position(b, s, e)
    assert (line, col) == where(src, so), (b.text[s:e], so)
    assert (end_line, end_col) == where(src, eo), (b.text[s:e], eo)
    if e <= s:
        return
    text = b.text[s:e]
    raw = src[so:eo]
    if doc.format == "html":
        # every character of a decoded run (an entity) maps to the whole entity: compare
        # with the text of the whole runs at the span's edges
        first, last = b._segment(s), b._segment(e - 1)
        s2 = first.text_start if first.decoded else s
        e2 = last.text_start + last.length if last.decoded else e
        assert render_html(raw) == b.text[s2:e2], (text, raw)
    elif doc.format == "text":
        # a wrapped paragraph keeps the last character of each line end
        assert raw.replace("\r\n", "\n") == text.replace("\r\n", "\n"), (text, raw)
    else:
        assert in_order(text, raw), (text, raw)
    # a span starts on its first character, not on a line end before it
    if text[0] not in "\r\n":
        assert src[so] not in "\r\n", (text, raw)


def check_document(doc):
    check_segments(doc)
    for b in doc.blocks:
        n = len(b.text)
        spans = [(0, n), (0, 1), (n - 1, n)]
        for m in b.markers:
            if m.end > m.start:  # a marker is its label(s), without the white space around
                assert not b.text[m.start].isspace() and not b.text[m.end - 1].isspace(), (b.text, m)
                spans.append((m.start, m.end))
        spans += [(k.start(), k.end()) for k in re.finditer(r"\S+", b.text)]
        for s, e in spans:
            check_span(doc, b, s, e)


def span_index(doc):
    """(start offset, end offset) -> (block, s, e) for the spans block text can have."""
    starts, ends = {}, {}
    for b in doc.blocks:
        for i in range(len(b.text)):
            starts.setdefault(b.src_offset(i), []).append((b, i))
            ends.setdefault(b.src_end(i + 1), []).append((b, i + 1))
    return starts, ends


def check_findings(doc, findings, errors):
    """The findings of a full lint against the page and its Document."""
    assert not [e for e in errors if "internal error" in e], errors
    assert not errors, errors
    src = doc.source
    lines = split_lines(src)
    starts, ends = span_index(doc)
    for f in findings:
        where_ = (f.rule, f.line, f.column, f.end_line, f.end_column, f.start_offset, f.end_offset)
        assert 1 <= f.line <= f.end_line <= len(lines), where_
        assert 1 <= f.column <= len(lines[f.line - 1]) + 1, where_
        assert 1 <= f.end_column <= len(lines[f.end_line - 1]) + 1, where_
        assert (f.end_line, f.end_column) >= (f.line, f.column), where_
        assert 0 <= f.start_offset <= len(src) and 0 <= f.end_offset <= len(src), where_
        assert where(src, f.start_offset) == (f.line, f.column), where_
        for r in f.related:
            if r.path == f.path:
                assert 1 <= r.line <= len(lines) and 1 <= r.column <= len(lines[r.line - 1]) + 1, r
        check_lsp_range(doc, lines, f)
        if (f.end_line, f.end_column) == (f.line, f.column):
            # an empty span (none was seen once the parsers were fixed): the engine takes its
            # end_offset from Block.src_end(end), which for end == start is the offset after
            # the character before, so only its start is checked
            continue
        assert f.start_offset < f.end_offset, where_
        assert where(src, f.end_offset) == (f.end_line, f.end_column), where_
        # the range starts on a character of its line, not on the line end before it
        assert f.column <= len(lines[f.line - 1]), where_
        # ... and is a span of a block's text, whose source holds that text
        cands = [(b, s, e) for b, s in starts.get(f.start_offset, ())
                 for b2, e in ends.get(f.end_offset, ()) if b2 is b and e > s]
        assert cands, where_
        check_span(doc, *cands[0])


def check_utf16_line(doc, lines, n: int):
    """At every column of line ``n``: LineIndex.utf16_column (what the language server
    sends) equals a running count of UTF-16 code units and converts back to the same code
    point column; at the line's ends and around every astral character it also equals the
    UTF-16 encoding's length and pygls's own converter."""
    from lsprotocol import types as T
    from pygls.workspace import PositionCodec
    li = doc.lines
    text = lines[n - 1]
    if text.isascii():  # one unit per character: the ends are enough
        for col in (1, len(text) + 1, len(text) + 2):
            assert li.utf16_column(n, col) == min(col - 1, len(text)), (n, col, text)
        return
    units = 0
    spots = {1, len(text) + 1, len(text) + 2}
    for k, ch in enumerate(text):
        if ord(ch) > 0xFFFF:
            spots.update((k + 1, k + 2))
    back = {}  # UTF-16 offset -> code point column: the inverse, built as we go
    for col in range(1, len(text) + 3):
        if col >= 2 and col - 2 < len(text):
            units += 2 if ord(text[col - 2]) > 0xFFFF else 1
        back.setdefault(units, col)
        got = li.utf16_column(n, col)
        assert got == units, (n, col, text)
        assert back[got] == min(col, len(text) + 1), (n, col, got)
        if col in spots:
            assert got == utf16_units(text[:col - 1])
            assert utf16_to_column(text, got) == min(col, len(text) + 1), (n, col, got)
            pos = T.Position(line=n - 1, character=min(col - 1, len(text)))
            assert PositionCodec().position_to_client_units(lines, pos).character == got


def check_lsp_range(doc, lines, f):
    """The language server's range of a finding (medlint.lsp._range) against the
    independent UTF-16 count, and back to code point columns."""
    from medlint.lsp import _range
    r = _range(doc.lines, f.line, f.column, f.end_line, f.end_column)
    assert (r.start.line, r.end.line) == (f.line - 1, f.end_line - 1)
    assert r.start.character == utf16_units(lines[f.line - 1][:f.column - 1])
    assert r.end.character == utf16_units(lines[f.end_line - 1][:f.end_column - 1])
    assert utf16_to_column(lines[f.line - 1], r.start.character) == f.column
    assert utf16_to_column(lines[f.end_line - 1], r.end.character) == f.end_column


# --- properties --------------------------------------------------------------------------


def both_profiles(strategy, fast=FAST, slow=SLOW, examples=()):
    """A property as two tests: a quick one for every run, and a long one marked ``slow``
    (run by .ci/run) with ``slow`` examples. Both are derandomized, so a run is
    reproducible; the explicit ``examples`` (counterexamples found earlier) come first."""
    def deco(fn):
        def make(n, name):
            t = given(strategy)(fn)
            for ex in examples:
                t = example(ex)(t)
            # too_slow: an example may run a full lint (spaCy, every rule), which is the point
            t = settings(max_examples=n, deadline=None, derandomize=True, database=None,
                         suppress_health_check=[HealthCheck.too_slow])(t)
            t.__name__ = t.__qualname__ = name
            return t
        return make(fast, fn.__name__), pytest.mark.slow(make(slow, fn.__name__ + "_slow"))
    return deco


# --- property 1: the document model ------------------------------------------------------


@both_profiles(page(), fast=400, examples=[
    # counterexamples found (see the explicit tests at the end)
    ("<html><head><title>Drip &amp; Co</title></head>\r<body>\n"
     "<p>Our drip cures fatigue in one visit.</p>", "html"),
    ("\ufeff&amp", "html"),
    ("\ufeff<https://example.org/auto> [Our drip cures fatigue.](https://example.org/x) "
     "<sup>2, 3</sup> \\*\n", "markdown"),
    ("> Our drip cures fatigue in one visit.\rThis miracle tonic gives instant relief [1].\n"
     "\t<!-- x -->\nOur drip.\n", "markdown"),
])
def test_parse_positions(case):
    """Parse a generated page (no lint): every block maps back to its source (segments,
    spans, markers, line and column of each) and the UTF-16 columns of every line agree."""
    source, fmt = case
    doc = parse(source, "page" + EXT[fmt], fmt)
    lines = split_lines(source)
    assert doc.lines.line_count == len(lines)
    check_document(doc)
    for n, text in enumerate(lines, 1):
        assert doc.lines.line_text(n) == text
        check_utf16_line(doc, lines, n)


test_parse_positions, test_parse_positions_slow = test_parse_positions


# --- suppression comments ----------------------------------------------------------------

SUPPRESS_NAMES = ["", "exaggerated-claim", "MED210", "MED2", "claims", "risk-minimizing",
                  "MED310", "risk", "uncited-claim", "ALL", "broken-reference",
                  "exaggerated-claim, risk", "MED3 MED402", "vague-citation,MED201", "jargon"]
ACTIONS = ["disable", "enable", "disable-next-line", "disable-line"]


def rule_matches(f, name: str) -> bool:
    """The README's selectors: a rule's name, code, code prefix, category, or ALL."""
    name = name.strip()
    return (name.upper() == "ALL" or name.lower() in (f.rule, f.category)
            or (bool(name) and name.isupper() and f.code.startswith(name)))


def applies(f, names) -> bool:
    return not names or any(rule_matches(f, n) for n in names)


@st.composite
def directive(draw, action=None):
    """(comment, action, names)."""
    action = action or draw(st.sampled_from(ACTIONS))
    names = [n for n in draw(st.lists(st.sampled_from(SUPPRESS_NAMES), max_size=2)) if n]
    spelled = draw(st.sampled_from([", ", " ", ","])).join(names)
    word = draw(st.sampled_from(["medlint-", "medlint-", "MEDLINT-"])) + action
    pad = draw(st.sampled_from([" ", "", "  "]))
    comment = f"<!--{pad}{word}{' ' + spelled if spelled else ''}{pad}-->"
    return comment, action, tuple(re.split(r"[\s,]+", spelled.strip())) if spelled else ()


def text_lines(source: str) -> set[int]:
    """Lines that hold something besides white space and comments (computed on a mask of
    the comment characters, so comments over several lines count)."""
    masked = COMMENT.sub(lambda m: re.sub(r"[^\r\n]", " ", m.group(0)), source)
    return {n for n, text in enumerate(split_lines(masked), 1) if text.strip()}


def expected_suppressed(f, source: str, directives) -> bool:
    """Whether a finding on f.line is suppressed, by the README's rules: disable / enable
    from their line on, disable-line on its own line, disable-next-line on the next line
    that holds text (blank lines and lines that hold only comments are passed over)."""
    off = False
    for line, action, names in sorted(directives, key=lambda d: d[0]):
        if line <= f.line and action in ("disable", "enable") and applies(f, names):
            off = action == "disable"
    if off:
        return True
    holding = None
    for line, action, names in directives:
        if not applies(f, names):
            continue
        if action == "disable-line" and line == f.line:
            return True
        if action == "disable-next-line" and f.line > line:
            holding = holding or text_lines(source)
            if min((k for k in holding if k > line), default=None) == f.line:
                return True
    return False


def _key(f):
    return (f.rule, f.line, f.column, f.end_line, f.end_column, f.message)


def check_suppression(source, fmt, directives, everything):
    """Lint the page with its comments active: exactly the findings of the page with
    inert comments that the README's rules do not suppress must remain (a page without
    comments is the same page: no second lint)."""
    got, errors = full_lint(source, fmt) if directives else (everything, [])
    assert not errors, errors
    want = [f for f in everything if not expected_suppressed(f, source, directives)]
    assert sorted(map(_key, got)) == sorted(map(_key, want))


def inert(source: str) -> str:
    """The page with its suppression comments made inert: the same length, so the same
    lines, blocks and prose."""
    return re.sub(r"(?i)medlint-", "medlunt-", source)


# --- property 2: a full lint -------------------------------------------------------------


@st.composite
def page_with_directives(draw, fmt=None):
    """(source, fmt, directives): a generated page with up to three suppression comments
    put on lines of their own between its lines, or (Markdown, HTML) at the end of a line."""
    fmt = fmt or draw(st.sampled_from(sorted(PAGES)))
    lines = draw(PAGES[fmt]).split("\n")
    directives = []
    for _ in range(draw(st.integers(0, 3))):
        comment, action, names = draw(directive())
        at = draw(st.integers(0, len(lines)))
        if fmt != "text" and at < len(lines) and draw(st.booleans()):
            lines[at] += " " + comment  # at the end of a line (in text it would be prose)
            directives = [(ln, a, n) for ln, a, n in directives]
            directives.append((at + 1, action, names))
            continue
        lines.insert(at, comment)
        directives = [(ln + (ln > at), a, n) for ln, a, n in directives]
        directives.append((at + 1, action, names))
    return mix_line_ends(draw, "\n".join(lines)), fmt, directives


@both_profiles(page_with_directives(), examples=[
    ("<p>Studies show it works.<sup>\r\n[1]</sup> More.</p>\r\n", "html", []),
    ("<https://example.org/auto> and more text here.\n", "markdown", []),
    ("\ufeff<!-- medlint-enable -->\nWhy Choose Our Drip\nWhy Choose Our Drip\n" + SENTENCES[-1], "text",
     [(1, "enable", ())]),
])
def test_lint(case):
    """A full lint of a generated page: no crash and no internal error; every finding's
    range and offsets lie inside the file, start on a character of their line and are a
    span of a block's text whose source holds that text; the language server's UTF-16
    range agrees; then the page is linted again with its suppression comments active
    (a second lint that re-uses the first one's parsed blocks), and exactly the findings
    on the lines they are meant for are gone."""
    source, fmt, directives = case
    everything, errors = full_lint(inert(source), fmt)
    doc = parse(inert(source), "page" + EXT[fmt], fmt)
    check_findings(doc, everything, errors)
    check_suppression(source, fmt, directives, everything)


test_lint, test_lint_slow = test_lint


# --- property 3: suppression comments, densely -------------------------------------------


@st.composite
def suppression_page(draw):
    """(source, fmt, directives): short prose lines, each a block, between many
    suppression comments on lines of their own or at the end of a prose line."""
    fmt = draw(st.sampled_from(["text", "markdown", "html"]))
    lines: list[str] = []
    directives = []
    for _ in range(draw(st.integers(2, 12))):
        kind = draw(st.sampled_from(["prose", "prose", "prose", "blank", "own", "own", "inline"]))
        if kind == "blank":
            lines.append(draw(st.sampled_from(["", "  "])))
            continue
        prose = draw(sentence)
        if fmt == "markdown":
            prose = draw(st.sampled_from(["", "", "# ", "- ", "> "])) + prose
        elif fmt == "html":
            prose = draw(st.sampled_from(["<p>{}</p>", "<li>{}</li>", "<h2>{}</h2>", "{}"])).format(prose)
        if kind == "prose" or kind == "inline" and fmt == "text":
            lines.append(prose)
            continue
        comment, action, names = draw(directive(None if kind == "own" else "disable-line"))
        if kind == "inline":
            if fmt == "html" and prose.endswith(">") and draw(st.booleans()):
                k = prose.rindex("</")
                lines.append(prose[:k] + " " + comment + prose[k:])
            else:
                lines.append(prose + " " + comment)
        else:
            lines.append(draw(st.sampled_from(["", " ", "\t"])) + comment)
        directives.append((len(lines), action, names))
    return join_lines(draw, lines, last=True), fmt, directives


@both_profiles(suppression_page(), examples=[
    ("\n<!-- medlint-disable-next-line -->\n<!-- medlint-disable exaggerated-claim -->\n"
     "Our drip cures fatigue in one visit.\n", "markdown",
     [(2, "disable-next-line", ()), (3, "disable", ("exaggerated-claim",))]),
])
def test_suppression_comments(case):
    """Suppression comments remove exactly the findings on the lines they are meant for
    (the page with inert comments is the reference)."""
    source, fmt, directives = case
    everything, errors = full_lint(inert(source), fmt)
    assert not errors, errors
    check_suppression(source, fmt, directives, everything)


test_suppression_comments, test_suppression_comments_slow = test_suppression_comments


# --- counterexamples found by the properties, as explicit tests ---------------------------


def _span_of(doc, needle):
    b = next(b for b in doc.blocks if needle in b.text)
    i = b.text.index(needle)
    return doc.span_position(b, i, i + len(needle))


def _lint_spans(source, fmt, rule):
    findings, errors = full_lint(source, fmt)
    assert not errors
    return [(f.line, f.column, f.end_line, f.end_column, source[f.start_offset:f.end_offset])
            for f in findings if f.rule == rule]


def test_html_lone_cr_line_ends():
    """html.parser counts lines by LF alone: a lone CR once shifted every later position
    (the block text was read from the wrong place)."""
    src = ("<html><head><title>Drip &amp; Co</title></head>\r<body>\n"
           "<p>Our drip cures fatigue in one visit.</p>")
    doc = parse(src, "page.html", "html")
    check_document(doc)
    assert [b.text for b in doc.blocks] == ["Drip & Co", "Our drip cures fatigue in one visit."]
    assert _span_of(doc, "cures") == (3, 13, 3, 18)
    assert _lint_spans(src, "html", "exaggerated-claim") == [(3, 13, 3, 18, "cures")]


def test_html_marker_in_sup_on_the_next_line_crlf():
    """The known report: with CR LF line ends, a broken-reference for a [1] at the start of
    a line (inside a <sup> opened on the line before) began on the line break, at a column
    past the end of the previous line; and <sup>[1]</sup> was reported twice."""
    src = "<p>Studies show it works.<sup>\r\n[1]</sup> More.</p>\r\n"
    assert _lint_spans(src, "html", "broken-reference") == [(2, 1, 2, 4, "[1]")]
    src = "<p>Studies show it works.<sup>\r\n1</sup></p>\r\n"
    assert _lint_spans(src, "html", "broken-reference") == [(2, 1, 2, 2, "1")]
    src = "<p>Studies show it works.<sup>[1]</sup></p>\n"
    assert _lint_spans(src, "html", "broken-reference") == [(1, 31, 1, 34, "[1]")]
    src = "Studies show it works.<sup> 2 </sup>\n"
    assert _lint_spans(src, "markdown", "broken-reference") == [(1, 29, 1, 30, "2")]


def test_markdown_autolink_text_is_not_prose():
    """The text of an autolink was aligned after the link, swallowing the rest of the
    paragraph (the block held 'h' instead of the sentence)."""
    src = "<https://example.org/auto> and more text here.\n"
    doc = parse(src, "page.md", "markdown")
    check_document(doc)
    assert [b.text for b in doc.blocks] == ["and more text here."]
    assert doc.blocks[0].links[0].url == "https://example.org/auto"
    src = ("\ufeff<https://example.org/auto> [Our drip cures fatigue.](https://example.org/x) "
           "<sup>2, 3</sup>\n")
    doc = parse(src, "page.md", "markdown")
    check_document(doc)
    (b,) = doc.blocks
    assert b.text == "Our drip cures fatigue. 2, 3"
    assert [(m.labels, b.text[m.start:m.end]) for m in b.markers] == [(("2", "3"), "2, 3")]
    assert _lint_spans(src, "markdown", "broken-reference") == [(1, 83, 1, 87, "2, 3")]


def test_byte_order_mark_is_not_text():
    """A page handed over as a string with its byte-order mark (lint_text, the language
    server): the first line is still a heading, front matter, a comment line or code."""
    doc = parse("\ufeff# Drip Cures All\n\nText.\n", "page.md", "markdown")
    assert [(b.kind, b.text) for b in doc.blocks] == [("heading", "Drip Cures All"), ("paragraph", "Text.")]
    assert _span_of(doc, "Drip") == (1, 4, 1, 8)
    doc = parse("\ufeff---\ntitle: A miracle\n---\nText.\n", "page.md", "markdown")
    assert [b.text for b in doc.blocks] == ["Text."]
    doc = parse("\ufeff    code: a miracle\n\nText.\n", "page.md", "markdown")
    assert [b.text for b in doc.blocks] == ["Text."]
    doc = parse("\ufeff- Our drip cures fatigue.\n", "page.txt", "text")
    assert [(b.kind, b.text) for b in doc.blocks] == [("list_item", "Our drip cures fatigue.")]
    assert _lint_spans("\ufeff<!-- medlint-disable -->\nOur drip cures fatigue in one visit.\n",
                       "text", "exaggerated-claim") == []
    doc = parse("\ufeff<!DOCTYPE html><p>Text.</p>", "page.html", "html")
    assert [b.text for b in doc.blocks] == ["Text."]
    check_document(doc)


@pytest.mark.parametrize("fmt", ["markdown", "html", "text"])
def test_stacked_disable_next_line_comments(fmt):
    """Two disable-next-line comments stacked above a line (what two of the language
    server's quick fixes insert) both apply to that line, not the first one to the
    second comment."""
    line = "<p>Our drip cures fatigue in one visit.</p>" if fmt == "html" else \
        "Our drip cures fatigue in one visit."
    src = ("<!-- medlint-disable-next-line uncited-claim -->\n"
           "<!-- medlint-disable-next-line exaggerated-claim -->\n" + line + "\n" + line + "\n")
    findings, errors = full_lint(src, fmt)
    assert not errors
    assert sorted((f.line, f.rule) for f in findings if f.rule in ("uncited-claim", "exaggerated-claim")) \
        == [(4, "exaggerated-claim"), (4, "uncited-claim")]
    if fmt != "text":  # (plain text has comments on one line only)
        # a comment over several lines between the directive and the text is passed over too
        src = "<!-- medlint-disable-next-line -->\n<!--\nnote\n-->\n" + line + "\n"
        assert full_lint(src, fmt)[0] == []


def test_disable_next_line_counts_lines_after_a_multi_line_comment():
    """The model of the properties once blanked comment line ends; the lines themselves
    (Markdown with an indented-code first line and a BOM) are suppressed as meant."""
    src = ("\ufeff    indented code: a miracle <!-- medlint-disable-next-line -->\n\n<!-- section -->\n\n"
           "<!--\nmulti-line comment\n-->\n\n****Our drip cures fatigue in one visit.****\n\n")
    test_lint.hypothesis.inner_test((src, "markdown", [(1, "disable-next-line", ())]))


def test_markdown_soft_break_at_a_lone_cr():
    """A soft line break in a Markdown paragraph whose line ends with a lone CR was mapped
    to the next LF further down, which dropped the rest of the line from the block."""
    src = "> Our drip cures fatigue in one visit.\rThis miracle tonic gives instant relief [1].\nOur drip.\n"
    doc = parse(src, "page.md", "markdown")
    check_document(doc)
    (b,) = doc.blocks
    assert b.text == ("Our drip cures fatigue in one visit.\rThis miracle tonic gives instant relief [1]."
                      "\nOur drip.")
    assert _span_of(doc, "miracle") == (2, 6, 2, 13)
    assert (2, 6, 2, 13, "miracle") in _lint_spans(src, "markdown", "exaggerated-claim")


def test_html_entity_without_semicolon_at_the_end_of_the_page():
    """html.parser hands an entity at the very end of the input over as data: "&amp" was
    kept verbatim there, though it means "&" as everywhere else."""
    doc = parse("<b>[1]<b>Our drip.</b></b> &amp", "page.html", "html")
    check_document(doc)
    assert [b.text for b in doc.blocks] == ["[1]Our drip. &"]
    b = doc.blocks[0]
    assert doc.span_position(b, len(b.text) - 1, len(b.text)) == (1, 28, 1, 32)
