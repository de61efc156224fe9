"""The learned sentence model: is a sentence an efficacy/safety claim, an exaggeration, or
risk-minimising wording?

The rules in :mod:`medlint.claims` and the lexicons of the ``exaggerated-claim`` and
``risk-minimizing`` packs find the evidence (benefit verbs, vague attributions, lexicon
hits, negation, questions, treatment names); this module turns that evidence, the words of
the sentence and the document's structure (the block kind, the heading a sentence sits
under and whether it promises, the lead-in of a list, neighbouring sentences, the page's
main subject) into feature strings, and a linear model (one logistic regression per
target) scores them. The weights are a small gzipped JSON file shipped in the package
(``medlint/data/sentence-model.json.gz``), rebuilt bit for bit by ``python -m medlint.train``.

Every decision can be explained: :meth:`Model.cues` returns the features that pushed the
score up most, in words a writer can read.
"""
from __future__ import annotations

import gzip
import hashlib
import heapq
import itertools
import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .document import HEADING, LIST_ITEM

TARGETS = ("claim", "exaggeration", "risk-minimizing")
FORMAT = 1  # version of the weights file
FEATURE_VERSION = 1  # bump when features change: a model trained on other features is refused

NUM_RE = re.compile(r"^\d[\d.,]*$")
PUNCT_KEEP = {"!", "%", "?", ":", "$", "+"}
# words that make a heading or a list lead-in announce benefits
# words of a heading above that say what its section is about, besides promises
HEAD_TOPICS = {"risk", "side", "safety", "cost", "price", "faq"}
PROMISE_HEADS = {"benefit", "advantage", "result", "why", "help", "relief", "improve", "outcome",
                 "treat", "cure", "heal", "reduce", "boost", "support", "better", "feel", "change",
                 "transform", "effective", "work", "success", "can", "what"}


@lru_cache(maxsize=1)
def cue_classes() -> tuple:
    """[(class name, compiled regex)] from ``rules/knowledge/cues.yaml``."""
    from .knowledge import builtin_knowledge_dir
    from .registry import MedlintError, read_yaml
    path = builtin_knowledge_dir() / "cues.yaml"
    data = read_yaml(path, what="knowledge file")
    out = []
    if not isinstance(data, dict):
        raise MedlintError(f"{path}: must map cue classes to lists of regular expressions")
    for name, pats in data.items():
        if not isinstance(pats, list) or not all(isinstance(p, str) for p in pats):
            raise MedlintError(f"{path}: field '{name}': must be a list of regular expressions")
        try:
            # matched against lower-cased text (faster than re.IGNORECASE)
            rx = re.compile(r"(?<![\w-])(?:" + "|".join(f"(?:{p.lower()})" for p in pats) + r")(?![\w-])")
        except re.error as e:
            raise MedlintError(f"{path}: field '{name}': invalid regular expression: {e}") from None
        out.append((name, rx))
    return tuple(out)


@lru_cache(maxsize=65536)
def _cues_of(text: str) -> tuple:
    low = text.lower()
    return tuple(name for name, rx in cue_classes() if rx.search(low))


def cues_of(text: str) -> list[str]:
    """The cue classes whose pattern occurs in ``text`` (remembered per text: a page's
    sentences mostly come back unchanged after an edit)."""
    return list(_cues_of(text))


# block kinds as the model sees them: labelled pages are mostly plain text, so a table cell
# reads as a list item (a short fragment) and a blockquote or alt text as a paragraph
KIND_CLASS = {"table_cell": LIST_ITEM, "blockquote": "paragraph", "alt_text": "paragraph"}


def _kind(block) -> str:
    return KIND_CLASS.get(block.kind, block.kind)


def builtin_path() -> Path:
    return Path(__file__).parent / "data" / "sentence-model.json.gz"


def _bucket(n: int) -> str:
    for lim, name in ((3, "1-3"), (7, "4-7"), (15, "8-15"), (30, "16-30")):
        if n <= lim:
            return name
    return "31+"


NEGATORS = {"not", "no", "never", "n't", "without", "nor", "neither", "cannot", "none", "nothing"}
CLAUSE_END = {",", ".", ";", ":", "!", "?", "but", "however", "although", "though", "while", "yet",
              "\u2014", "\u2013", "(", ")"}


