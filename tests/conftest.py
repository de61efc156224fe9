import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CASES = ROOT / "tests" / "cases"


@pytest.fixture
def lint():
    """lint(text, fmt="text", select=None) -> findings, isolated from any config file."""
    from medlint import lint_text

    def _lint(text, fmt="text", select=None, path=None, **kw):
        ext = {"text": ".txt", "markdown": ".md", "html": ".html"}[fmt]
        return lint_text(text, path=path or f"page{ext}", fmt=fmt, select=select, isolated=True, **kw)
    return _lint


def run_cli(*args, cwd=None, stdin=None, env=None):
    import subprocess
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "medlint", *args], capture_output=True, text=True,
                          cwd=cwd, input=stdin, env=e)
