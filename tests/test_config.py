"""Configuration: [tool.medlint] in pyproject.toml or medlint.toml, the closest one above the
linted file; command-line options override it; bad configuration is one clear error."""
import json
import textwrap

import pytest

from medlint import config as config_mod
from medlint.engine import Options
from medlint.runner import run

from .conftest import run_cli

BOTH = "Our herbal tonic is a miracle. It is well tolerated.\n"


@pytest.fixture(autouse=True)
def fresh_config_cache():
    config_mod.clear_cache()
    yield
    config_mod.clear_cache()


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def rules_of(*paths, **opts):
    res = run([str(p) for p in paths], Options(**opts))
    assert not res.errors, res.errors
    return [f.rule for f in res.findings]


def test_pyproject_tool_medlint_is_found(tmp_path):
    write(tmp_path / "pyproject.toml", """
        [project]
        name = "site"

        [tool.medlint]
        select = ["risk-minimizing"]
    """)
    page = write(tmp_path / "docs" / "page.md", BOTH)
    assert rules_of(page) == ["risk-minimizing"]


def test_pyproject_without_medlint_table_is_skipped(tmp_path):
    write(tmp_path / "medlint.toml", 'select = ["exaggerated-claim"]\n')
    write(tmp_path / "sub" / "pyproject.toml", '[project]\nname = "x"\n')
    page = write(tmp_path / "sub" / "page.md", BOTH)
    assert rules_of(page) == ["exaggerated-claim"]


def test_closest_config_above_the_file_wins(tmp_path):
    write(tmp_path / "medlint.toml", 'select = ["exaggerated-claim"]\n')
    write(tmp_path / "clinic" / "pyproject.toml", '[tool.medlint]\nselect = ["risk-minimizing"]\n')
    top = write(tmp_path / "top.md", BOTH)
    deep = write(tmp_path / "clinic" / "pages" / "deep.md", BOTH)
    res = run([str(top), str(deep)], Options())
    by_path = {}
    for f in res.findings:
        by_path.setdefault(f.path, set()).add(f.rule)
    assert by_path == {str(top): {"exaggerated-claim"}, str(deep): {"risk-minimizing"}}


def test_medlint_toml_wins_over_pyproject_in_same_directory(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.medlint]\nselect = ["risk-minimizing"]\n')
    write(tmp_path / "medlint.toml", 'select = ["exaggerated-claim"]\n')
    page = write(tmp_path / "page.md", BOTH)
    assert rules_of(page) == ["exaggerated-claim"]


def test_select_and_ignore(tmp_path):
    write(tmp_path / "medlint.toml", 'select = ["claims", "risk"]\nignore = ["MED210"]\n')
    page = write(tmp_path / "page.md", BOTH)
    got = rules_of(page)
    assert "risk-minimizing" in got and "exaggerated-claim" not in got


def test_extend_select(tmp_path):
    write(tmp_path / "medlint.toml", 'select = ["MED210"]\nextend-select = ["risk-minimizing"]\n')
    page = write(tmp_path / "page.md", BOTH)
    assert rules_of(page) == ["exaggerated-claim", "risk-minimizing"]


def test_per_file_ignores(tmp_path):
    write(tmp_path / "medlint.toml", """
        select = ["exaggerated-claim", "risk-minimizing"]
        [per-file-ignores]
        "legal/*.md" = ["exaggerated-claim"]
        "*.txt" = ["risk"]
    """)
    legal = write(tmp_path / "legal" / "terms.md", BOTH)
    plain = write(tmp_path / "notes.txt", BOTH)
    other = write(tmp_path / "index.md", BOTH)
    res = run([str(legal), str(plain), str(other)], Options())
    by_path = {}
    for f in res.findings:
        by_path.setdefault(f.path, set()).add(f.rule)
    assert by_path[str(legal)] == {"risk-minimizing"}
    assert by_path[str(plain)] == {"exaggerated-claim"}
    assert by_path[str(other)] == {"exaggerated-claim", "risk-minimizing"}


def test_severity_override_and_fail_on(tmp_path):
    write(tmp_path / "medlint.toml", """
        select = ["exaggerated-claim", "risk-minimizing"]
        [severity]
        exaggerated-claim = "info"
        risk = "error"
    """)
    page = write(tmp_path / "page.md", BOTH)
    res = run([str(page)], Options())
    sev = {f.rule: f.severity for f in res.findings}
    assert sev == {"exaggerated-claim": "info", "risk-minimizing": "error"}


