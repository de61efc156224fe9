"""Claims analysis shared by the claims and risk-disclosure rules.

For every sentence of a document's prose this decides, once per document:

* whether it makes an efficacy or safety claim about a health intervention (benefit verbs,
  benefit words and phrases, comparatives such as "better sleep", plus everything the
  ``exaggerated-claim`` and ``risk-minimizing`` rules find), minus questions, calls to
  action, debunking, negated benefits, mechanism-only uses ("works by blocking") and
  non-health senses ("effective January 1");
* whether it carries a verifiable citation (a scholarly link, DOI, PMID/PMCID, a reference
  marker that resolves to the page's reference list, or author + year);
* whether it attributes the claim vaguely ("studies show", "a study published in JAMA
  Psychiatry found") and to which named source.

The lexicons are data: ``rules/knowledge/claims.yaml``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlparse

from spacy.matcher import PhraseMatcher

from .document import HEADING, Block, Document
from .nlp import block_doc, block_results, get_nlp, lemma_of
from .registry import read_yaml

AUTHOR_YEAR_RE = re.compile(
    r"(?:\b[A-Z][A-Za-z'\u2019\-]+(?:\s+(?:et\s+al\.?|and\s+colleagues|(?:and|&)\s+[A-Z][A-Za-z'\u2019\-]+))"
    r"\s*,?\s*\(?(?:19|20)\d{2}[a-z]?\)?)"
    r"|(?:\(\s*[A-Z][A-Za-z'\u2019\-]+(?:\s+(?:et\s+al\.?|(?:and|&)\s+[A-Z][A-Za-z'\u2019\-]+))?\s*,?\s*(?:19|20)\d{2}[a-z]?"
    r"(?:\s*[;,]\s*[^)]{0,80})?\))"
    r"|(?:\b[A-Z][A-Za-z'\u2019\-]+(?:\s+et\s+al\.?)?\s+\((?:19|20)\d{2}[a-z]?\))")
DOI_RE = re.compile(r"\b(?:doi:\s*|https?://(?:dx\.)?doi\.org/)?10\.\d{4,9}/[^\s\"<>]+", re.I)
PMID_RE = re.compile(r"\b(?:PMID:?\s*\d{5,9}|PMCID:?\s*PMC\d{4,9}|PMC\d{5,9})\b")
YEAR_RE = re.compile(r"\b(?:19|20)\d{2}\b")
SOURCE_RES = [
    re.compile(r"\bpublished\s+in\s+(?:the\s+)?(?P<src>(?:[A-Z][\w&'\u2019.-]*)(?:\s+(?:of|and|&|for|in)?\s*[A-Z][\w&'\u2019.-]*)*)"),
    re.compile(r"\b(?:researchers|scientists|doctors|experts|investigators)\s+(?:at|from)\s+(?:the\s+)?(?P<src>(?:[A-Z][\w&'\u2019.-]*)(?:\s+(?:of|and|&|for)?\s*[A-Z][\w&'\u2019.-]*)*)"),
    re.compile(r"(?P<src>\b(?:[A-Z][\w&'\u2019.-]+\s+){0,3}[A-Z][\w&'\u2019.-]+)\s+(?:researchers|scientists|investigators)\b"),
    re.compile(r"\baccording\s+to\s+(?:the\s+)?(?P<src>(?:[A-Z][\w&'\u2019.-]*)(?:\s+(?:of|and|&|for)?\s*[A-Z][\w&'\u2019.-]*)*)"),
]
STOP = {"a", "an", "the", "of", "in", "on", "and", "or", "to", "for", "with", "that", "who", "which",
        "be", "have", "has", "had", "it", "its", "their", "they", "this", "these", "those", "at", "by",
        "from", "as", "than", "also", "another", "study", "publish", "find", "found", "show", "journal",
        "not", "one", "example", "for", "significantly", "research", "researcher", ",", ".", "-"}
NEGATION = {"not", "no", "never", "n't", "cannot", "without", "nor", "neither", "hardly", "none"}


def _lexicon_path():
    from .knowledge import builtin_knowledge_dir
    return builtin_knowledge_dir() / "claims.yaml"


@dataclass
class Lexicon:
    data: dict
    phrases: PhraseMatcher
    sets: dict
    vague: object = None  # Matcher for vague attributions with words in between


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    data = read_yaml(_lexicon_path(), what="lexicon")
    nlp = get_nlp()
    pm = PhraseMatcher(nlp.vocab, attr="LEMMA")
    for key in ("benefit_phrases", "not_claim_phrases", "vague_attribution", "conditions",
                "risk_context", "testimonial_phrases"):
        pm.add(key, [nlp(p) for p in data.get(key, [])])
    sets = {k: set(v) for k, v in data.items() if isinstance(v, list) and all(isinstance(x, str) for x in v)}
    from spacy.matcher import Matcher
    vm = Matcher(nlp.vocab)
    for i, p in enumerate(data.get("vague_patterns", [])):
        vm.add(f"V{i}", [p])
    return Lexicon(data, pm, sets, vm)


@dataclass(eq=False)
class Sentence:
    block: Block
    start: int
    end: int
    text: str
    index: int  # position among the document's sentences
    claim: bool = False
    kind: str | None = None  # "efficacy" | "safety"
    reasons: list[str] = field(default_factory=list)
    citation: str | None = None  # how it is cited, if it is
    vague: str | None = None  # the vague attribution phrase
    source: str | None = None  # a named journal/institution
    condition: str | None = None
    lemmas: tuple = ()
    words: tuple = ()  # lower-case surface forms, parallel to lemmas
    cta: bool = False  # a call to action ("Book your consultation today")
    # the rules' evidence (features of the learned model, see medlint.model)
    rule_claim: bool = False  # what the hand-written rules alone decide
    reasons_all: list[str] = field(default_factory=list)  # reasons, before any gate
    question: bool = False
    negated: bool = False
    not_claim: bool = False  # a not-claim phrase ("how it works", "cookie policy")
    risk_context: bool = False  # talks about side effects / risks
    testimonial: bool = False
    signals: list = field(default_factory=list)  # [(rule name, matched text)] lexicon hits
    treatments: tuple = ()  # single-word treatment names mentioned
    features: list = field(default_factory=list)
    scores: dict = field(default_factory=dict)  # target -> probability of this sentence
    block_scores: dict = field(default_factory=dict)  # target -> probability of its block
    cues: list = field(default_factory=list)  # the strongest cues of a claim, in words


def analyze(doc: Document, ctx) -> list[Sentence]:
    """All prose sentences of ``doc`` with claim and citation status (memoized)."""
    cached = doc.cache.get("claims")
    if cached is not None:
        return cached
    lex = lexicon()
    signal = _pattern_signals(doc, ctx)
    out: list[Sentence] = []
    for block in doc.prose_blocks():
        sdoc = block_doc(doc, block)
        signals = signal.get(block.index, [])
        # what the rules make of each sentence depends on the block's text, its kind and the
        # lexicon rules' matches in it: kept with the block's parsed form
        key = ("claims-classify", block.kind, tuple(signals))
        for start, text, lemmas, words, state in block_results(
                sdoc, key, lambda: _classified(block, sdoc, lex, signals)):
            s = Sentence(block, start, start + len(text), text, len(out))
            s.lemmas, s.words = lemmas, words
            for name, value in state:
                setattr(s, name, list(value) if isinstance(value, list) else value)
            _cite(s, doc, block, lex)
            out.append(s)
    _decide(doc, out, ctx)
    doc.cache["claims"] = out
    return out


# the Sentence fields that _classify sets
CLASSIFIED = ("condition", "vague", "question", "negated", "not_claim", "risk_context", "testimonial",
              "treatments", "signals", "cta", "kind", "reasons_all", "rule_claim", "reasons")


def _classified(block, sdoc, lex, signals) -> list[tuple]:
    """(start, text, lemmas, words, [(field, value)]) of each sentence of a block, its fields
    as :func:`_classify` sets them."""
    matches = block_results(sdoc, "claims-lexicon", lambda: _lexicon_matches(lex, sdoc))
    out = []
    for (a, b), start, text, lemmas, words in block_results(sdoc, "claims-sentences",
                                                            lambda: _sentences(sdoc)):
        sent = sdoc[a:b]
        s = Sentence(block, start, start + len(text), text, 0)
        s.lemmas, s.words = lemmas, words
        here = [(k, x, y) for k, x, y in matches if sent.start <= x < sent.end]
        _classify(s, sent, here, lex, signals, block)
        out.append((start, text, lemmas, words, [(name, getattr(s, name)) for name in CLASSIFIED]))
    return out


def _sentences(sdoc) -> list[tuple]:
    """((start token, end token), start offset, text, lemmas, lower-case words) of each
    non-empty sentence of a block's doc (text without surrounding space; lemmas and words
    without space tokens). No Span objects: they would tie the doc to itself."""
    out = []
    for sent in sdoc.sents:
        text = sent.text.strip()
        if not text:
            continue
        lead = len(sent.text) - len(sent.text.lstrip())
        out.append(((sent.start, sent.end), sent.start_char + lead, text,
                    tuple(t.lemma_ for t in sent if not t.is_space),
                    tuple(t.lower_ for t in sent if not t.is_space)))
    return out


def _lexicon_matches(lex: Lexicon, sdoc) -> list[tuple[str, int, int]]:
    """(lexicon key, start token, end token) of the claims lexicon's matches in a block."""
    matches = [(sdoc.vocab.strings[k], s, e) for k, s, e in lex.phrases(sdoc)]
    matches += [("vague_attribution", s, e) for _k, s, e in lex.vague(sdoc)]
    return matches


