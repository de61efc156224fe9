"""Knowledge files under ``rules/knowledge/``: treatments and the plain-language word list.

Both are data, validated at load (a bad entry is an error naming the file and field), and
both can be extended from config (``[tool.medlint.knowledge]``): a user's entries are added,
and an entry with the same name (treatment) or term (word list) overrides the built-in one
field by field.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .registry import MedlintError, builtin_rules_dir, read_yaml

TREATMENT_TYPES = ("prescription-drug", "otc-drug", "drug-class", "psychedelic", "supplement", "diet",
                   "procedure", "service", "device", "low-risk")


class KnowledgeError(MedlintError):
    pass


# What makes a reference verifiable: a URL, a DOI, a PubMed/PMC id, or a statute/regulation section.
REFERENCE_ID_RE = re.compile(
    r"https?://[^\s\"']+|\bdoi:\s*10\.\d{4,9}/[^\s\"']+|\bPMID:\s*\d+|\bPMCID:\s*PMC\d+"
    r"|\b\d+\s+CFR\s+[\d.]+(?:\([a-z0-9]+\))*|\b\d+\s+U\.S\.C\.\s+\d+[a-z]?(?:\([a-z0-9]+\))*")


def reference_ids(ref: str) -> list[str]:
    """The identifiers a reference carries, normalised (lower case, no trailing punctuation).
    A statute or regulation is identified by its whole pinpoint, the text before the first colon
    ("21 CFR 202.1(e)(5) and (e)(6)"), since one section is cited for several of its parts."""
    out = []
    for m in REFERENCE_ID_RE.finditer(ref):
        ident = m.group(0)
        if "CFR" in ident or "U.S.C." in ident:
            head = ref[:ref.find(":")] if ":" in ref else ident
            ident = head if ident in head else ident
        out.append(ident.rstrip(".,;").lower())
    return out


@dataclass
class RiskItem:
    label: str
    terms: list[str]
    reference: str


@dataclass(eq=False)
class Treatment:
    name: str
    aliases: list[str]
    cls: str
    type: str
    disclosure_required: bool
    risk_terms: list[str]
    key_risks: list[RiskItem]
    regulatory: list[RiskItem]
    references: list[str]
    status: RiskItem | None = None  # regulatory status (label and reference), e.g. "dietary supplement"
    source: str = ""


@dataclass
class PlainWord:
    term: str
    plain: str
    note: str | None = None
    kind: str = "medical"  # medical (medical and research jargon) | general (plain-English substitution)
    fix: bool = True  # the plain word can replace the term in a sentence (check --fix); see drop_in()


# a plain alternative that starts like this explains the term but cannot stand in its place
# ("the duration of" -> "the how long of", "symptomatic patients" -> "having symptoms patients")
NOT_DROP_IN = re.compile(r"^(?:how|what|when|where|why|who|whether|having|involving|no)\b", re.I)


def drop_in(term: str, plain: str) -> bool:
    """Whether ``plain`` can replace ``term`` word for word (the default of an entry's ``fix``)."""
    return not NOT_DROP_IN.match(plain)


@dataclass
class Knowledge:
    treatments: list[Treatment] = field(default_factory=list)
    plain_language: list[PlainWord] = field(default_factory=list)


def _read(path: Path):
    return read_yaml(path, KnowledgeError, "knowledge file")


def _str_list(entry, key, where, required=True):
    v = entry.get(key)
    if v is None and not required:
        return []
    if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v) or (required and not v):
        raise KnowledgeError(f"{where}: field '{key}': must be a non-empty list of strings")
    return [x.strip() for x in v]


def _risk_items(entry, key, where):
    items = entry.get(key) or []
    if not isinstance(items, list):
        raise KnowledgeError(f"{where}: field '{key}': must be a list")
    out = []
    for i, it in enumerate(items):
        w = f"{where}: field '{key}[{i}]'"
        if not isinstance(it, dict) or not isinstance(it.get("label"), str):
            raise KnowledgeError(f"{w}: needs a 'label'")
        if not isinstance(it.get("reference"), str) or not it["reference"].strip():
            raise KnowledgeError(f"{w}: needs a 'reference'")
        terms = it.get("terms")
        if not isinstance(terms, list) or not terms or not all(isinstance(t, str) for t in terms):
            raise KnowledgeError(f"{w}: needs a non-empty list of 'terms'")
        out.append(RiskItem(it["label"], [t.lower() for t in terms], it["reference"]))
    return out


def _status(entry, where):
    st = entry.get("status")
    if st is None:
        return None
    if not isinstance(st, dict) or not isinstance(st.get("label"), str) or not st["label"].strip():
        raise KnowledgeError(f"{where}: field 'status': needs a 'label'")
    if not isinstance(st.get("reference"), str) or not st["reference"].strip():
        raise KnowledgeError(f"{where}: field 'status': needs a 'reference'")
    return RiskItem(st["label"].strip(), [], st["reference"].strip())