def test_severity_info_does_not_fail_by_default(tmp_path):
    write(tmp_path / "medlint.toml", 'select = ["MED210"]\n[severity]\nMED210 = "info"\n')
    page = write(tmp_path / "page.md", "Our tonic is a miracle.\n")
    r = run_cli("check", "--format", "json", str(page))
    assert r.returncode == 0, r.stderr
    (f,) = json.loads(r.stdout)["findings"]
    assert f["severity"] == "info"


def test_rule_params_override_the_pack(tmp_path):
    write(tmp_path / "pyproject.toml", """
        [tool.medlint]
        select = ["exaggerated-claim"]

        [tool.medlint.rules.exaggerated-claim]
        terms = ["zebra juice", "unicorn"]
    """)
    page = write(tmp_path / "page.md", "A miracle drink: zebra juice, made by a unicorn.\n")
    res = run([str(page)], Options())
    got = [(f.line, f.column, f.end_column, f.message) for f in res.findings]
    assert [g[:3] for g in got] == [(1, 18, 29), (1, 41, 48)]
    assert "'zebra juice'" in got[0][3]


def test_bad_rule_param_is_one_clear_error(tmp_path):
    write(tmp_path / "medlint.toml", '[rules.exaggerated-claim]\nterms = "not a list"\n')
    page = write(tmp_path / "page.md", BOTH)
    r = run_cli("check", str(page))
    assert r.returncode == 2
    (line,) = r.stderr.strip().splitlines()
    assert line.startswith("medlint: error:") and "terms" in line and "Traceback" not in r.stderr


USER_RULE = """\
code: ACME101
name: acme-banned-phrase
kind: pattern
category: language
severity: error
message: "House style: do not write '{match}'."
description: Phrases our legal team asked us not to use.
why: They have come up in complaints.
references:
  - "ACME legal memo, 2024"
examples:
  fail:
    - "Our detox tea flushes toxins."
  pass:
    - "Our tea is caffeine-free."
params:
  terms: [flush toxins, detox]
"""


def test_extra_rules_directory_works_like_builtin(tmp_path):
    write(tmp_path / "acme-rules" / "style" / "acme-banned-phrase.yaml", USER_RULE)
    write(tmp_path / "medlint.toml", 'extra-rules = ["acme-rules"]\nselect = ["ACME", "MED210"]\n')
    page = write(tmp_path / "page.md", "# A miracle detox\n\nIt flushes toxins.\n")
    res = run([str(page)], Options())
    got = [(f.code, f.rule, f.line, f.column, f.end_column, f.severity) for f in res.findings]
    assert got == [
        ("MED210", "exaggerated-claim", 1, 5, 12, "warning"),
        ("ACME101", "acme-banned-phrase", 1, 13, 18, "error"),
        ("ACME101", "acme-banned-phrase", 3, 4, 18, "error"),
    ]
    assert res.findings[1].category == "language"
    assert "'detox'" in res.findings[1].message
    # selection by name and category, suppression by name, as for built-in rules
    assert {f.rule for f in run([str(page)], Options(select=["acme-banned-phrase"])).findings} == {"acme-banned-phrase"}
    assert {f.rule for f in run([str(page)], Options(select=["language"])).findings} >= {"acme-banned-phrase"}
    write(tmp_path / "page2.md", "<!-- medlint-disable acme-banned-phrase -->\nIt flushes toxins.\n")
    assert run([str(tmp_path / "page2.md")], Options()).findings == []


def test_extra_rules_via_cli_rule_and_rules(tmp_path):
    write(tmp_path / "acme" / "acme-banned-phrase.yaml", USER_RULE)
    r = run_cli("rule", "ACME101", "--rules-dir", str(tmp_path / "acme"))
    assert r.returncode == 0 and r.stdout.startswith("ACME101 acme-banned-phrase")
    assert "Our detox tea flushes toxins." in r.stdout
    r = run_cli("rules", "--rules-dir", str(tmp_path / "acme"))
    assert "ACME101" in r.stdout and "MED210" in r.stdout


