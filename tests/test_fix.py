"""`medlint check --diff` and `--fix`: safe fixes (jargon's plain word), never a damaged file."""
import os
import stat

import pytest

from medlint.engine import Linter, Options
from medlint.fix import fix_path

from . import faults
from .conftest import run_cli

PAGE = ("# Our ketamine clinic\r\n\r\nPatients with anxiety receive an infusion. The duration of each visit "
        "is short.\r\n\r\nAfter the infusion, a nurse stays with you.\r\n")
FIXED = ("# Our ketamine clinic\r\n\r\nPatients with anxiety receive a drip into a vein. The duration of each "
         "visit is short.\r\n\r\nAfter the drip into a vein, a nurse stays with you.\r\n")
SELECT = ("--select", "jargon,plain-words")


@pytest.fixture
def page(tmp_path):
    p = tmp_path / "clinic.md"
    p.write_bytes(PAGE.encode())
    return p


def test_diff_prints_the_fixes_and_changes_nothing(page):
    r = run_cli("check", "--isolated", *SELECT, "--diff", "clinic.md", cwd=str(page.parent))
    assert r.returncode == 1  # there is something to fix
    assert r.stdout.splitlines() == [
        "--- clinic.md", "+++ clinic.md", "@@ -1,5 +1,5 @@",
        " # Our ketamine clinic", " ",
        "-Patients with anxiety receive an infusion. The duration of each visit is short.",
        "+Patients with anxiety receive a drip into a vein. The duration of each visit is short.", " ",
        "-After the infusion, a nurse stays with you.", "+After the drip into a vein, a nurse stays with you."]
    assert "would fix 2 findings in 1 file" in r.stderr
    assert page.read_bytes() == PAGE.encode()


def test_fix_rewrites_every_use_and_reports_what_remains(page):
    os.chmod(page, 0o640)
    r = run_cli("check", "--isolated", *SELECT, "--fix", "clinic.md", cwd=str(page.parent))
    # jargon reports a term once per page: the second use is fixed on the second pass
    assert page.read_bytes() == FIXED.encode()  # CRLF line ends kept
    assert stat.S_IMODE(os.stat(page).st_mode) == 0o640
    assert "fixed 2 findings in clinic.md" in r.stderr
    assert "fixed 2 findings in 1 file; 1 remaining" in r.stderr
    # "duration" -> "how long" explains the word but cannot stand in its place: reported, not fixed
    assert r.stdout.strip() == ("clinic.md:3:55: MED404 [plain-words] 'duration': plain English says 'how long'.")
    assert r.returncode == 0  # info only
    again = run_cli("check", "--isolated", *SELECT, "--diff", "clinic.md", cwd=str(page.parent))
    assert again.returncode == 0 and again.stdout == "" and "nothing to fix" in again.stderr


def test_fix_keeps_a_byte_order_mark(tmp_path):
    p = tmp_path / "bom.txt"
    p.write_bytes(b"\xef\xbb\xbfEach infusion takes about forty minutes.\n")
    r = run_cli("check", "--isolated", *SELECT, "--fix", str(p))
    assert r.returncode == 0, r.stderr
    assert p.read_bytes() == b"\xef\xbb\xbfEach drip into a vein takes about forty minutes.\n"


def test_fix_from_standard_input_prints_the_fixed_text():
    r = run_cli("check", "--isolated", *SELECT, "--fix", "--stdin-filename", "x.md", "-",
                stdin="We give the infusion slowly.\n")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "We give the drip into a vein slowly.\n"


def test_not_utf8_and_read_only_files_are_errors_and_left_alone(tmp_path):
    bad = tmp_path / "latin1.md"
    bad.write_bytes(b"Caf\xe9 infusion menu.\n")
    ro = tmp_path / "locked.md"
    ro.write_text("Each infusion takes about forty minutes.\n", encoding="utf-8")
    os.chmod(ro, 0o444)
    try:
        r = run_cli("check", "--isolated", *SELECT, "--fix", str(bad), str(ro))
        assert r.returncode == 2
        assert f"{bad}: not valid UTF-8 (byte 0xe9 on line 1); save the file as UTF-8; not fixed" in r.stderr
        assert f"{ro}: file is read-only; not fixed" in r.stderr
        assert "Traceback" not in r.stderr
        assert bad.read_bytes() == b"Caf\xe9 infusion menu.\n"
        assert ro.read_text(encoding="utf-8") == "Each infusion takes about forty minutes.\n"
        assert sorted(os.listdir(tmp_path)) == ["latin1.md", "locked.md"]  # no temporary file left
    finally:
        os.chmod(ro, 0o644)


def test_a_page_that_fails_to_lint_is_not_fixed(tmp_path):
    faults.install()
    pack = faults.write_pack(tmp_path / "pack", "raise", "BREAKME")
    p = tmp_path / "page.md"
    p.write_text("Each infusion takes about forty minutes. BREAKME\n", encoding="utf-8")
    res = fix_path(Linter(Options(isolated=True, rules_dirs=[pack])), str(p))
    assert not res.changed and res.applied == []
    assert "injected failure" in res.error
    assert p.read_text(encoding="utf-8") == "Each infusion takes about forty minutes. BREAKME\n"