def model_cues(s: Sentence, ctx) -> list[str]:
    """The strongest cues of a claim decided at a rule's own threshold."""
    if not s.features:
        return []
    from .model import get_model
    return get_model(ctx).cues(s.features, "claim", surface=s)


def model_settings(ctx) -> tuple[bool, float | None]:
    """(use the learned model?, claim threshold or None for the model's own) from the
    ``uncited-claim`` rule's params."""
    if ctx is None:
        return True, None
    for rule in ctx.all_rules:
        if rule.name == "uncited-claim":
            p = ctx.impl(rule).params
            return p.get("model", True), p.get("threshold")
    return True, None


def _decide(doc, sents, ctx):
    """Score every sentence and block with the learned model (when on) and set ``claim``."""
    use, threshold = model_settings(ctx)
    if use and sents:
        from .model import decide, get_model, runs, sentence_features
        model = get_model(ctx)
        for s, f in zip(sents, sentence_features(doc, sents)):
            s.features = f
            s.scores = model.scores(f)
        for i, j in runs(sents):
            bs = model.block_scores([s.features for s in sents[i:j]])
            for s in sents[i:j]:
                s.block_scores = bs
        thr = model.thresholds["claim"] if threshold is None else threshold
        for s in decide(sents, "claim", thr):
            s.claim = True
            s.cues = model.cues(s.features, "claim", surface=s)
    else:
        for s in sents:
            s.claim = s.rule_claim
            s.cues = [f"'{r.partition(':')[2]}'" if ":" in r else r for r in s.reasons][:3]
    for s in sents:
        if s.claim and s.kind is None:
            s.kind = "efficacy"


