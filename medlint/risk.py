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

from .claims import Sentence, analyze
from .document import HEADING, Document
from .knowledge import Treatment, builtin_knowledge_dir
from .nlp import block_doc
from .products import written
from .registry import read_yaml
from .treatments import find_treatments

COMPARATOR_RE = re.compile(r"\b(than|compared (?:with|to)|versus|vs\.?|unlike|instead of|rather than|"
                           r"alternative to|alternatives to)\b", re.I)


@lru_cache(maxsize=1)
def vocabulary() -> dict:
    return read_yaml(builtin_knowledge_dir() / "risk-vocabulary.yaml", what="knowledge file")


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
    """Occurrences of ``terms`` in ``text`` that are not negated or minimised (remembered for
    a sentence-sized text: pages and edits repeat their sentences)."""
    terms = tuple(terms)
    if not terms:
        return []
    if len(text) <= 1000:
        return list(_find_terms_memo(text, terms))
    return _find_terms(text, terms)


@lru_cache(maxsize=65536)
def _find_terms_memo(text: str, terms: tuple) -> tuple:
    return tuple(_find_terms(text, terms))


def _find_terms(text: str, terms: tuple) -> list[tuple[int, int, str]]:
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
    written: list[str] = field(default_factory=list)  # how the page writes its name, in order
    claim_written: list[str] = field(default_factory=list)  # ... in its claim sentences
    # evidence of promotion and disclosure (features of the treatment model, see treatment_features)
    named_claims: int = 0  # claims that name it (not as a comparator or an ingredient)
    comparator: int = 0  # mentions as a comparator ("unlike SSRIs")
    ingredient: int = 0  # mentions as one ingredient of a list
    subject_claims: int = 0  # claims given to it as the page's subject (no name, no context)
    in_title: bool = False
    risk_kinds: set = field(default_factory=set)  # "contraindication", "own-terms", "adverse"
    risk_cues: int = 0  # attributed sentences with a risk cue but no concrete risk
    score: float | None = None  # the treatment model's probability that it needs a finding

    @property
    def subject(self) -> str:
        """The name as the page writes it: its most frequent spelling (case aside), the first in
        a claim about it breaking ties."""
        forms = self.written or [self.treatment.name]
        counts: dict[str, int] = {}
        for w in forms:
            counts[w.lower()] = counts.get(w.lower(), 0) + 1
        order = self.claim_written + forms
        return max(order, key=lambda w: (counts.get(w.lower(), 0), -order.index(w)))

    def text_of(self, sents) -> str:
        return " ".join(s.text for s in sents)

    def missing_key_risks(self) -> list[str]:
        text = self.text_of(self.mentioned)
        return [k.label for k in self.treatment.key_risks if not find_terms(text, k.terms)]

    def missing_regulatory(self) -> list[str]:
        text = self.text_of(self.mentioned)
        return [r.label for r in self.treatment.regulatory if not find_terms(text, r.terms)]


def _kb_mentions(doc: Document, block, extra) -> list[tuple[Treatment, int, int]]:
    key = ("treatments", block.index)
    found = doc.cache.get(key)
    if found is None:
        sdoc = block_doc(doc, block)
        found = doc.cache[key] = [(t, sdoc[a].idx, sdoc[b - 1].idx + len(sdoc[b - 1].text))
                                  for t, a, b in find_treatments(sdoc, extra)
                                  if not (a and sdoc[a - 1].lower_ in SUBSTANCE_BEFORE)
                                  and not (b < len(sdoc) and sdoc[b].lower_ in SUBSTANCE_AFTER)]
    return found


def _block_mentions(doc: Document, block, extra) -> list[tuple[Treatment, int, int]]:
    """Knowledge-base treatments and the page's unknown products named in a block, in order."""
    unknown = doc.cache.get("products-by-block", {}).get(block.index, [])
    kb = _kb_mentions(doc, block, extra)
    return sorted(kb + unknown, key=lambda m: m[1]) if unknown else kb


def _find_products(doc: Document, sents, extra) -> None:
    """Discover the page's unknown products (see :mod:`medlint.products`) once."""
    if "products-by-block" in doc.cache:
        return
    from .products import NAME_KINDS, find_products
    known = {b.index: [(a, e) for _t, a, e in _kb_mentions(doc, b, extra)] for b in doc.prose_blocks(NAME_KINDS)}
    by_block: dict[int, list] = {}
    for t, occ in find_products(doc, sents, known):
        for bi, a, e, _w in occ:
            by_block.setdefault(bi, []).append((t, a, e))
    doc.cache["products-by-block"] = by_block


def _mentions(doc: Document, s: Sentence, extra) -> list[tuple[Treatment, bool, str]]:
    """Treatments named in a sentence, each with whether it is only a comparator and how it is written."""
    comp = COMPARATOR_RE.search(s.text)
    lo = hi = -1
    if comp:
        lo = s.start + comp.start()
        hi = s.end
        if comp.start() <= 2:  # "Unlike SSRIs, ketamine ...": the comparator ends at the comma
            comma = s.text.find(",", comp.end())
            hi = s.start + comma if comma >= 0 else s.end
    return [(t, lo <= a < hi, written(s.block.text[a:e])) for t, a, e in _block_mentions(doc, s.block, extra)
            if s.start <= a < s.end]


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
    for t, _comp, _w in ms:
        pos = min((low.find(a.lower()) for a in t.aliases if a.lower() in low), default=-1)
        before = re.findall(r"[a-z0-9+'-]+", low[:pos]) if pos >= 0 else []
        if any(w in cues for w in before[-12:]) or re.search(r"\s[-\u2013\u2014]\s", low[:pos] if pos >= 0 else ""):
            out.add(t)
    return out


