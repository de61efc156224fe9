"""The ``duplicates`` kind: repeated headings, paragraphs and sentences.

Similarity measure
------------------
Text is normalised (Unicode NFKC, case-folded, punctuation and whitespace dropped) into a
sequence of words; a unit (a heading, a paragraph, a sentence) becomes the *set* of its word
shingles of ``shingle-size`` words (default 1: the set of its words). Two units are
duplicates when the Jaccard similarity of their sets, ``|A & B| / |A | B|``, reaches
``threshold`` (default 0.65).

Why this measure: Jaccard is symmetric, bounded and is exactly what MinHash estimates, so
the in-document check (exact Jaccard) and the cross-page check (MinHash + LSH) agree on
what a duplicate is. Word sets (rather than longer shingles) keep a near-copy similar when
a few words are changed, added or dropped, or when clauses are moved around ("within two
weeks, most patients ..." / "most patients ... within two weeks"). Comparing *sentences*
with sentences (not whole pages) keeps the sets small, so two different sentences on the
same topic, which share function words and a treatment name, stay well below the
threshold (typically 0.2-0.5), while near-verbatim copies score 0.7-1.0. As a guide, a
sentence of n words with k words changed scores (n - k) / (n + k): 10 words with 2
changed is 0.67; 15 words with 5 added is 0.75.

Within a document, paragraphs (any prose block) are compared first: a repeated paragraph is
one finding that spans the whole later copy. Sentences are compared only inside blocks that
are not themselves whole duplicates, so a sentence repeated inside a different (longer)
paragraph is found; consecutive repeated sentences copied from one block are merged into
one finding. Every finding sits on the later copy; ``related`` points at the first copy.

Across pages (``site-wide``), each paragraph of at least ``site-min-words`` words is reduced
to a MinHash signature of its word-pair shingles (``site-shingle-size`` 2; ``num-perm``
16-bit values: b-bit minwise hashing; the text is not kept). Word pairs rather than single
words because pages of one site share vocabulary: unrelated paragraphs share ~5% of their
words pairs but ~15-25% of their words, and that background similarity is what decides how
many candidate pairs LSH produces, i.e. whether the pass stays near-linear. An LSH banding
index (numpy sort per band, no all-pairs comparison) finds candidate pairs; candidates are
verified by the estimated Jaccard against ``site-threshold`` (default 0.45: a 40-word
paragraph with three words changed scores about 0.75). A paragraph found on an earlier
page gives a finding on each later page, with ``related`` pointing at the earlier pages
(first copy first, at most ``site-max-related``).
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

import numpy as np

from ..document import HEADING, TITLE
from ..nlp import block_doc, block_results
from . import Hit, Kind, register

WORD_RE = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
SENTENCE_END_RE = re.compile(r"""[.!;:]["'\u201d\u2019)\]*_]*\s*$""")
HEADING_MAX_WORDS = 14
MAX_ALSO = 4  # earlier copies (besides the first) listed with a repeat
KIND_NAMES = {"heading": "Heading", "title": "Title", "paragraph": "Paragraph",
              "list_item": "List item", "table_cell": "Table cell", "blockquote": "Quote",
              "alt_text": "Alt text"}


NUMBER_WORDS = {str(i): w for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())}


def words_of(text: str) -> list[str]:
    """Normalised words: NFKC, case-folded, punctuation and whitespace dropped, small numbers
    spelled out ("5 reasons" is "five reasons")."""
    return [NUMBER_WORDS.get(w, w).replace("\u2019", "'")
            for w in WORD_RE.findall(unicodedata.normalize("NFKC", text).casefold())]


def shingles(words: list[str], k: int) -> frozenset:
    if k <= 1:
        return frozenset(words)
    if len(words) <= k:
        return frozenset([" ".join(words)]) if words else frozenset()
    return frozenset(" ".join(words[i:i + k]) for i in range(len(words) - k + 1))


def jaccard(a: frozenset, b: frozenset) -> float:
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


# ---------------------------------------------------------------------------------------
# MinHash (vectorised) and LSH banding

_MASK32 = np.uint64(0xFFFFFFFF)


@lru_cache(maxsize=8)
def _permutations(num_perm: int):
    rng = np.random.RandomState(20240501)
    a = rng.randint(1, 2 ** 63 - 1, size=num_perm, dtype=np.int64).astype(np.uint64) | np.uint64(1)
    b = rng.randint(0, 2 ** 63 - 1, size=num_perm, dtype=np.int64).astype(np.uint64)
    return a, b


def _hash32(s: str) -> int:
    return int.from_bytes(hashlib.blake2b(s.encode("utf-8"), digest_size=4).digest(), "little")


def signatures(units: list[frozenset], num_perm: int) -> np.ndarray:
    """MinHash signatures of shingle sets, one row per set, as uint16 (b-bit minwise hashing:
    the low 16 bits of each 32-bit minimum). Multiply-add-shift hashing, vectorised."""
    out = np.zeros((len(units), num_perm), dtype=np.uint16)
    if not units:
        return out
    # each distinct set and each distinct shingle is hashed once (pages repeat themselves)
    row_of: dict[frozenset, int] = {}
    rows = [row_of.setdefault(u, len(row_of)) for u in units]
    distinct = list(row_of)
    hashes: dict[str, int] = {}
    hv = np.array([hashes[s] if s in hashes else hashes.setdefault(s, _hash32(s))
                   for u in distinct for s in u], dtype=np.uint64)
    counts = np.array([len(u) for u in distinct])
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    a, b = _permutations(num_perm)
    with np.errstate(over="ignore"):
        ph = ((hv[:, None] * a[None, :] + b[None, :]) >> np.uint64(32)) & _MASK32
    mins = np.minimum.reduceat(ph, offsets, axis=0)
    return (mins & np.uint64(0xFFFF)).astype(np.uint16)[rows]


def estimated_jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> np.ndarray:
    """Jaccard estimated from b-bit (16) signatures; works row-wise on 2-D arrays."""
    agree = (sig_a == sig_b).mean(axis=-1)
    c = 1.0 / 65536
    return np.clip((agree - c) / (1 - c), 0.0, 1.0)


@lru_cache(maxsize=32)
def lsh_params(num_perm: int, threshold: float) -> tuple[int, int]:
    """(bands, rows) minimising false negatives (weighted x4) plus false positives around
    ``threshold`` (the weighting datasketch uses, favouring recall)."""
    best, best_cost = (num_perm, 1), None
    xs = np.linspace(0.0, 1.0, 201)
    dx = xs[1] - xs[0]
    for r in range(1, num_perm + 1):
        b = num_perm // r
        p = 1 - (1 - xs ** r) ** b
        fp = np.where(xs < threshold, p, 0.0).sum() * dx
        fn = np.where(xs >= threshold, 1 - p, 0.0).sum() * dx
        cost = fp + 4 * fn
        if best_cost is None or cost < best_cost:
            best, best_cost = (b, r), cost
    return best


def band_columns(num_perm: int, bands: int, rows: int, rounds: int = 2) -> list[np.ndarray]:
    """Columns of each LSH band: ``rounds`` passes over the signature, the first in order, the
    others through a fixed shuffle of the columns. Two rounds double the bands (and the
    chance that a true pair shares one) without a longer signature."""
    cols = []
    rng = np.random.RandomState(7)
    for rnd in range(rounds):
        perm = np.arange(num_perm) if rnd == 0 else rng.permutation(num_perm)
        for band in range(bands):
            cols.append(perm[band * rows:(band + 1) * rows])
    return cols