def _pattern_signals(doc, ctx) -> dict:
    """Lexicon matches of exaggerated-claim and risk-minimizing (whatever the selection)."""
    out: dict[int, list] = {}
    if ctx is None:
        return out
    for rule in ctx.all_rules:
        if rule.name not in ("exaggerated-claim", "risk-minimizing"):
            continue
        impl = ctx.impl(rule)
        # a lexicon rule's matches, cancelled ones marked; another kind's findings as they are
        hits, cancelled = impl.hits(doc) if hasattr(impl, "hits") else (impl.check(doc, ctx), [])
        for suffix, group in (("", hits), (":cancelled", cancelled)):
            for h in group:
                out.setdefault(h.block.index, []).append((rule.name + suffix, h.start, h.end))
    return out


def _classify(s: Sentence, sent, matches, lex: Lexicon, signals, block):
    sets = lex.sets
    toks = [t for t in sent if not t.is_space]
    lem = [t.lemma_ for t in toks]
    low = [t.lower_ for t in toks]
    stripped = s.text.rstrip(" *_\"'\u201d\u2019)")
    for key, a, b in matches:
        if key == "conditions":
            cond = sent.doc[a:b].text.lower()
            if s.condition is None or len(cond) > len(s.condition):
                s.condition = cond
        if key == "vague_attribution" and s.vague is None:
            s.vague = sent.doc[a:b].text
    keys = {k for k, _, _ in matches}
    s.question = stripped.endswith("?")
    s.negated = any(x in NEGATION for x in lem) or "n't" in low
    s.not_claim = "not_claim_phrases" in keys
    s.risk_context = "risk_context" in keys
    s.testimonial = "testimonial_phrases" in keys and _testimonial(block, s)
    names = _alias_words()
    s.treatments = tuple(sorted({x for x in low if x in names}))
    for name, a, b in signals:
        if a < s.end and b > s.start:
            s.signals.append((name, block.text[a:b]))
    gated = s.question
    if s.text.count("|") >= 3 or (s.text.isupper() and len(toks) <= 4):
        gated = True  # a navigation bar ("Home | Services | Contact") or an all-caps brand line
    if toks and toks[0].is_title and lem[0] in sets["call_to_action"] and toks[0].lower_ == lem[0] \
            and (len(toks) < 2 or toks[1].lower_ not in ("is", "are", "was")):
        s.cta = True  # a call to action: a claim only if it also states a benefit phrase
    if s.not_claim:
        gated = True
    is_heading = block.kind == HEADING
    if is_heading and lem and lem[0] in ("how", "what", "why", "when", "where", "who", "which"):
        gated = True  # a topic heading ("How It Works"), not an assertion
    reasons = []
    for name, a, b in signals:
        if a < s.end and b > s.start and not name.endswith(":cancelled"):
            if name == "risk-minimizing":
                reasons.append("safety wording")
                s.kind = "safety"
            elif not is_heading:
                reasons.append("exaggeration")
    for key, a, b in matches:
        if key == "benefit_phrases" and not _negated(sent.doc, a):
            reasons.append("phrase:" + sent.doc[a:b].text)
    health = sets["health_terms"]
    benef = sets["beneficiaries"]
    interventions = sets["intervention_terms"]
    for i, t in enumerate(toks):
        l = lem[i]
        if l in sets["benefit_verbs"] and (not t.is_title or i == 0 or is_heading or block.kind != "paragraph"):
            if _negated_tokens(toks, i) or (i and toks[i - 1].text in "-\u2010\u2011"):
                continue
            if i > 1 and any(x in sets["time_clause"] for x in lem[max(0, i - 3):i - 1]) and not reasons:
                continue  # "while you heal" (but not "while softening the lines")
            if l == "help" and i and lem[i - 1] in sets["help_noun_before"]:
                continue  # "seek medical help"
            if l == "treat" and any(x in sets["usage_before"] for x in lem[max(0, i - 3):i]):
                continue  # "used to treat depression": what it is for
            if t.lower_.endswith("ed") and i + 1 < len(toks) and toks[i + 1].is_alpha \
                    and lem[i + 1] not in FUNCTION_WORDS and i and low[i - 1] in ADJECTIVE_SLOT:
                continue  # a participle used as an adjective: "from treated skin", "are reduced appetite"
            restricted = lex.data.get("restricted_verbs", {}).get(l)
            if restricted is not None and not any(x in restricted for x in lem[i + 1:i + 5]):
                continue
            nxt = [x for x in lem[i + 1:i + 4] if x != "to"]
            if nxt and nxt[0] in sets["mechanism_after"]:
                continue
            if len(nxt) > 1 and nxt[0] in benef and nxt[1] in sets["mechanism_after"] \
                    and not any(x in health for x in lem[i + 1:i + 8]):
                continue  # "helps you find the right plan", "help patients navigate insurance"
            if l in sets["subject_verbs"]:
                prev = [x for x in lem[max(0, i - 2):i] if x not in ("really", "also", "just", "actually", "still")]
                if not prev or not (prev[-1] in interventions or _mentions_treatment(prev[-1:])
                                    or prev[-1] in ("that", "which", "what")):
                    continue
            elif l in sets["weak_verbs"]:
                after = [x for x, tt in zip(lem[i + 1:i + 10], toks[i + 1:i + 10]) if not tt.is_punct][:7]
                before = lem[max(0, i - 3):i]
                if not (any(x in health or x in benef for x in after) or (nxt and nxt[0] in benef)
                        or any(x in interventions for x in before) or _mentions_treatment(before)):
                    continue
            reasons.append("verb:" + t.text)
        elif not is_heading and l in sets["benefit_words"]:
            if _negated_tokens(toks, i):
                continue
            if l == "relief" and i and lem[i - 1] in sets["relief_feeling_before"]:
                continue  # "a relief for busy parents"
            if l in sets["weak_words"] and not any(x in health or x in interventions or x in benef
                                                   for j, x in enumerate(lem) if j != i):
                continue
            reasons.append("word:" + t.text)
        elif l in sets["comparatives"] or low[i] in sets["comparatives"]:
            after = [x for tt in toks[i + 1:i + 4] if not tt.is_punct for x in (tt.lemma_, tt.lower_)][:4]
            before = lem[i - 1] if i else ""
            if (any((x in health or x in benef) and x not in RISK_NOUNS for x in after)
                    or (before in health and before not in RISK_NOUNS and low[i] in ("better", "younger", "stronger"))) \
                    and not _negated_tokens(toks, i):
                reasons.append("comparative:" + t.text)
    strong = [r for r in reasons if not r.startswith("comparative:") and
              not (r.startswith("verb:") and lemma_of(r[5:].lower()) in sets["weak_verbs"])]
    if reasons and not strong and "risk_context" in keys:
        reasons = []  # a sentence about side effects, not a benefit
    if not reasons and s.vague and any(x in health or x in sets["benefit_verbs"] or x in sets["comparatives"]
                                       for x in lem + low):
        reasons.append("attributed result")  # "research shows that implants stop bone loss"
    if not reasons and s.testimonial:
        reasons.append("testimonial")
    if not reasons and "back" in lem:
        k = lem.index("back")
        if any(x in ("get", "have", "give", "bring") for x in lem[max(0, k - 12):k]) and \
                any(x in health or x == "life" for x in lem[max(0, k - 12):k]):
            reasons.append("phrase:... back")
    s.reasons_all = list(reasons)
    if s.cta:
        reasons = [r for r in reasons if r.startswith(("phrase:", "exaggeration", "testimonial"))]
    if reasons and not gated:
        s.rule_claim = True
        s.reasons = reasons
    elif s.kind == "safety":
        s.kind = None