def test_cli_options_override_config(tmp_path):
    write(tmp_path / "medlint.toml", 'select = ["risk-minimizing"]\nfail-on = "error"\n')
    page = write(tmp_path / "page.md", BOTH)
    # config alone: only risk-minimizing, and warnings do not fail
    r = run_cli("check", "--format", "json", str(page))
    assert r.returncode == 0
    assert {f["rule"] for f in json.loads(r.stdout)["findings"]} == {"risk-minimizing"}
    # the command line wins for select and fail-on
    r = run_cli("check", "--format", "json", "--select", "exaggerated-claim", "--fail-on", "warning", str(page))
    assert r.returncode == 1
    assert {f["rule"] for f in json.loads(r.stdout)["findings"]} == {"exaggerated-claim"}
    # --isolated ignores the file altogether
    r = run_cli("check", "--format", "json", "--isolated", "--select", "MED210,MED310", str(page))
    assert {f["rule"] for f in json.loads(r.stdout)["findings"]} == {"exaggerated-claim", "risk-minimizing"}


def test_explicit_config_option(tmp_path):
    cfg = write(tmp_path / "elsewhere" / "strict.toml", 'select = ["MED210"]\n')
    page = write(tmp_path / "page.md", BOTH)
    assert rules_of(page, config_path=str(cfg)) == ["exaggerated-claim"]


def test_exclude(tmp_path):
    write(tmp_path / "medlint.toml", 'select = ["MED210"]\nexclude = ["drafts/*"]\n')
    write(tmp_path / "drafts" / "wip.md", BOTH)
    write(tmp_path / "live.md", BOTH)
    res = run([str(tmp_path)], Options())
    assert {f.path for f in res.findings} == {str(tmp_path / "live.md")}


@pytest.mark.parametrize("name,text,needle", [
    ("medlint.toml", 'selectt = ["MED210"]\n', "unknown key 'selectt'"),
    ("medlint.toml", 'select = ["MED210"\n', "invalid TOML"),
    ("pyproject.toml", '[tool.medlint]\nselect = [\n', "invalid TOML"),
    ("medlint.toml", 'fail-on = "loud"\n', "fail-on"),
    ("medlint.toml", 'select = "MED210"\nignore = [1]\n', "ignore"),
    ("medlint.toml", '[severity]\nexaggerated-claim = "critical"\n', "severity"),
    ("medlint.toml", 'select = ["no-such-rule"]\n', "no-such-rule"),
    ("medlint.toml", '[rules.no-such-rule]\nx = 1\n', "no-such-rule"),
], ids=["unknown-key", "bad-toml", "bad-pyproject", "bad-fail-on", "bad-list", "bad-severity",
        "unknown-selector", "unknown-rule-table"])
def test_bad_config_is_one_clear_error(tmp_path, name, text, needle):
    write(tmp_path / name, text)
    page = write(tmp_path / "page.md", BOTH)
    r = run_cli("check", str(page))
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    (line,) = r.stderr.strip().splitlines()
    assert line.startswith("medlint: error:")
    assert needle in line


# --- the README's examples are true -----------------------------------------------------------

def _readme_block(lang, contains):
    from .conftest import ROOT
    import re
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(rf"```{lang}\n(.*?)```", text, re.S)
    return next(b for b in blocks if contains in b)


def test_readme_config_example_is_valid_and_complete(tmp_path):
    toml = _readme_block("toml", "[tool.medlint]")
    p = write(tmp_path / "pyproject.toml", toml)
    from medlint.model import builtin_path  # the retrained model the example names
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "ours.json.gz").write_bytes(builtin_path().read_bytes())
    cfg = config_mod.load_config_file(str(p))
    from medlint.config import tomllib  # tomli on Python 3.10
    keys = set(tomllib.loads(toml)["tool"]["medlint"])
    assert keys == config_mod.KEYS, "README's [tool.medlint] example must show every config key"
    assert cfg.rules["long-sentence"] == {"max-words": 30}
    assert cfg.per_file_ignores == {"legal/*.md": ["readability"]}


def test_readme_rule_pack_example_works(tmp_path):
    from medlint.registry import load_rule
    rule_yaml = _readme_block("yaml", "kind: pattern")
    p = write(tmp_path / "my-rules" / "detox.yaml", rule_yaml)
    rule = load_rule(p)
    assert (rule.code, rule.name) == ("ACME101", "detox-claim")
    write(tmp_path / "medlint.toml", 'extra-rules = ["my-rules"]\nselect = ["ACME101"]\n')
    fail = write(tmp_path / "fail.md", rule.examples["fail"][0] + "\n")
    ok = write(tmp_path / "pass.md", rule.examples["pass"][0] + "\n")
    res = run([str(fail), str(ok)], Options())
    assert [(f.path, f.rule) for f in res.findings] == [(str(fail), "detox-claim")]
