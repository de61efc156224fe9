"""The ``plain-language`` kind: medical and bureaucratic terms that have an everyday word.

The word list is knowledge, not rule data: ``rules/knowledge/plain-language.yaml`` (plus a
user's own lists from ``[tool.medlint.knowledge]``), loaded through ``ctx.get_knowledge()``.
Each term is run through medlint's spaCy pipeline and matched twice: on lemmas (so
"contraindications" matches "contraindication" and "administered" matches "administer") and
on lower-case words (so a word the lemma table reduces differently still matches as
written). Hyphenated terms match as the tokenizer splits them ("non-invasive" is
non / - / invasive). Overlapping matches keep the longest.

A term is not reported where the text explains it, nor anywhere after that:

* ``term (plain words)``: a parenthesis right after it that is not an abbreviation
  ("SSRIs") or a citation ("Smith 2020");
* ``term, or plain words``; ``term, meaning ...``; ``term, which means ...``; ``term, also
  called ...``; ``term, that is, ...``; ``term, i.e. ...``; ``term -- plain words``;
* ``term means ...``, ``term refers to ...``, ``term is the medical term for ...``;
* ``plain words (term)``, ``plain words (or term)``, ``... called term``, ``... known as term``.

Uses before the explanation are still reported (the message says where the explanation
is: it belongs at the first use). A capitalised term inside a capitalised name ("Journal of
Clinical Psychiatry") is a name, not jargon, outside headings.

The fix replaces the term with the plain alternative when the text uses the term's own
form (or a regular plural of a one-word term, pluralising the plain words when they are a
simple noun phrase), keeping a capital first letter and correcting a preceding "a"/"an".
An inflected verb ("administered") gets the suggestion in the message but no automatic fix.
"""
from __future__ import annotations

import re

from ..nlp import (SequenceMatcher, block_doc, block_results, get_nlp, lemma_of, phrase_tokens,
                   token_lemmas, token_lowers)
from . import Hit, Kind, register

EXPLAIN_AFTER_COMMA = [  # after "term," (lower-case word sequences)
    ("or",), ("meaning",), ("which", "means"), ("which", "is"), ("also", "called"),
    ("also", "known", "as"), ("known", "as"), ("that", "is"), ("i.e.",), ("ie",), ("i.e",),
    ("in", "other", "words"), ("in", "plain", "english"), ("a", "fancy", "word", "for"),
    ("the", "medical", "term", "for"), ("or", "in", "plain", "words"),
]
EXPLAIN_AFTER = [  # right after the term
    ("means",), ("mean",), ("refers", "to"), ("refer", "to"), ("is", "the", "medical", "term", "for"),
    ("is", "the", "medical", "word", "for"), ("is", "a", "medical", "term", "for"),
    ("is", "a", "medical", "word", "for"), ("is", "when",), ("is", "what", "happens", "when"),
    ("simply", "means"), ("just", "means"),
]
EXPLAIN_BEFORE = [  # right before the term
    ("called",), ("known", "as"), ("term", "for", "this", "is"), ("call", "this"), ("calls", "this"),
    ("called", "a"), ("called", "an"), ("known", "as", "a"), ("known", "as", "an"),
    ("word", "for", "this", "is"), ("name", "for", "this", "is"),
]
DEFINITION_AFTER = [("is", "a"), ("is", "an"), ("are", "a", "type"), ("are", "a", "kind"),
                    ("are", "medicines"), ("are", "drugs")]
PAREN_PREFIXES = [("or",), ("called",), ("also", "called"), ("known", "as"), ("also", "known", "as"),
                  ("the", "medical", "term"), ("medical", "term"), ("a",), ("an",), ("the",)]
DASHES = {"\u2014", "\u2013", "-", "--"}
DASH_NOT_EXPLAINING = {"and", "but", "so", "which", "that", "it", "this", "they", "we", "you",
                       "or", "if", "though", "although", "because", "not", "even", "especially"}
NAME_GLUE = {"of", "for", "the", "&", "de", "on", "in"}
FUNCTION_WORDS = {"of", "on", "in", "into", "to", "for", "a", "an", "the", "or", "and", "with",
                  "from", "that", "how", "not", "it", "by", "at", "as", "when", "than", "who"}
IRREGULAR_PLURALS = {"person": "people", "man": "men", "woman": "women", "child": "children",
                     "foot": "feet", "tooth": "teeth", "mouse": "mice"}