@lru_cache(maxsize=1)
def _safety_heading_re():
    words = sorted(vocabulary()["safety_headings"], key=len, reverse=True)
    return re.compile(r"(?<![\w])(?:" + "|".join(re.escape(w) for w in words) + r")(?![\w])")


def _is_safety_heading(text: str) -> bool:
    return _safety_heading_re().search(text.lower()) is not None


def analyze_risk(doc: Document, ctx) -> dict[str, TreatmentReport]:
    cached = doc.cache.get("risk")
    if cached is not None:
        return cached
    extra = ctx.config.knowledge if ctx is not None else None
    extra = {"treatments": extra.get("treatments", [])} if extra else None
    sents = analyze(doc, ctx)
    _find_products(doc, sents, extra)
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
        for t, _, _w in ms:
            block_mentions.setdefault(s.block.index, []).append(t)
    seen_order: list[Treatment] = []
    # the page's subject: treatments named in its title or first heading
    first = next((b for b in doc.blocks if b.kind in ("title", HEADING)), None)
    page_subject = [t for t, _a, _e in _block_mentions(doc, first, extra)] if first is not None else []
    for s, ms in zip(sents, per_sentence):
        b = s.block
        section = b.index if b.kind == HEADING else b.section
        ingredients = _ingredients(s, ms)
        named = [t for t, comp, _w in ms if not comp and t not in ingredients]
        by_subject = False
        if named:
            targets = list(dict.fromkeys(named))
        else:
            targets = last_in_block.get(b.index) or last_in_section.get(section) or []
            if not targets and s.claim and not ms and page_subject:
                targets, by_subject = list(page_subject), True  # "our treatment": the page's subject
        for t, comp, w in ms:
            if t.name not in reports:
                reports[t.name] = TreatmentReport(t, first_mention=s.index, in_title=t in page_subject)
                seen_order.append(t)
            r = reports[t.name]
            r.written.append(w)
            r.comparator += comp
            r.ingredient += t in ingredients
            if s.claim and not comp and t in named:
                r.claim_written.append(w)
        for t in targets:
            r = reports.setdefault(t.name, TreatmentReport(t, first_mention=s.index, in_title=t in page_subject))
            r.mentioned.append(s)
            if s.claim:
                r.claims.append(s)
                r.named_claims += t in named
                r.subject_claims += by_subject
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
            # sentences come in order: ``s`` can only be the last one added (no list scan)
            if not r.mentioned or r.mentioned[-1] is not s:
                r.mentioned.append(s)
            if ok and (not r.risks or r.risks[-1] is not s):
                r.risks.append(s)
                r.risk_kinds.update(k for k, v in (("contraindication", contra), ("own-terms", concrete),
                                                   ("adverse", generic)) if v)
            elif has_cue and not ok:
                r.risk_cues += 1
    _score(doc, ctx, reports)
    doc.cache["risk"] = reports
    return reports


def _score(doc: Document, ctx, reports) -> None:
    """Each promoted candidate's treatment-model score (when the model has a treatment part)."""
    from .model import get_model
    model = get_model(ctx)
    for name, feats in treatment_features(doc, reports).items():
        reports[name].score = model.treatment_score(feats)


def _bucket(n: int) -> str:
    return "0" if n <= 0 else "1" if n == 1 else "2" if n == 2 else "3-4" if n <= 4 else "5+"


def treatment_features(doc: Document, reports: dict[str, TreatmentReport]) -> dict[str, list[str]]:
    """The evidence on each candidate treatment of a page, as feature strings for the treatment
    model: how strongly the page promotes it (claims naming it, its share of the page's
    mentions, a title naming it, comparator and ingredient mentions), whether it is in the
    knowledge base, and which kinds of risk statement were attributed to it."""
    cands = [r for r in reports.values() if r.claims]
    if not cands:
        return {}
    most = max(len(r.written) or 1 for r in reports.values())
    top_claims = max(len(r.claims) for r in cands)
    page_risk = any(r.risks for r in reports.values())
    safety = any(b.kind == HEADING and _is_safety_heading(b.text) for b in doc.blocks)
    out = {}
    for name, r in reports.items():
        if not r.claims:
            continue
        known = "known" if r.treatment.type != "unknown" else "unknown"
        share = (len(r.written) or 1) / most
        q = "top" if share >= 1 else "half" if share >= 0.5 else "quarter" if share >= 0.25 else "low"
        risks = "none" if not r.risks else "some"
        f = [known, f"type:{r.treatment.type}", f"claims:{_bucket(len(r.claims))}",
             f"named:{_bucket(r.named_claims)}", f"share:{q}", f"{known}|share:{q}",
             f"risks:{_bucket(len(r.risks))}", f"{known}|risks:{risks}", f"cands:{_bucket(len(cands))}"]
        f += [f"risk:{k}" for k in sorted(r.risk_kinds)]
        if len(r.claims) == top_claims:
            f.append("most-claims")
        if r.in_title:
            f += ["title", f"{known}|title"]
        if r.comparator:
            f.append("comparator" if r.comparator < len(r.written) else "comparator-only")
        if r.ingredient:
            f.append("ingredient")
        if r.subject_claims:
            f.append("subject-claims")
        if r.risk_cues:
            f.append("risk-cue-only" if not r.risks else "risk-cue")
        if page_risk and not r.risks:
            f.append("page-has-risks")
        if safety:
            f.append("safety-heading")
        if r.treatment.type == "unknown":
            f.append(f"unknown:{r.treatment.cls}")
        out[name] = f
    return out
