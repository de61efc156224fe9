"""Inline suppression: one comment dialect for Markdown, HTML and plain text."""
import pytest

SEL = ["exaggerated-claim", "risk-minimizing"]


@pytest.fixture
def hits(lint):
    """hits(text, fmt) -> [(line, rule)] for the two core rules."""
    def _hits(text, fmt="markdown"):
        return [(f.line, f.rule) for f in lint(text, fmt=fmt, select=SEL)]
    return _hits


def test_baseline_without_comments(hits):
    assert hits("A miracle tonic.\n\nIt is well tolerated.\n") == [
        (1, "exaggerated-claim"), (3, "risk-minimizing")]


def test_disable_and_enable_by_name_markdown(hits):
    text = ("A miracle tonic.\n\n"
            "<!-- medlint-disable exaggerated-claim -->\n\n"
            "Another miracle tonic. It is well tolerated.\n\n"
            "<!-- medlint-enable exaggerated-claim -->\n\n"
            "A third miracle tonic.\n")
    assert hits(text) == [(1, "exaggerated-claim"), (5, "risk-minimizing"), (9, "exaggerated-claim")]


def test_disable_without_names_means_all_rules(hits):
    text = ("A miracle tonic.\n\n<!-- medlint-disable -->\n\n"
            "Another miracle tonic. It is well tolerated.\n\n"
            "<!-- medlint-enable -->\n\nIt is harmless.\n")
    assert hits(text) == [(1, "exaggerated-claim"), (9, "risk-minimizing")]


def test_disable_to_end_of_file(hits):
    text = "<!-- medlint-disable -->\nA miracle tonic.\n\nIt is well tolerated.\n"
    assert hits(text) == []


def test_disable_next_line_skips_blank_lines(hits):
    text = ("<!-- medlint-disable-next-line exaggerated-claim -->\n\n"
            "A miracle tonic. It is well tolerated.\n"
            "A second miracle here.\n")
    assert hits(text) == [(3, "risk-minimizing"), (4, "exaggerated-claim")]


def test_disable_next_line_without_names(hits):
    text = "<!-- medlint-disable-next-line -->\nA miracle tonic that is well tolerated.\n\nIt is a miracle.\n"
    assert hits(text) == [(4, "exaggerated-claim")]


def test_disable_line_inline(hits):
    text = ("A miracle tonic. <!-- medlint-disable-line -->\n"
            "It is well tolerated.\n\n"
            "Harmless, too. <!-- medlint-disable-line exaggerated-claim -->\n")
    assert hits(text) == [(2, "risk-minimizing"), (4, "risk-minimizing")]


@pytest.mark.parametrize("name", ["MED210", "MED2", "claims", "exaggerated-claim", "ALL"])
def test_codes_prefixes_and_categories_work_as_names(hits, name):
    text = f"<!-- medlint-disable {name} -->\n\nA miracle tonic. It is well tolerated.\n"
    assert hits(text) == ([] if name == "ALL" else [(3, "risk-minimizing")])


def test_several_names_comma_or_space_separated(hits):
    for names in ("exaggerated-claim, risk", "MED210 MED310", "claims,risk-minimizing"):
        text = f"<!-- medlint-disable {names} -->\nA miracle tonic. It is well tolerated.\n"
        assert hits(text) == [], names


def test_enable_one_of_several(hits):
    text = ("<!-- medlint-disable MED210, MED310 -->\nA miracle. It is well tolerated.\n\n"
            "<!-- medlint-enable risk -->\nA miracle. It is well tolerated.\n")
    assert hits(text) == [(5, "risk-minimizing")]


def test_html_comments(hits):
    text = ("<p>A miracle tonic.</p>\n"
            "<!-- medlint-disable risk-minimizing -->\n"
            "<p>It is well tolerated. A miracle.</p>\n"
            "<!-- medlint-enable risk-minimizing -->\n"
            "<!-- medlint-disable-next-line -->\n"
            "<p>Harmless miracle.</p>\n"
            "<p>Harmless. <!-- medlint-disable-line MED310 --></p>\n"
            "<li>Well tolerated.</li>\n")
    assert hits(text, "html") == [(1, "exaggerated-claim"), (3, "exaggerated-claim"), (8, "risk-minimizing")]


def test_plain_text_comments_on_their_own_line(hits):
    text = ("A miracle tonic.\n"
            "<!-- medlint-disable-next-line exaggerated-claim -->\n"
            "Another miracle tonic.\n"
            "<!-- medlint-disable risk -->\n"
            "It is well tolerated. It is a miracle.\n"
            "<!-- medlint-enable -->\n"
            "It is harmless.\n")
    assert hits(text, "text") == [(1, "exaggerated-claim"), (5, "exaggerated-claim"), (7, "risk-minimizing")]


def test_comment_lines_are_not_prose_in_text(lint):
    # the comment's own words never produce findings
    text = "<!-- medlint-disable-next-line miracle-cure-guaranteed -->\nPlain words.\n"
    assert lint(text, fmt="text", select=SEL) == []


def test_other_rules_unaffected_by_named_disable(hits):
    text = "<!-- medlint-disable exaggerated-claim -->\n\nA miracle. It is harmless.\n"
    assert hits(text) == [(3, "risk-minimizing")]