def _norm(lemma: str) -> str | None:
    """A lemma as a word feature: numbers as <num>; None for space and most punctuation."""
    if not lemma or lemma.isspace():
        return None
    if NUM_RE.match(lemma):
        return "<num>"
    return lemma if lemma[0].isalnum() or lemma in PUNCT_KEEP else None


def _words(lemmas) -> list[str]:
    return list(_words_of(tuple(lemmas)))


@lru_cache(maxsize=65536)
def _words_of(lemmas: tuple) -> tuple:
    return tuple(w for w in map(_norm, lemmas) if w)


def _unigrams(lemmas, cancelled) -> set[str]:
    """Word features with negation scope marked ("not safe for everyone" -> not_safe,
    not_everyone: the words after a negator up to the end of its clause) and words of a
    lexicon match that the rules cancelled marked as such ("a safe space" -> safe#x).
    Remembered per sentence: after an edit most sentences of a page come back unchanged."""
    return set(_unigrams_of(tuple(lemmas), frozenset(cancelled)))


@lru_cache(maxsize=65536)
def _unigrams_of(lemmas: tuple, cancelled: frozenset) -> frozenset:
    out = set()
    on = False
    for l in lemmas:
        if l in CLAUSE_END:
            on = False
            continue
        if l in NEGATORS:
            on = True
        w = _norm(l)
        if w is None:
            continue
        if w != "<num>" and on and l not in NEGATORS and l[0].isalnum():
            w = "not_" + l
        elif w != "<num>" and l in cancelled:
            w = l + "#x"
        out.add(w)
    return frozenset(out)


# sentence attributes set by the claims analysis -> feature names
FLAGS = (("vague", "vague"), ("citation", "cited"), ("cta", "cta"), ("question", "question"),
         ("negated", "neg"), ("not_claim", "notclaim"), ("risk_context", "riskctx"),
         ("condition", "cond"))


