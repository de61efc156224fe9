"""Risk-disclosure analysis: which treatments a page promotes, and which risks it names.

A treatment (from the knowledge base) is *promoted* when at least one claim sentence (see
:mod:`medlint.claims`) is about it: it is named in the sentence (not as a comparator after
"than", "compared with", "unlike", ...), or the sentence names no treatment and the nearest
preceding mention in the same block, else in the same section (heading included), is it
("it", "this treatment", "these substances").

A *risk statement* for a treatment is a sentence attributed to it the same way (or, in a
safety section such as "Is It Safe?", to every treatment already mentioned above it) that
names a concrete risk: a risk cue ("side effects include", "can cause", "do not use if",
"some patients have") with a concrete adverse effect or one of the treatment's own risk terms.
Negated and minimised mentions ("no side effects", "non-addictive", "a history of substance
abuse") do not count. "Consult your doctor" and "not for everyone" alone name no risk.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import yaml

from .claims import Sentence, analyze
from .document import HEADING, Document
from .knowledge import Treatment, builtin_knowledge_dir
from .nlp import block_doc
from .treatments import find_treatments

COMPARATOR_RE = re.compile(r"\b(than|compared (?:with|to)|versus|vs\.?|unlike|instead of|rather than|"
                           r"alternative to|alternatives to)\b", re.I)


@lru_cache(maxsize=1)
def vocabulary() -> dict:
    with open(builtin_knowledge_dir() / "risk-vocabulary.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@lru_cache(maxsize=4096)
def _term_re(term: str):
    t = re.escape(term.lower()).replace(r"\ ", r"[\s-]+")
    return re.compile(r"(?<![\w])" + t + r"(?:s|es|d|ed|ing)?(?![\w])")


def find_terms(text: str, terms) -> list[tuple[int, int, str]]:
    """Occurrences of ``terms`` in ``text`` that are not negated or minimised."""
    low = text.lower()
    neg = vocabulary()["negators"]
    out = []
    for term in terms:
        for m in _term_re(term).finditer(low):
            before = low[max(0, m.start() - 30):m.start()]
            if before.endswith(("non-", "non ", "anti-")):
                continue
            words = re.findall(r"[\w']+", before)[-3:]
            tail = " ".join(words)
            if any(re.search(r"(?<![\w])" + re.escape(n) + r"(?![\w])", tail) for n in neg):
                continue
            out.append((m.start(), m.end(), term))
    return out


@dataclass
class TreatmentReport:
    treatment: Treatment
    claims: list[Sentence] = field(default_factory=list)
    risks: list[Sentence] = field(default_factory=list)  # risk statements with a concrete risk
    mentioned: list[Sentence] = field(default_factory=list)  # every sentence attributed to it
    first_mention: int = 10 ** 9

    def text_of(self, sents) -> str:
        return " ".join(s.text for s in sents)

    def missing_key_risks(self) -> list[str]:
        text = self.text_of(self.mentioned)
        return [k.label for k in self.treatment.key_risks if not find_terms(text, k.terms)]

    def missing_regulatory(self) -> list[str]:
        text = self.text_of(self.mentioned)
        return [r.label for r in self.treatment.regulatory if not find_terms(text, r.terms)]


def _mentions(doc: Document, s: Sentence, extra) -> list[tuple[Treatment, bool]]:
    """Treatments named in a sentence, each with whether it is only a comparator."""
    sdoc = block_doc(doc, s.block)
    span = sdoc.char_span(s.start, s.end, alignment_mode="expand")
    if span is None:
        return []
    sub = span.as_doc()
    out = []
    comp = COMPARATOR_RE.search(s.text)
    cut = comp.start() if comp else None
    for t, a, _b in find_treatments(sub, extra):
        char = sub[a].idx
        out.append((t, cut is not None and char > cut and not s.text[:cut].strip() == ""))
    return out


def _is_safety_heading(text: str) -> bool:
    low = text.lower()
    return any(re.search(r"(?<![\w])" + re.escape(w) + r"(?![\w])", low) for w in vocabulary()["safety_headings"])


def analyze_risk(doc: Document, ctx) -> dict[str, TreatmentReport]:
    cached = doc.cache.get("risk")
    if cached is not None:
        return cached
    extra = ctx.config.knowledge if ctx is not None else None
    extra = {"treatments": extra.get("treatments", [])} if extra else None
    sents = analyze(doc, ctx)
    voc = vocabulary()
    reports: dict[str, TreatmentReport] = {}
    last_in_block: dict[int, list[Treatment]] = {}
    last_in_section: dict = {}
    block_mentions: dict[int, list[Treatment]] = {}
    per_sentence = []
    for s in sents:
        ms = _mentions(doc, s, extra)
        per_sentence.append(ms)
        for t, _ in ms:
            block_mentions.setdefault(s.block.index, []).append(t)
    seen_order: list[Treatment] = []
    for s, ms in zip(sents, per_sentence):
        b = s.block
        section = b.index if b.kind == HEADING else b.section
        named = [t for t, comp in ms if not comp]
        if named:
            targets = list(dict.fromkeys(named))
        else:
            targets = last_in_block.get(b.index) or last_in_section.get(section) or []
        for t, _ in ms:
            if t.name not in reports:
                reports[t.name] = TreatmentReport(t, first_mention=s.index)
                seen_order.append(t)
        for t in targets:
            r = reports.setdefault(t.name, TreatmentReport(t, first_mention=s.index))
            r.mentioned.append(s)
            if s.claim:
                r.claims.append(s)
        if named:
            last_in_block[b.index] = named
            last_in_section[section] = named
        # risk statements
        if s.text.rstrip().endswith("?"):
            continue
        has_cue = bool(find_terms(s.text, voc["cues"]))
        heading = doc.blocks[section] if section is not None else None
        in_safety = heading is not None and heading.kind == HEADING and _is_safety_heading(heading.text)
        holders = list(targets)
        if not named and not targets and block_mentions.get(b.index):
            holders = list(dict.fromkeys(block_mentions[b.index]))
        if in_safety and not named:
            holders = list(dict.fromkeys(holders + [t for t in seen_order]))
        for t in holders:
            concrete = find_terms(s.text, list(t.risk_terms) + [x for k in t.key_risks for x in k.terms])
            generic = find_terms(s.text, voc["adverse"]) if has_cue else []
            ok = has_cue and bool(concrete or generic)
            r = reports.setdefault(t.name, TreatmentReport(t, first_mention=s.index))
            if s not in r.mentioned:
                r.mentioned.append(s)
            if ok and s not in r.risks:
                r.risks.append(s)
    doc.cache["risk"] = reports
    return reports
