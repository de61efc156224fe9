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
def _terms_re(terms: tuple):
    alts = sorted({re.escape(t.lower()).replace(r"\ ", r"[\s-]+") for t in terms}, key=len, reverse=True)
    return re.compile(r"(?<![\w])(?:" + "|".join(alts) + r")(?:s|es|d|ed|ing)?(?![\w])")


_NEG_RE = None


def _negator_re():
    global _NEG_RE
    if _NEG_RE is None:
        alts = sorted((re.escape(n) for n in vocabulary()["negators"]), key=len, reverse=True)
        _NEG_RE = re.compile(r"(?<![\w])(?:" + "|".join(alts) + r")(?![\w])")
    return _NEG_RE


def find_terms(text: str, terms) -> list[tuple[int, int, str]]:
    """Occurrences of ``terms`` in ``text`` that are not negated or minimised."""
    terms = tuple(terms)
    if not terms:
        return []
    low = text.lower()
    neg = _negator_re()
    out = []
    for m in _terms_re(terms).finditer(low):
        before = low[max(0, m.start() - 30):m.start()]
        if before.endswith(("non-", "non ", "anti-")):
            continue
        tail = " ".join(re.findall(r"[\w']+", before)[-3:])
        if neg.search(tail):
            continue
        out.append((m.start(), m.end(), m.group(0)))
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


def _block_mentions(doc: Document, block, extra) -> list[tuple[Treatment, int, int]]:
    key = ("treatments", block.index)
    found = doc.cache.get(key)
    if found is None:
        sdoc = block_doc(doc, block)
        found = doc.cache[key] = [(t, sdoc[a].idx, sdoc[b - 1].idx + len(sdoc[b - 1].text))
                                  for t, a, b in find_treatments(sdoc, extra)
                                  if not (a and sdoc[a - 1].lower_ in SUBSTANCE_BEFORE)
                                  and not (b < len(sdoc) and sdoc[b].lower_ in SUBSTANCE_AFTER)]
    return found


def _mentions(doc: Document, s: Sentence, extra) -> list[tuple[Treatment, bool]]:
    """Treatments named in a sentence, each with whether it is only a comparator."""
    comp = COMPARATOR_RE.search(s.text)
    lo = hi = -1
    if comp:
        lo = s.start + comp.start()
        hi = s.end
        if comp.start() <= 2:  # "Unlike SSRIs, ketamine ...": the comparator ends at the comma
            comma = s.text.find(",", comp.end())
            hi = s.start + comma if comma >= 0 else s.end
    return [(t, lo <= a < hi) for t, a, e in _block_mentions(doc, s.block, extra) if s.start <= a < s.end]


GENERIC_CLASS = {"therapy", "therapies", "treatment", "treatments", "drug", "drugs", "medication",
                 "medications", "medicine", "medicines", "receptor", "agonist", "agonists", "inhibitor",
                 "inhibitors", "supplement", "supplements", "procedure", "procedures", "injection",
                 "injections", "product", "products", "device", "devices", "oral", "topical", "other"}


@lru_cache(maxsize=512)
def _class_words_of(cls: str) -> frozenset:
    out = set()
    for w in re.findall(r"[a-z]+", cls.lower()):
        if len(w) > 4 and w not in GENERIC_CLASS:
            out.add(w)
            if w.endswith("s"):
                out.add(w[:-1])
            else:
                out.add(w + "s")
    return frozenset(out)


def _class_words(t: Treatment) -> frozenset:
    return _class_words_of(t.cls)


# words around a name that make it the body's own substance, not the product
# ("boosts testosterone", "low testosterone", "your melatonin levels")
SUBSTANCE_BEFORE = {"boost", "boosts", "boosting", "raise", "raises", "raising", "increase", "increases",
                    "lower", "lowers", "low", "high", "your", "own", "natural", "naturally", "free",
                    "total", "produce", "produces", "make", "makes", "support", "supports", "balance",
                    "optimize", "declining", "falling", "healthy", "balanced", "optimal", "normal",
                    "better", "more", "less", "restore", "restores", "maintain", "maintains"}
