"""Readability kinds: ``readability`` (grade of sections and paragraphs) and
``sentence-length`` (sentences over a word limit).

``readability`` grades prose with :mod:`medlint.readability` (textstat over prose only: no
code, URLs or reference list) and reports what is above the target grade:

* a section (a heading and the prose under it, up to the next heading of any level) whose
  body has at least ``min-words`` words and ``min-sentences`` sentences: the finding spans
  the heading;
* before the first heading (or on a page without headings): each paragraph long enough to
  measure on its own; when none is, the text before the first heading as a whole, reported
  on its first paragraph;
* when nothing on the page is long enough to grade on its own, the page as a whole (if it
  is long enough), reported on its first block.

A section or paragraph below the minimum is not graded on its own: a grade formula over
two sentences says more about those two sentences than about the text. Its words still
count in the document's grade (``files[].readability`` in the JSON output).

``formula`` is ``flesch-kincaid`` (default), ``smog`` or ``dale-chall`` (its score turned
into the upper grade of its band). SMOG was calibrated on samples of 30 sentences; textstat
scales the count of long words to 30 sentences, which is how SMOG is usually applied to
shorter material, but below ``smog-min-sentences`` (default 10) that extrapolation is too
unstable, so such a block is graded with Flesch-Kincaid and the message says so.

The message names the sentences that push the grade up most: those whose removal would
lower the block's grade the most (leave-one-out over textstat's counts), each with its
line, its length and its count of words of three or more syllables. They are also given as
related locations.
"""
from __future__ import annotations

import re

from .. import readability as R
from ..nlp import block_doc
from . import Hit, Kind, register

_MARKER_WORD = re.compile(r"^\[[\d,\s\u2013\u2014-]+\]$")
_WORD = re.compile(r"\S*[^\W_]\S*")


def _quote(text: str, words: int = 8) -> str:
    parts = text.split()
    q = " ".join(parts[:words])
    return q + ("\u2026" if len(parts) > words else "")


def _fmt(x: float) -> str:
    return f"{x:.1f}"


