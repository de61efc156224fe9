"""The command line, run as a user runs it: `python -m medlint ...` in a subprocess."""
import json
import os
import re
import sys

import pytest

from medlint.registry import load_rules

from .conftest import run_cli

RULES = load_rules()

CLEAN = "Our office opens at nine on weekdays.\n"
PROMISE = "Our herbal tonic is a miracle.\n"  # exaggerated-claim at 1:23-1:30
BOTH = "Our herbal tonic is a miracle. It is well tolerated.\n"

TOP_KEYS = {"schema", "medlint", "findings", "files", "errors"}
FINDING_KEYS = {"path", "line", "column", "end_line", "end_column", "code", "rule", "category",
                "severity", "message", "subject", "related"}
# `fix` (null, or {replacement, message}) is the one key the engine adds to the documented
# finding schema; it is checked separately so that any other drift fails the test.
EXTRA_FINDING_KEYS = {"fix"}
FILE_KEYS = {"path", "words", "readability"}


@pytest.fixture
def page(tmp_path):
    def _page(text, name="page.md"):
        p = tmp_path / name
        p.write_text(text, encoding="utf-8")
        return str(p)
    return _page


def rules_hit(*args, cwd=None):
    r = run_cli("check", "--isolated", "--format", "json", *args, cwd=cwd)
    assert r.returncode in (0, 1), r.stderr
    return {f["rule"] for f in json.loads(r.stdout)["findings"]}


# --- exit codes ---------------------------------------------------------------------------

def test_exit_0_on_clean_copy(page):
    r = run_cli("check", "--isolated", page(CLEAN))
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip() == ""


def test_exit_1_with_findings(page):
    r = run_cli("check", "--isolated", "--select", "exaggerated-claim", page(PROMISE))
    assert r.returncode == 1
    assert "exaggerated-claim" in r.stdout


@pytest.mark.parametrize("args", [
    ["check", "--format", "nope", "x.md"],
    ["check", "--jobs", "0", "x.md"],
    ["check", "--select", "no-such-rule", "x.md"],
    ["check", "--bogus-flag"],
    ["frobnicate"],
], ids=["bad-format", "bad-jobs", "unknown-selector", "unknown-flag", "unknown-command"])
def test_exit_2_on_usage_errors(args, tmp_path):
    (tmp_path / "x.md").write_text(PROMISE, encoding="utf-8")
    r = run_cli(*args, cwd=tmp_path)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr


# --- formats ------------------------------------------------------------------------------

def test_concise_format(page):
    path = page(PROMISE)
    r = run_cli("check", "--isolated", "--select", "exaggerated-claim", "--format", "concise", path)
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 1
    m = re.fullmatch(r"(.+):(\d+):(\d+): ([A-Z]+\d+) \[([a-z-]+)\] (.+)", lines[0])
    assert m, lines[0]
    assert m.group(1) == path
    assert (m.group(2), m.group(3), m.group(4), m.group(5)) == ("1", "23", "MED210", "exaggerated-claim")
    assert "'miracle'" in m.group(6)


def test_full_format_underlines_the_span(page):
    path = page("Intro line.\n\nWe promise instant relief today.\n")
    r = run_cli("check", "--isolated", "--select", "exaggerated-claim", "--format", "full", path)
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    head = next(i for i, l in enumerate(lines) if l.startswith(f"{path}:3:12: MED210"))
    src_line, marks = lines[head + 1], lines[head + 2]
    assert src_line.endswith("| We promise instant relief today.")
    gutter = src_line.index("| ") + 2
    start = marks.index("^")
    assert start - gutter == 11  # column 12
    assert marks.strip() == "^" * len("instant relief")
    assert src_line[start:start + len("instant relief")] == "instant relief"


