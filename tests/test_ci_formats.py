"""CI output formats (SARIF, GitHub annotations), --fail-on and baselines."""
import json
import os

import pytest

from .conftest import ROOT, run_cli

PAGE = "# Glow Drip\n\nOur NAD+ drip is a miracle for brain fog.\n\nStudies show it restores energy.\n"
SCHEMA = os.environ.get("MEDLINT_SARIF_SCHEMA", str(ROOT / ".ci" / "cache" / "sarif-2.1.0.json"))


@pytest.fixture
def page(tmp_path):
    p = tmp_path / "page.md"
    p.write_text(PAGE, encoding="utf-8")
    return p


def test_sarif_validates_against_the_official_schema(page, tmp_path):
    if not os.path.exists(SCHEMA):
        pytest.skip(f"SARIF 2.1.0 schema not found at {SCHEMA}: .ci/run fetches it with "
                    ".ci/fetch-sarif-schema.py (or set MEDLINT_SARIF_SCHEMA)")
    import jsonschema
    p = run_cli("check", "--isolated", "--format", "sarif", str(page), cwd=tmp_path)
    assert p.returncode == 1, p.stderr
    log = json.loads(p.stdout)
    with open(SCHEMA, encoding="utf-8") as fh:
        schema = json.load(fh)
    jsonschema.validators.validator_for(schema)(schema).validate(log)
    run = log["runs"][0]
    ids = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    res = {r["ruleId"]: r for r in run["results"]}
    assert "MED210" in res and ids["MED210"]["name"] == "exaggerated-claim"
    assert ids["MED210"]["help"]["text"] and ids["MED210"]["defaultConfiguration"]["level"] == "warning"
    region = res["MED210"]["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"], region["endColumn"]) == (3, 20, 27)
    assert res["MED210"]["partialFingerprints"]["medlintFingerprint/v1"]
    assert run["columnKind"] == "unicodeCodePoints"


def test_github_annotations_carry_rule_metadata(page, tmp_path):
    p = run_cli("check", "--isolated", "--format", "github", "--select", "exaggerated-claim", "page.md", cwd=tmp_path)
    assert p.returncode == 1
    assert p.stdout.strip() == (
        "::warning file=page.md,line=3,col=20,endLine=3,endColumn=27,"
        "title=MED210 [exaggerated-claim] (claims%2C warning)::Exaggerated promise: 'miracle'. "
        "Health claims must not promise certain, total, instant or permanent results; say what the evidence shows.")


def test_fail_on_threshold(page, tmp_path):
    # jargon is info: it does not fail at the default threshold (warning) but does at info
    text = "We administer the drip slowly.\n"
    (tmp_path / "j.md").write_text(text, encoding="utf-8")
    assert run_cli("check", "--isolated", "--select", "jargon", "j.md", cwd=tmp_path).returncode == 0
    assert run_cli("check", "--isolated", "--select", "jargon", "--fail-on", "info", "j.md", cwd=tmp_path).returncode == 1
    assert run_cli("check", "--isolated", "--fail-on", "error", "--select", "exaggerated-claim",
                   "page.md", cwd=tmp_path).returncode == 0


def test_baseline_reports_only_new_findings(page, tmp_path):
    base = tmp_path / "baseline.json"
    p = run_cli("check", "--isolated", "--write-baseline", str(base), "page.md", cwd=tmp_path)
    assert p.returncode == 0 and base.exists(), p.stderr
    assert run_cli("check", "--isolated", "--baseline", str(base), "page.md", cwd=tmp_path).returncode == 0
    # edits elsewhere move the old findings down: still known
    page.write_text("# Glow Drip\n\nWalk-ins welcome.\n\nFree parking.\n\n" + PAGE.split("\n", 2)[2], encoding="utf-8")
    p = run_cli("check", "--isolated", "--baseline", str(base), "page.md", cwd=tmp_path)
    assert p.returncode == 0 and p.stdout == "", p.stdout
    # a new risky sentence is reported, and only it
    with open(page, "a", encoding="utf-8") as fh:
        fh.write("\nIt is a guaranteed cure.\n")
    p = run_cli("check", "--isolated", "--baseline", str(base), "--select", "exaggerated-claim", "page.md", cwd=tmp_path)
    assert p.returncode == 1
    assert [line.split(": ")[1].split()[0] for line in p.stdout.splitlines()] == ["MED210", "MED210"]
    assert all(":11:" in line for line in p.stdout.splitlines())


def test_bad_baseline_file_is_a_clear_error(page, tmp_path):
    (tmp_path / "b.json").write_text("not json", encoding="utf-8")
    p = run_cli("check", "--isolated", "--baseline", "b.json", "page.md", cwd=tmp_path)
    assert p.returncode == 2 and p.stderr.startswith("medlint: error: b.json: not a medlint baseline")
    assert "Traceback" not in p.stderr