def parse_treatment(entry, where: str) -> Treatment:
    if not isinstance(entry, dict):
        raise KnowledgeError(f"{where}: a treatment entry must be a mapping")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise KnowledgeError(f"{where}: field 'name': required")
    where = f"{where} ({name})"
    ttype = entry.get("type")
    if ttype not in TREATMENT_TYPES:
        raise KnowledgeError(f"{where}: field 'type': must be one of {', '.join(TREATMENT_TYPES)}")
    req = entry.get("disclosure_required", True)
    if not isinstance(req, bool):
        raise KnowledgeError(f"{where}: field 'disclosure_required': must be true or false")
    aliases = _str_list(entry, "aliases", where)
    if name.lower() not in (a.lower() for a in aliases):
        aliases.insert(0, name)
    return Treatment(
        name=name.strip(), aliases=aliases, cls=str(entry.get("class") or ""), type=ttype,
        disclosure_required=req,
        risk_terms=[t.lower() for t in _str_list(entry, "risk_terms", where, required=req)],
        key_risks=_risk_items(entry, "key_risks", where),
        regulatory=_risk_items(entry, "regulatory", where),
        references=_str_list(entry, "references", where), status=_status(entry, where), source=where)


def _treatment_entries(path: Path):
    """A file holding one entry, a list of entries, or {treatments: [...]}; or a directory."""
    files = sorted(p for p in path.rglob("*.y*ml")) if path.is_dir() else [path]
    for f in files:
        data = _read(f)
        if isinstance(data, dict) and "treatments" in data:
            data = data["treatments"]
        if isinstance(data, dict):
            data = [data]
        if not isinstance(data, list):
            raise KnowledgeError(f"{f}: expected a treatment entry or a list of them")
        for i, e in enumerate(data):
            yield e, f"{f}" if len(data) == 1 else f"{f}[{i}]"


def load_treatments(paths) -> list[Treatment]:
    by_name: dict[str, dict] = {}
    where_of: dict[str, str] = {}
    for p in paths:
        p = Path(p)
        if not p.exists():
            raise KnowledgeError(f"{p}: treatments file does not exist")
        for entry, where in _treatment_entries(p):
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                raise KnowledgeError(f"{where}: field 'name': required")
            key = entry["name"].strip().lower()
            if key in by_name:  # override field by field
                merged = dict(by_name[key])
                merged.update(entry)
                entry = merged
            by_name[key] = entry
            where_of[key] = where
    out = [parse_treatment(e, where_of[k]) for k, e in by_name.items()]
    seen: dict[str, str] = {}
    for t in out:
        for a in t.aliases:
            k = a.lower()
            if k in seen and seen[k] != t.name:
                raise KnowledgeError(f"{t.source}: field 'aliases': {a!r} is also an alias of {seen[k]!r}")
            seen[k] = t.name
    return out


PLAIN_KINDS = ("medical", "general")


def load_plain_language(paths) -> list[PlainWord]:
    by_term: dict[str, PlainWord] = {}
    for p in paths:
        data = _read(Path(p))
        items = data.get("terms") if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise KnowledgeError(f"{p}: expected 'terms:' with a list of {{term, plain}} entries")
        for i, it in enumerate(items):
            w = f"{p}: terms[{i}]"
            if not isinstance(it, dict) or not isinstance(it.get("term"), str) or not it["term"].strip():
                raise KnowledgeError(f"{w}: field 'term': required")
            if not isinstance(it.get("plain"), str) or not it["plain"].strip():
                raise KnowledgeError(f"{w} ({it['term']}): field 'plain': required")
            kind = it.get("kind", "medical")
            if kind not in PLAIN_KINDS:
                raise KnowledgeError(f"{w} ({it['term']}): field 'kind': must be one of {', '.join(PLAIN_KINDS)}")
            fix = it.get("fix", drop_in(it["term"], it["plain"]))
            if not isinstance(fix, bool):
                raise KnowledgeError(f"{w} ({it['term']}): field 'fix': must be true or false")
            by_term[it["term"].strip().lower()] = PlainWord(it["term"].strip().lower(), it["plain"].strip(),
                                                            it.get("note"), kind, fix)
    return list(by_term.values())


def builtin_knowledge_dir() -> Path:
    return builtin_rules_dir() / "knowledge"


@lru_cache(maxsize=8)
def _load(treatment_paths: tuple[str, ...], plain_paths: tuple[str, ...]) -> Knowledge:
    return Knowledge(load_treatments(treatment_paths), load_plain_language(plain_paths))


def load_knowledge(extra: dict | None = None) -> Knowledge:
    """Built-in knowledge plus the user's files (``{"treatments": [...], "plain-language": [...]}``)."""
    extra = extra or {}
    base = builtin_knowledge_dir()
    tpaths = [str(base / "treatments")] if (base / "treatments").exists() else []
    ppaths = [str(base / "plain-language.yaml")] if (base / "plain-language.yaml").exists() else []
    tpaths += [os.fspath(p) for p in extra.get("treatments", [])]
    ppaths += [os.fspath(p) for p in extra.get("plain-language", [])]
    return _load(tuple(tpaths), tuple(ppaths))
