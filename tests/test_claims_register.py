"""`medlint claims`: the claims register, as a reviewer reads it (table, CSV, JSON)."""
import csv
import io
import json

import pytest

from .conftest import run_cli

PAGE = """\
# Red light therapy at Harbor Wellness

Red light therapy reduces knee pain within two weeks.

In a small trial, red light therapy eased knee stiffness more than a sham lamp (doi:10.1234/abcd.5678).

Our sessions improved sleep for most guests in a 2023 survey [1].

Red light therapy speeds up wound healing [2].

Studies show that red light therapy boosts collagen.

It is a guaranteed, permanent cure for wrinkles.

Parking is free for all guests.

## References

1. Harbor Wellness guest survey, 2023. https://harbor.example/survey
"""

SECOND = """\
# Knee care

Red light therapy reduces knee pain within two weeks!

Book a visit online.
"""


@pytest.fixture
def site(tmp_path):
    (tmp_path / "a.md").write_text(PAGE, encoding="utf-8")
    (tmp_path / "b.md").write_text(SECOND, encoding="utf-8")
    return tmp_path


def claims(site, *args):
    r = run_cli("claims", "a.md", "b.md", "--isolated", *args, cwd=str(site))
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_json_register_rows_status_citation_and_codes(site):
    data = json.loads(claims(site, "--format", "json"))
    rows = [(c["line"], c["column"], c["status"], c["kind"], c["treatment"], c["cited_by"], c["citation"],
             c["codes"], c["pages"]) for c in data["claims"]]
    assert rows == [
        (3, 1, "uncited", "efficacy", ["Red light therapy"], None, None, ["MED201"], 2),
        (5, 1, "cited", "efficacy", ["Red light therapy"], "doi", "doi:10.1234/abcd.5678", [], 1),
        (7, 1, "cited", "efficacy", ["Red light therapy"], "marker",
         "Harbor Wellness guest survey, 2023. https://harbor.example/survey", [], 1),
        (9, 1, "broken reference", "efficacy", ["Red light therapy"], None, None, ["MED201", "MED204"], 1),
        (11, 1, "vague", "vague attribution", ["Red light therapy"], None, None, ["MED202"], 1),
        (13, 1, "uncited", "exaggeration", ["Red light therapy"], None, None, ["MED201", "MED210"], 1),
    ]
    assert data["summary"] == {"claims": 6, "occurrences": 7, "pages": 2,
                               "by_status": {"uncited": 2, "vague": 1, "broken reference": 1, "cited": 2}}
    # the same claim on two pages (end punctuation aside) is one row listing both places
    assert data["claims"][0]["occurrences"] == [{"path": "a.md", "line": 3, "column": 1},
                                                {"path": "b.md", "line": 3, "column": 1}]
    assert data["claims"][0]["claim"] == "Red light therapy reduces knee pain within two weeks."
    # no row for the parking sentence, the call to action or the reference list
    assert all(c["line"] not in (15, 19) for c in data["claims"])


def test_csv_register_filtered_by_status(site):
    rows = list(csv.reader(io.StringIO(claims(site, "--format", "csv", "--status", "broken,vague"))))
    assert rows[0] == ["status", "kind", "treatment", "path", "line", "column", "end_line", "end_column",
                       "claim", "citation", "cited_by", "codes", "pages", "occurrences"]
    assert rows[1:] == [
        ["broken reference", "efficacy", "Red light therapy", "a.md", "9", "1", "9", "47",
         "Red light therapy speeds up wound healing [2].", "", "", "MED201 MED204", "1", "a.md:9:1"],
        ["vague", "vague attribution", "Red light therapy", "a.md", "11", "1", "11", "53",
         "Studies show that red light therapy boosts collagen.", "", "", "MED202", "1", "a.md:11:1"],
    ]


def test_table_lists_each_claim_whole_when_not_a_terminal(site):
    out = claims(site).splitlines()
    assert out[0].split() == ["STATUS", "KIND", "TREATMENT", "WHERE", "CLAIM"]
    assert "a.md:3:1 +1" in out[1] and out[1].endswith("Red light therapy reduces knee pain within two weeks.")
    assert out[-1] == "6 claims (2 uncited, 1 vague, 1 broken reference, 2 cited) in 2 pages."


def test_unknown_status_and_unreadable_page_are_clear_errors(site):
    r = run_cli("claims", "a.md", "--isolated", "--status", "pending", cwd=str(site))
    assert r.returncode == 2 and "unknown status 'pending'" in r.stderr
    (site / "c.md").write_bytes(b"caf\xe9 \xff\xfe")
    r = run_cli("claims", "a.md", "c.md", "--isolated", "--format", "json", cwd=str(site))
    assert r.returncode == 2
    assert "c.md" in r.stderr and "Traceback" not in r.stderr
    assert json.loads(r.stdout)["summary"]["claims"] == 6  # the readable page is still listed


def test_audit_register_survives_the_cache_and_skips_page_furniture(site, tmp_path):
    from medlint.audit import audit
    from medlint.engine import Options
    (site / "c.html").write_text(
        "<html><body><nav>Our tonic is a miracle cure.</nav><main><p>Red light therapy reduces knee pain "
        "within two weeks.</p></main><footer>Guaranteed results for everyone.</footer></body></html>",
        encoding="utf-8")
    cache = str(tmp_path / "cache")
    first = audit([str(site)], Options(isolated=True), jobs=1, cache=True, cache_dir=cache)
    again = audit([str(site)], Options(isolated=True), jobs=1, cache=True, cache_dir=cache)
    assert again.cached == 3
    assert again.claims() == first.claims()
    top = first.claims()[0]
    assert top["claim"] == "Red light therapy reduces knee pain within two weeks."
    assert [(o["path"], o["line"]) for o in top["occurrences"]] == [("a.md", 3), ("b.md", 3), ("c.html", 1)]
    assert not any("miracle" in c["claim"] or "Guaranteed" in c["claim"] for c in first.claims())
    first.close()
    again.close()