def test_json_format_matches_schema(page):
    path = page(BOTH)
    r = run_cli("check", "--isolated", "--format", "json", path)
    assert r.returncode == 1
    data = json.loads(r.stdout)
    assert set(data) == TOP_KEYS
    assert data["schema"] == 1
    from medlint import __version__
    assert data["medlint"] == __version__
    assert data["errors"] == []
    assert data["findings"]
    for f in data["findings"]:
        assert set(f) - EXTRA_FINDING_KEYS == FINDING_KEYS, set(f) ^ FINDING_KEYS
        assert f["path"] == path
        for k in ("line", "column", "end_line", "end_column"):
            assert isinstance(f[k], int) and f[k] >= 1
        assert f["severity"] in ("error", "warning", "info")
        assert isinstance(f["related"], list)
        for rel in f["related"]:
            assert {"path", "line", "column", "message"} <= set(rel)
    mir = next(f for f in data["findings"] if f["rule"] == "exaggerated-claim")
    assert (mir["line"], mir["column"], mir["end_line"], mir["end_column"]) == (1, 23, 1, 30)
    assert mir["code"] == "MED210" and mir["category"] == "claims" and mir["subject"] is None
    (entry,) = data["files"]
    assert set(entry) == FILE_KEYS
    assert entry["path"] == path and entry["words"] > 0
    assert {"flesch_kincaid_grade", "smog"} <= set(entry["readability"])


# --- selection ------------------------------------------------------------------------------

@pytest.mark.parametrize("args,present,absent", [
    (["--select", "MED210"], {"exaggerated-claim"}, {"risk-minimizing"}),
    (["--select", "risk-minimizing"], {"risk-minimizing"}, {"exaggerated-claim"}),
    (["--select", "MED3"], {"risk-minimizing"}, {"exaggerated-claim"}),
    (["--select", "claims"], {"exaggerated-claim"}, {"risk-minimizing"}),
    (["--ignore", "MED210"], {"risk-minimizing"}, {"exaggerated-claim"}),
    (["--ignore", "risk"], {"exaggerated-claim"}, {"risk-minimizing"}),
    (["--select", "exaggerated-claim", "--extend-select", "MED31"], {"exaggerated-claim", "risk-minimizing"}, set()),
    (["--select", "MED210,risk-minimizing", "--ignore", "exaggerated-claim"], {"risk-minimizing"}, {"exaggerated-claim"}),
], ids=["code", "name", "prefix", "category", "ignore-code", "ignore-category", "extend-select", "comma-list"])
def test_selection(page, args, present, absent):
    got = rules_hit(*args, page(BOTH))
    assert present <= got
    assert not (absent & got)


def test_fail_on(page):
    path = page(PROMISE)
    sel = ["check", "--isolated", "--select", "exaggerated-claim"]
    assert run_cli(*sel, "--fail-on", "error", path).returncode == 0  # findings are warnings
    assert run_cli(*sel, "--fail-on", "info", path).returncode == 1


# --- rules / rule ---------------------------------------------------------------------------

def test_rules_lists_every_rule():
    r = run_cli("rules")
    assert r.returncode == 0
    for rule in RULES:
        line = next((l for l in r.stdout.splitlines() if l.startswith(rule.code + " ")), None)
        assert line and rule.name in line, f"{rule.code} {rule.name} missing from `medlint rules`"
    r = run_cli("rules", "--format", "json")
    assert {x["name"] for x in json.loads(r.stdout)} == {x.name for x in RULES}


@pytest.mark.parametrize("key", ["exaggerated-claim", "MED210", "med210"])
def test_rule_explains_itself(key):
    rule = next(x for x in RULES if x.name == "exaggerated-claim")
    r = run_cli("rule", key)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert out.startswith("MED210 exaggerated-claim")
    for heading in ("What it flags", "Why it matters", "References", "Fails", "Passes"):
        assert heading in out
    assert " ".join(rule.description.split()[:6]) in " ".join(out.split())
    assert " ".join(rule.why.split()[:6]) in " ".join(out.split())
    for ref in rule.references:
        assert ref in out
    for ex in rule.examples["fail"] + rule.examples["pass"]:
        assert ex.strip() in out


def test_rule_risk_minimizing_by_code():
    r = run_cli("rule", "MED310")
    assert r.returncode == 0 and r.stdout.startswith("MED310 risk-minimizing")


def test_unknown_rule_exits_2():
    r = run_cli("rule", "no-such-rule")
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [r.stderr.strip()]
    assert r.stderr.startswith("medlint: error:") and "no-such-rule" in r.stderr
    assert "Traceback" not in r.stderr


