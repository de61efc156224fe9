"""The document model: every character of every block maps back to the source exactly,
and what is not prose (code, front matter, markup, URLs) never reaches the rules."""
import pytest

from medlint.document import ALT_TEXT, HEADING, LIST_ITEM, PARAGRAPH, TABLE_CELL, LineIndex
from medlint.engine import Options
from medlint.parsers import format_for, parse
from medlint.runner import run

from .conftest import EXAMPLES


def assert_round_trip(doc):
    """For each block and each text index i in a non-decoded segment,
    source[block.src_offset(i)] == block.text[i]; decoded segments (entities, <br>, <sup>
    spacers) point at markup that starts with '&' or '<'."""
    src = doc.source
    for b in doc.blocks:
        assert b.segments, f"block without segments: {b.text!r}"
        covered = 0
        for seg in b.segments:
            assert seg.text_start == covered, f"gap or overlap in segments of {b.text!r}"
            covered += seg.length
            if seg.decoded:
                assert src[seg.src_start] in "&<", (b.text, seg, src[seg.src_start:seg.src_start + 10])
                for i in range(seg.text_start, seg.text_start + seg.length):
                    assert b.src_offset(i) == seg.src_start
            else:
                for i in range(seg.text_start, seg.text_start + seg.length):
                    assert src[b.src_offset(i)] == b.text[i], (
                        f"{doc.path}: block {b.index} ({b.kind}) char {i} {b.text[i]!r} maps to "
                        f"{src[b.src_offset(i)]!r}")
        assert covered == len(b.text)
        # span ends land just after the last character
        last = len(b.text) - 1
        if not b.segments[-1].decoded:
            assert b.src_end(len(b.text)) == b.src_offset(last) + 1


def example_files():
    files = sorted(p for p in EXAMPLES.iterdir() if p.suffix in (".md", ".html", ".txt"))
    return [pytest.param(p, id=p.name) for p in files]


@pytest.mark.parametrize("path", example_files())
def test_examples_round_trip(path):
    source = path.read_text(encoding="utf-8")
    doc = parse(source, str(path), format_for(str(path)))
    assert doc.blocks, f"{path.name}: no blocks"
    assert_round_trip(doc)


def test_examples_exist():
    names = {p.name for p in EXAMPLES.iterdir()}
    assert {"clinic-landing.md", "wellness-spa.html", "clean-guide.md"} <= names


TRICKY = {
    "markdown-everything": ("markdown", (
        "---\ntitle: Zebra front matter\ntags: [a, b]\n---\n"
        "# Caf\u00e9 heading \u2014 \u65e5\u672c\n\n"
        "Text with `inline code`, **bold**, _em_, ~~strike~~ and a\nsoft break, plus a hard  \nbreak.\n\n"
        "A [link](https://doi.org/10.1016/S0140-6736(18)30295-2) then more text and "
        "[another](<https://x.org/a b> \"title\") end.\n\n"
        "Escapes: 5 \\* 3 \\_ok\\_ &amp; &copy; done.\n\n"
        "- item one\n- item *two* with \U0001F600 emoji\n  1. nested\n\n"
        "> quoted text\n> continues\n\n"
        "| a | b |\n|---|:-:|\n| c \\| pipe | d |\n\n"
        "![alt with *stars*](img.png \"t\") after image\n\n"
        "Footnote ref[^n] and marker [1, 3-4].<sup>5</sup>\n\n"
        "Autolink <https://example.org/x> and bare https://example.org/y.\n\n"
        "## References\n\n1. Ref one.\n2. Ref two.\n\n[^n]: The note.\n")),
    "markdown-crlf": ("markdown", "# Title\r\n\r\nPara one\r\ncontinues here.\r\n\r\n- item\r\n"),
    "markdown-tabs": ("markdown", "Word\tafter a tab.\n\n-\tbullet with tab\n"),
    "html-everything": ("html", (
        "<!DOCTYPE html>\n<html><head><title>Spa &amp; Co</title>\n"
        "<style>p { color: red }</style><script>let s = '<p>no</p>';</script></head>\n"
        "<body><nav><a href=\"/\">Home</a></nav>\n"
        "<h1 class=\"x\">Caf&eacute; &#8212; &#x1F600; heading</h1>\n"
        "<p>Line one<br>line two<br/>three<sup>1</sup> and <a href=\"https://x.org\">a link</a>"
        " &amp;&nbsp;more &unknown; &lt;tag&gt;</p>\n"
        "<pre>pre text</pre><p>Use <code>x()</code> now</p>\n"
        "<img src=\"a.png\" alt=\"Alt &amp; text\"><img alt='single quoted'>\n"
        "<table><tr><th>Head</th><td>Cell</td></tr></table>\n"
        "<ul><li>One<li>Two, unclosed</ul>\n"
        "<p>Unclosed paragraph\n<div>Div text</div>\n"
        "<!-- a comment -->\n"
        "<h2>References</h2><ol><li>Ref one.</li><li>Ref two.</li></ol>\n"
        "<footer><p>Footer &copy; 2024</p></footer></body></html>\n")),
    "html-crlf": ("html", "<p>One\r\ntwo</p>\r\n<p>\u00c9t\u00e9 &amp; three</p>\r\n"),
    "html-malformed": ("html", "<p>Unclosed <b>bold <i>and <a href=x>link</p></div>text & more < 3"),
    "text-everything": ("text", (
        "\ufeffHeading Line\nA paragraph that is hard wrapped and\ncontinues here.\n\n"
        "- bullet one\n* bullet two\n\u2022 bullet three\n1. numbered\n\n"
        "Tabs\there and emoji \U0001F600 and \u4e2d\u6587 text.\r\nCRLF line.\r\n\r\n"
        "<!-- medlint-disable -->\nAfter comment.\n\nSources\n[1] Ref one.\n")),
    "text-lone-cr": ("text", "Line one.\rLine two.\r"),
}


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_tricky_round_trip(name):
    fmt, source = TRICKY[name]
    doc = parse(source, f"tricky.{fmt}", fmt)
    assert doc.blocks
    assert_round_trip(doc)


