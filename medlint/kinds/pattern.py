"""The ``pattern`` kind: term lists and spaCy token patterns over lemmas.

Params:
  terms: phrases matched case-insensitively on lemmas ("work for everyone" also matches
    "worked for everyone"). A term may be a mapping ``{term: ..., note: ...}``; the note is
    available to the message as ``{note}``.
  patterns: spaCy ``Matcher`` token patterns (lists of token dicts; LEMMA values lower-case).
  exceptions: phrases; a match that falls inside an occurrence of one is not reported.
  sentence-exceptions: phrases; a sentence containing one before the match is skipped
    (debunking and warnings: "beware of clinics that promise a cure").
  negation: skip matches negated by a cue ("not", "no", "never", "n't", ...) within
    ``negation-window`` words before them in the same clause.
"""
from __future__ import annotations

from spacy.matcher import Matcher, PhraseMatcher

from ..nlp import block_doc, block_results, get_nlp
from . import Hit, Kind, register

# the words that follow a match stop being "what it modifies" at a preposition
AFTER_STOPS = {"in", "at", "for", "during", "on", "with", "within", "over", "after", "before",
               "since", "from", "by", "when", "if", "because"}
CLAUSE_BREAKS = {";", ":", ".", "!", "?", "but", "however", "although", "though", "yet",
                 "whereas", "while", "\u2014", "(", ")"}


def _ends_sentence(sdoc, e: int) -> bool:
    """Nothing but closing punctuation or space between token ``e`` and the sentence end."""
    end = sdoc[e - 1].sent.end if e else len(sdoc)
    return all(t.is_punct or t.is_space for t in sdoc[e:end])


def _regexes(obj):
    """Every REGEX value in a token pattern (at any depth)."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == "REGEX" and isinstance(v, str):
                yield v
            else:
                yield from _regexes(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _regexes(v)


def backtracking_risk(pattern: str) -> str | None:
    """Why ``pattern`` can backtrack catastrophically, or None. A static check of the two
    shapes behind nearly all exponential regexes: a quantifier inside a repeated group
    (``(a+)+``, ``(\\w*\\s?)*``) and alternatives that can start with the same character
    inside a repeated group (``(ab|cd)*`` is fine, ``(a|aa)+`` and ``(.|a)+`` are not). What it lets
    through is still bounded by the page's time limit (--timeout)."""
    try:
        from re import _constants as C, _parser as P
    except ImportError:  # Python 3.10
        import sre_constants as C
        import sre_parse as P
    try:
        tree = P.parse(pattern)
    except Exception:  # invalid patterns are reported by spaCy's own check
        return None
    repeats = (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None))

    def first(items):
        """The first item that consumes a character (None: unknown)."""
        for op, av in items:
            if op == C.SUBPATTERN:
                return first(av[-1])
            if op in (C.AT,):
                continue
            return op, av
        return None

    def overlap(a, b):
        if a is None or b is None:
            return True  # an empty alternative ("a|aa" is parsed as "a(?:|a)")
        if a[0] == C.LITERAL and b[0] == C.LITERAL:
            return a[1] == b[1]
        return True  # classes, categories, any character: assume they can overlap

    def walk(items, in_repeat):
        for op, av in items:
            if op in repeats and op is not None:
                lo, hi, sub = av
                unbounded = hi == C.MAXREPEAT
                if in_repeat and unbounded:
                    return "a quantifier inside a repeated group"
                why = walk(sub, in_repeat or hi > 1)
                if why:
                    return why
            elif op == C.BRANCH:
                alts = av[1]
                if in_repeat:
                    heads = [first(alt) for alt in alts]
                    for i in range(len(heads)):
                        for j in range(i + 1, len(heads)):
                            if overlap(heads[i], heads[j]):
                                return "alternatives that can match the same text inside a repeated group"
                for alt in alts:
                    why = walk(alt, in_repeat)
                    if why:
                        return why
            elif op == C.SUBPATTERN:
                why = walk(av[-1], in_repeat)
                if why:
                    return why
            elif op in (C.ASSERT, C.ASSERT_NOT):
                why = walk(av[1], in_repeat)
                if why:
                    return why
        return None

    return walk(list(tree), False)


