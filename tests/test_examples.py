"""examples/ shows every rule firing, and clean copy that trips none."""
import pytest

from medlint.engine import Options
from medlint.registry import load_rules
from medlint.runner import run

from .conftest import EXAMPLES

BAD = [EXAMPLES / "clinic-landing.md", EXAMPLES / "wellness-spa.html"]
CLEAN = EXAMPLES / "clean-guide.md"


@pytest.fixture(scope="module")
def bad_result():
    opt_in = [r.name for r in load_rules() if r.opt_in]  # off by default: selected here
    return run([str(p) for p in BAD], Options(isolated=True, extend_select=opt_in))


def test_examples_lint_without_errors(bad_result):
    assert bad_result.errors == []
    assert {r.path for r in bad_result.files} == {str(p) for p in BAD}


@pytest.mark.parametrize("rule", [r.name for r in load_rules()])
def test_every_rule_fires_on_the_examples(bad_result, rule):
    fired = {f.rule for f in bad_result.findings}
    assert rule in fired, f"{rule} does not fire on examples/clinic-landing.md or examples/wellness-spa.html"


def test_both_bad_examples_have_findings(bad_result):
    for p in BAD:
        assert any(f.path == str(p) for f in bad_result.findings), p.name


def test_clean_guide_has_no_findings():
    res = run([str(CLEAN)], Options(isolated=True))
    assert res.errors == []
    assert res.findings == [], "\n".join(f"{f.line}:{f.column} {f.rule} {f.message}" for f in res.findings)


def test_readme_rules_table_lists_every_rule():
    import re
    from .conftest import ROOT
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| (MED\d+) \| `([a-z0-9-]+)` \|", readme, re.M))
    missing = [f"{r.code} {r.name}" for r in load_rules() if rows.get(r.code) != r.name]
    assert not missing, f"README.md rules table lacks: {missing}"
