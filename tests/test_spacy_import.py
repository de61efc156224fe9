"""medlint defers spaCy's command-line package (medlint/_spacy_cli.py): a lint does not
import it, and spaCy's own API that needs it still works."""
import subprocess
import sys

SCRIPT = """
import sys
from medlint import lint_text
findings = lint_text("Our tonic cures fatigue.", path="page.md", isolated=True)
assert [f.rule for f in findings if f.rule == "exaggerated-claim"], findings
heavy = [m for m in ("typer", "weasel", "spacy.cli.download", "jinja2") if m in sys.modules]
assert not heavy, heavy
import spacy
from spacy.cli import download        # the real command, imported on first use
assert download.__module__ == "spacy.cli.download", download.__module__
assert callable(spacy.cli.init_config)
assert isinstance(spacy.info(), dict)
assert "typer" in sys.modules
print("ok")
"""


def test_a_lint_does_not_import_spacys_commands_and_they_still_work():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_spacy_imported_first_is_left_alone():
    script = ("import spacy, sys\nimport medlint.engine\n"
              "assert type(sys.modules['spacy.cli']).__name__ == 'module'\nprint('ok')")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr
