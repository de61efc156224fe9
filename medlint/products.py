"""Products and interventions a page promotes that the knowledge base does not know.

A page selling "grounding sheets", a "tinnitus support formula" or "Revitive" makes benefit
claims about something no treatment entry names. This module finds such names, once per
document, so that risk disclosure can ask about them too:

* a *product phrase*: up to three content words before a product head noun ("hydrogen-rich
  water", "pelvic floor stimulation shorts", "detox foot pads"); the head nouns, the words
  that cannot be part of a name ("our", "best", "natural") and the generic references ("this
  product", "our treatment", "these supplements") are data in
  ``rules/knowledge/risk-vocabulary.yaml``;
* a *brand*: a word marked (R) or (TM), or written in inner capitals ("BrainHQ");
* the subject of a benefit verb at the start of a claim ("Nattokinase supports ...") when it
  is not an English word the lemma tables know.

A name counts when a claim sentence names it, or when the page's title or first heading names
it; occurrences are then found across the whole page. Names the knowledge base knows are left
to it (a knowledge-base match always wins an overlap).
"""
from __future__ import annotations

import gzip
import re
from functools import lru_cache
from pathlib import Path

from .document import HEADING, PROSE_KINDS, TITLE, Document
from .knowledge import Treatment

WORD_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9'\u2019+.\-]*[A-Za-z0-9+]|[A-Za-z0-9]")
MARK_RE = re.compile(r"[\u00ae\u2122\u2120]")
NAME_KINDS = PROSE_KINDS + (TITLE,)  # where a product can be named


@lru_cache(maxsize=1)
def _vocab():
    from .risk import vocabulary
    v = vocabulary()
    heads = set()
    for h in v.get("product_heads", []):
        heads.add(h)
        heads.add(h + "es" if h.endswith(("s", "sh", "ch", "x")) else h + "s")
    return (frozenset(heads), frozenset(v.get("name_stopwords", [])),
            frozenset(v.get("benefit_verbs", [])))


def _words(text: str):
    return [(m.start(), m.end(), m.group(0)) for m in WORD_RE.finditer(text)]


def _joined(text: str, a: int, b: int) -> bool:
    """Whether two words are adjacent in a name (only spaces or a hyphen between them)."""
    gap = text[a:b]
    return len(gap) <= 2 and re.fullmatch(r"[ \-\u00ae\u2122]*", gap) is not None


def _norm(name: str) -> str:
    words = [w.lower().replace("\u2019", "'") for w in WORD_RE.findall(name)]
    if words:
        w = words[-1]
        if w.endswith("ies") and len(w) > 4:
            w = w[:-3] + "y"
        elif w.endswith(("ches", "shes", "sses", "xes")):
            w = w[:-2]
        elif w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) > 3:
            w = w[:-1]
        words[-1] = w
    return " ".join(words)


def phrases(text: str, *, title: bool = False) -> list[tuple[int, int, str, str]]:
    """Candidate product names in ``text``: (start, end, written name, how found: "phrase",
    "brand" or "word")."""
    return list(_phrases(text, title))


@lru_cache(maxsize=16384)
def _phrases(text: str, title: bool) -> tuple:
    heads, stop, verbs = _vocab()
    ws = _words(text)
    out = []
    for i, (a, b, w) in enumerate(ws):
        low = w.lower()
        if low in heads:
            j = i
            while j > 0 and i - j < 3 and _joined(text, ws[j - 1][1], ws[j][0]):
                prev = ws[j - 1][2].lower().replace("\u2019", "'")
                if prev in stop or prev in heads or prev.isdigit() or _verb_only(prev):
                    break
                j -= 1
            if j < i:
                out.append((ws[j][0], b, text[ws[j][0]:b], "phrase"))
        elif MARK_RE.match(text[b:b + 1]) or (len(w) >= 5 and w[:1].isupper() and re.search(r"[a-z][A-Z]", w)
                                              and not w.startswith(("Mc", "Mac"))):
            j = i
            while (j > 0 and i - j < 2 and _joined(text, ws[j - 1][1], ws[j][0]) and ws[j - 1][2][:1].isupper()
                   and ws[j - 1][2].lower() not in stop):
                j -= 1
            out.append((ws[j][0], b, text[ws[j][0]:b], "brand"))
    if not out and ws:
        # "Nattokinase supports ...": a name that no English table knows, as the subject
        first = 1 if ws[0][2].lower() in ("our", "the", "with") and len(ws) > 1 else 0
        a, b, w = ws[first]
        nxt = ws[first + 1][2].lower() if len(ws) > first + 1 else ""
        if (nxt in verbs or title) and w[:1].isupper() and w.lower() not in stop and _unknown_word(w):
            out.append((a, b, w, "word"))
    return tuple(out)