def sentence_features(doc, sents) -> list[list[str]]:
    """Feature strings for every sentence of ``claims.analyze(doc)``, in order.

    Uses only what the analysis computed (lemmas, rule reasons, citation, vague attribution,
    lexicon signals) plus the document's block structure, so it costs a few dictionary
    operations per word.
    """
    from .claims import lexicon
    sets = lexicon().sets
    benefit = sets["benefit_verbs"] | sets["benefit_words"]
    by_block: dict[int, list] = {}
    for s in sents:
        by_block.setdefault(s.block.index, []).append(s)
    blocks = doc.blocks
    # the page's main subject: the treatment named most often
    subjects: dict[str, int] = {}
    for s in sents:
        for t in s.treatments:
            subjects[t] = subjects.get(t, 0) + 1
    main = max(subjects, key=lambda k: (subjects[k], k)) if subjects else None
    block_claim = {b: any(x.rule_claim for x in ss) for b, ss in by_block.items()}
    cue_map = [cues_of(s.text) for s in sents]
    # runs of consecutive list items (prose blocks only): block -> (first item, share of claims)
    lists: dict[int, tuple[int, float]] = {}
    run: list[int] = []
    for b in sorted(by_block) + [None]:
        if b is not None and _kind(blocks[b]) == LIST_ITEM:
            run.append(b)
            continue
        if run:
            share = sum(1 for x in run if block_claim[x]) / len(run)
            for x in run:
                lists[x] = (run[0], share)
            run = []
    index_of = {id(s): n for n, s in enumerate(sents)}
    order = sorted(by_block)
    prev_of = dict(zip(order, [-1] + order[:-1]))  # the prose block before each one
    heading: dict[int, tuple] = {}  # section -> (promises?, features), computed once

    def heading_features(section):
        if section not in heading:
            hs = by_block.get(section, [])
            hw = {w for h in hs for w in _words(h.lemmas)}
            feats = ["head:question"] if any(h.question for h in hs) else []
            feats += sorted({"head:cue:" + c for h in hs for c in cue_map[index_of[id(h)]]})
            feats += ["hw:" + w for w in hw if w in PROMISE_HEADS or w in HEAD_TOPICS]
            heading[section] = (bool(hw & PROMISE_HEADS) or any(h.rule_claim for h in hs), feats)
        return heading[section]

    out = []
    for n, s in enumerate(sents):
        f = []
        words = _words(s.lemmas)
        live = {w for name, text in s.signals if not name.endswith(":cancelled") for w in text.lower().split()}
        cancelled = {w for name, text in s.signals if name.endswith(":cancelled")
                     for w in text.lower().split()} - live
        uni = _unigrams(s.lemmas, cancelled)
        f.extend("w:" + w for w in uni)
        # benefit words in and out of a negation's scope ("do not improve digestion")
        if any(w.startswith("not_") and w[4:] in benefit for w in uni):
            f.append("benefit:negated")
        if any(w in benefit for w in uni):
            f.append("benefit:asserted")
        f.extend({"b:" + a + "_" + b for a, b in zip(["<s>"] + words, words + ["</s>"])})
        f.append("len:" + _bucket(len(words)))
        kind = _kind(s.block)
        f.append("kind:" + kind)
        cues = cue_map[n]
        f.extend("cue:" + c for c in cues)
        f.extend("cue:" + c + "&" + kind for c in cues)
        own = by_block[s.block.index]
        if own[0] is s:
            f.append("first")
        if len(own) > 1:
            f.append("multi")
        # the rules' evidence
        kinds_of_reason = set()
        for r in s.reasons_all:
            k, _, what = r.partition(":")
            kinds_of_reason.add(k)
            if what:
                f.append("r:" + k + ":" + what.lower())
        f.extend("r:" + k for k in kinds_of_reason)
        if s.rule_claim:
            f.append("rule:claim")
            f.append("rule:claim&" + kind)
        if not s.reasons_all:
            f.append("rule:none")
        f.extend(name for attr, name in FLAGS if getattr(s, attr))
        for name, text in s.signals:
            f.append("sig:" + name)
            f.append("sig:" + name + ":" + text.lower())
        if s.treatments:
            f.append("treat")
            if main and main in s.treatments:
                f.append("subj")
        if s.text.endswith(":"):
            f.append("colon_end")
        if s.text.endswith("!"):
            f.append("bang")
        if s.text[:1] in "\"\u201c\u2018" or s.testimonial:
            f.append("quote")
        # structure: the heading above and whether it promises
        if s.block.section is not None and kind != HEADING:
            promises, feats = heading_features(s.block.section)
            if promises:
                f.append("head:promise")
                f.append("head:promise&" + kind)
            f.extend(feats)
        # the block before (a list's lead-in, a previous claim)
        p = prev_of[s.block.index]
        if p >= 0:
            last = by_block[p][-1]
            pk = _kind(blocks[p])
            if last.text.endswith(":"):
                f.append("after_colon")
                f.append("after_colon&" + kind)
                lw = set(_words(last.lemmas))
                if lw & PROMISE_HEADS or last.rule_claim:
                    f.append("leadin:promise")
                f.extend("leadin:cue:" + c for c in cue_map[index_of[id(last)]])
            if block_claim.get(p):
                f.append("prev:claim")
                if pk == kind:
                    f.append("prev:claim&same:" + kind)
            if kind == LIST_ITEM and pk == LIST_ITEM and block_claim.get(p):
                f.append("list:sibling_claim")
        # a list item: its list's lead-in (the block before the first item) and its siblings
        if kind == LIST_ITEM:
            first_item, share = lists[s.block.index]
            q = prev_of[first_item]
            if q >= 0:
                lead = by_block[q][-1]
                f.append("listlead:" + _kind(blocks[q]))
                if lead.text.endswith(":"):
                    f.append("listlead:colon")
                if lead.rule_claim:
                    f.append("listlead:claim")
                f.extend("listlead:cue:" + c for c in cue_map[index_of[id(lead)]])
                f.extend("listlead:w:" + w for w in set(_words(lead.lemmas)) & PROMISE_HEADS)
            f.append("list:claims:" + ("most" if share >= 0.5 else "some" if share > 0 else "none"))
        # the sentence before in the same block
        if own[0] is not s:
            before = sents[n - 1]  # sentences are in order: the one before is in this block
            if before.rule_claim:
                f.append("prevsent:claim")
            if before.risk_context:
                f.append("prevsent:risk")
        if n + 1 < len(sents) and sents[n + 1].rule_claim:
            f.append("next:claim")
        out.append(sorted(set(f)))  # binary features, in a fixed order
    return out


