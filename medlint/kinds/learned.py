"""The ``learned`` kind: a lexicon (as in ``pattern``) whose matches are evidence, and the
learned sentence model (:mod:`medlint.model`) that decides.

A sentence is reported when the model's probability for the rule's ``target`` reaches
``threshold``. The finding covers the lexicon phrases the sentence contains (the message
quotes them) or, when the model decided on other cues (a superlative the lexicon lacks, a
benefit list under a promising heading), the whole sentence, with the strongest cues named.
With ``model: false`` the rule reports every lexicon match, as a ``pattern`` rule does.

Params (besides those of ``pattern``):
  target: claim | exaggeration | risk-minimizing (the model output this rule reads).
  threshold: probability at or above which a sentence is reported (default: the one the
    training command chose for precision, stored in the model).
  model: use the learned model (default true).
  model-message: the message for a sentence with no lexicon phrase; ``{cues}`` names the
    strongest cues.
"""
from __future__ import annotations

from . import Hit, register
from .pattern import PatternKind


@register
class LearnedKind(PatternKind):
    name = "learned"
    PARAMS = {
        **PatternKind.PARAMS,
        "target": (str, "exaggeration", "claim | exaggeration | risk-minimizing"),
        "threshold": ((int, float), None, "report sentences whose probability reaches this"),
        "model": (bool, True, "decide with the learned sentence model"),
        "model-message": (str, "", "message when no lexicon phrase matched ({cues})"),
    }

    @classmethod
    def check_params(cls, params, where):
        from ..model import TARGETS
        from ..registry import RuleError
        PatternKind.check_params(params, where)
        if params["target"] not in TARGETS:
            raise RuleError(f"{where}: field 'params.target': must be one of {', '.join(TARGETS)}")
        t = params["threshold"]
        if t is not None and not 0 <= t <= 1:
            raise RuleError(f"{where}: field 'params.threshold': must be between 0 and 1")

    def check(self, doc, ctx):
        matches = self.hits(doc)[0]  # the lexicon's: evidence for the model
        if not self.params["model"]:
            yield from matches
            return
        from .. import claims
        from ..model import decide, get_model
        model = get_model(ctx)
        target = self.params["target"]
        thr = self.params["threshold"]
        if thr is None:
            thr = model.thresholds[target]
        by_block: dict[int, list[Hit]] = {}
        for h in matches:
            by_block.setdefault(h.block.index, []).append(h)
        scope = set(self.rule.scope)
        for s in decide(claims.analyze(doc, ctx), target, thr):
            if s.block.kind not in scope or s.block.in_references:
                continue
            cues = model.cues(s.features, target, surface=s)
            inside = [h for h in by_block.get(s.block.index, ()) if h.start < s.end and h.end > s.start]
            for h in inside:
                yield Hit(h.block, h.start, h.end, args={**h.args, "cues": ", ".join(cues)})
            if not inside:
                msg = self.params["model-message"] or self.rule.message
                args = {"match": s.text if len(s.text) <= 60 else s.text[:57] + "...",
                        "note": "", "cues": ", ".join(cues) or "the sentence as a whole"}
                try:
                    text = msg.format(**args)
                except (KeyError, IndexError, ValueError):
                    text = msg
                yield Hit(s.block, s.start, s.end, message=text, args=args)