FUNCTION_WORDS = {"in", "by", "with", "to", "the", "a", "an", "your", "their", "his", "her", "our", "its",
                  "for", "and", "or", "within", "after", "before", "over", "from", "at", "on", "of",
                  "as", "than", "up", "down", "out", "off", "by", "through", "during", "significantly",
                  "dramatically", "greatly", "markedly", "substantially", "symptom", "it", "them", "us",
                  "you", "me", "him", "this", "that", "these", "those", "more", "less", "quickly", "fast"}
# words after which an -ed form is an adjective before its noun, not a verb
ADJECTIVE_SLOT = {"the", "a", "an", "from", "with", "of", "on", "in", "your", "their", "our", "my", "his",
                  "her", "its", "are", "is", "were", "was", ",", "and", "or", "include", "includes", "any"}
RISK_NOUNS = {"side", "effect", "risk", "death", "complication", "appetite"}
TESTIMONIAL_END = re.compile(r"""(?:["\u201d]\s*)?(?:[-\u2013\u2014~]\s*|\()\s*[A-Z][\w.'\u2019-]*(?:\s+[A-Z][\w.'\u2019-]*)?\.?"""
                             r"""(?:,\s*[\w .'\u2019-]+)?\)?\s*$""")


def _testimonial(block, s) -> bool:
    """A quoted customer statement or a line that ends with an attribution ("- Dana R.")."""
    text = block.text.strip()
    if block.kind == "blockquote" or text[:1] in "\"\u201c\u2018'":
        return True
    return bool(TESTIMONIAL_END.search(text))