def _block_with(doc, needle):
    found = [b for b in doc.blocks if needle in b.text]
    assert found, f"no block contains {needle!r}: {[b.text for b in doc.blocks]}"
    return found[0]


def _pos(doc, needle, occurrence=0):
    """(line, column, end_line, end_column) of needle found in the blocks' text."""
    b = _block_with(doc, needle)
    start = b.text.index(needle)
    return doc.span_position(b, start, start + len(needle))


# --- positions -------------------------------------------------------------------------

def test_line_index_endings():
    li = LineIndex("a\r\nb\rc\nd")
    assert li.position(0) == (1, 1)
    assert li.position(3) == (2, 1)
    assert li.position(5) == (3, 1)
    assert li.position(7) == (4, 1)
    assert li.line_text(1) == "a" and li.line_text(2) == "b" and li.line_count == 4


def test_utf16_column_for_lsp():
    li = LineIndex("\U0001F600 x")
    # code point column 3 ("x") is UTF-16 offset 3 (the emoji takes two code units)
    assert li.utf16_column(1, 3) == 3
    li = LineIndex("caf\u00e9 \U0001F600\U0001F44D ok\r\nplain line")
    assert li.utf16_column(1, 8) == 9  # "caf\u00e9 " is 5 units, each emoji 2
    assert li.utf16_column(1, 11) == 12  # the end of the line
    assert li.utf16_column(1, 12) == 12  # past it: the CRLF is not counted
    assert li.utf16_column(2, 6) == 5


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_crlf_positions(fmt):
    body = "First line here.\r\nSecond line with a miracle.\r\n"
    src = f"<p>{body}</p>" if fmt == "html" else body
    doc = parse(src, "p", fmt)
    line, col, end_line, end_col = _pos(doc, "miracle")
    assert (line, end_line) == (2, 2)
    assert (col, end_col) == (20, 27)
    assert (line, col, end_line, end_col) == where(src, "miracle")


def test_emoji_and_cjk_columns_count_code_points():
    src = "\U0001F600\u65e5\u672c\u8a9e \u00e9t\u00e9: a miracle.\n"
    doc = parse(src, "p.txt", "text")
    assert _pos(doc, "miracle") == where(src, "miracle") == (1, 13, 1, 20)


def test_tab_counts_as_one_column():
    src = "\tIndented\twith tabs: a miracle.\n"
    doc = parse(src, "p.txt", "text")
    assert _pos(doc, "miracle") == where(src, "miracle")