@register
class PatternKind(Kind):
    name = "pattern"
    PARAMS = {
        "terms": (list, [], "phrases matched on lemmas"),
        "patterns": (list, [], "spaCy Matcher token patterns"),
        "sentence-final-terms": (list, [], "phrases that match only at the end of a sentence or heading"),
        "exceptions": (list, [], "phrases that cancel a match they contain"),
        "sentence-exceptions": (list, [], "phrases that cancel matches after them in the sentence"),
        "followed-by-exceptions": (list, [], "lemmas that cancel a match when they follow it closely"),
        "followed-by-window": (int, 4, "words after the match searched for followed-by-exceptions"),
        "skip-questions": (bool, False, "do not report matches inside questions"),
        "negation": (bool, True, "skip negated matches"),
        "negation-window": (int, 5, "words before the match searched for a negation cue"),
        "negation-cues": (list, ["not", "no", "never", "n't", "nor", "neither", "cannot",
                                 "none", "nothing", "nobody", "hardly", "unlikely", "stop",
                                 "avoid", "beware", "wary", "skeptical", "myth", "false"],
                          "lemmas that negate what follows"),
    }

    @classmethod
    def check_params(cls, params, where):
        from ..registry import RuleError
        for i, t in enumerate(params["terms"]):
            if isinstance(t, dict):
                t = t.get("term")
            if not isinstance(t, str) or not t.strip():
                raise RuleError(f"{where}: field 'params.terms[{i}]': must be a phrase or {{term, note}}")
        for i, p in enumerate(params["patterns"]):
            if not isinstance(p, list) or not p or not all(isinstance(x, dict) for x in p):
                raise RuleError(f"{where}: field 'params.patterns[{i}]': must be a list of token dicts")
        if not params["terms"] and not params["patterns"] and not params["sentence-final-terms"]:
            raise RuleError(f"{where}: field 'params.terms': a pattern rule needs terms or patterns")
        for i, p in enumerate(params["patterns"]):
            for rx in _regexes(p):
                why = backtracking_risk(rx)
                if why:
                    raise RuleError(f"{where}: field 'params.patterns[{i}]': REGEX {rx!r} can take "
                                    f"exponential time ({why}); rewrite it without a repeated group "
                                    f"that can match the same text in more than one way")
        if params["patterns"]:  # compile them now, so that a bad pattern fails at load
            m = Matcher(get_nlp().vocab)
            for i, p in enumerate(params["patterns"]):
                try:
                    m.add(f"P{i}", [p])
                except (ValueError, KeyError, TypeError) as e:
                    first = str(e).strip().splitlines()
                    detail = next((x for x in first if x.startswith("- [")), first[0] if first else "")
                    raise RuleError(f"{where}: field 'params.patterns[{i}]': invalid token pattern {detail}") from None

    def setup(self):
        nlp = get_nlp()
        self.phrase = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self.notes = {}
        for i, t in enumerate(self.params["terms"]):
            note = None
            if isinstance(t, dict):
                t, note = t["term"], t.get("note")
            key = f"T{i}"
            self.notes[key] = note
            self.phrase.add(key, [nlp(t)])
        self.final = PhraseMatcher(nlp.vocab, attr="LEMMA")
        for t in self.params["sentence-final-terms"]:
            self.final.add("F", [nlp(t)])
        self.matcher = Matcher(nlp.vocab)
        for i, p in enumerate(self.params["patterns"]):
            try:
                self.matcher.add(f"P{i}", [p])
            except (ValueError, KeyError, TypeError) as e:
                from ..registry import RuleError
                raise RuleError(f"{self.rule.path}: field 'params.patterns[{i}]': {e}") from None
        self.exceptions = [tuple(tok.lemma_ for tok in nlp(e)) for e in self.params["exceptions"]]
        self.sent_exceptions = [tuple(tok.lemma_ for tok in nlp(e)) for e in self.params["sentence-exceptions"]]
        self.cues = set(self.params["negation-cues"])
        self.after = set(self.params["followed-by-exceptions"])

    def check(self, doc, ctx):
        return iter(self.hits(doc)[0])

    def hits(self, doc) -> tuple[list[Hit], list[Hit]]:
        """(matches, matches that negation or an exception cancelled), computed once per
        document and rule instance: the claims analysis reads both ("not safe for everyone"
        is evidence for the learned model too)."""
        key = ("pattern-hits", id(self))
        if key not in doc.cache:
            found: tuple[list[Hit], list[Hit]] = ([], [])
            for hit, cancelled in self._check(doc):
                found[cancelled].append(hit)
            doc.cache[key] = found
        return doc.cache[key]

    def _check(self, doc):
        """(hit, cancelled?) for every lexicon match."""
        for block in self.blocks(doc):
            sdoc = block_doc(doc, block)
            found = block_results(sdoc, ("pattern", self.serial), lambda: list(self._matches(sdoc)))
            for start, end, args, cancelled in found:
                yield Hit(block, start, end, args=dict(args)), cancelled

    def _matches(self, sdoc):
        """(start, end, args, cancelled?) of every lexicon match in one block's doc."""
        spans = []
        # (a Matcher without patterns warns W036 on every call: skip it)
        token_hits = list(self.matcher(sdoc)) if self.params["patterns"] else []
        final_hits = [(k, s, e) for k, s, e in self.final(sdoc) if _ends_sentence(sdoc, e)]
        for key, s, e in list(self.phrase(sdoc)) + token_hits + final_hits:
            label = sdoc.vocab.strings[key]
            while e > s and sdoc[e - 1].is_punct and sdoc[e - 1].text not in ("%",):
                e -= 1
            spans.append((s, e, label))
        # longest first, drop overlaps
        spans.sort(key=lambda x: (x[0], -(x[1] - x[0])))
        taken_end = -1
        for s, e, label in spans:
            if s < taken_end:
                continue
            if self._cancelled(sdoc, s, e):
                span = sdoc[s:e]
                yield span.start_char, span.end_char, {"match": span.text}, True
                continue
            taken_end = e
            span = sdoc[s:e]
            yield (span.start_char, span.end_char,
                   {"match": span.text, "note": self.notes.get(label) or ""}, False)

    def _cancelled(self, sdoc, s, e) -> bool:
        sent = sdoc[s].sent
        lemmas = [t.lemma_ for t in sent]
        off = sent.start
        ms, me = s - off, e - off
        if self.params["skip-questions"] and sent.text.rstrip().rstrip("*_\"'\u201d)").endswith("?"):
            return True
        if self.after:
            words = 0
            for t in sent[me:]:
                if t.is_punct or t.is_space:
                    continue
                if t.lower_ in AFTER_STOPS:
                    break
                if t.lemma_ in self.after:
                    return True
                words += 1
                if words >= self.params["followed-by-window"]:
                    break
        for ex in self.exceptions:
            n = len(ex)
            for i in range(max(0, ms - n + 1), min(ms + 1, len(lemmas) - n + 1)):
                if tuple(lemmas[i:i + n]) == ex and i + n >= me:
                    return True
        for ex in self.sent_exceptions:
            n = len(ex)
            for i in range(0, ms):
                if tuple(lemmas[i:i + n]) == ex:
                    return True
        if self.params["negation"]:
            words = 0
            for i in range(ms - 1, -1, -1):
                t = sent[i]
                if t.is_space:
                    continue
                if t.lemma_ in CLAUSE_BREAKS or t.text in CLAUSE_BREAKS:
                    break
                if t.lemma_ in self.cues or t.lower_ in self.cues:
                    return True
                if not t.is_punct:
                    words += 1
                if words >= self.params["negation-window"]:
                    break
        return False
