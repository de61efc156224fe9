"""Import spaCy without its command-line package until someone uses it.

``import spacy`` runs ``from .cli.info import info`` (for ``spacy.info``), and ``spacy.cli``
imports every spaCy command with their dependencies (typer, weasel, httpx, jinja2, ...):
about a third of spaCy's import time, paid by every cold ``medlint check`` (each pre-commit
run), for commands medlint never calls.

:func:`install` (called by ``medlint/__init__.py`` before spaCy is imported) puts a
placeholder for ``spacy.cli`` and ``spacy.cli.info`` in ``sys.modules``. The placeholder's
``info`` and any attribute of ``spacy.cli`` import the real package on first use and then
behave exactly as spaCy's own. Nothing happens when spaCy was imported already, when
``MEDLINT_EAGER_SPACY_CLI`` is set, or when spaCy's layout is not the one this was written
for (the real import then runs as usual).
"""
from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import types

_NAMES = ("spacy.cli.info", "spacy.cli")


class _Placeholder(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(_real(self.__name__), name)


def _real(name: str):
    """Replace the placeholders by spaCy's real modules; return the real ``name``."""
    for n in _NAMES:
        if isinstance(sys.modules.get(n), _Placeholder):
            del sys.modules[n]
    cli = importlib.import_module("spacy.cli")
    importlib.import_module("spacy.cli.info")
    spacy = sys.modules.get("spacy")
    if spacy is not None:
        spacy.cli = cli
    return sys.modules[name]


def _info(*args, **kwargs):
    return _real("spacy.cli.info").info(*args, **kwargs)


def attach() -> None:
    """After spaCy is imported: ``spacy.cli`` names the placeholder, as it names the real
    package in a plain ``import spacy``."""
    spacy = sys.modules.get("spacy")
    cli = sys.modules.get("spacy.cli")
    if spacy is not None and cli is not None and not hasattr(spacy, "cli"):
        spacy.cli = cli


def install() -> None:
    if "spacy" in sys.modules or any(n in sys.modules for n in _NAMES) \
            or os.environ.get("MEDLINT_EAGER_SPACY_CLI"):
        return
    try:
        spec = importlib.util.find_spec("spacy")
    except (ImportError, ValueError):
        return
    if spec is None or not spec.submodule_search_locations:
        return
    pkg = spec.submodule_search_locations[0]
    if not os.path.isfile(os.path.join(pkg, "cli", "info.py")):
        return
    cli = _Placeholder("spacy.cli")
    cli.__path__ = [os.path.join(pkg, "cli")]
    cli.__package__ = "spacy.cli"
    info = _Placeholder("spacy.cli.info")
    info.__package__ = "spacy.cli"
    info.info = _info
    cli.info = info
    sys.modules["spacy.cli"] = cli
    sys.modules["spacy.cli.info"] = info