def test_bom_is_not_a_column(tmp_path):
    p = tmp_path / "bom.md"
    p.write_bytes("\ufeffOur tonic is a miracle.\n".encode("utf-8"))
    res = run([str(p)], Options(isolated=True, select=["exaggerated-claim"]))
    (f,) = res.findings
    # the BOM is not part of the text: "miracle" starts at column 16, as editors show it
    assert (f.line, f.column, f.end_line, f.end_column) == (1, 16, 1, 23)


def test_bom_crlf_emoji_from_file(tmp_path):
    p = tmp_path / "page.txt"
    p.write_bytes("\ufeffIntro line.\r\n\U0001F31F Our tea brings instant calm.\r\n".encode("utf-8"))
    res = run([str(p)], Options(isolated=True, select=["exaggerated-claim"]))
    (f,) = res.findings
    assert (f.line, f.column, f.end_line, f.end_column) == (2, 18, 2, 30)
    assert (2, 18, 2, 30) == where("Intro line.\r\n\U0001F31F Our tea brings instant calm.", "instant calm")


def test_markdown_link_with_parentheses_keeps_positions():
    src = "See [x](https://doi.org/10.1016/S0140-6736(18)30295-2) and a miracle here.\n"
    doc = parse(src, "p.md", "markdown")
    b = _block_with(doc, "miracle")
    assert "doi.org" not in b.text and "30295" not in b.text
    assert b.links and b.links[0].url == "https://doi.org/10.1016/S0140-6736(18)30295-2"
    assert b.text[b.links[0].start:b.links[0].end] == "x"
    assert _pos(doc, "miracle") == where(src, "miracle")
    assert_round_trip(doc)


def test_markdown_entities_after_html_parser_was_imported():
    """Regression: importing medlint.parsers.html once shadowed the stdlib `html` module
    inside medlint.parsers, so Markdown entities crashed after any HTML file was parsed."""
    parse("<p>x</p>", "a.html", "html")
    src = "A **bold** caf&eacute; &amp; spa with a miracle.\n"
    doc = parse(src, "b.md", "markdown")
    assert doc.blocks[0].text == "A bold caf\u00e9 & spa with a miracle."
    assert _pos(doc, "miracle") == where(src, "miracle")
    assert_round_trip(doc)


def test_html_entities_map_to_the_entity():
    src = "<p>Caf&eacute; &amp; spa: a miracle</p>"
    doc = parse(src, "p.html", "html")
    b = doc.blocks[0]
    assert b.text == "Caf\u00e9 & spa: a miracle"
    i = b.text.index("\u00e9")
    assert src[b.src_offset(i):b.src_end(i + 1)] == "&eacute;"
    assert _pos(doc, "miracle") == (1, 29, 1, 36)


# --- what is not prose: Markdown -----------------------------------------------------------

def where(src, needle):
    """An oracle independent of LineIndex: (line, column, end_line, end_column) of the first
    occurrence of needle in src, counting code points; "\r\n" and "\n" end lines."""
    i = src.index(needle)
    line = src.count("\n", 0, i) + 1
    col = i - (src.rfind("\n", 0, i) + 1) + 1
    return line, col, line, col + len(needle)


def _all_text(doc):
    return "\n".join(b.text for b in doc.blocks)


def test_markdown_front_matter_not_prose():
    doc = parse("---\ntitle: Zebra cure\n---\n# Real heading\n", "p.md", "markdown")
    assert "Zebra" not in _all_text(doc)
    assert doc.blocks[0].kind == HEADING and doc.blocks[0].text == "Real heading"
    assert _pos(doc, "Real") == (4, 3, 4, 7)


def test_markdown_code_not_prose():
    src = ("Intro `inlinezebra` text.\n\n```python\nfencedzebra = 1\n```\n\n"
           "    indentedzebra\n\n~~~\ntildezebra\n~~~\n\nOutro.\n")
    doc = parse(src, "p.md", "markdown")
    text = _all_text(doc)
    for word in ("inlinezebra", "fencedzebra", "indentedzebra", "tildezebra"):
        assert word not in text
    assert "Intro" in text and "Outro." in text
    assert_round_trip(doc)


