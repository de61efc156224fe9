"""The learned sentence model: the training command rebuilds it byte for byte, the shipped
file is the one that command builds, thresholds and the model switch work from config, and
every learned finding names its cues."""
import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from medlint.model import TARGETS, Model, builtin_path, get_model

from .conftest import ROOT, run_cli

SHARED = ROOT.parent / "shared" / "corpus"
REGRESSION = ROOT / "tests" / "corpus"


def train(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "medlint.train", *args], capture_output=True,
                          text=True, cwd=cwd)


def test_training_is_deterministic(tmp_path):
    """Two runs on the same labelled pages write the same bytes (what CI can afford: the
    project's own 24 regression pages, not the full real corpus)."""
    a, b = tmp_path / "a.json.gz", tmp_path / "b.json.gz"
    for out in (a, b):
        r = train(str(REGRESSION), "--out", str(out))
        assert r.returncode == 0, r.stderr
        assert "wrote" in r.stderr
    assert a.read_bytes() == b.read_bytes()
    m = Model.load(a)
    assert set(m.thresholds) == set(TARGETS)
    assert all(0 < t < 1 for t in m.thresholds.values())
    meta = m.meta["meta"]
    assert meta["pages"] == len(list(REGRESSION.glob("*.gold.yaml")))
    assert meta["trained_on"] == ["corpus"]


def test_cross_validation_prints_evaluate_lines(tmp_path):
    shipped = builtin_path().read_bytes()
    r = train(str(REGRESSION), "--cross-validate", "3")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("# 3-fold cross-validation grouped by site")
    for cat in ("claims", "exaggeration", "risk-minimizing"):
        line = next(x for x in lines if x.startswith(cat + " "))
        assert "tp=" in line and " P=" in line and " R=" in line and " F1=" in line
    assert builtin_path().read_bytes() == shipped  # evaluating writes no model