def band_key(sig: np.ndarray, columns: np.ndarray, salt: int) -> np.ndarray:
    """(n,) uint64 keys: one band's rows mixed into one 64-bit value."""
    mult = np.uint64(0x9E3779B97F4A7C15)
    k = np.full(sig.shape[0], np.uint64(salt + 1), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in columns:
            k = (k * mult) ^ sig[:, j].astype(np.uint64)
    return k


# ---------------------------------------------------------------------------------------

class _Unit:
    __slots__ = ("block", "start", "end", "words", "set", "heading", "sent_index", "order", "allowed")

    def __init__(self, block, start, end, words, sset, heading, sent_index, order):
        self.block, self.start, self.end = block, start, end
        self.words, self.set, self.heading = words, sset, heading
        self.sent_index, self.order = sent_index, order
        self.allowed = False


@register
class DuplicatesKind(Kind):
    name = "duplicates"
    site_wide = True
    check_document = True  # also runs per document (engine.Linter.lint)
    PARAMS = {
        "threshold": ((int, float), 0.65, "Jaccard similarity (0-1) of the shingle sets at which two "
                                          "units are duplicates"),
        "shingle-size": (int, 1, "words per shingle (1: sets of words, order-insensitive)"),
        "min-words": (int, 6, "sentences and paragraphs shorter than this are not compared"),
        "min-heading-words": (int, 2, "headings (and one-line question/title blocks) shorter than "
                                      "this are not compared"),
        "short-words": (int, 12, "a heading, sentence or paragraph with fewer words than this "
                                 "repeats another only at `short-threshold`: short texts that share "
                                 "a frame (\"What are the benefits of X?\" / \"What are the risks "
                                 "of X?\") differ in the word that matters"),
        "short-threshold": ((int, float), 0.83, "Jaccard similarity (0-1) a short unit needs: about "
                                                "verbatim, word order, case and punctuation aside"),
        "allow": (list, [], "texts allowed to repeat (e.g. a required disclaimer): a unit that is "
                            "one of them, lies inside one, or is one plus fewer than min-words "
                            "other words is not reported"),
        "extend-allow": (list, [], "more allowed texts, added to `allow` (keeps the pack's defaults)"),
        "skip-containers": (list, ["nav", "header", "footer", "aside"],
                            "HTML containers whose blocks are not compared (page furniture)"),
        "sentences": (bool, True, "also compare sentences inside paragraphs"),
        "site-wide": (bool, True, "compare paragraphs across the pages of one run"),
        "site-min-words": (int, 12, "paragraphs shorter than this are not compared across pages"),
        "site-shingle-size": (int, 2, "words per shingle across pages (2: word pairs, so unrelated "
                                      "pages of one site share almost no shingles)"),
        "site-threshold": ((int, float), 0.45, "Jaccard similarity (0-1) of the paragraphs' "
                                              "site-shingle sets at which pages share a paragraph"),
        "site-max-related": (int, 10, "at most this many other pages listed per cross-page finding"),
        "num-perm": (int, 128, "MinHash permutations per paragraph signature (cross-page)"),
    }

    @classmethod
    def check_params(cls, params, where):
        from ..registry import RuleError
        for key in ("threshold", "site-threshold", "short-threshold"):
            t = params[key]
            if not 0 < t <= 1:
                raise RuleError(f"{where}: field 'params.{key}': must be in (0, 1], got {t}")
        for key, lo in (("shingle-size", 1), ("site-shingle-size", 1), ("min-words", 1), ("min-heading-words", 1),
                        ("short-words", 1),
                        ("site-min-words", 1), ("site-max-related", 1), ("num-perm", 8)):
            if params[key] < lo:
                raise RuleError(f"{where}: field 'params.{key}': must be at least {lo}")
        if params["num-perm"] > 1024:
            raise RuleError(f"{where}: field 'params.num-perm': must be at most 1024")
        for key in ("allow", "extend-allow", "skip-containers"):
            for i, a in enumerate(params[key]):
                if not isinstance(a, str) or not a.strip():
                    raise RuleError(f"{where}: field 'params.{key}[{i}]': must be a non-empty string")

    def setup(self):
        p = self.params
        self.threshold = float(p["threshold"])
        self.short_words = p["short-words"]
        self.short_threshold = max(self.threshold, float(p["short-threshold"]))
        self.k = p["shingle-size"]
        self.allow = []
        for a in list(p["allow"]) + list(p["extend-allow"]):
            w = words_of(a)
            if w:
                self.allow.append((" " + " ".join(w) + " ", shingles(w, self.k)))
        self.skip = set(p["skip-containers"])

    # -- units ------------------------------------------------------------------------

    def _is_allowed(self, words: list[str], sset: frozenset) -> bool:
        if not self.allow:
            return False
        text = " " + " ".join(words) + " "
        for norm, aset in self.allow:
            if text in norm or jaccard(sset, aset) >= self.threshold:
                return True
            if norm in text:
                rest = text
                while norm in rest:
                    rest = rest.replace(norm, " ", 1)
                if len(rest.split()) < self.params["min-words"]:
                    return True
        return False

    def _units(self, doc):
        """(blocks, sentences): block units, and sentence units per block index."""
        cache_key = ("duplicates-units", id(self))
        if cache_key in doc.cache:
            return doc.cache[cache_key]
        blocks, sents = [], {}
        order = 0
        for b in self.blocks(doc):
            if b.container in self.skip:
                continue
            sdoc = block_doc(doc, b)
            w, bset, b_allowed, single, parts = block_results(
                sdoc, ("duplicates", self.serial), lambda: self._block_units(b.text, sdoc))
            if not w:
                continue
            heading = b.kind in (HEADING, TITLE) or (
                single and len(w) <= HEADING_MAX_WORDS and not SENTENCE_END_RE.search(b.text))
            bu = _Unit(b, 0, len(b.text), w, bset, heading, None, order)
            bu.allowed = b_allowed
            blocks.append(bu)
            su = []
            for i, (a, e, sw, sset, allowed) in enumerate(parts):
                u = _Unit(b, a, e, sw, sset, False, i, order)
                u.allowed = b_allowed or allowed
                su.append(u)
            sents[b.index] = su or [bu]
            order += 1
        doc.cache[cache_key] = (blocks, sents)
        return blocks, sents

    def _block_units(self, text: str, sdoc):
        """What a block's units need from its text alone (kept with the block's parsed form):
        (words, word set, allowed?, at most one sentence?, sentence parts), a part being
        (start, end, words, word set, allowed?); no parts for a block of one sentence."""
        w = words_of(text)
        if not w:
            return w, frozenset(), False, True, []
        spans = []
        for s in sdoc.sents:
            a, e = s.start_char, s.end_char
            t = text[a:e]
            e = a + len(t.rstrip())
            a = a + (len(t) - len(t.lstrip()))
            if e > a and WORD_RE.search(text[a:e]):
                spans.append((a, e))
        bset = shingles(w, self.k)
        parts = []
        if len(spans) > 1:
            for a, e in spans:
                sw = words_of(text[a:e])
                sset = shingles(sw, self.k)
                parts.append((a, e, sw, sset, self._is_allowed(sw, sset)))
        return w, bset, self._is_allowed(w, bset), len(spans) <= 1, parts

    def _long_enough(self, u: _Unit) -> bool:
        n = len(u.words)
        return n >= (self.params["min-heading-words"] if u.heading else self.params["min-words"])

    def _first_copies(self, units: list[_Unit]) -> dict[int, tuple[int, float]]:
        """For each unit (by list position) the earliest earlier unit with Jaccard >= threshold.

        Exact, with prefix filtering (All-Pairs): two sets with Jaccard >= t share a word
        among the first |A| - ceil(t|A|) + 1 of each one's words in rarest-first order.
        A set seen before answers as its first occurrence did (that occurrence, or the
        earlier unit it matched) and is not indexed again: a page that repeats one paragraph
        a hundred times costs a hundred look-ups, not ten thousand comparisons."""
        freq: dict = {}
        for u in units:
            for s in u.set:
                freq[s] = freq.get(s, 0) + 1
        index: dict = {}
        out = {}
        first_of: dict[frozenset, int] = {}
        # a pair's threshold is the higher of its two units' (a short unit needs about verbatim);
        # each unit's prefix is cut at its own threshold, which keeps the filter exact for the pair
        need = [self._need(u) for u in units]
        for i, u in enumerate(units):
            n = len(u.set)
            if not n:
                continue
            f = first_of.get(u.set)
            if f is not None:
                out[i] = out.get(f, (f, 1.0))
                continue
            first_of[u.set] = i
            toks = sorted(u.set, key=lambda s: (freq[s], s))
            plen = n - int(np.ceil(need[i] * n - 1e-9)) + 1
            cands = set()
            for s in toks[:plen]:
                for j in index.get(s, ()):
                    cands.add(j)
            best = None
            for j in sorted(cands):
                t = max(need[i], need[j])
                m = len(units[j].set)
                if m < t * n - 1e-9 or n < t * m - 1e-9:
                    continue
                sim = jaccard(u.set, units[j].set)
                if sim >= t - 1e-9:
                    best = (j, sim)
                    break
            if best:
                out[i] = best
            for s in toks[:plen]:
                index.setdefault(s, []).append(i)
        return out

    # -- in-document ------------------------------------------------------------------

    def _need(self, u: _Unit) -> float:
        """The similarity a unit needs to repeat another (a pair: the higher of its two):
        a short one, about verbatim."""
        return self.short_threshold if len(u.words) < self.short_words else self.threshold

    def _copied_part(self, u: _Unit, first: _Unit, sents, sim: float) -> tuple[int, int, float]:
        """Where in block unit ``u`` the copy of ``first`` is, and how similar: from its first
        to its last sentence that repeats a sentence of ``first``, when its other sentences (a
        list item's own text before a pasted paragraph) do not; else the whole block."""
        mine = sents.get(u.block.index) or []
        theirs = sents.get(first.block.index) or [first]
        if len(mine) < 2:
            return u.start, u.end, sim
        best = []  # per sentence of u: its best similarity to a sentence of first that it repeats
        for m in mine:
            sims = [(jaccard(m.set, t.set), max(self._need(m), self._need(t))) for t in theirs]
            best.append(max((sim for sim, need in sims if sim >= need - 1e-9), default=0.0))
        hit = [k for k, b in enumerate(best) if b]
        if not hit or len(hit) == len(mine):
            return u.start, u.end, sim
        return mine[hit[0]].start, mine[hit[-1]].end, min(best[k] for k in hit)

    def check(self, doc, ctx):
        blocks, sents = self._units(doc)
        bl = [u for u in blocks if not u.allowed and self._long_enough(u)]
        whole = set()
        copies: dict[int, list[int]] = {}  # first copy -> the later copies found so far
        for i, (j, sim) in sorted(self._first_copies(bl).items()):
            u, first = bl[i], bl[j]
            whole.add(u.block.index)
            line = doc.span_position(first.block, first.start, first.end)[0]
            what = KIND_NAMES.get(u.block.kind, "Block")
            if u.heading and u.block.kind not in (HEADING, TITLE):
                what = "Heading"
            # a third copy also names the second (up to MAX_ALSO of the copies in between)
            between = copies.setdefault(j, [])
            related = [(first.block, first.start, first.end, "first copy")]
            related += [(bl[k].block, bl[k].start, bl[k].end, "also here") for k in between[-MAX_ALSO:]]
            between.append(i)
            start, end, sim = self._copied_part(u, first, sents, sim)
            if (start, end) != (u.start, u.end):
                what = "Text"  # the copied sentences of a longer block
            yield Hit(u.block, start, end, message=f"{what} repeats line {line} ({_pct(sim)} similar)",
                      args={"what": what.lower(), "line": line}, related=related)
        if not self.params["sentences"]:
            return
        su = [u for b in blocks for u in sents[b.block.index]
              if not u.allowed and not u.heading and self._long_enough(u)]
        matches = self._first_copies(su)
        # group: later sentences in one block, not in a whole-duplicate block
        runs = []
        for i in sorted(matches):
            u = su[i]
            if u.block.index in whole:
                continue
            j, sim = matches[i]
            first = su[j]
            if runs:
                r = runs[-1]
                pu, pf = su[r[-1][0]], su[r[-1][1]]
                if (pu.block is u.block and pf.block is first.block and u.sent_index is not None
                        and pu.sent_index is not None and first.sent_index is not None
                        and pf.sent_index is not None
                        and u.sent_index == pu.sent_index + 1 and first.sent_index == pf.sent_index + 1):
                    r.append((i, j, sim))
                    continue
            runs.append([(i, j, sim)])
        for r in runs:
            u0, ul = su[r[0][0]], su[r[-1][0]]
            f0, fl = su[r[0][1]], su[r[-1][1]]
            sim = min(x[2] for x in r)
            line = doc.span_position(f0.block, f0.start, f0.end)[0]
            if len(r) == 1:
                what = "Sentence repeats"
            else:
                what = f"{len(r)} sentences repeat"
            yield Hit(u0.block, u0.start, ul.end, message=f"{what} line {line} ({_pct(sim)} similar)",
                      args={"what": "sentence", "line": line},
                      related=[(f0.block, f0.start, fl.end, "first copy")])

    # -- across pages -----------------------------------------------------------------

    def collect(self, doc, ctx):
        """Per page: positions and MinHash signatures of its paragraphs (never the text)."""
        if not self.params["site-wide"]:
            return None
        blocks, _ = self._units(doc)
        from ..suppress import Suppressions
        rule = self.rule
        sup = Suppressions(doc)
        keep, pos = [], []
        for u in blocks:
            if u.heading or u.allowed or len(u.words) < self.params["site-min-words"]:
                continue
            p = doc.span_position(u.block, u.start, u.end)
            if sup and sup.suppressed(rule, p[0]):
                continue
            keep.append(shingles(u.words, self.params["site-shingle-size"]))
            pos.append(p + (len(u.words),))
        if not keep:
            return None
        return {"pos": np.array(pos, dtype=np.int32),
                "sig": signatures(keep, self.params["num-perm"])}

    def site_check(self, collected, ctx):
        from ..finding import Finding, Related
        pages = [(path, d) for path, d in collected if d is not None and len(d["pos"])]
        if len(pages) < 2:
            return {}
        sig = np.concatenate([d["sig"] for _, d in pages])
        pos = np.concatenate([d["pos"] for _, d in pages])
        page = np.concatenate([np.full(len(d["pos"]), i, dtype=np.int32) for i, (_, d) in enumerate(pages)])
        matches = site_matches(sig, page, float(self.params["site-threshold"]), self.params["site-max-related"])
        severity = ctx.severity(self.rule) if hasattr(ctx, "severity") else self.rule.severity
        out: dict = {}
        for i, rel in matches.items():
            path = pages[page[i]][0]
            line, col, end_line, end_col, _n = (int(x) for x in pos[i])
            first = rel[0][0]
            fp = pages[page[first]][0]
            fl = int(pos[first][0])
            others = len({int(page[j]) for j, _ in rel}) - 1
            more = f" and {others} other page{'s' if others != 1 else ''}" if others else ""
            sim = max(s for _, s in rel)
            msg = f"Paragraph also appears on {fp} line {fl}{more} ({_pct(sim)} similar)"
            related = [Related(pages[page[j]][0], int(pos[j][0]), int(pos[j][1]),
                               "first copy" if k == 0 else "also on this page",
                               int(pos[j][2]), int(pos[j][3]))
                       for k, (j, _s) in enumerate(rel)]
            out.setdefault(path, []).append(Finding(
                path=path, line=line, column=col, end_line=end_line, end_column=end_col,
                code=self.rule.code, rule=self.rule.name, category=self.rule.category,
                severity=severity, message=msg, related=related))
        return out


def site_matches(sig: np.ndarray, page: np.ndarray, threshold: float, max_related: int,
                 bands_rows: tuple[int, int] | None = None) -> dict[int, list[tuple[int, float]]]:
    """Cross-page near-duplicates by LSH banding (no all-pairs comparison).

    sig: (n, num_perm) uint16 signatures; page: (n,) page order of each unit. Returns
    {unit: [(earlier unit, similarity), ...]} for units with a near-duplicate on an earlier
    page, earliest page first, one unit per page, at most ``max_related``.

    Per band, units are sorted by band key; a bucket of equal keys on several pages gives
    candidate pairs (later unit, one of the earliest ``max_related + 4`` members on an earlier
    page), so a paragraph pasted on thousands of pages costs O(copies), not O(copies^2).
    Candidates are verified by the Jaccard estimated from the full signatures."""
    n, num_perm = sig.shape
    if n < 2:
        return {}
    bands, rows = bands_rows or lsh_params(num_perm, threshold)
    unit_order = np.lexsort((np.arange(n), page))  # inside a bucket, earlier pages first
    limit = max_related + 4
    kept = (np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.float64))
    for band, cols in enumerate(band_columns(num_perm, bands, rows)):
        k = band_key(sig, cols, band)[unit_order]
        o = np.argsort(k, kind="stable")
        ks = k[o]
        members = unit_order[o]
        brk = np.flatnonzero(ks[1:] != ks[:-1]) + 1
        starts = np.concatenate([[0], brk])
        ends = np.concatenate([brk, [n]])
        bu, bj = [], []
        multi = np.flatnonzero(ends - starts > 1)
        if not len(multi):
            continue
        # positions inside buckets of two or more units, with their bucket's bounds
        sizes = ends[multi] - starts[multi]
        pos = np.repeat(starts[multi], sizes) + (np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes))
        start_of = np.repeat(starts[multi], sizes)
        end_of = np.repeat(ends[multi], sizes)
        upage = page[members[pos]]
        for h in range(limit):  # pair each unit with the bucket's first members on earlier pages
            hp = start_of + h
            ok = hp < np.minimum(end_of, pos)
            if not ok.any():
                break
            hpo = hp[ok]
            earlier = page[members[hpo]] < upage[ok]
            if earlier.any():
                bu.append(members[pos[ok][earlier]].astype(np.int64))
                bj.append(members[hpo[earlier]].astype(np.int64))
        # verify this band's candidates now, then keep only what the result can use: memory
        # stays at (units x max_related) pairs however many bands confirm them
        us, js, ss = [kept[0]], [kept[1]], [kept[2]]
        while bu:
            cu, cj = bu.pop(), bj.pop()
            for a in range(0, len(cu), 16384):  # bounded temporary memory
                u, j = cu[a:a + 16384], cj[a:a + 16384]
                sim = estimated_jaccard(sig[u], sig[j])
                keep = sim >= threshold - 1e-9
                if keep.any():
                    us.append(u[keep])
                    js.append(j[keep])
                    ss.append(sim[keep])
        if len(us) > 1:
            kept = _earliest_pages(np.concatenate(us), np.concatenate(js), np.concatenate(ss), page, max_related)
    u_all, j_all, s_all = kept
    out: dict[int, list[tuple[int, float]]] = {}
    for u, j, sim in zip(u_all.tolist(), j_all.tolist(), s_all.tolist()):
        out.setdefault(u, []).append((j, sim))
    return out