SUBSTANCE_AFTER = {"level", "levels", "production", "deficiency", "receptor", "receptors", "kinase"}


def _ingredients(s: Sentence, ms) -> set:
    """Treatments named as ingredients: after "contains/combines/with ..." in a list of three
    or more items ("combines myo-inositol, CoQ10, vitamin D3 and folate")."""
    from .claims import lexicon
    cues = lexicon().sets.get("ingredient_cues", set())
    low = s.text.lower()
    if low.count(",") < 2 and not (low.count(",") == 1 and re.search(r"\b(and|or)\b", low)):
        return set()
    out = set()
    for t, _comp in ms:
        pos = min((low.find(a.lower()) for a in t.aliases if a.lower() in low), default=-1)
        before = re.findall(r"[a-z0-9+'-]+", low[:pos]) if pos >= 0 else []
        if any(w in cues for w in before[-12:]) or re.search(r"\s[-\u2013\u2014]\s", low[:pos] if pos >= 0 else ""):
            out.add(t)
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
    block_named: dict[int, list[Treatment]] = {}
    per_sentence = []
    for s in sents:
        ms = _mentions(doc, s, extra)
        per_sentence.append(ms)
        for t, _ in ms:
            block_mentions.setdefault(s.block.index, []).append(t)
    seen_order: list[Treatment] = []
    # the page's subject: treatments named in its title or first heading
    first = next((b for b in doc.blocks if b.kind in ("title", HEADING)), None)
    page_subject = [t for t, _a, _e in _block_mentions(doc, first, extra)] if first is not None else []
    for s, ms in zip(sents, per_sentence):
        b = s.block
        section = b.index if b.kind == HEADING else b.section
        ingredients = _ingredients(s, ms)
        named = [t for t, comp in ms if not comp and t not in ingredients]
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
            # a later paragraph without names refers to everything the last named paragraph named
            seen_in_block = block_named.setdefault(b.index, [])
            seen_in_block.extend(t for t in named if t not in seen_in_block)
            last_in_section[section] = list(seen_in_block)
        # risk statements
        if s.text.rstrip().endswith("?"):
            continue
        has_cue = bool(find_terms(s.text, voc["cues"]))
        contra = [m for m in find_terms(s.text, voc["contraindications"])
                  if not re.match(r"\W*(?:everyone|everybody|all|every)\b", s.text[m[1]:].lower())]
        heading = doc.blocks[section] if section is not None else None
        in_safety = heading is not None and heading.kind == HEADING and _is_safety_heading(heading.text)
        holders = list(targets)
        if not named and not targets and block_mentions.get(b.index):
            holders = list(dict.fromkeys(block_mentions[b.index]))
        if in_safety and not named:
            holders = list(dict.fromkeys(holders + [t for t in seen_order]))
        if not holders and not named and (has_cue or contra):
            holders = list(page_subject)  # a risk sentence with no context: the page's own treatment
        if not named and (has_cue or contra):
            # a class word ("antidepressants can cause ...") covers the promoted members of the class
            words = set(re.findall(r"[a-z]+", s.text.lower()))
            holders = list(dict.fromkeys(holders + [t for t in seen_order if _class_words(t) & words]))
        for t in holders:
            concrete = find_terms(s.text, list(t.risk_terms) + [x for k in t.key_risks for x in k.terms])
            generic = find_terms(s.text, voc["adverse"]) if has_cue else []
            ok = bool(contra) or (has_cue and bool(concrete or generic))
            r = reports.setdefault(t.name, TreatmentReport(t, first_mention=s.index))
            if s not in r.mentioned:
                r.mentioned.append(s)
            if ok and s not in r.risks:
                r.risks.append(s)
    doc.cache["risk"] = reports
    return reports