WORDS_FILE = Path(__file__).resolve().parent / "data" / "english-words.txt.gz"


def build_english_words(path=WORDS_FILE) -> None:
    """Write the English word list: every single-word noun, verb, adjective and adverb of the
    WordNet index that ``spacy-lookups-data`` ships (reproducible; a test checks the shipped file)."""
    from spacy.lookups import load_lookups
    tb = load_lookups("en", ["lemma_index"]).get_table("lemma_index")
    pos_of: dict[str, str] = {}
    for pos in ("noun", "verb", "adj", "adv"):
        for w in tb[pos]:
            if re.fullmatch(r"[a-z]+", w):
                pos_of[w] = pos_of.get(w, "") + pos[0]
    lines = (f"{w} {pos_of[w]}" for w in sorted(pos_of))
    Path(path).write_bytes(gzip.compress("\n".join(lines).encode(), 9, mtime=0))


@lru_cache(maxsize=1)
def _word_classes() -> dict:
    try:
        text = gzip.decompress(WORDS_FILE.read_bytes()).decode()
    except (OSError, EOFError):  # a damaged install: no word is taken for a brand
        return {}
    return dict(line.split(" ", 1) for line in text.split("\n") if " " in line)


def _verb_only(low: str) -> bool:
    """A verb form that is no noun or adjective ("using", "reduce", "showed"): never in a name."""
    from .nlp import lemma_of
    classes = _word_classes()
    own = classes.get(low)
    if own is not None:
        return "n" not in own and "a" not in own and "v" in own
    lem = lemma_of(low)
    return lem != low and "v" in classes.get(lem, "") and not low.endswith("s")


def is_english(low: str) -> bool:
    from .nlp import is_known_word, lemma_of
    words = _word_classes()
    return (low in words or lemma_of(low) in words or (low.endswith("s") and low[:-1] in words)
            or is_known_word(low) or not words)


def _unknown_word(w: str) -> bool:
    low = w.lower()
    return len(low) > 4 and low.isalpha() and not is_english(low)


def find_products(doc: Document, sents, known_spans) -> list[tuple[Treatment, list]]:
    """[(synthetic treatment, [(block index, start, end, written)])] for the page's unknown names.

    ``known_spans``: {block index: [(start, end)]} of knowledge-base matches, which win overlaps.
    """
    def overlaps(bi, a, b):
        return any(a < e and s < b for s, e in known_spans.get(bi, ()))

    found: dict[str, tuple] = {}  # normalised name -> (first written form in a claim or the title, how)
    first = next((b for b in doc.blocks if b.kind in (TITLE, HEADING)), None)
    if first is not None:
        for a, b, w, how in phrases(first.text, title=True):
            if not overlaps(first.index, a, b):
                found.setdefault(_norm(w), (w, how))
    for s in sents:
        if not s.claim or s.question:
            continue
        for a, b, w, how in phrases(s.text):
            if not overlaps(s.block.index, s.start + a, s.start + b):
                found.setdefault(_norm(w), (w, how))
    _heads, stop, _v = _vocab()
    found = {k: w for k, w in found.items() if k and k.split()[0] not in stop}
    if not found:
        return []
    # every occurrence across the page
    pat = re.compile(r"(?<![\w'\u2019-])(?:" + "|".join(
        sorted((_pattern(k) for k in found), key=len, reverse=True)) + r")(?![\w'\u2019-])", re.I)
    occ: dict[str, list] = {k: [] for k in found}
    for blk in doc.prose_blocks(NAME_KINDS):
        for m in pat.finditer(blk.text):
            k = _norm(m.group(0))
            if k in occ and not overlaps(blk.index, m.start(), m.end()):
                occ[k].append((blk.index, m.start(), m.end(), written(m.group(0))))
    out = []
    for k, (w, how) in found.items():
        if not occ[k]:
            continue
        name = written(w)
        t = Treatment(name=name, aliases=[name], cls=how, type="unknown", disclosure_required=True,
                      risk_terms=[], key_risks=[], regulatory=[], references=[], source="page")
        out.append((t, occ[k]))
    return out


def written(text: str) -> str:
    """A name as written, without trademark marks and extra spaces ("BOTOX\u00ae" -> "BOTOX")."""
    return " ".join(MARK_RE.sub("", text).split())


def _pattern(norm: str) -> str:
    words = norm.split()
    parts = [re.escape(w).replace("'", "['\u2019]") for w in words]
    last = parts[-1]
    if words[-1].endswith("y"):
        last = last[:-1] + "(?:y|ies)"
    else:
        last = last + "(?:s|es)?"
    parts[-1] = last
    return r"[\s\-]*".join(parts) + r"[\u00ae\u2122]?"
