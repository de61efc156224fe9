"""Rule kinds: the Python behind rules. A rule YAML names its kind and gives parameters.

A kind is a class with a ``PARAMS`` table (name -> (type, default, description)), validated
in one place (:meth:`Kind.validate`), and a ``check(doc, ctx)`` generator yielding
:class:`Hit` objects: spans inside blocks. The engine turns hits into findings.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, Iterable

from ..document import Block, Document


@dataclass
class Hit:
    block: Block
    start: int
    end: int
    message: str | None = None  # full message; default: rule.message formatted with ``args``
    args: dict = field(default_factory=dict)
    subject: str | None = None
    # (block, start, end, message) in the same document, or (path, line, column, message)
    related: list = field(default_factory=list)
    replacement: str | None = None  # a fix: replace the span with this text
    fix_message: str | None = None
    severity: str | None = None  # this finding's severity when the user set none for the rule


_SERIALS = itertools.count()


class ParamError(Exception):
    pass


class Kind:
    name = ""
    PARAMS: dict[str, tuple[Any, Any, str]] = {}

    def __init__(self, rule, params: dict):
        self.rule = rule
        self.params = params
        self.serial = next(_SERIALS)  # a key for results cached on shared block docs
        self.setup()

    def setup(self):
        pass

    @classmethod
    def validate(cls, params: dict, path: str = "", rule: str = "") -> dict:
        from ..registry import RuleError
        out = {}
        for key, value in (params or {}).items():
            if key not in cls.PARAMS:
                known = ", ".join(sorted(cls.PARAMS)) or "none"
                raise RuleError(f"{path or rule}: field 'params.{key}': unknown parameter for kind "
                                f"'{cls.name}' (known: {known})")
            typ = cls.PARAMS[key][0]
            ok = isinstance(value, typ) and not (typ in (int, float, (int, float)) and isinstance(value, bool))
            if not ok:
                tname = typ.__name__ if isinstance(typ, type) else "/".join(t.__name__ for t in typ)
                raise RuleError(f"{path or rule}: field 'params.{key}': must be {tname}, "
                                f"got {type(value).__name__}")
            out[key] = value
        for key, (_typ, default, _doc) in cls.PARAMS.items():
            out.setdefault(key, default)
        cls.check_params(out, path or rule)
        return out

    @classmethod
    def check_params(cls, params: dict, where: str):
        """Deeper validation of parameter values (raise RuleError naming the field)."""

    def blocks(self, doc: Document) -> Iterable[Block]:
        scope = self.rule.scope
        for b in doc.blocks:
            if b.kind in scope and not b.in_references and b.text.strip():
                yield b

    def check(self, doc: Document, ctx) -> Iterable[Hit]:
        raise NotImplementedError

    # cross-document rules override these two
    site_wide = False

    def collect(self, doc: Document, ctx):
        """Per-document data kept for a site-wide pass (small: signatures, not texts)."""
        return None

    def site_check(self, collected: list, ctx) -> dict:
        """collected: [(path, data)] -> {path: [Finding-like dicts]}"""
        return {}


KINDS: dict[str, type[Kind]] = {}


def register(cls):
    KINDS[cls.name] = cls
    return cls


def get_kind(name: str) -> type[Kind]:
    return KINDS[name]


# import the kinds so they register themselves
from . import claims, pattern, risk  # noqa: E402,F401
from . import readability  # noqa: E402,F401
from . import jargon  # noqa: E402,F401
from . import duplicates  # noqa: E402,F401
from . import learned  # noqa: E402,F401