@register
class ReadabilityKind(Kind):
    name = "readability"
    PARAMS = {
        "target-grade": ((int, float), 8, "highest acceptable US school grade"),
        "formula": (str, "flesch-kincaid", "flesch-kincaid, smog or dale-chall"),
        "min-words": (int, 40, "words a section or paragraph needs to be graded on its own"),
        "min-sentences": (int, 3, "sentences a section or paragraph needs to be graded on its own"),
        "smog-min-sentences": (int, 10, "below this many sentences SMOG falls back to Flesch-Kincaid"),
        "max-sentences-shown": (int, 3, "hardest sentences named in the message"),
    }

    @classmethod
    def check_params(cls, params, where):
        from ..registry import RuleError
        if params["formula"] not in R.FORMULAS:
            raise RuleError(f"{where}: field 'params.formula': must be one of {', '.join(R.FORMULAS)}")
        if not 0 < params["target-grade"] <= 20:
            raise RuleError(f"{where}: field 'params.target-grade': must be between 1 and 20")
        for k in ("min-words", "min-sentences", "smog-min-sentences"):
            if params[k] < 1:
                raise RuleError(f"{where}: field 'params.{k}': must be at least 1")
        if params["max-sentences-shown"] < 0:
            raise RuleError(f"{where}: field 'params.max-sentences-shown': must be 0 or more")

    # which units are graded -------------------------------------------------------------

    def measurable(self, m: dict) -> bool:
        """Whether a section or paragraph with metrics ``m`` is long enough to be graded."""
        return m["words"] >= self.params["min-words"] and m["sentences"] >= self.params["min-sentences"]

    def check(self, doc, ctx):
        secs = R.sections(doc)
        graded = False
        for sec in secs:
            if sec.heading is not None:
                if sec.heading.in_references or not sec.blocks:
                    continue
                m = sec.metrics
                if not self.measurable(m):
                    continue
                graded = True
                hit = self._judge(doc, m, sec.blocks, sec.heading, 0, len(sec.heading.text),
                                  f"Section '{_quote(sec.heading.text, 10)}'")
                if hit:
                    yield hit
                continue
            # before the first heading: paragraphs long enough, else the run as a whole
            any_long = False
            for b in sec.blocks:
                m = R.block_metrics(doc, b)
                if not self.measurable(m):
                    continue
                any_long = graded = True
                hit = self._judge(doc, m, [b], b, 0, len(b.text), "This paragraph")
                if hit:
                    yield hit
            if not any_long and sec.blocks and self.measurable(sec.metrics):
                graded = True
                label = "The text before the first heading" if len(secs) > 1 else "This page"
                hit = self._judge(doc, sec.metrics, sec.blocks, None, 0, 0, label)
                if hit:
                    yield hit
        if not graded:
            m = R.document_metrics(doc)
            blocks = [b for s in secs for b in s.blocks]
            firsts = [b for b in doc.prose_blocks(R.METRIC_KINDS)]
            if blocks and firsts and self.measurable(m):
                hit = self._judge(doc, m, blocks, None, 0, 0,
                                  "This page (no section is long enough to grade on its own)")
                if hit:
                    yield hit

    # the grade and the sentences that drive it -------------------------------------------

    def _judge(self, doc, m, blocks, anchor, start, end, label):
        formula = self.params["formula"]
        note = ""
        if formula == "smog" and m["sentences"] < self.params["smog-min-sentences"]:
            note = (f"; SMOG needs at least {self.params['smog-min-sentences']} sentences and "
                    f"this has {m['sentences']}, so Flesch-Kincaid is used")
            formula = "flesch-kincaid"
        grade = R.grade_of(m, formula)
        target = self.params["target-grade"]
        if grade is None or grade <= target:
            return None
        drivers = self._drivers(doc, blocks, formula)
        shown = drivers[: self.params["max-sentences-shown"]]
        if shown:
            parts = []
            for b, s, e, c in shown:
                line = doc.span_position(b, s, e)[0]
                parts.append(f"line {line} \"{_quote(b.text[s:e])}\" ({c['words']} words, "
                             f"{c['polysyllables']} of 3+ syllables)")
            why = " Hardest sentences: " + "; ".join(parts) + "."
        else:
            why = ""
        if anchor is None:
            # several paragraphs graded together: report on the one holding the hardest sentence
            anchor = shown[0][0] if shown else blocks[0]
            start, end = 0, len(anchor.text)
        related = [(b, s, e, f"hard sentence: {c['words']} words, {c['polysyllables']} of 3+ syllables")
                   for b, s, e, c in shown]
        args = {"unit": label, "grade": _fmt(grade), "formula": R.FORMULA_NAMES[formula] + note,
                "target": f"{target:g}", "words": m["words"], "sentences": m["sentences"],
                "drivers": why}
        return Hit(anchor, start, end, args=args, related=related)

    def _drivers(self, doc, blocks, formula):
        """Sentences ranked by how much the block's grade would drop without them."""
        sents = []
        for b in blocks:
            sdoc = block_doc(doc, b)
            for sent in sdoc.sents:
                text = sent.text.strip()
                if not _WORD.search(text):
                    continue
                s = sent.start_char + (len(sent.text) - len(sent.text.lstrip()))
                e = s + len(text)
                sents.append((b, s, e, R.sentence_counts(" ".join(text.split()))))
        if len(sents) < 2:
            return []
        keys = ("words", "syllables", "polysyllables", "difficult")
        tot = {k: sum(c[k] for *_x, c in sents) for k in keys}
        n = len(sents)
        full = R.grade_from_counts(formula, tot["words"], n, tot["syllables"], tot["polysyllables"],
                                   tot["difficult"])
        ranked = []
        for item in sents:
            c = item[3]
            if not c["words"]:
                continue
            without = R.grade_from_counts(formula, tot["words"] - c["words"], n - 1,
                                          tot["syllables"] - c["syllables"],
                                          tot["polysyllables"] - c["polysyllables"],
                                          tot["difficult"] - c["difficult"])
            impact = full - without
            if impact > 0:
                ranked.append((impact, item))
        ranked.sort(key=lambda x: -x[0])
        return [item for _impact, item in ranked]


@register
class SentenceLengthKind(Kind):
    name = "sentence-length"
    PARAMS = {
        "max-words": (int, 25, "longest acceptable sentence, in words"),
    }

    @classmethod
    def check_params(cls, params, where):
        from ..registry import RuleError
        if params["max-words"] < 1:
            raise RuleError(f"{where}: field 'params.max-words': must be at least 1")

    @staticmethod
    def count_words(text: str) -> int:
        """Words as a reader sees them: runs of non-space characters holding a letter or a
        digit ("non-invasive" and "2.5" are one word each); reference markers like [3] are
        not words."""
        return sum(1 for w in _WORD.findall(text) if not _MARKER_WORD.match(w))

    def check(self, doc, ctx):
        limit = self.params["max-words"]
        for block in self.blocks(doc):
            sdoc = block_doc(doc, block)
            for sent in sdoc.sents:
                raw = sent.text
                text = raw.strip()
                if not text:
                    continue
                n = self.count_words(text)
                if n <= limit:
                    continue
                s = sent.start_char + (len(raw) - len(raw.lstrip()))
                yield Hit(block, s, s + len(text), args={"words": n, "limit": limit,
                                                         "start": _quote(text, 6)})
