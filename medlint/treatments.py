"""Finding treatments from the knowledge base in text (aliases matched on lower-case tokens)."""
from __future__ import annotations

from functools import lru_cache

from spacy.matcher import PhraseMatcher

from .knowledge import load_knowledge
from .nlp import get_nlp


def _key(extra) -> tuple:
    return tuple(sorted((k, tuple(v)) for k, v in (extra or {}).items()))


@lru_cache(maxsize=8)
def _matcher(key: tuple):
    kb = load_knowledge({k: list(v) for k, v in key})
    nlp = get_nlp()
    pm = PhraseMatcher(nlp.vocab, attr="LOWER")
    by_label = {}
    for i, t in enumerate(kb.treatments):
        label = f"T{i}"
        by_label[label] = t
        pm.add(label, [nlp.make_doc(a) for a in t.aliases])
    return pm, by_label


def find_treatments(sdoc, extra=None):
    """[(treatment, start_token, end_token)] in a spaCy doc, longest matches first."""
    pm, by_label = _matcher(_key(extra))
    spans = sorted(((s, e, by_label[sdoc.vocab.strings[k]]) for k, s, e in pm(sdoc)),
                   key=lambda x: (x[0], -(x[1] - x[0])))
    out, end = [], -1
    for s, e, t in spans:
        if s >= end:
            out.append((t, s, e))
            end = e
    return out


@lru_cache(maxsize=1)
def alias_lemma_set() -> frozenset:
    """Single-word aliases (lower-case) of all built-in treatments."""
    kb = load_knowledge()
    return frozenset(a.lower() for t in kb.treatments for a in t.aliases if " " not in a)
