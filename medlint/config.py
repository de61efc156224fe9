"""Configuration: ``[tool.medlint]`` in pyproject.toml or a ``medlint.toml``.

The closest configuration file above a linted file applies (``medlint.toml`` wins over
``pyproject.toml`` in the same directory). Command-line options override it.

Keys::

    select = ["ALL"]            # codes, code prefixes, names or categories
    extend-select = []
    ignore = []
    fail-on = "warning"         # error | warning | info
    extra-rules = ["my-rules"]  # more rule-pack directories (relative to the config file)
    exclude = ["drafts/**"]     # globs (relative to the config file) not linted
    timeout = 60                # seconds one page may take; then it is reported, not linted (0: none)
    [per-file-ignores]  "legal/*.md" = ["readability"]
    [severity]          jargon = "info"
    [rules.long-sentence]  max-words = 30      # rule params by rule name
    [knowledge]         treatments = ["kb/treatments.yaml"], plain-language = ["kb/words.yaml"]
    [nlp]               model = "en_core_web_sm"   # only if installed
                        sentence-model = "models/ours.json.gz"  # a retrained claims model
                                                 # (python -m medlint.train), relative to the file
"""
from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from .finding import SEVERITIES
from .registry import MedlintError

KEYS = {"select", "extend-select", "ignore", "fail-on", "extra-rules", "exclude", "include",
        "per-file-ignores", "severity", "rules", "knowledge", "nlp", "timeout"}
DEFAULT_INCLUDE = ("*.md", "*.markdown", "*.html", "*.htm", "*.txt")
DEFAULT_EXCLUDE = (".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox",
                   "build", "dist", ".medlint_cache")


class ConfigError(MedlintError):
    pass


@dataclass
class Config:
    path: str | None = None
    root: str = "."
    select: list[str] = field(default_factory=lambda: ["ALL"])
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    fail_on: str = "warning"
    extra_rules: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    include: list[str] = field(default_factory=lambda: list(DEFAULT_INCLUDE))
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    severity: dict[str, str] = field(default_factory=dict)
    rules: dict[str, dict] = field(default_factory=dict)
    knowledge: dict[str, list[str]] = field(default_factory=dict)
    nlp_model: str | None = None
    sentence_model: str | None = None
    timeout: float | None = None  # None: the default (medlint.deadline.DEFAULT_TIMEOUT)

    def key(self):
        """A hashable summary of everything that changes results (for caches)."""
        import json
        return json.dumps([self.select, self.extend_select, self.ignore, self.extra_rules,
                           self.per_file_ignores, self.severity, self.rules, self.knowledge,
                           self.nlp_model, self.sentence_model], sort_keys=True, default=str)

    def relpath(self, path: str) -> str:
        try:
            return Path(os.path.abspath(path)).relative_to(os.path.abspath(self.root)).as_posix()
        except ValueError:
            return Path(path).as_posix()

    def is_excluded(self, path: str) -> bool:
        rel = self.relpath(path)
        return any(fnmatch.fnmatch(rel, g) or fnmatch.fnmatch(os.path.basename(path), g)
                   for g in self.exclude)

    def ignored_for(self, path: str) -> list[str]:
        rel = self.relpath(path)
        out = []
        for pattern, sels in self.per_file_ignores.items():
            if fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(os.path.basename(path), pattern):
                out += sels
        return out


def _str_list(value, where, key):
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: '{key}' must be a list of strings")
    return value


