"""One spaCy pipeline per process.

By default: a blank English tokenizer, medlint's rule-based sentence splitter (it knows
"et al.", "Dr.", "e.g." and decimal numbers) and lookup lemmas from ``spacy-lookups-data``,
lower-cased so that matching is case-insensitive. Nothing is downloaded. A trained pipeline
(``model = "en_core_web_sm"`` under ``[tool.medlint.nlp]``) is used only when configured and
installed; medlint's own sentence splitter and lemma lookup still decide sentences and
lemmas, so results do not depend on which pipeline is loaded.
"""
from __future__ import annotations

import re
import threading
from collections import OrderedDict
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc

from ._spacy_cli import attach

attach()

ABBREVIATIONS = {
    "al.", "dr.", "mr.", "mrs.", "ms.", "prof.", "st.", "e.g.", "i.e.", "vs.", "etc.", "approx.",
    "fig.", "vol.", "inc.", "ltd.", "jr.", "sr.", "jan.", "feb.", "mar.", "apr.",
    "jun.", "jul.", "aug.", "sep.", "sept.", "oct.", "nov.", "dec.",
    "u.s.", "u.k.", "a.m.", "p.m.", "ph.d.", "m.d.", "d.o.", "n.p.", "r.n.", "dept.", "est.",
    "ave.", "cf.", "ca.", "viz.", "op.", "cit.", "ibid.", "pp.", "ed.", "eds.",
}
_lock = threading.Lock()


def _read_lemma_lookup() -> dict:
    import spacy_lookups_data
    from spacy.util import load_language_data
    return dict(load_language_data(str(spacy_lookups_data.en["lemma_lookup"])))


@lru_cache(maxsize=1)
def _lemma_table() -> dict:
    """``spacy-lookups-data``'s English lemma lookup table (word form -> lemma), compiled
    once into the user cache (see :mod:`medlint.cache`)."""
    from importlib.metadata import version

    from .cache import compiled
    return compiled("lemma-lookup", f"spacy-lookups-data-{version('spacy-lookups-data')}",
                    _read_lemma_lookup)


# A few lemmas the lookup table lacks or gets wrong for health copy.
LEMMA_FIXES = {
    "proven": "prove", "non-addictive": "non-addictive", "tolerated": "tolerate",
    "cures": "cure", "cured": "cure", "curing": "cure", "healed": "heal", "heals": "heal",
    "relieves": "relieve", "relieved": "relieve", "eases": "ease", "eased": "ease",
    "boosts": "boost", "boosted": "boost", "helps": "help", "helped": "help",
    "works": "work", "worked": "work", "reverses": "reverse", "reversed": "reverse",
    "restores": "restore", "restored": "restore", "data": "data", "less": "less",
    "more": "more", "most": "most", "setting": "setting", "settings": "setting",
    "ssris": "ssri", "snris": "snri", "glp-1s": "glp-1",
}


@lru_cache(maxsize=1)
def _known_lemmas() -> frozenset:
    return frozenset(_lemma_table().values())


def is_known_word(lower: str) -> bool:
    """Whether the lemma tables know ``lower`` as an English word form."""
    return lower in LEMMA_FIXES or lower in _lemma_table() or lower in _known_lemmas()


def lemma_of(lower: str) -> str:
    fix = LEMMA_FIXES.get(lower)
    if fix:
        return fix
    return _lemma_table().get(lower, lower)


@Language.component("medlint_lemmas")
def _lemmatize(doc: Doc) -> Doc:
    for t in doc:
        t.lemma_ = lemma_of(t.lower_)
    return doc


@Language.component("medlint_sentences")
def _sentences(doc: Doc) -> Doc:
    """Rule-based sentence starts: after . ! ? (and closing quotes/brackets), unless the
    period belongs to an abbreviation, an initial or a number; at blank lines; never inside
    parentheses."""
    n = len(doc)
    if not n:
        return doc
    depth = 0
    doc[0].is_sent_start = True
    for i in range(1, n):
        doc[i].is_sent_start = False
    i = 0
    while i < n:
        t = doc[i]
        txt = t.text
        if txt in "([{":
            depth += 1
        elif txt in ")]}":
            depth = max(0, depth - 1)
        if t.is_space and "\n\n" in txt and i + 1 < n:
            doc[i + 1].is_sent_start = True
            depth = 0
        elif txt in (".", "!", "?", "...", "\u2026") or re.fullmatch(r"[.!?]+", txt) or (
                txt.endswith(".") and len(txt) > 1 and _ends_sentence_token(t)):
            if txt == "." and i > 0 and (_is_abbrev(doc[i - 1], t) or (
                    doc[i - 1].lower_ == "no" and i + 1 < n and doc[i + 1].like_num)):
                i += 1
                continue
            j = i + 1
            while j < n and (doc[j].text in ("'", '"', "\u201d", "\u2019", ")", "]") or doc[j].is_space and "\n\n" not in doc[j].text):
                if doc[j].text in (")", "]"):
                    depth = max(0, depth - 1)
                j += 1
            if j < n and depth == 0 and _starts_sentence(doc[j]):
                doc[j].is_sent_start = True
            i = j
            continue
        i += 1
    return doc


def _ends_sentence_token(t) -> bool:
    low = t.lower_
    if low in ABBREVIATIONS:
        return False
    if re.fullmatch(r"(?:[a-z]\.){2,}", low):  # e.g. "u.s."
        return False
    return False  # the tokenizer splits a final period off ordinary words


