"""Products the knowledge base does not know, and treatment names as the page writes them."""
import gzip

from medlint.products import WORDS_FILE, build_english_words, phrases


def names(text, **kw):
    return [(w, how) for _a, _b, w, how in phrases(text, **kw)]


def test_product_phrases_brands_and_unknown_words():
    assert names("Our cloudberry sleep drops help you drift off.") == [("cloudberry sleep drops", "phrase")]
    assert names("The Velora\u00ae band eases nausea on long drives.") == \
        [("Velora", "brand"), ("Velora\u00ae band", "phrase")]
    assert names("QuietWave soothes ringing ears.") == [("QuietWave", "brand")]
    assert names("Zentrofil supports healthy joints.") == [("Zentrofil", "word")]
    # determiners, praise and verbs are never part of a name; English words are no brand
    assert names("This supplement helps.") == []
    assert names("Nature supports healthy joints.") == []
    assert names("Patients using natural creams saw results.") == []


def test_shipped_word_list_is_the_one_the_lemma_tables_give(tmp_path):
    out = tmp_path / "words.txt.gz"
    build_english_words(out)
    assert gzip.decompress(out.read_bytes()) == gzip.decompress(WORDS_FILE.read_bytes())


PAGE = """# Zentrofil joint capsules

Zentrofil joint capsules rebuild worn cartilage and end stiff mornings for good.

Thousands of hikers say Zentrofil joint capsules let them climb again within weeks.

Order a three-month supply today.
"""


def _lint_unknown(tmp_path, page, extra=""):
    from medlint import lint_text
    cfg = tmp_path / "medlint.toml"
    cfg.write_text('[rules.missing-risk-disclosure]\nunknown-products = "warning"\n' + extra)
    return lint_text(page, path=str(tmp_path / "page.md"), fmt="markdown", select=["missing-risk-disclosure"],
                     config_path=str(cfg))


def test_unknown_products_are_off_by_default(lint):
    assert lint(PAGE, fmt="markdown", select=["missing-risk-disclosure"]) == []


def test_unknown_product_without_risks_is_reported_as_a_warning(tmp_path):
    fs = _lint_unknown(tmp_path, PAGE)
    assert [(f.rule, f.line, f.severity, f.subject) for f in fs] == \
        [("missing-risk-disclosure", 3, "warning", "Zentrofil joint capsules")]


def test_unknown_product_with_a_named_risk_is_not_reported(tmp_path):
    page = PAGE + "\nZentrofil joint capsules can cause nausea and diarrhea in some people.\n"
    assert _lint_unknown(tmp_path, page) == []


def test_unknown_product_decided_by_the_treatment_model(tmp_path):
    fs = _lint_unknown(tmp_path, PAGE, "model = true\n")
    assert [(f.line, f.severity, f.subject) for f in fs] == [(3, "warning", "Zentrofil joint capsules")]


def test_known_treatment_subject_is_written_as_on_the_page(lint):
    page = ("Our BOTOX\u00ae visits smooth frown lines in days and keep you looking rested.\n\n"
            "BOTOX\u00ae Cosmetic results last for months.\n")
    fs = lint(page, select=["missing-risk-disclosure"])
    assert [(f.line, f.subject) for f in fs] == [(1, "BOTOX")]  # the mark dropped, the case kept