MAX_RELATED = 5  # other uses listed with a first-use finding
CITATION_RE = re.compile(r"\b(1[89]|20)\d\d\b|\bet al\b|\bp\.?\s?\d|\bdoi\b", re.I)


def _pluralize(word: str) -> str:
    low = word.lower()
    if low in IRREGULAR_PLURALS:
        return IRREGULAR_PLURALS[low]
    if re.search(r"(s|x|z|ch|sh)$", low):
        return word + "es"
    if re.search(r"[^aeiou]y$", low):
        return word[:-1] + "ies"
    return word + "s"


IRREGULAR_VERBS = {"give", "take", "get", "make", "go", "do", "see", "eat", "feel", "find", "keep",
                   "leave", "let", "put", "run", "say", "tell", "think", "begin", "come", "know",
                   "show", "grow", "bring", "buy", "hold", "lose", "meet", "pay", "send", "sell",
                   "set", "sit", "stand", "understand", "wear", "win", "write", "cut", "spread",
                   "hurt", "break", "choose", "drink", "fall", "forget", "hide", "lead", "light",
                   "mean", "ride", "rise", "shake", "sleep", "speak", "spend", "swell", "teach"}


def _verb_form(verb: str, suffix: str) -> str:
    """adjust -> adjusting/adjusted, use -> using/used, stop -> stopping/stopped."""
    low = verb.lower()
    if low.endswith("e") and not low.endswith("ee"):
        base = verb[:-1]
    elif re.fullmatch(r"[^aeiou]*[aeiou][bdgmnpt]", low):
        base = verb + verb[-1]
    elif suffix == "ed" and re.search(r"[^aeiou]y$", low):
        base = verb[:-1] + "i"
    else:
        base = verb
    return base + suffix


def _article_for(word: str) -> str:
    low = word.lower()
    if re.match(r"(hour|honest|honor|heir)", low):
        return "an"
    if re.match(r"(uni|use|usu|ur|eu|one|once)", low):
        return "a"
    return "an" if low[:1] in "aeiou" else "a"


def _explained_in(sdoc, s, e, forward_only: bool, jargon_ends) -> bool:
    """:meth:`PlainLanguageKind._explained`, remembered on the block's doc (it reads only
    the doc)."""
    return block_results(sdoc, ("jargon-explained", s, e, forward_only, frozenset(jargon_ends)),
                         lambda: PlainLanguageKind._explained(sdoc, s, e, forward_only=forward_only,
                                                              jargon_ends=jargon_ends))


def _seq_at(tokens, i, seq) -> bool:
    """Lower-case words ``seq`` start at token ``i`` (spaces skipped)."""
    j = i
    for w in seq:
        while j < len(tokens) and tokens[j].is_space:
            j += 1
        if j >= len(tokens) or tokens[j].lower_ != w:
            return False
        j += 1
    return True


def _seq_before(tokens, i, seq) -> bool:
    """Lower-case words ``seq`` end just before token ``i``."""
    j = i - 1
    for w in reversed(seq):
        while j >= 0 and tokens[j].is_space:
            j -= 1
        if j < 0 or tokens[j].lower_ != w:
            return False
        j -= 1
    return True