def _alias_words() -> frozenset:
    from .treatments import alias_lemma_set
    return alias_lemma_set()


def _mentions_treatment(lemmas) -> bool:
    names = _alias_words()
    return any(x in names for x in lemmas)


def _negated(doc, i) -> bool:
    return any(doc[j].lemma_ in NEGATION for j in range(max(0, i - 3), i))


def _negated_tokens(toks, i) -> bool:
    for j in range(i - 1, max(-1, i - 4), -1):
        if toks[j].is_punct and toks[j].text in ",;:":
            return False
        if toks[j].lemma_ in NEGATION or toks[j].lower_ in ("n't", "not"):
            return True
    return False


def _is_citation_url(url: str, lex: Lexicon) -> bool:
    try:
        host = (urlparse(url if "://" in url else "http://" + url).hostname or "").lower()
    except ValueError:
        return False
    if not host:
        return False
    for d in lex.data.get("citation_domains", []):
        if host == d or host.endswith("." + d):
            return True
    return False


def citation_in(doc: Document, block: Block, start: int, end: int, text: str, lex=None) -> str | None:
    """How the span [start, end) of ``block`` is cited ("link", "doi", "pmid", "marker",
    "author-year"), or None."""
    found = citation_found(doc, block, start, end, text, lex)
    return found[0] if found else None