# features that describe a whole sentence by what it lacks or where it stands: a block has
# them only when every one of its sentences has them
ALL_ONLY = ("rule:none", "question", "cta", "first", "notclaim", "len:")


def block_features(feature_lists) -> list[str]:
    """A block's features: the union of its sentences' features (those in ``ALL_ONLY``
    only when all its sentences share them), and how many sentences there are. The model
    is trained on blocks (a paragraph, list item or heading makes a claim when one of its
    sentences does, read with the others) and also scores each sentence alone (which one
    to report)."""
    if len(feature_lists) == 1:
        out = set(feature_lists[0])
    else:
        out = set()
        for f in feature_lists:
            out.update(x for x in f if not x.startswith(ALL_ONLY))
        common = set(x for x in feature_lists[0] if x.startswith(ALL_ONLY))
        for f in feature_lists[1:]:
            common &= set(f)
        out |= common
    out.add("nsent:" + _bucket(len(feature_lists)))
    return sorted(out)


def _same_block(s):
    return id(s.block)


def runs(items, key=_same_block):
    """(start, end) of each run of consecutive ``items`` with the same ``key``: the
    sentences of one block."""
    i, n = 0, len(items)
    while i < n:
        j, k = i + 1, key(items[i])
        while j < n and key(items[j]) == k:
            j += 1
        yield i, j
        i = j


def decide(sents, target: str, threshold: float, key=_same_block) -> list:
    """The sentences reported for ``target``: those whose own score reaches ``threshold``;
    and in a block whose score reaches it, also those more likely than not (own score at
    least 0.5), or else the block's strongest sentence. Questions are not claims and do not
    play risks down, but may promise ("Is this the cure you were waiting for?"). ``key``
    tells sentences of one block apart."""
    questions = target == "exaggeration"
    out = []
    for i, j in runs(sents, key):
        group = [s for s in sents[i:j] if (questions or not s.question) and s.scores]
        if not group:
            continue
        if group[0].block_scores[target] >= threshold:
            bar = min(threshold, 0.5)
            own = [s for s in group if s.scores[target] >= bar] or \
                [max(group, key=lambda s: s.scores[target])]
        else:
            own = [s for s in group if s.scores[target] >= threshold]
        out.extend(own)
    return out