def _is_abbrev(prev, period) -> bool:
    low = prev.lower_ + "."
    if low in ABBREVIATIONS:
        return True
    if len(prev.text) == 1 and prev.text.isupper() and not prev.whitespace_:
        return True  # an initial: "J. Smith"
    return False


def _starts_sentence(t) -> bool:
    c = t.text[:1]
    return bool(c) and (c.isupper() or c.isdigit() or c in "\"'\u201c\u2018(*[#\u2022-") or not c.isalpha()


@lru_cache(maxsize=4)
def _build(model: str | None) -> Language:
    import spacy
    if model:
        nlp = spacy.load(model, exclude=["parser", "senter", "lemmatizer"])
    else:
        nlp = spacy.blank("en")
    nlp.add_pipe("medlint_sentences", first=True)
    nlp.add_pipe("medlint_lemmas", after="medlint_sentences")
    _lemma_table()
    return nlp


_model: str | None = None


def configure(model: str | None):
    """Use an installed trained pipeline (by package name) instead of the blank one."""
    global _model
    _model = model or None


def get_nlp(model: str | None = None) -> Language:
    """The process-wide pipeline (built on first use, then reused)."""
    with _lock:
        return _build(model or _model)


# Parsed blocks by text, shared by every document of the process: a page that repeats a
# block, a site's boilerplate and an edited page in the language server (where most blocks
# did not change) parse each distinct text once. Bounded by the characters it holds.
_DOC_CACHE: OrderedDict = OrderedDict()
_DOC_CACHE_CHARS = [0]
DOC_CACHE_MAX_CHARS = 1_000_000


def _cached_docs(texts: list[str]) -> list[Doc]:
    model = _model
    with _lock:
        missing = list(dict.fromkeys(t for t in texts if (model, t) not in _DOC_CACHE))
    parsed = dict(zip(missing, get_nlp().pipe(missing, batch_size=128))) if missing else {}
    out = []
    with _lock:
        for t in texts:
            key = (model, t)
            d = _DOC_CACHE.get(key)
            if d is None:
                d = parsed[t]
                if len(t) < DOC_CACHE_MAX_CHARS // 10:
                    _DOC_CACHE[key] = d
                    _DOC_CACHE_CHARS[0] += len(t) + 1
            else:
                _DOC_CACHE.move_to_end(key)
            out.append(d)
        while _DOC_CACHE_CHARS[0] > DOC_CACHE_MAX_CHARS and _DOC_CACHE:
            (_, t), _d = _DOC_CACHE.popitem(last=False)
            _DOC_CACHE_CHARS[0] -= len(t) + 1
    return out


def block_doc(doc, block) -> Doc:
    """The spaCy Doc of one block; all blocks of a document are processed together, once,
    and a block whose text was parsed before (in any document) is not parsed again. Docs
    are shared: read them, never change them (per-doc results go in ``user_data``)."""
    docs = doc.cache.get("spacy")
    if docs is None:
        docs = doc.cache["spacy"] = _cached_docs([b.text for b in doc.blocks])
    return docs[block.index]


def block_results(sdoc, key, compute):
    """``compute()``, remembered on a block's Doc under ``key`` (never reused for other
    results, e.g. a rule instance's serial): results that depend only on the block's text."""
    key = ("results", key)
    if key not in sdoc.user_data:
        sdoc.user_data[key] = compute()
    return sdoc.user_data[key]


def phrase_tokens(phrases: list[str], name: str) -> list[list[str]]:
    """Each phrase as the tokenizer splits it, lower-case. Compiled once into the user cache
    under ``name`` (tokenizing thousands of aliases and terms costs a few hundred
    milliseconds at start-up)."""
    import hashlib
    from importlib.metadata import version

    from .cache import compiled

    def build():
        return [[t.lower_ for t in d] for d in get_nlp().tokenizer.pipe(phrases)]
    digest = hashlib.sha1("\x00".join(phrases).encode("utf-8")).hexdigest()
    return compiled(name, f"spacy-{version('spacy')}-{_model}-{digest}", build)


class SequenceMatcher:
    """Phrases as token sequences (lower-case forms, or lemmas), found in a block's token
    array: what spaCy's PhraseMatcher does for one attribute, over plain lists, built without
    making a Doc per phrase. Matches come by start, then in the order phrases were added."""

    def __init__(self):
        self.index: dict[str, list] = {}

    def add(self, tokens, label):
        if tokens:
            self.index.setdefault(tokens[0], []).append((tuple(tokens), label))

    def __call__(self, seq: list[str]) -> list[tuple]:
        """[(label, start, end)] of every phrase occurrence in ``seq``."""
        out = []
        index = self.index
        for i, tok in enumerate(seq):
            for toks, label in index.get(tok, ()):
                n = len(toks)
                if n == 1 or tuple(seq[i:i + n]) == toks:
                    out.append((label, i, i + n))
        return out


def token_lemmas(sdoc) -> list[str]:
    """The lemma of every token of a spaCy doc, computed once per doc."""
    return block_results(sdoc, "lemmas", lambda: [t.lemma_ for t in sdoc])


def token_lowers(sdoc) -> list[str]:
    """The lower-case form of every token of a spaCy doc, computed once per doc."""
    return block_results(sdoc, "lowers", lambda: [t.lower_ for t in sdoc])
