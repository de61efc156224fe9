"""The ``claims`` kind: uncited-claim, vague-citation, conflicting-attribution and
broken-reference, all reading the shared analysis in :mod:`medlint.claims`.

Params:
  report: which of the four the rule reports ("uncited", "vague", "conflict", "broken").
  citation-scope: "sentence" (default): a citation covers the sentence that carries it;
    "paragraph": a citation anywhere in the block covers every claim in it.
  min-similarity: for "conflict", how alike (Jaccard over content lemmas) two attributed
    results about the same treatment and condition must be to count as the same result.
"""
from __future__ import annotations

from .. import claims as C
from . import Hit, Kind, register

MAX_RELATED = 5  # earlier attributions listed with a conflicting one


@register
class ClaimsKind(Kind):
    name = "claims"
    PARAMS = {
        "report": (str, "uncited", "uncited | vague | conflict | broken"),
        "citation-scope": (str, "sentence", "sentence | paragraph"),
        "min-similarity": ((int, float), 0.35, "same-result threshold for conflicting attributions"),
        "threshold": ((int, float), None, "claim probability at or above which a sentence is a claim "
                                          "(default: the learned model's own)"),
        "model": (bool, True, "decide claims with the learned sentence model (uncited-claim's "
                              "setting applies to every rule that reads claims)"),
    }

    @classmethod
    def check_params(cls, params, where):
        from ..registry import RuleError
        if params["report"] not in ("uncited", "vague", "conflict", "broken"):
            raise RuleError(f"{where}: field 'params.report': must be uncited, vague, conflict or broken")
        if params["citation-scope"] not in ("sentence", "paragraph"):
            raise RuleError(f"{where}: field 'params.citation-scope': must be sentence or paragraph")
        t = params["threshold"]
        if t is not None and not 0 <= t <= 1:
            raise RuleError(f"{where}: field 'params.threshold': must be between 0 and 1")

    def check(self, doc, ctx):
        report = self.params["report"]
        if report == "broken":
            yield from self._broken(doc)
            return
        sents = C.analyze(doc, ctx)
        scope = set(self.rule.scope)
        if report == "conflict":
            yield from self._conflicts(doc, sents, scope)
            return
        cited_blocks = set()
        if self.params["citation-scope"] == "paragraph":
            cited_blocks = {s.block.index for s in sents if s.citation}
        thr = self.params["threshold"]
        chosen = None
        if thr is not None and any(s.scores for s in sents):
            from ..model import decide
            chosen = {id(s) for s in decide(sents, "claim", thr)}
        for s in sents:
            claim = s.claim if chosen is None else id(s) in chosen
            if not claim or s.block.kind not in scope:
                continue
            if s.citation or s.block.index in cited_blocks:
                continue
            if report == "vague" and s.vague:
                yield Hit(s.block, s.start, s.end, args={"attribution": s.vague, "missing": C.vague_detail(s)})
            elif report == "uncited" and not s.vague:
                cues = ", ".join(s.cues or C.model_cues(s, ctx)) or "the sentence as a whole"
                yield Hit(s.block, s.start, s.end, args={"kind": s.kind or "efficacy", "cues": cues})

    def _conflicts(self, doc, sents, scope):
        from ..treatments import find_treatments
        from ..nlp import block_doc
        items = []
        for s in sents:
            if not s.source or not s.condition or s.block.kind not in scope:
                continue
            sdoc = block_doc(doc, s.block)
            span = sdoc.char_span(s.start, s.end, alignment_mode="expand")
            treats = {t.name for t, _, _ in find_treatments(span.as_doc())} if span is not None else set()
            items.append((s, treats, C.content_lemmas(s)))
        # one finding per later attribution, naming the first earlier one it conflicts with
        # (up to MAX_RELATED listed), not one per pair: a page that repeats an attribution
        # would otherwise get a number of findings that grows with the square of its length
        earlier: dict[str, list] = {}  # condition -> distinct earlier attributions
        distinct = set()
        for b, tb, lb in items:
            found = []
            for a, ta, la in earlier.get(b.condition, ()):
                if a.source.lower() == b.source.lower():
                    continue  # consistent with its own source
                if ta and tb and not (ta & tb):
                    continue
                if len(la & lb) / max(1, len(la | lb)) < self.params["min-similarity"]:
                    continue
                found.append(a)
                if len(found) == MAX_RELATED:
                    break
            if found:
                a = found[0]
                line = doc.span_position(a.block, a.start, a.end)[0]
                yield Hit(b.block, b.start, b.end,
                          args={"source": b.source, "other": a.source, "line": line,
                                "condition": a.condition},
                          related=[(x.block, x.start, x.end, f"attributed to {x.source} here") for x in found])
            key = (b.source.lower(), frozenset(tb), frozenset(lb))
            if key not in distinct:  # a repeat of an earlier attribution adds nothing to compare
                distinct.add(key)
                earlier.setdefault(b.condition, []).append((b, tb, lb))

    def _broken(self, doc):
        for block in self.blocks(doc):
            for m in block.markers:
                missing = [lbl for lbl in m.labels if lbl not in doc.references]
                if not missing:
                    continue
                where = "the reference list" if doc.references else "a reference list (the page has none)"
                yield Hit(block, m.start, m.end,
                          args={"marker": ", ".join(missing), "where": where})
