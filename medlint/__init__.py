"""medlint: a content-quality linter for health marketing copy.

Public API::

    from medlint import lint_text, lint_paths
    findings = lint_text("Our drip cures fatigue.", path="page.md")
    result = lint_paths(["site/"], jobs=2)
"""
from __future__ import annotations

__version__ = "0.1.0"

from ._spacy_cli import install as _defer_spacy_cli  # noqa: E402

_defer_spacy_cli()  # before anything imports spaCy: see medlint/_spacy_cli.py

from .config import Config  # noqa: E402
from .document import Document  # noqa: E402
from .finding import Finding  # noqa: E402


def lint_text(text: str, path: str = "<text>", fmt: str | None = None, *, select=None,
              ignore=(), config_path: str | None = None, isolated: bool = False) -> list[Finding]:
    """Lint a string. ``fmt`` is "text", "markdown" or "html" (default: from ``path``)."""
    from .engine import Linter, Options
    from .runner import lint_source
    linter = Linter(Options(select=list(select) if select else None, ignore=list(ignore),
                            config_path=config_path, isolated=isolated))
    res = lint_source(linter, text, path, fmt)
    from .runner import RunResult, site_pass
    run = RunResult(files=[res])
    site_pass(linter, run)
    if res.errors:
        from .registry import MedlintError
        raise MedlintError(res.errors[0])
    return res.findings


def lint_paths(paths, *, jobs: int = 1, select=None, ignore=(), config_path: str | None = None):
    """Lint files and directories; returns a RunResult (``.findings``, ``.files``, ``.errors``)."""
    from .engine import Options
    from .runner import run
    return run(list(paths), Options(select=list(select) if select else None, ignore=list(ignore),
                                    config_path=config_path), jobs=jobs)


__all__ = ["lint_text", "lint_paths", "Document", "Finding", "Config", "__version__"]