@pytest.mark.slow
@pytest.mark.skipif(not (SHARED / "real").is_dir(), reason="needs ../shared/corpus next to the checkout")
def test_shipped_model_is_what_the_training_command_builds(tmp_path):
    out = tmp_path / "model.json.gz"
    r = train(str(SHARED / "real"), str(SHARED / "dev"), str(REGRESSION), "--cross-validate", "5",
              "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == builtin_path().read_bytes(), \
        "the shipped model differs from a rebuild: run the command in README 'The sentence model'"


def test_shipped_model_loads_and_records_its_evaluation():
    m = get_model()
    assert len(m.weights) > 1000
    meta = m.meta["meta"]
    assert meta["trained_on"][0] == "real"
    cv = meta["cross_validation"]
    for cat in ("claims", "exaggeration", "risk-minimizing"):
        p, r, f1 = cv[cat]
        assert 0 < p <= 1 and 0 < r <= 1


def test_rule_explains_how_it_decides():
    r = run_cli("rule", "uncited-claim")
    assert r.returncode == 0
    assert "How it decides" in r.stdout
    assert "cross-validation grouped by site" in r.stdout
    assert "threshold" in r.stdout


def _config(tmp_path, body):
    cfg = tmp_path / "medlint.toml"
    cfg.write_text(body, encoding="utf-8")
    return str(cfg)


CLAIM = "Our magnesium drink relieves leg cramps and helps you sleep through the night.\n"


def test_threshold_trades_precision_for_recall(tmp_path, lint):
    from medlint import lint_text
    default = [f for f in lint(CLAIM, select=["uncited-claim"])]
    assert [(f.line, f.column, f.end_column) for f in default] == [(1, 1, 79)]
    strict = lint_text(CLAIM, path=str(tmp_path / "p.txt"), select=["uncited-claim"],
                       config_path=_config(tmp_path, "[rules.uncited-claim]\nthreshold = 0.999\n"))
    assert strict == []
    loose = lint_text("Each visit starts with a short questionnaire.\n", path=str(tmp_path / "p.txt"),
                      select=["uncited-claim"],
                      config_path=_config(tmp_path, "[rules.uncited-claim]\nthreshold = 0.0\n"))
    assert len(loose) == 1


def test_message_names_the_cues(lint):
    f = lint(CLAIM, select=["uncited-claim"])[0]
    assert f.message.startswith("Uncited efficacy claim (cues: 'helps', 'relieves', ")


def test_exaggeration_on_a_lexicon_phrase_or_on_the_model_cues(lint):
    """A lexicon phrase ('most potent') is reported on the phrase; a superlative the lexicon
    lacks ('the best supplement') is reported on the whole sentence with the model's cues,
    in the sentence's own words ('best', not its lemma)."""
    fs = lint("The most potent formula you can buy, with results you see overnight.\n",
              select=["exaggerated-claim"])
    assert [(f.column, f.end_column) for f in fs] == [(5, 16)]
    assert "'most potent'" in fs[0].message
    fs = lint("The best supplement for a healthy heart.\n", select=["exaggerated-claim"])
    assert [(f.column, f.end_column) for f in fs] == [(1, 41)]
    assert fs[0].message.startswith("Exaggerated promise (cues: a superlative, ")
    assert "'best'" in fs[0].message and "'well'" not in fs[0].message


def test_model_switch_restores_the_rules(tmp_path):
    """With model = false the lexicon alone decides: a negated word the model ignores stays
    ignored, and a lexicon phrase the model rejects is reported again."""
    from medlint import lint_text
    text = "# A miracle tonic\n"
    on = lint_text(text, path=str(tmp_path / "p.md"), select=["exaggerated-claim"], isolated=True)
    off = lint_text(text, path=str(tmp_path / "p.md"), select=["exaggerated-claim"],
                    config_path=_config(tmp_path, "[rules.exaggerated-claim]\nmodel = false\n"))
    assert on == []
    assert [(f.line, f.column, f.end_column) for f in off] == [(1, 5, 12)]


def test_bad_threshold_and_bad_model_file_are_clear_errors(tmp_path):
    page = tmp_path / "p.txt"
    page.write_text(CLAIM, encoding="utf-8")
    _config(tmp_path, "[rules.uncited-claim]\nthreshold = 1.5\n")
    r = run_cli("check", str(page), cwd=tmp_path)
    assert r.returncode == 2
    assert "params.threshold': must be between 0 and 1" in r.stderr
    (tmp_path / "junk.json.gz").write_bytes(b"not a model")
    _config(tmp_path, '[nlp]\nsentence-model = "junk.json.gz"\n')
    r = run_cli("check", str(page), cwd=tmp_path)
    assert r.returncode == 2
    assert "cannot read the sentence model" in r.stderr
    assert "Traceback" not in r.stderr
    _config(tmp_path, '[nlp]\nsentence-model = "missing.json.gz"\n')
    r = run_cli("check", str(page), cwd=tmp_path)
    assert r.returncode == 2
    assert "no such file" in r.stderr


def _altered_model(tmp_path, name, change):
    """A copy of the shipped model with ``change(data)`` applied, and a page to lint."""
    data = json.loads(gzip.decompress(builtin_path().read_bytes()))
    change(data)
    (tmp_path / name).write_bytes(gzip.compress(json.dumps(data).encode()))
    page = tmp_path / "p.txt"
    page.write_text(CLAIM, encoding="utf-8")
    return page


def test_model_trained_on_other_features_is_refused(tmp_path):
    page = _altered_model(tmp_path, "old.json.gz", lambda d: d.update(feature_version=0))
    _config(tmp_path, '[nlp]\nsentence-model = "old.json.gz"\n')
    r = run_cli("check", str(page), cwd=tmp_path)
    assert r.returncode == 2
    assert "retrain it with `python -m medlint.train`" in r.stderr


def test_model_from_config_replaces_the_builtin_one(tmp_path):
    """[nlp] sentence-model names a team's own model file (relative to the config file)."""
    page = _altered_model(tmp_path, "ours.json.gz", lambda d: d["bias"].update(claim=-100.0))
    r = run_cli("check", "--isolated", "--select", "uncited-claim", str(page), cwd=tmp_path)
    assert r.returncode == 1
    _config(tmp_path, '[nlp]\nsentence-model = "ours.json.gz"\n')
    r = run_cli("check", "--select", "uncited-claim", str(page), cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr


def test_audit_cache_key_follows_the_model_file(tmp_path):
    """An audit's cache must not serve findings made with another model."""
    from medlint.audit import config_fingerprint
    from medlint.config import load_config_file
    from medlint.engine import Options
    _altered_model(tmp_path, "ours.json.gz", lambda d: None)
    cfg_path = _config(tmp_path, '[nlp]\nsentence-model = "ours.json.gz"\n')
    before = config_fingerprint(Options(), load_config_file(cfg_path))
    _altered_model(tmp_path, "ours.json.gz", lambda d: d["bias"].update(claim=-100.0))
    after = config_fingerprint(Options(), load_config_file(cfg_path))
    assert before != after


def test_training_reports_bad_labels_clearly(tmp_path):
    (tmp_path / "page.txt").write_text(CLAIM, encoding="utf-8")
    (tmp_path / "page.gold.yaml").write_text("claims_uncited: [1\n", encoding="utf-8")
    r = train(str(tmp_path), "--out", str(tmp_path / "m.json.gz"))
    assert r.returncode == 1
    assert "page.gold.yaml: cannot read labels" in r.stderr
    assert "Traceback" not in r.stderr
    r = train(str(tmp_path / "nothing-here"))
    assert r.returncode != 0 and "Traceback" not in r.stderr