@dataclass
class Model:
    """A linear model per target over feature strings."""
    weights: dict  # feature -> tuple of floats (one per target)
    bias: tuple
    thresholds: dict  # target -> default threshold
    meta: dict
    # the treatment model (missing-risk-disclosure): feature -> weight, bias, threshold; or None
    treatments: dict | None = None
    # scores and cues per feature list (see _remembered): not part of the model
    memo: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def load(cls, path) -> "Model":
        from .cache import compiled
        from .registry import MedlintError
        try:
            with open(path, "rb") as fh:
                raw = fh.read()
            # the parsed file, from the compiled cache when this exact file was read before
            data = compiled("sentence-model", hashlib.sha1(raw).hexdigest(),
                            lambda: json.loads(gzip.decompress(raw).decode("utf-8")))
        except (OSError, ValueError, EOFError) as e:
            raise MedlintError(f"{path}: cannot read the sentence model: {e}") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise MedlintError(f"{path}: not a medlint sentence model (format {FORMAT})")
        if data.get("feature_version") != FEATURE_VERSION:
            raise MedlintError(f"{path}: the sentence model was trained on features of version "
                               f"{data.get('feature_version')}, this medlint computes version "
                               f"{FEATURE_VERSION}: retrain it with `python -m medlint.train`")
        if list(data.get("targets", [])) != list(TARGETS):
            raise MedlintError(f"{path}: the sentence model's targets must be {', '.join(TARGETS)}")
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data) -> "Model":
        names = data["features"]
        cols = [data["weights"][t] for t in TARGETS]
        weights = {name: tuple(c[i] for c in cols) for i, name in enumerate(names)}
        tm = data.get("treatments")
        if tm is not None:
            tm = {"weights": dict(zip(tm["features"], tm["weights"])), "bias": tm["bias"],
                  "threshold": tm["threshold"]}
        return cls(weights, tuple(data["bias"][t] for t in TARGETS), dict(data["thresholds"]),
                   {k: v for k, v in data.items() if k not in ("features", "weights", "treatments")}, tm)

    def treatment_score(self, feats) -> float | None:
        """Probability that a page's candidate treatment (features from
        :func:`medlint.risk.treatment_features`) is promoted with no risk named; None when the
        model has no treatment part (then the rules decide)."""
        tm = self.treatments
        if tm is None:
            return None
        w = tm["weights"]
        x = tm["bias"] + sum(w.get(f, 0.0) for f in feats)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, x))))

    def scores(self, feats, extra=()) -> dict:
        """Probability per target of a sentence or block with features ``feats`` (and
        ``extra``, features added without copying the list). Remembered per feature list:
        after an edit most sentences of a page come back with the same features."""
        return dict(self._remembered("scores", (tuple(feats), extra), lambda: self._scores(feats, extra)))

    def _scores(self, feats, extra) -> dict:
        tot = list(self.bias)
        w = self.weights
        for name in itertools.chain(feats, extra):
            v = w.get(name)
            if v is not None:
                tot[0] += v[0]
                tot[1] += v[1]
                tot[2] += v[2]
        return {t: 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, x)))) for t, x in zip(TARGETS, tot)}

    def block_scores(self, feature_lists) -> dict:
        """Probability per target of a block whose sentences have ``feature_lists``."""
        if len(feature_lists) == 1:  # the sentence's own features, plus its count
            return self.scores(feature_lists[0], extra=("nsent:" + _bucket(1),))
        return self.scores(block_features(feature_lists))

    def cues(self, feats, target: str, n: int = 3, surface=None) -> list[str]:
        """The words behind a decision: the ``n`` features with the largest positive weight,
        in the sentence's own words when ``surface`` (a sentence with ``lemmas`` and
        ``words``) is given ("best", not its lemma "well"). Remembered like :meth:`scores`."""
        key = (tuple(feats), target, n, surface.lemmas if surface is not None else None,
               surface.words if surface is not None else None)
        return list(self._remembered("cues", key, lambda: tuple(self._cues(feats, target, n, surface))))

    def _remembered(self, kind: str, key, compute):
        """``compute()`` remembered under ``(kind, key)``; the memo is emptied when it grows
        past 200,000 entries (a long-running language server)."""
        hit = self.memo.get((kind, key))
        if hit is None:
            if len(self.memo) > 200_000:
                self.memo.clear()
            hit = self.memo[(kind, key)] = compute()
        return hit

    def _cues(self, feats, target: str, n: int, surface) -> list[str]:
        k = TARGETS.index(target)
        w = self.weights
        positive = [(w[f][k], f) for f in feats if f in w and w[f][k] > 0]
        scored = heapq.nlargest(4 * n + 8, positive)  # enough to skip the unreadable ones
        words = {}
        if surface is not None:
            for lem, w in zip(surface.lemmas, surface.words):
                words.setdefault(lem, w)
        out = []
        for _w, f in scored:
            label = describe(f, words)
            if label and label not in out:
                out.append(label)
            if len(out) >= n:
                break
        return out


FUNCTION = {"a", "an", "the", "be", "have", "do", "doe", "this", "that", "these", "those", "it", "its",
            "for", "of", "to", "in", "on", "at", "by", "with", "from", "and", "or", "as", "if", "so",
            "we", "our", "you", "your", "they", "their", "he", "she", "his", "her", "i", "my", "me",
            "us", "them", "which", "who", "what", "there", "here", "can", "will", "would", "should",
            "could", "may", "might", "must", "shall", "also", "just", "more", "most", "very", "<num>",
            "!", "%", "?", ":", "$", "+", "about", "into", "than", "then", "when", "how", "all", "any",
            "through", "over", "after", "before", "during", "within", "up", "out", "off", "down",
            "around", "again", "not", "no", "non", "get", "make", "take", "one", "each", "every"}