def test_markdown_html_blocks_and_urls_not_prose():
    src = ("<div class=\"promo\">\nhtmlzebra block\n</div>\n\n"
           "Visit https://zebra.example.org/cure today or <https://auto.example.org/z>.\n\n"
           "- bullet https://list.example.org/x end\n")
    doc = parse(src, "p.md", "markdown")
    text = _all_text(doc)
    assert "htmlzebra" not in text
    assert "example.org" not in text
    para = _block_with(doc, "Visit")
    assert {link.url for link in para.links} >= {"https://zebra.example.org/cure", "https://auto.example.org/z"}
    assert _pos(doc, "today") == where(src, "today")
    assert_round_trip(doc)


def test_markdown_block_kinds_and_alt_text():
    src = ("# Title\n\nPara.\n\n- item\n\n| h1 | h2 |\n|----|----|\n| c1 | c2 |\n\n"
           "> quote\n\n![An alt text](pic.png)\n")
    doc = parse(src, "p.md", "markdown")
    kinds = {b.text: b.kind for b in doc.blocks}
    assert kinds["Title"] == HEADING
    assert kinds["Para."] == PARAGRAPH
    assert kinds["item"] == LIST_ITEM
    assert kinds["c2"] == TABLE_CELL and kinds["h1"] == TABLE_CELL
    assert kinds["quote"] == "blockquote"
    assert kinds["An alt text"] == ALT_TEXT
    assert_round_trip(doc)


def test_markdown_markers_and_reference_list():
    src = ("Claim one [1]. Claim two[^n]. Claim three<sup>2</sup>.\n\n"
           "## References\n\n1. First reference.\n2. Second reference.\n\n[^n]: A footnote.\n")
    doc = parse(src, "p.md", "markdown")
    para = doc.blocks[0]
    styles = {m.style: m.labels for m in para.markers}
    assert styles["bracket"] == ("1",)
    assert styles["footnote"] == ("n",)
    assert styles["sup"] == ("2",)
    refs = [b for b in doc.blocks if b.in_references]
    assert [b.label for b in refs] == ["1", "2", "n"]
    assert set(doc.references) == {"1", "2", "n"}
    assert not any(b.is_prose for b in refs)


# --- what is not prose: HTML --------------------------------------------------------------

def test_html_script_style_pre_code_not_prose():
    src = ("<html><head><style>.zebra{}</style><script>var zebra1 = 1;</script></head><body>"
           "<p>Keep <code>zebra2()</code> out</p><pre>zebra3</pre><noscript>zebra4</noscript>"
           "<p>Visible.</p></body></html>")
    doc = parse(src, "p.html", "html")
    text = _all_text(doc)
    assert "zebra" not in text
    assert "Visible." in text
    keep = _block_with(doc, "Keep")
    assert keep.kind == PARAGRAPH and keep.text.split() == ["Keep", "out"]
    assert_round_trip(doc)


def test_html_img_alt_becomes_alt_text_block():
    src = '<p>Before <img src="a.jpg" alt="Smiling &amp; happy patient"> after</p>'
    doc = parse(src, "p.html", "html")
    alt = [b for b in doc.blocks if b.kind == ALT_TEXT]
    assert [b.text for b in alt] == ["Smiling & happy patient"]
    assert _pos(doc, "happy") == where(src, "happy") == (1, 47, 1, 52)
    assert "Before" in _all_text(doc) and "after" in _all_text(doc)
    assert_round_trip(doc)


def test_html_sup_markers_and_links():
    src = ('<p>Lowers LDL<sup>1</sup> by a third<sup>2,3</sup>; see '
           '<a href="https://example.org/trial">the trial</a>.</p>')
    doc = parse(src, "p.html", "html")
    b = doc.blocks[0]
    assert [m.labels for m in b.markers] == [("1",), ("2", "3")]
    assert all(m.style == "sup" for m in b.markers)
    assert "LDL 1" in b.text  # the <sup> tag separates the marker from the word
    (link,) = b.links
    assert link.url == "https://example.org/trial"
    assert b.text[link.start:link.end] == "the trial"
    assert_round_trip(doc)


