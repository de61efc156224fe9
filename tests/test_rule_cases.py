"""Rule cases as data: tests/cases/<rule-name>.yaml holds failing and passing snippets with
the exact positions each must produce. Every rule must have a cases file and examples."""
import pytest
import yaml

from medlint.registry import load_rules

from .conftest import CASES

RULES = load_rules()


def _cases():
    out = []
    for f in sorted(CASES.glob("*.yaml")):
        data = yaml.safe_load(f.read_text(encoding="utf-8"))
        for i, case in enumerate(data["cases"]):
            out.append(pytest.param(data["rule"], case, id=f"{f.stem}:{case.get('name', i)}"))
    return out


@pytest.mark.parametrize("rule", [r.name for r in RULES])
def test_every_rule_has_cases_and_examples(rule):
    r = next(x for x in RULES if x.name == rule)
    assert r.examples["fail"] and r.examples["pass"], f"{rule} has no examples"
    path = CASES / f"{rule}.yaml"
    assert path.exists(), f"{rule} has no rule cases file ({path.name})"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["rule"] == rule
    kinds = {bool(c["expect"]) for c in data["cases"]}
    assert kinds == {True, False}, f"{rule} needs both failing and passing cases"


@pytest.mark.parametrize("rule", [r.name for r in RULES])
def test_rule_examples(rule, lint):
    """The examples `medlint rule NAME` prints are true: fail ones fire, pass ones do not."""
    r = next(x for x in RULES if x.name == rule)
    for text in r.examples["fail"]:
        got = [f for f in lint(text, select=[rule]) if f.rule == rule]
        assert got, f"{rule}: failing example produced no finding: {text!r}"
    for text in r.examples["pass"]:
        got = [f for f in lint(text, select=[rule]) if f.rule == rule]
        assert not got, f"{rule}: passing example produced {[f.message for f in got]}: {text!r}"


@pytest.mark.parametrize("rule,case", _cases())
def test_case(rule, case, lint):
    select = case.get("select", [rule])
    findings = [f for f in lint(case["text"], fmt=case.get("format", "text"), select=select)
                if f.rule == rule]
    got = [(f.line, f.column, f.end_line, f.end_column) for f in findings]
    want = [(e["line"], e["column"], e.get("end_line", e["line"]), e["end_column"]) for e in case["expect"]]
    assert got == want, "\n".join(f"{f.line}:{f.column}-{f.end_line}:{f.end_column} {f.message}" for f in findings)
    for f, e in zip(findings, case["expect"]):
        if "message" in e:
            assert e["message"] in f.message
        if "subject" in e:
            assert f.subject == e["subject"]
        if "related_lines" in e:
            assert [r.line for r in f.related] == e["related_lines"]
        if "fix" in e:  # fix: null -- the finding must carry no fix
            assert (f.fix.replacement if f.fix is not None else None) == e["fix"]
