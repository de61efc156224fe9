"""Rule packs: YAML files under ``rules/<pack>/``, validated at load.

A rule file names its kind (the Python behind it, in :mod:`medlint.kinds`) and gives its
parameters; wording, terms and thresholds are data. Every problem in a pack is reported as
``path: field 'x': what is wrong`` and stops the run with exit code 2.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from .document import BLOCK_KINDS, PROSE_KINDS
from .finding import SEVERITIES

CATEGORIES = ("duplication", "claims", "risk", "readability", "language")
REQUIRED = ("code", "name", "kind", "category", "severity", "message", "description", "why",
            "references", "examples")
OPTIONAL = ("scope", "params", "fix", "opt-in")
CODE_RE = re.compile(r"^[A-Z]{2,8}[0-9]{3,4}$")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


class MedlintError(Exception):
    """A usage, configuration or input problem: reported as one line, exit code 2."""


class RuleError(MedlintError):
    pass


@dataclass
class Rule:
    code: str
    name: str
    kind: str
    category: str
    severity: str
    message: str
    description: str
    why: str
    references: list[str]
    examples: dict
    scope: tuple[str, ...] = PROSE_KINDS
    params: dict = field(default_factory=dict)
    path: str = ""
    opt_in: bool = False  # off unless selected by its own name or code (not ALL, a prefix or a category)

    def chosen_by(self, selector: str) -> bool:
        """Whether ``selector`` in select/extend-select turns this rule on."""
        if not self.opt_in:
            return self.matches(selector)
        s = selector.strip()
        return s.lower() == self.name or s.upper() == self.code

    def matches(self, selector: str) -> bool:
        """Selection by code, code prefix, name, category or ALL (ruff-style)."""
        s = selector.strip()
        if s.upper() == "ALL":
            return True
        if s.lower() in (self.name, self.category):
            return True
        return bool(s) and s.upper() == s and self.code.startswith(s)

    def build(self, params: dict | None = None):
        """An instance of this rule's kind, with ``params`` overriding the pack's."""
        from .kinds import get_kind
        merged = dict(self.params)
        if params:
            merged.update(params)
        kind = get_kind(self.kind)
        return kind(self, kind.validate(merged, self.path, self.name))


def builtin_rules_dir() -> Path:
    """The built-in packs: ``medlint/rules`` in an installed wheel (``rules/`` ships as the
    package ``medlint.rules``), ``rules/`` next to the package in a source checkout.
    (``importlib.resources.files`` is no help: without an ``__init__.py`` the package is a
    namespace package, whose MultiplexedPath does not convert to a path with ``str``.)"""
    here = Path(__file__).resolve().parent
    for cand in (here / "rules", here.parent / "rules"):
        if cand.is_dir():
            return cand
    return here.parent / "rules"


SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's loader where PyYAML has it


def read_yaml(path, error=MedlintError, what: str = "file"):
    """Load a YAML data file; any problem becomes ``error`` naming the file (and position)."""
    from .cache import yaml_store
    try:
        with open(path, "rb") as fh:
            source = fh.read()
        text = source.decode("utf-8")
        return yaml_store.get(source, lambda: yaml.load(text, Loader=SAFE_LOADER))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise error(f"{path}{where}: invalid YAML: {getattr(e, 'problem', None) or e}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise error(f"{path}: cannot read {what}: {getattr(e, 'strerror', None) or e}") from None


def _load_yaml(path: Path):
    return read_yaml(path, RuleError, "rule file")


def load_rule(path: Path) -> Rule:
    from .kinds import KINDS
    data = _load_yaml(path)
    if not isinstance(data, dict):
        raise RuleError(f"{path}: a rule file must be a mapping of fields")

    def bad(fieldname, why):
        return RuleError(f"{path}: field '{fieldname}': {why}")

    for k in REQUIRED:
        if k not in data or data[k] in (None, ""):
            raise bad(k, "required field is missing")
    unknown = set(data) - set(REQUIRED) - set(OPTIONAL)
    if unknown:
        raise bad(sorted(unknown)[0], "unknown field (known: " + ", ".join(REQUIRED + OPTIONAL) + ")")
    for k in ("code", "name", "kind", "category", "severity", "message", "description", "why"):
        if not isinstance(data[k], str):
            raise bad(k, "must be a string")
    if not CODE_RE.match(data["code"]):
        raise bad("code", f"{data['code']!r} is not a code like MED123")
    if not NAME_RE.match(data["name"]):
        raise bad("name", f"{data['name']!r} must be lowercase words joined by hyphens")
    if data["kind"] not in KINDS:
        raise bad("kind", f"unknown kind {data['kind']!r} (known: {', '.join(sorted(KINDS))})")
    if data["category"] not in CATEGORIES:
        raise bad("category", f"must be one of {', '.join(CATEGORIES)}")
    if data["severity"] not in SEVERITIES:
        raise bad("severity", f"must be one of {', '.join(SEVERITIES)}")
    refs = data["references"]
    if not isinstance(refs, list) or not refs or not all(isinstance(r, str) for r in refs):
        raise bad("references", "must be a non-empty list of strings")
    ex = data["examples"]
    if not isinstance(ex, dict) or not ex.get("fail") or not ex.get("pass"):
        raise bad("examples", "must have non-empty 'fail' and 'pass' lists")
    for k in ("fail", "pass"):
        if not isinstance(ex[k], list) or not all(isinstance(s, str) for s in ex[k]):
            raise bad(f"examples.{k}", "must be a list of strings")
    scope = data.get("scope", list(PROSE_KINDS))
    if isinstance(scope, str):
        scope = [scope]
    if not isinstance(scope, list) or not all(s in BLOCK_KINDS for s in scope):
        raise bad("scope", f"must be a list of block kinds ({', '.join(BLOCK_KINDS)})")
    params = data.get("params") or {}
    if not isinstance(params, dict):
        raise bad("params", "must be a mapping")
    opt_in = data.get("opt-in", False)
    if not isinstance(opt_in, bool):
        raise bad("opt-in", "must be true or false")
    rule = Rule(code=data["code"], name=data["name"], kind=data["kind"], category=data["category"],
                severity=data["severity"], message=data["message"].strip(),
                description=data["description"].strip(), why=data["why"].strip(),
                references=refs, examples=ex, scope=tuple(scope), params=params, path=str(path),
                opt_in=opt_in)
    # validate parameters now so that a bad pack fails at load, naming the field
    KINDS[rule.kind].validate(params, str(path), rule.name)
    return rule


def rule_files(directory: Path):
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if d not in ("knowledge", "__pycache__") and not d.startswith("."))
        for f in sorted(files):
            if f.endswith((".yaml", ".yml")):
                yield Path(root) / f


@lru_cache(maxsize=16)
def load_rules(extra_dirs: tuple[str, ...] = ()) -> tuple[Rule, ...]:
    """The built-in rules plus the rules in ``extra_dirs``. A later rule with the same name
    replaces an earlier one (so a user's pack can override a built-in rule)."""
    dirs = [builtin_rules_dir()] + [Path(d) for d in extra_dirs]
    by_name: dict[str, Rule] = {}
    for d in dirs:
        if not d.is_dir():
            raise RuleError(f"{d}: rule directory does not exist")
        for f in rule_files(d):
            rule = load_rule(f)
            by_name[rule.name] = rule
    codes: dict[str, str] = {}
    for r in by_name.values():
        if r.code in codes and codes[r.code] != r.name:
            raise RuleError(f"{r.path}: field 'code': {r.code} is already used by rule {codes[r.code]!r}")
        codes[r.code] = r.name
    return tuple(sorted(by_name.values(), key=lambda r: r.code))


def find_rule(rules, key: str) -> Rule | None:
    for r in rules:
        if key in (r.name, r.code) or key.upper() == r.code:
            return r
    return None