def parse_config(data: dict, path: str) -> Config:
    unknown = set(data) - KEYS
    if unknown:
        raise ConfigError(f"{path}: unknown key '{sorted(unknown)[0]}' in medlint config "
                          f"(known: {', '.join(sorted(KEYS))})")
    root = os.path.dirname(os.path.abspath(path))
    cfg = Config(path=path, root=root)
    if "select" in data:
        cfg.select = _str_list(data["select"], path, "select")
    cfg.extend_select = _str_list(data.get("extend-select", []), path, "extend-select")
    cfg.ignore = _str_list(data.get("ignore", []), path, "ignore")
    if "fail-on" in data:
        if data["fail-on"] not in SEVERITIES:
            raise ConfigError(f"{path}: 'fail-on' must be one of {', '.join(SEVERITIES)}")
        cfg.fail_on = data["fail-on"]
    cfg.extra_rules = [os.path.join(root, d) for d in _str_list(data.get("extra-rules", []), path, "extra-rules")]
    cfg.exclude = _str_list(data.get("exclude", []), path, "exclude")
    if "timeout" in data:
        t = data["timeout"]
        if isinstance(t, bool) or not isinstance(t, (int, float)) or t < 0:
            raise ConfigError(f"{path}: 'timeout' must be a number of seconds (0: no limit)")
        cfg.timeout = float(t)
    if "include" in data:
        cfg.include = _str_list(data["include"], path, "include")
    pfi = data.get("per-file-ignores", {})
    if not isinstance(pfi, dict):
        raise ConfigError(f"{path}: 'per-file-ignores' must be a table of glob = [rules]")
    cfg.per_file_ignores = {k: _str_list(v, path, f"per-file-ignores.{k}") for k, v in pfi.items()}
    sev = data.get("severity", {})
    if not isinstance(sev, dict) or not all(v in SEVERITIES for v in sev.values()):
        raise ConfigError(f"{path}: 'severity' must map rules to one of {', '.join(SEVERITIES)}")
    cfg.severity = dict(sev)
    rules = data.get("rules", {})
    if not isinstance(rules, dict) or not all(isinstance(v, dict) for v in rules.values()):
        raise ConfigError(f"{path}: 'rules' must hold one table of params per rule name")
    cfg.rules = rules
    kn = data.get("knowledge", {})
    if not isinstance(kn, dict):
        raise ConfigError(f"{path}: 'knowledge' must be a table")
    for k in kn:
        if k not in ("treatments", "plain-language"):
            raise ConfigError(f"{path}: unknown key 'knowledge.{k}' (known: treatments, plain-language)")
    cfg.knowledge = {k: [os.path.join(root, p) for p in _str_list(v, path, f"knowledge.{k}")]
                     for k, v in kn.items()}
    nlp = data.get("nlp", {})
    if not isinstance(nlp, dict) or set(nlp) - {"model", "sentence-model"}:
        raise ConfigError(f"{path}: 'nlp' takes the keys 'model' and 'sentence-model'")
    cfg.nlp_model = nlp.get("model")
    sm = nlp.get("sentence-model")
    if sm is not None:
        if not isinstance(sm, str) or not sm:
            raise ConfigError(f"{path}: 'nlp.sentence-model' must be a path")
        sm = os.path.join(os.path.dirname(os.path.abspath(path)), sm)
        if not os.path.isfile(sm):
            raise ConfigError(f"{path}: 'nlp.sentence-model': no such file: {sm}")
        cfg.sentence_model = sm
    return cfg


def load_config_file(path: str) -> Config:
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as e:
        raise ConfigError(f"{path}: cannot read config: {e.strerror or e}") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: invalid TOML: {e}") from None
    if os.path.basename(path) == "pyproject.toml":
        data = data.get("tool", {}).get("medlint", {})
    elif "tool" in data and "medlint" in data.get("tool", {}):
        data = data["tool"]["medlint"]
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: medlint config must be a table")
    return parse_config(data, path)


def _has_medlint_table(pyproject: str) -> bool:
    try:
        with open(pyproject, "rb") as fh:
            return "medlint" in tomllib.load(fh).get("tool", {})
    except (OSError, tomllib.TOMLDecodeError):
        # a broken pyproject.toml that mentions medlint is reported when loaded
        try:
            with open(pyproject, encoding="utf-8", errors="replace") as fh:
                return "[tool.medlint" in fh.read()
        except OSError:
            return False


@lru_cache(maxsize=256)
def find_config_file(directory: str) -> str | None:
    d = os.path.abspath(directory)
    while True:
        cand = os.path.join(d, "medlint.toml")
        if os.path.isfile(cand):
            return cand
        cand = os.path.join(d, "pyproject.toml")
        if os.path.isfile(cand) and _has_medlint_table(cand):
            return cand
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


_cache: dict[str, Config] = {}


def config_for(path: str) -> Config:
    """The configuration that applies to ``path`` (a file or directory)."""
    d = path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path))
    f = find_config_file(d)
    if f is None:
        return Config(root=os.getcwd())
    if f not in _cache:
        _cache[f] = load_config_file(f)
    return _cache[f]


def clear_cache():
    _cache.clear()
    find_config_file.cache_clear()