# --- standard input -------------------------------------------------------------------------

def test_stdin_with_filename_uses_its_format_and_name(tmp_path):
    # as Markdown the heading marker is not text: the match is at column 5
    r = run_cli("check", "--isolated", "--select", "exaggerated-claim", "--stdin-filename", "page.md", "-",
                stdin="# A miracle tonic that cures fatigue\n", cwd=tmp_path)
    assert r.returncode == 1
    assert r.stdout.startswith("page.md:1:5: MED210 [exaggerated-claim]")


def test_stdin_html(tmp_path):
    r = run_cli("check", "--isolated", "--select", "exaggerated-claim", "--stdin-filename", "p.html", "-",
                stdin="<p>A <b>miracle</b> tonic that cures fatigue</p>\n", cwd=tmp_path)
    assert r.stdout.startswith("p.html:1:9: MED210")


def test_stdin_without_filename(tmp_path):
    r = run_cli("check", "--isolated", "--select", "exaggerated-claim", "-", stdin=PROMISE, cwd=tmp_path)
    assert r.returncode == 1
    assert r.stdout.startswith("-:1:23: MED210")


# --- bad input: one clear line each, the rest still linted ------------------------------------

def test_bad_files_are_reported_and_the_rest_linted(tmp_path):
    good = tmp_path / "good.md"
    good.write_text(PROMISE, encoding="utf-8")
    binary = tmp_path / "logo.md"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Caf\u00e9 miracle\n".encode("latin-1"))
    missing = tmp_path / "missing.md"
    link = tmp_path / "dangling.md"
    os.symlink(tmp_path / "nowhere.md", link)
    paths = [str(binary), str(latin1), str(good), str(missing), str(link)]
    r = run_cli("check", "--isolated", "--select", "exaggerated-claim", *paths)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    # the good file was still linted
    assert f"{good}:1:23: MED210 [exaggerated-claim]" in r.stdout
    errs = r.stderr.strip().splitlines()
    assert len(errs) == 4, r.stderr
    assert all(e.startswith("medlint: error:") for e in errs)
    by_path = {p: [e for e in errs if p in e] for p in (str(binary), str(latin1), str(missing), str(link))}
    assert all(len(v) == 1 for v in by_path.values()), by_path
    assert "binary" in by_path[str(binary)][0]
    assert "UTF-8" in by_path[str(latin1)][0]
    assert "no such file" in by_path[str(missing)][0]
    assert "broken symbolic link" in by_path[str(link)][0]


def test_bad_files_in_json_errors(tmp_path):
    good = tmp_path / "good.md"
    good.write_text(PROMISE, encoding="utf-8")
    missing = tmp_path / "missing.md"
    r = run_cli("check", "--isolated", "--select", "exaggerated-claim", "--format", "json",
                str(good), str(missing))
    assert r.returncode == 2
    data = json.loads(r.stdout)
    assert [f["rule"] for f in data["findings"]] == ["exaggerated-claim"]
    assert [e["path"] for e in data["errors"]] == [str(missing)]
    assert r.stderr.count("medlint: error:") == 1


def test_broken_rule_yaml_is_one_clear_error(tmp_path):
    rules = tmp_path / "my-rules"
    rules.mkdir()
    (rules / "broken.yaml").write_text("code: XYZ100\nname: [unclosed\n", encoding="utf-8")
    good = tmp_path / "good.md"
    good.write_text(PROMISE, encoding="utf-8")
    r = run_cli("check", "--isolated", "--rules-dir", str(rules), str(good))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    (line,) = r.stderr.strip().splitlines()
    assert line.startswith("medlint: error:") and "broken.yaml" in line and "invalid YAML" in line


def test_invalid_rule_field_is_one_clear_error(tmp_path):
    rules = tmp_path / "my-rules"
    rules.mkdir()
    (rules / "bad.yaml").write_text(
        "code: XYZ100\nname: my-rule\nkind: pattern\ncategory: claims\nseverity: loud\n"
        "message: m\ndescription: d\nwhy: w\nreferences: [r]\nexamples: {fail: [a], pass: [b]}\n"
        "params: {terms: [zebra]}\n", encoding="utf-8")
    r = run_cli("rules", "--rules-dir", str(rules))
    assert r.returncode == 2
    (line,) = r.stderr.strip().splitlines()
    assert line.startswith("medlint: error:") and "severity" in line