def _earliest_pages(u: np.ndarray, j: np.ndarray, sim: np.ndarray, page: np.ndarray, max_related: int):
    """Confirmed pairs (u, j, similarity) reduced to what ``site_matches`` reports: per unit u,
    one earlier unit per page (the first), the earliest ``max_related`` pages, ordered by
    (u, page, j). Applying it band by band gives the same result as applying it once at the end
    (a pair's similarity comes from the full signatures, whichever band found it)."""
    if not len(u):
        return u, j, sim
    pj = page[j]
    order = np.lexsort((j, pj, u))
    u, j, sim, pj = u[order], j[order], sim[order], pj[order]
    new_key = np.ones(len(u), bool)  # first pair of each (unit, page)
    new_key[1:] = (u[1:] != u[:-1]) | (pj[1:] != pj[:-1])
    u, j, sim = u[new_key], j[new_key], sim[new_key]
    starts = np.ones(len(u), bool)
    starts[1:] = u[1:] != u[:-1]
    first_at = np.flatnonzero(starts)
    rank = np.arange(len(u)) - np.repeat(first_at, np.diff(np.append(first_at, len(u))))
    keep = rank < max_related
    return u[keep], j[keep], sim[keep]


def _pct(sim: float) -> str:
    return f"{int(round(sim * 100))}%"