def citation_found(doc: Document, block: Block, start: int, end: int, text: str,
                   lex=None) -> tuple[str, str] | None:
    """(how, as found) for the citation of the span [start, end) of ``block``: the link's
    URL, the DOI or PMID, the reference-list entry a marker resolves to, the author and year."""
    lex = lex or lexicon()
    for link in block.links:
        inside = start <= link.start <= end if link.start == link.end else (link.start < end and link.end > start)
        if not inside:
            continue
        if _is_citation_url(link.url, lex) or DOI_RE.search(link.url):
            return "link", link.url
        if AUTHOR_YEAR_RE.search(block.text[link.start:link.end]):
            return "link", link.url
    m = DOI_RE.search(text)
    if m:
        return "doi", m.group(0).rstrip(".,;)")
    m = PMID_RE.search(text)
    if m:
        return "pmid", m.group(0)
    for m in block.markers:
        # a marker inside the sentence, or right after its final punctuation ("...20%.<sup>2</sup>")
        if start <= m.start <= end or (m.start > end and not block.text[end:m.start].strip(" .,;:)\n")):
            entries = [doc.blocks[doc.references[lbl]].text.strip() for lbl in m.labels if lbl in doc.references]
            if entries:
                return "marker", " | ".join(entries)
    m = AUTHOR_YEAR_RE.search(text)
    if m:
        return "author-year", m.group(0).strip()
    return None


def _cite(s: Sentence, doc: Document, block: Block, lex: Lexicon):
    s.citation = citation_in(doc, block, s.start, s.end, s.text, lex)
    for rx in SOURCE_RES:
        m = rx.search(s.text)
        if m:
            src = m.group("src").strip(" .,")
            if src and src.lower() not in ("the", "a", "our", "studies", "study", "research"):
                s.source = src
                break


def vague_detail(s: Sentence) -> str:
    """What a vague attribution is missing, for the message."""
    has_year = bool(YEAR_RE.search(s.text))
    if s.source and has_year:
        return f"it names {s.source} and a year but no authors or link"
    if s.source:
        return f"it names {s.source} but no authors, year or link"
    if has_year:
        return "it gives a year but no authors, source or link"
    return "no authors, year, source or link"


def content_lemmas(s: Sentence) -> set:
    return {l for l in s.lemmas if l not in STOP and not re.fullmatch(r"\W+|\d+", l)}