@register
class PlainLanguageKind(Kind):
    name = "plain-language"
    PARAMS = {
        "exceptions": (list, [], "phrases; a term inside one is not reported (matched on lemmas)"),
        "ignore-terms": (list, [], "terms of the word list not to report"),
        "first-only": (bool, True, "report each term once, at its first unexplained use, counting the "
                                   "others (false: report every use)"),
        "word-kinds": (list, ["medical"], "entries of the word list to report: medical (medical and "
                                          "research jargon), general (plain-English substitutions)"),
        "skip-names": (bool, True, "skip capitalised terms inside capitalised names (outside headings)"),
    }

    @classmethod
    def check_params(cls, params, where):
        from ..registry import RuleError
        for key in ("exceptions", "ignore-terms"):
            for i, t in enumerate(params[key]):
                if not isinstance(t, str) or not t.strip():
                    raise RuleError(f"{where}: field 'params.{key}[{i}]': must be a phrase")
        from ..knowledge import PLAIN_KINDS
        for i, k in enumerate(params["word-kinds"]):
            if k not in PLAIN_KINDS:
                raise RuleError(f"{where}: field 'params.word-kinds[{i}]': must be one of {', '.join(PLAIN_KINDS)}")

    def setup(self):
        self._built_for = None
        self._builds = 0  # rebuilds of the term matchers: part of the per-block results' key
        nlp = get_nlp()
        self.exceptions = [tuple(t.lemma_ for t in nlp(e)) for e in self.params["exceptions"]]
        self.ignored = {t.strip().lower() for t in self.params["ignore-terms"]}

    def _build(self, words):
        if self._built_for is words:
            return
        self._builds += 1
        self.by_lemma = SequenceMatcher()
        self.by_lower = SequenceMatcher()
        self.entries = {}
        tokens = phrase_tokens([w.term for w in words], "plain-language-terms")  # one list for all rules
        kinds = set(self.params["word-kinds"])
        for i, (w, lowers) in enumerate(zip(words, tokens)):
            if w.term in self.ignored or w.kind not in kinds:
                continue
            key = f"J{i}"
            self.entries[key] = w
            self.by_lemma.add([lemma_of(x) for x in lowers], key)
            self.by_lower.add(lowers, key)
        self._built_for = words

    # ------------------------------------------------------------------------------------

    def _terms(self, sdoc) -> list[tuple[int, int, str]]:
        """(start token, end token, entry key) of the word list's terms in a block's doc."""
        found = {}
        for key, s, e in self.by_lemma(token_lemmas(sdoc)) + self.by_lower(token_lowers(sdoc)):
            found.setdefault((s, e), key)
        return sorted(((s, e, k) for (s, e), k in found.items()), key=lambda x: (x[0], -(x[1] - x[0])))

    def check(self, doc, ctx):
        self._build(ctx.get_knowledge().plain_language)
        # events in document order: (block, sdoc, s, e, key, explained, is_match)
        events = []
        aliases = {}  # "SSRI" -> key of "selective serotonin reuptake inhibitor"
        for block in sorted(self.blocks(doc), key=lambda b: b.index):
            sdoc = block_doc(doc, block)
            spans = block_results(sdoc, ("jargon", self.serial, self._builds),
                                  lambda: self._terms(sdoc))
            block_events = []
            taken = -1
            for s, e, key in spans:
                if s < taken:
                    continue
                if self._excepted(sdoc, s, e):
                    continue
                if self.params["skip-names"] and block.kind != "heading" and self._in_name(sdoc, s, e):
                    continue
                taken = e
                if block_events and self._abbreviation_after(sdoc, block_events[-1][3]) is not None \
                        and s == block_events[-1][3] + 1 + (sdoc[block_events[-1][3]].is_space):
                    continue  # the "(SSRIs)" of "selective serotonin reuptake inhibitors (SSRIs)"
                abbr = self._abbreviation_after(sdoc, e)
                if abbr:
                    aliases.setdefault(abbr, key)
                ends = {ev[3] for ev in block_events}
                block_events.append((block, sdoc, s, e, key, _explained_in(sdoc, s, e, False, ends), True))
            # an abbreviation of a term, explained: "CBT is a talking therapy"
            if aliases:
                for t in sdoc:
                    base = t.text[:-1] if t.text.endswith("s") and t.text[:-1] in aliases else t.text
                    key = aliases.get(base)
                    if key and not any(ev[2] <= t.i < ev[3] for ev in block_events) \
                            and _explained_in(sdoc, t.i, t.i + 1, True, ()):
                        block_events.append((block, sdoc, t.i, t.i + 1, key, True, False))
            block_events.sort(key=lambda ev: ev[2])
            events += block_events
        explained_at = {}
        for i, ev in enumerate(events):
            if ev[5] and ev[4] not in explained_at:
                explained_at[ev[4]] = i
        uses: dict[str, list[int]] = {}  # key -> events to report, in document order
        for i, (block, sdoc, s, e, key, expl, is_match) in enumerate(events):
            if not is_match:
                continue
            at = explained_at.get(key)
            if at is not None and i >= at:
                continue
            if at is not None and block.kind == "heading" and events[at][0].section == block.index:
                continue  # a heading naming the term its section explains
            uses.setdefault(key, []).append(i)
        hits = []
        for key, idx in uses.items():
            for n, i in enumerate(idx):
                block, sdoc, s, e = events[i][:4]
                if self.params["first-only"]:
                    hits.append(self._hit(doc, block, sdoc, s, e, self.entries[key], events,
                                          explained_at.get(key), [events[j] for j in idx[1:]]))
                    break
                hits.append(self._hit(doc, block, sdoc, s, e, self.entries[key], events, explained_at.get(key)))
        hits.sort(key=lambda h: (h.block.index, h.start))
        yield from hits

    def _hit(self, doc, block, sdoc, s, e, entry, occurrences, later, others=()):
        span = sdoc[s:e]
        text = span.text
        start, end = span.start_char, span.end_char
        replacement = self._replacement(text, entry) if getattr(entry, "fix", True) else None
        fix_message = None
        if replacement is not None:
            # "an infusion" -> "a drip into a vein"
            j = s - 1
            while j >= 0 and sdoc[j].is_space:
                j -= 1
            if j >= 0 and sdoc[j].lower_ in ("a", "an") and sdoc[j].whitespace_:
                art = sdoc[j].text
                want = _article_for(replacement)
                if art.lower() != want:
                    want = want.capitalize() if art[0].isupper() else want
                    start = sdoc[j].idx
                    replacement = f"{want} {replacement}"
                    text = block.text[start:end]
            fix_message = f"Replace '{text}' with '{replacement}'"
        extra = ""
        if later is not None:
            lb, lsdoc, ls, le = occurrences[later][:4]
            line = doc.span_position(lb, lsdoc[ls:le].start_char, lsdoc[ls:le].end_char)[0]
            extra = f" (it is explained later, on line {line}: explain it at its first use)"
        note = f" Note: {entry.note}." if entry.note else ""
        plain = entry.plain
        if replacement is not None:
            plain = replacement.split(" ", 1)[1] if start != span.start_char else replacement
            plain = plain[0].lower() + plain[1:] if plain[:1].isupper() and entry.plain[:1].islower() else plain
        more = ""
        related = []
        if others:
            more = (f" It is used {len(others)} more time{'s' if len(others) != 1 else ''} on this page"
                    f"{' without an explanation' if later is None else ' before it is explained'}.")
            for ob, osdoc, os_, oe in (o[:4] for o in others[:MAX_RELATED]):
                span2 = osdoc[os_:oe]
                related.append((ob, span2.start_char, span2.end_char, "also used here"))
        return Hit(block, start, end, args={"match": span.text, "term": entry.term, "plain": plain,
                                            "note": note, "later": extra, "uses": more},
                   subject=entry.term, replacement=replacement, fix_message=fix_message, related=related)

    @staticmethod
    def _replacement(text: str, entry) -> str | None:
        low = " ".join(text.lower().split())
        term, plain = entry.term, entry.plain
        rep = None
        if low == term or low.replace(" - ", "-").replace(" -", "-") == term:
            rep = plain
        elif low in (term + "s", term + "es") or (term.endswith("y") and low == term[:-1] + "ies"):
            words = plain.split()
            if not any(w.lower() in FUNCTION_WORDS for w in words) and all(w.isalpha() or "-" in w for w in words):
                rep = " ".join(words[:-1] + [_pluralize(words[-1])])
        elif " " not in term and " " not in plain and plain.isalpha() and plain.lower() not in IRREGULAR_VERBS:
            stem = term[:-1] if term.endswith("e") else term
            if low in (stem + "ing", term + "ing"):
                rep = _verb_form(plain, "ing")
            elif low in (stem + "ed", term + "d", term + "ed"):
                rep = _verb_form(plain, "ed")
        if rep is None:
            return None
        if text[:1].isupper() and rep[:1].islower():
            rep = rep[0].upper() + rep[1:]
        return rep

    def _excepted(self, sdoc, s, e) -> bool:
        lemmas = token_lemmas(sdoc)
        for ex in self.exceptions:
            n = len(ex)
            for i in range(max(0, e - n), min(s + 1, len(lemmas) - n + 1)):
                if tuple(lemmas[i:i + n]) == ex and i <= s and i + n >= e:
                    return True
        return False

    @staticmethod
    def _in_name(sdoc, s, e) -> bool:
        """A Capitalised term inside a run of Capitalised words: "Journal of Clinical Psychiatry"."""
        first = sdoc[s]
        if not first.text[:1].isupper() or first.text.isupper() or first.is_sent_start:
            return False

        def cap(t):
            return t.text[:1].isupper() and not t.text.isupper() and not t.is_sent_start and t.is_alpha

        j = s - 1
        while j >= 0 and (sdoc[j].is_space or sdoc[j].lower_ in NAME_GLUE):
            j -= 1
        if j >= 0 and cap(sdoc[j]):
            return True
        j = e
        while j < len(sdoc) and (sdoc[j].is_space or sdoc[j].lower_ in NAME_GLUE):
            j += 1
        return j < len(sdoc) and cap(sdoc[j])

    @staticmethod
    def _opens_sentence(toks, s) -> bool:
        start = toks[s].sent.start
        j = start
        while j < s and (toks[j].is_space or toks[j].is_punct or toks[j].lower_ in ("a", "an", "the")):
            j += 1
        return j == s

    @staticmethod
    def _abbreviation_after(sdoc, e):
        """"(SSRIs)" right after a term: the abbreviation, without a plural s."""
        j = e
        while j < len(sdoc) and sdoc[j].is_space:
            j += 1
        if j + 2 < len(sdoc) and sdoc[j].text == "(" and sdoc[j + 2].text == ")":
            t = sdoc[j + 1].text
            if sum(c.isupper() for c in t) >= 2 and t.isalnum():
                return t[:-1] if t.endswith("s") and t[:-1].isupper() else t
        return None

    @staticmethod
    def _explained(sdoc, s, e, forward_only: bool = False, jargon_ends=()) -> bool:
        toks = sdoc
        n = len(toks)
        sent_end = toks[s].sent.end
        j = e
        while j < n and toks[j].is_space:
            j += 1
        # term (plain words)
        if j < sent_end and toks[j].text == "(":
            k = j + 1
            depth = 1
            while k < n and depth:
                if toks[k].text == "(":
                    depth += 1
                elif toks[k].text == ")":
                    depth -= 1
                k += 1
            inner = toks[j + 1:k - 1] if depth == 0 else toks[j + 1:min(n, j + 12)]
            words = [t for t in inner if t.is_alpha or "-" in t.text and any(c.isalpha() for c in t.text)]
            text = inner.text if hasattr(inner, "text") else ""
            if not words or CITATION_RE.search(text):
                return False
            if len(words) == 1 and (sum(c.isupper() for c in words[0].text) >= 2
                                    or re.fullmatch(r"[A-Z][a-z]?[A-Z]*s?", words[0].text)):
                return False  # an abbreviation: "(SSRIs)", "(CBT)"
            return True
        # term, or plain words / term, meaning ...
        if j < sent_end and toks[j].text == ",":
            before = s - 1
            while before >= 0 and toks[before].is_space:
                before -= 1
            in_list = before >= 0 and toks[before].text == ","
            for seq in EXPLAIN_AFTER_COMMA:
                if _seq_at(toks, j + 1, seq):
                    if seq == ("or",) and in_list:
                        return False
                    return True
        # term -- plain words
        if j < sent_end and toks[j].text in DASHES and (toks[j].text != "-" or toks[j - 1].whitespace_):
            k = j + 1
            while k < n and toks[k].is_space:
                k += 1
            if k < sent_end and toks[k].is_alpha and toks[k].lower_ not in DASH_NOT_EXPLAINING:
                return True
        # term means ...
        for seq in EXPLAIN_AFTER:
            if _seq_at(toks, e, seq):
                return True
        # an abbreviation of a term defined: "CBT is a talking therapy ..." (for terms
        # themselves "X is a ..." is too often not a definition: "Hypertension is a risk")
        if forward_only and PlainLanguageKind._opens_sentence(toks, s):
            for seq in DEFINITION_AFTER:
                if _seq_at(toks, e, seq):
                    return True
        if forward_only:
            return False
        # plain words (term)
        for pre in [()] + PAREN_PREFIXES:
            if not _seq_before(toks, s, pre):
                continue
            p = s - 1
            for _w in pre:
                while p >= 0 and toks[p].is_space:
                    p -= 1
                p -= 1
            while p >= 0 and toks[p].is_space:
                p -= 1
            before = p - 1
            while before >= 0 and toks[before].is_space:
                before -= 1
            if before + 1 in jargon_ends:
                continue  # "selective serotonin reuptake inhibitors (SSRIs)": jargon in, jargon out
            if p > toks[s].sent.start and toks[p].text == "(":
                q = e
                while q < n and toks[q].is_space:
                    q += 1
                if q < n and toks[q].text == ")":
                    return True
        # ... called term / known as term
        for seq in EXPLAIN_BEFORE:
            if _seq_before(toks, s, seq) and s - len(seq) > toks[s].sent.start:
                return True
        return False