def describe(feature: str, words: dict | None = None) -> str | None:
    """A feature in words, or None for features a writer would not recognise (function
    words, layout). ``words`` maps lemmas to the sentence's own word forms."""
    words = words or {}
    kind, _, rest = feature.partition(":")
    if kind == "w":
        word = rest[4:] if rest.startswith("not_") else rest
        if word in FUNCTION or word.endswith("#x"):
            return None
        shown = words.get(word, word)
        return f"'not ... {shown}'" if rest.startswith("not_") else f"'{shown}'"
    if kind == "b":
        parts = [x for x in rest.split("_") if x not in ("<s>", "</s>")]
        if not parts or all(w in FUNCTION for w in parts):
            return None
        return "'" + " ".join(words.get(w, w) for w in parts) + "'"
    if kind == "r":
        k, _, what = rest.partition(":")
        return f"'{what.lower()}'" if what else None
    if kind == "sig":
        k, _, what = rest.partition(":")
        if what.startswith("cancelled"):
            return None
        return f"'{what}'" if what else None
    if kind == "cue" and "&" not in rest:
        return CUE_WORDS.get(rest)
    return {
        "vague": "a vague attribution",
        "head:promise": "under a heading that promises",
        "leadin:promise": "under a lead-in that promises",
        "after_colon": "after a lead-in",
        "list:sibling_claim": "in a list of benefits",
        "prev:claim": "after a claim",
        "quote": "a testimonial",
        "subj": "about the page's main treatment",
        "treat": "names a treatment",
        "cond": "names a condition",
        "bang": "an exclamation",
    }.get(feature)


CUE_WORDS = {
    "superlative": "a superlative", "comparison": "a comparison with every alternative",
    "speed": "a promise of speed", "certainty": "a promise of certainty",
    "totality": "a promise of total results", "farewell": "a farewell to the problem",
    "testimonial": "a customer's outcome", "authority": "an appeal to authority",
    "vague_source": "an unnamed source", "safety_comparison": "safety by comparison",
    "mild": "softened risk words", "intensifier": "an intensifier",
    "benefit_outcome": "a benefit word", "hedge": "a hedged benefit",
}


# the model target each rule reads, and the evaluation category that scores it
RULE_TARGETS = {"uncited-claim": ("claim", "claims"), "vague-citation": ("claim", "claims"),
                "exaggerated-claim": ("exaggeration", "exaggeration"),
                "risk-minimizing": ("risk-minimizing", "risk-minimizing")}


def decision_summary(rule, model: Model | None = None) -> str | None:
    """How a rule decides, with the figures measured when the shipped model was trained
    (for ``medlint rule NAME``)."""
    if rule.name not in RULE_TARGETS:
        return None
    target, category = RULE_TARGETS[rule.name]
    model = model or get_model()
    thr = rule.params.get("threshold")
    thr = model.thresholds[target] if thr is None else thr
    meta = model.meta.get("meta", {})
    what = {"claim": "makes an efficacy or safety claim", "exaggeration": "exaggerates",
            "risk-minimizing": "plays risks down"}[target]
    text = (f"A learned model (logistic regression, medlint/model.py) estimates how likely each "
            f"sentence, and each paragraph, list item or heading as a whole, {what}. Its evidence: "
            f"the sentence's words (negated words marked), the rules' signals (benefit verbs, "
            f"lexicon matches, vague attributions, citations, negation, questions, treatment "
            f"names), cue classes (rules/knowledge/cues.yaml: superlatives, speed promises, "
            f"testimonials, appeals to authority, safety by comparison, prevalence, mechanism, "
            f"disclaimers, ...) and the page's structure (the block kind, the heading above and "
            f"whether it promises, a list's lead-in, neighbouring claims, the page's main "
            f"treatment). A sentence is reported when its probability reaches the threshold "
            f"({thr:.2f}; param threshold: higher for precision, lower for recall), or when its "
            f"block's does and it is the block's likeliest sentence. The message names the "
            f"strongest cues. With param model = false the hand-written rules decide alone.")
    cv = (meta.get("cross_validation") or {}).get(category)
    if cv:
        text += (f"\n\nMeasured on pages it was not trained on ({meta['cross_validation']['how']}): "
                 f"precision {cv[0]:.2f}, recall {cv[1]:.2f}, F1 {cv[2]:.2f}.")
    if meta.get("pages"):
        text += (f" Trained on {meta['pages']} labelled pages ({', '.join(meta.get('trained_on', []))}); "
                 f"rebuild it with `python -m medlint.train`.")
    return text


def get_model(ctx=None) -> Model:
    """The model the configuration names (``[nlp] sentence-model``), else the built-in one."""
    cfg = getattr(ctx, "config", None)
    return _load(str(getattr(cfg, "sentence_model", None) or builtin_path()))


@lru_cache(maxsize=4)
def _load(path: str) -> Model:
    return Model.load(path)
