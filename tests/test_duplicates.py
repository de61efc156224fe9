"""duplicate-section (MED101): cross-page findings, allowed repeats, params and config.

In-document positions are covered by tests/cases/duplicate-section.yaml."""
import os
import pickle

import numpy as np
import pytest

from medlint import lint_paths, lint_text
from medlint.registry import MedlintError

RULE = "duplicate-section"

SHARED = ("Our intake nurse calls you two days before the first session to go over your "
          "medicines, your sleep and any questions you still have about the program.")
SHARED_EDITED = ("Our intake nurse calls you three days before the first session to go over your "
                 "medicines, your sleep and any questions you still have about the program.")
DSHEA = ("These statements have not been evaluated by the Food and Drug Administration. This "
         "product is not intended to diagnose, treat, cure, or prevent any disease.")
OWN_DISCLAIMER = ("Individual results vary and nothing on this page replaces a visit with your own "
                  "doctor or pharmacist about your health.")

PAGES = {
    "a-sleep.txt": ["Better Sleep Starts Here",
                    "Cognitive behavioral therapy for insomnia teaches you to keep a steady wake time "
                    "and to leave the bed when you cannot sleep.",
                    SHARED],
    "b-stress.txt": ["Managing Stress at Work",
                     "Short walking breaks and a fixed end to the working day lower the load of a "
                     "stressful job for many of the people we see.",
                     SHARED],
    "c-pain.txt": ["Living With Back Pain",
                   SHARED_EDITED,
                   "Gentle strengthening exercise, done three times a week, keeps many people with "
                   "chronic back pain moving and working."],
}


def write_pages(tmp_path, pages, extra=None):
    for name, paras in pages.items():
        body = "\n\n".join(paras + (extra or [])) + "\n"
        (tmp_path / name).write_text(body, encoding="utf-8")
    (tmp_path / "medlint.toml").write_text('select = ["duplicate-section"]\n', encoding="utf-8")


def findings_by_page(result):
    out = {}
    for f in result.findings:
        if f.rule == RULE:
            out.setdefault(os.path.basename(f.path), []).append(f)
    return out


def line_of(tmp_path, name, text):
    src = (tmp_path / name).read_text(encoding="utf-8")
    return src[:src.index(text)].count("\n") + 1


def test_cross_page_findings_on_later_pages(tmp_path):
    write_pages(tmp_path, PAGES)
    res = lint_paths([str(tmp_path)])
    assert not res.errors
    got = findings_by_page(res)
    assert "a-sleep.txt" not in got  # the first copy gives no finding
    [fb] = got["b-stress.txt"]
    assert fb.line == line_of(tmp_path, "b-stress.txt", SHARED)
    assert fb.column == 1 and fb.end_column == len(SHARED) + 1
    assert [(os.path.basename(r.path), r.line) for r in fb.related] == [
        ("a-sleep.txt", line_of(tmp_path, "a-sleep.txt", SHARED))]
    assert fb.related[0].message == "first copy"
    assert fb.code == "MED101" and fb.category == "duplication" and fb.severity == "warning"
    assert "a-sleep.txt" in fb.message
    # the near-verbatim copy on the third page points at both earlier pages, first copy first
    [fc] = got["c-pain.txt"]
    assert fc.line == line_of(tmp_path, "c-pain.txt", SHARED_EDITED)
    assert [os.path.basename(r.path) for r in fc.related] == ["a-sleep.txt", "b-stress.txt"]
    assert [r.message for r in fc.related] == ["first copy", "also on this page"]
    assert "1 other page" in fc.message


def test_cross_page_with_process_pool(tmp_path):
    write_pages(tmp_path, PAGES)
    res = lint_paths([str(tmp_path)], jobs=2)
    got = findings_by_page(res)
    assert sorted(got) == ["b-stress.txt", "c-pain.txt"]


def test_allowed_disclaimer_is_not_reported(tmp_path):
    # the DSHEA disclaimer is allowed by default; our own disclaimer through the config
    # (extend-allow keeps the pack's list; allow replaces it)
    write_pages(tmp_path, PAGES, extra=[DSHEA, OWN_DISCLAIMER, OWN_DISCLAIMER])
    (tmp_path / "medlint.toml").write_text(
        'select = ["duplicate-section"]\n[rules.duplicate-section]\n'
        f'extend-allow = ["{OWN_DISCLAIMER}"]\n', encoding="utf-8")
    res = lint_paths([str(tmp_path)])
    got = findings_by_page(res)
    lines = {(name, f.line) for name, fs in got.items() for f in fs}
    assert lines == {("b-stress.txt", line_of(tmp_path, "b-stress.txt", SHARED)),
                     ("c-pain.txt", line_of(tmp_path, "c-pain.txt", SHARED_EDITED))}


def test_disclaimer_reported_without_allow(tmp_path):
    write_pages(tmp_path, PAGES, extra=[OWN_DISCLAIMER, DSHEA])
    (tmp_path / "medlint.toml").write_text(
        'select = ["duplicate-section"]\n[rules.duplicate-section]\nallow = []\n', encoding="utf-8")
    res = lint_paths([str(tmp_path)])
    got = findings_by_page(res)
    for text in (OWN_DISCLAIMER, DSHEA):
        disc = [f for fs in got.values() for f in fs
                if f.line == line_of(tmp_path, os.path.basename(f.path), text)]
        assert sorted(os.path.basename(f.path) for f in disc) == ["b-stress.txt", "c-pain.txt"]