# --- parallel runs and the pre-commit hook ----------------------------------------------------

SEVERAL = ("Our drip is a miracle.\n\nKetamine infusions relieve depression within hours for most "
           "patients. Side effects are mild.\n\nWe monitor comorbidities before titration.\n")


def test_statistics_sort_by_severity_and_summary_line(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(SEVERAL, encoding="utf-8")
    args = ["check", "--isolated", "--select", "MED201,MED210,MED301,MED310,MED403", str(page)]
    plain = run_cli(*args)
    assert plain.returncode == 1
    assert plain.stderr == "Found 9 findings (1 error, 5 warnings, 3 info) in 1 file.\n"
    lines = plain.stdout.splitlines()
    assert [ln.split(": ")[1].split()[0] for ln in lines] == [
        "MED201", "MED210", "MED201", "MED301", "MED403", "MED201", "MED310", "MED403", "MED403"]
    by_sev = run_cli(*args, "--sort", "severity").stdout.splitlines()
    assert sorted(by_sev) == sorted(lines)
    assert by_sev[0] == (f"{page}:3:1: MED301 [missing-risk-disclosure] Ketamine infusions is promoted "
                         f"with 2 benefit claim(s) but the page names no concrete risk, side effect or "
                         f"contraindication for it.")
    assert [ln.split(": ")[1].split()[0] for ln in by_sev[-3:]] == ["MED403"] * 3  # info last
    stats = run_cli(*args, "--statistics")
    assert stats.returncode == 1
    assert stats.stdout.splitlines() == [
        "  count  code      rule                     fixable",
        "      3  MED201    uncited-claim",
        "      3  MED403    jargon                         2",
        "      1  MED210    exaggerated-claim",
        "      1  MED301    missing-risk-disclosure",
        "      1  MED310    risk-minimizing"]
    rows = json.loads(run_cli(*args, "--statistics", "--format", "json").stdout)
    assert rows[1] == {"code": "MED403", "name": "jargon", "count": 3, "fixable": 2}


def test_audit_statistics(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    for i in range(2):
        (site / f"p{i}.md").write_text(SEVERAL, encoding="utf-8")
    r = run_cli("audit", str(site), "--isolated", "--no-cache", "--quiet", "--statistics",
                "--select", "MED210,MED403")
    assert r.stdout.splitlines() == ["  count  code      rule               fixable",
                                     "      6  MED403    jargon                   4",
                                     "      2  MED210    exaggerated-claim"]


def test_a_closed_pipe_is_not_a_traceback(tmp_path):
    import subprocess
    page = tmp_path / "page.md"
    page.write_text(SEVERAL * 100, encoding="utf-8")
    p = subprocess.Popen([sys.executable, "-m", "medlint", "check", "--isolated", str(page)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.readline()
    p.stdout.close()  # like `| head -1`
    err = p.stderr.read().decode()
    assert p.wait(60) == 141 and "Traceback" not in err


def test_jobs_gives_the_same_report(tmp_path):
    for i in range(3):
        (tmp_path / f"p{i}.md").write_text(f"Page {i}: a miracle tonic.\n\nIt is well tolerated.\n",
                                           encoding="utf-8")
    args = ["check", "--isolated", "--select", "MED210,MED310", str(tmp_path)]
    one = run_cli(*args)
    two = run_cli(*args, "--jobs", "2")
    assert one.returncode == two.returncode == 1
    assert one.stdout == two.stdout and one.stdout.count("\n") == 6


def test_pre_commit_hook_definition():
    import yaml
    from .conftest import ROOT
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "medlint" and hook["name"] == "medlint"
    assert hook["entry"] == "medlint check" and hook["language"] == "python"
    assert hook["require_serial"] is True  # all staged files in one process
    files = re.compile(hook["files"])
    for name in ("a.md", "b.markdown", "c.html", "d.htm", "docs/e.txt"):
        assert files.search(name), name
    for name in ("setup.py", "a.mdx", "style.css", "page.html.j2"):
        assert not files.search(name), name
