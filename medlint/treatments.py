"""Finding treatments from the knowledge base in text (aliases matched on lower-case tokens)."""
from __future__ import annotations

from functools import lru_cache

from .knowledge import load_knowledge
from .nlp import SequenceMatcher, phrase_tokens, token_lowers


def _key(extra) -> tuple:
    return tuple(sorted((k, tuple(v)) for k, v in (extra or {}).items()))


@lru_cache(maxsize=8)
def _matcher(key: tuple) -> SequenceMatcher:
    """Every alias of every treatment, in knowledge-base order."""
    kb = load_knowledge({k: list(v) for k, v in key})
    pairs = [(a, t) for t in kb.treatments for a in t.aliases]
    m = SequenceMatcher()
    for toks, (_, t) in zip(phrase_tokens([a for a, _ in pairs], "treatment-aliases"), pairs):
        m.add(toks, t)
    return m


def find_treatments(sdoc, extra=None):
    """[(treatment, start_token, end_token)] in a spaCy doc, longest matches first."""
    spans = [(s, e, t) for t, s, e in _matcher(_key(extra))(token_lowers(sdoc))]
    spans.sort(key=lambda x: (x[0], -(x[1] - x[0])))
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