def test_site_wide_can_be_turned_off(tmp_path):
    write_pages(tmp_path, PAGES)
    (tmp_path / "medlint.toml").write_text(
        'select = ["duplicate-section"]\n[rules.duplicate-section]\nsite-wide = false\n', encoding="utf-8")
    assert findings_by_page(lint_paths([str(tmp_path)])) == {}


def test_suppression_comment_applies_to_cross_page(tmp_path):
    write_pages(tmp_path, PAGES)
    p = tmp_path / "b-stress.txt"
    p.write_text("<!-- medlint-disable duplicate-section -->\n" + p.read_text(), encoding="utf-8")
    got = findings_by_page(lint_paths([str(tmp_path)]))
    assert "b-stress.txt" not in got and "c-pain.txt" in got


def test_collect_keeps_signatures_not_text(tmp_path):
    from medlint.engine import Linter, Options
    from medlint.parsers import parse
    linter = Linter(Options(select=[RULE], isolated=True))
    rs = linter.ruleset("page.txt")
    rule = next(r for r in rs.enabled if r.name == RULE)
    impl = rs.impl(rule)
    doc = parse("\n\n".join(PAGES["a-sleep.txt"]) + "\n", "page.txt")
    data = impl.collect(doc, rs)
    blob = pickle.dumps(data)
    assert b"intake" not in blob and b"nurse" not in blob
    assert set(data) == {"pos", "sig"}
    assert data["sig"].dtype == np.uint16 and data["sig"].shape == (2, impl.params["num-perm"])
    assert len(blob) < 200 + 2 * 2 * impl.params["num-perm"] + 600  # signatures + positions


def test_config_params_change_behaviour(tmp_path):
    text = ("Each session of light therapy lasts about thirty minutes.\n\n"
            "Each session of light therapy lasts about thirty minutes.\n")
    cfg = tmp_path / "medlint.toml"
    cfg.write_text('[rules.duplicate-section]\nmin-words = 12\n', encoding="utf-8")
    assert [f for f in lint_text(text, path="p.txt", select=[RULE], config_path=str(cfg))] == []
    cfg.write_text('[rules.duplicate-section]\nallow = ["each session of light therapy lasts about thirty minutes"]\n',
                   encoding="utf-8")
    assert [f for f in lint_text(text, path="p.txt", select=[RULE], config_path=str(cfg))] == []
    near = ("Each session of light therapy lasts about thirty minutes in our clinic.\n\n"
            "Each session of bright light therapy lasts about twenty minutes in our clinic.\n")
    assert len(lint_text(near, path="p.txt", select=[RULE], isolated=True)) == 1
    cfg.write_text('[rules.duplicate-section]\nthreshold = 0.9\n', encoding="utf-8")
    assert lint_text(near, path="p.txt", select=[RULE], config_path=str(cfg)) == []
    cfg.write_text('[rules.duplicate-section]\nsentences = false\n', encoding="utf-8")
    inside = ("Each session of light therapy lasts about thirty minutes.\n\n"
              "Plan your day. Each session of light therapy lasts about thirty minutes. Bring a book.\n")
    assert len(lint_text(inside, path="p.txt", select=[RULE], isolated=True)) == 1
    assert lint_text(inside, path="p.txt", select=[RULE], config_path=str(cfg)) == []


@pytest.mark.parametrize("body,field", [
    ("threshold = 1.5", "params.threshold"),
    ("threshold = \"high\"", "params.threshold"),
    ("min-words = 0", "params.min-words"),
    ("num-perm = 4", "params.num-perm"),
    ("allow = [\"\"]", "params.allow[0]"),
    ("bogus = 1", "params.bogus"),
])
def test_bad_params_are_reported(tmp_path, body, field):
    cfg = tmp_path / "medlint.toml"
    cfg.write_text(f"[rules.duplicate-section]\n{body}\n", encoding="utf-8")
    with pytest.raises(MedlintError) as e:
        lint_text("Some text here.", path="p.txt", select=[RULE], config_path=str(cfg))
    assert field in str(e.value)


def test_site_matches_finds_planted_pairs_without_all_pairs():
    """The LSH index on random signatures: planted copies found, nothing else."""
    from medlint.kinds.duplicates import signatures, site_matches
    rng = np.random.default_rng(7)
    vocab = [f"w{i}" for i in range(5000)]
    sets = [frozenset(rng.choice(vocab, 40, replace=False)) for _ in range(2000)]
    planted = {}
    for k in range(50):
        src = sets[k]
        words = sorted(src)
        words[0] = "changed"  # one word changed
        sets.append(frozenset(words))
        planted[len(sets) - 1] = k
    sig = signatures(sets, 64)
    page = np.arange(len(sets), dtype=np.int32)
    m = site_matches(sig, page, 0.65, 10)
    assert set(m) == set(planted)
    assert all(m[u][0][0] == planted[u] for u in planted)