def test_html_reference_list_and_containers():
    src = ("<nav><p>Menu</p></nav><h1>Page</h1><p>Claim.</p>"
           "<h2>Sources</h2><ol><li>Ref A.</li><li>Ref B.</li></ol>"
           "<footer><p>Call us.</p></footer>")
    doc = parse(src, "p.html", "html")
    refs = {b.text: b.label for b in doc.blocks if b.in_references}
    assert refs == {"Ref A.": "1", "Ref B.": "2"}
    assert _block_with(doc, "Menu").container == "nav"
    foot = _block_with(doc, "Call us.")
    assert foot.container == "footer" and not foot.in_references


# --- plain text ----------------------------------------------------------------------------

def test_text_headings_paragraphs_and_wrapped_lines():
    src = ("Welcome To Our Clinic\n"
           "We treat back pain with care and\n"
           "attention to detail.\n"
           "A second sentence.\n"
           "\n"
           "Why Choose Us?\n"
           "\n"
           "- Friendly staff.\n"
           "- Late hours\n")
    doc = parse(src, "p.txt", "text")
    got = [(b.kind, b.text) for b in doc.blocks]
    assert got == [
        (HEADING, "Welcome To Our Clinic"),
        (PARAGRAPH, "We treat back pain with care and\nattention to detail."),
        (PARAGRAPH, "A second sentence."),
        (HEADING, "Why Choose Us?"),
        (LIST_ITEM, "Friendly staff."),
        (LIST_ITEM, "Late hours"),
    ]
    assert _pos(doc, "detail") == where(src, "detail") == (3, 14, 3, 20)
    assert_round_trip(doc)


def test_text_comment_lines_and_references():
    src = "Intro sentence.\n<!-- medlint-disable -->\nMore text.\n\nSources\n[1] Smith J. A trial. 2020.\n"
    doc = parse(src, "p.txt", "text")
    assert "medlint-disable" not in _all_text(doc)
    ref = _block_with(doc, "Smith")
    assert ref.in_references and ref.label == "1"
    assert doc.references == {"1": ref.index}


# plain text: one paragraph per line, or hard-wrapped (medlint/parsers/text.py)
ONE_PER_LINE = (
    "Why choose our sleep clinic\n"
    "Our team has helped adults in the valley sleep better for over fifteen years, and we offer "
    "evening appointments\n"
    "many patients find that a short course of sleep coaching helps them fall asleep faster and "
    "wake less often at night.\n"
    "Call us to book a first visit with one of our nurses, and bring a two-week sleep diary if you have one.\n"
)
HARD_WRAPPED = (
    "Why choose our sleep clinic\n"
    "\n"
    "Our team has helped adults in the valley sleep better for over\n"
    "fifteen years, and we offer evening appointments\n"
    "for people who work during the day.\n"
    "\n"
    "Call us to book a first visit with one of our nurses.\n"
)


def test_text_written_one_paragraph_per_line_makes_each_line_a_block():
    from medlint.parsers.text import parse_text
    doc = parse_text(ONE_PER_LINE, "sleep.txt")
    got = [(b.kind, doc.span_position(b, 0, len(b.text))[:2], b.text[:24]) for b in doc.blocks]
    # the second line ends mid-sentence and the third starts in lower case: still two paragraphs
    assert got == [("heading", (1, 1), "Why choose our sleep cli"),
                   ("paragraph", (2, 1), "Our team has helped adul"),
                   ("paragraph", (3, 1), "many patients find that "),
                   ("paragraph", (4, 1), "Call us to book a first ")]


def test_hard_wrapped_text_joins_its_lines_into_paragraphs():
    from medlint.parsers.text import parse_text
    doc = parse_text(HARD_WRAPPED, "sleep.txt")
    got = [(b.kind, doc.span_position(b, 0, len(b.text))) for b in doc.blocks]
    assert got == [("paragraph", (1, 1, 1, 28)), ("paragraph", (3, 1, 5, 36)), ("paragraph", (7, 1, 7, 54))]
    assert doc.blocks[1].text.split() == ("Our team has helped adults in the valley sleep better for over fifteen "
                                          "years, and we offer evening appointments for people who work during "
                                          "the day.").split()


def test_one_paragraph_per_line_decision():
    from medlint.parsers.text import one_paragraph_per_line
    assert one_paragraph_per_line(ONE_PER_LINE.splitlines())
    assert not one_paragraph_per_line(HARD_WRAPPED.splitlines())
    assert not one_paragraph_per_line(["Short line", "Another short line"])
    assert not one_paragraph_per_line([])
