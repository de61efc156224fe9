"""Finding treatments from the knowledge base in text (aliases matched on lower-case tokens)."""
from __future__ import annotations

import hashlib
from functools import lru_cache

from .knowledge import load_knowledge
from .nlp import get_nlp, token_lowers


def _key(extra) -> tuple:
    return tuple(sorted((k, tuple(v)) for k, v in (extra or {}).items()))


def _alias_tokens(aliases: list[str]) -> list[list[str]]:
    """Each alias as the tokenizer splits it, lower-case (compiled once into the user cache:
    tokenizing 6,000 aliases costs half a second)."""
    from importlib.metadata import version

    from .cache import compiled

    def build():
        nlp = get_nlp()
        return [[t.lower_ for t in d] for d in nlp.tokenizer.pipe(aliases)]
    digest = hashlib.sha1("\x00".join(aliases).encode("utf-8")).hexdigest()
    return compiled("alias-tokens", f"spacy-{version('spacy')}-{digest}", build)


@lru_cache(maxsize=8)
def _matcher(key: tuple):
    """First token -> [(alias tokens, treatment)], in knowledge-base order."""
    kb = load_knowledge({k: list(v) for k, v in key})
    pairs = [(a, t) for t in kb.treatments for a in t.aliases]
    index: dict[str, list] = {}
    for toks, (_, t) in zip(_alias_tokens([a for a, _ in pairs]), pairs):
        if toks:
            index.setdefault(toks[0], []).append((tuple(toks), t))
    return index


def find_treatments(sdoc, extra=None):
    """[(treatment, start_token, end_token)] in a spaCy doc, longest matches first."""
    index = _matcher(_key(extra))
    lowers = token_lowers(sdoc)
    spans = []
    for i, low in enumerate(lowers):
        for toks, t in index.get(low, ()):
            n = len(toks)
            if tuple(lowers[i:i + n]) == toks:
                spans.append((i, i + n, t))
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
