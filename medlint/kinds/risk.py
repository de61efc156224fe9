"""The ``risk-disclosure`` kind: missing-risk-disclosure, incomplete-risk-disclosure and
fair-balance, reading :mod:`medlint.risk`.

Params:
  report: "missing", "incomplete" or "balance".
  max-related: how many other claims to list as related locations.
  max-benefit-ratio (balance): flag when the words spent on benefit claims about a treatment
    exceed this many times the words spent on its risks. 3.0 by default: FDA asks for risk
    information with prominence comparable to benefits; a page that spends three times as
    many words promoting as warning is not comparable by any reading, while ordinary pages
    that give a proper safety section stay well under it.
  late-fraction (balance): also flag when every risk statement sits in the last part of the
    page (after this fraction of its prose, default 0.85), in a footer or sidebar, or after
    the call to action that closes the pitch (the first one after the last benefit claim),
    i.e. where readers who act on the benefits never see it.
"""
from __future__ import annotations

from ..claims import analyze
from ..risk import analyze_risk
from . import Hit, Kind, register


@register
class RiskKind(Kind):
    name = "risk-disclosure"
    PARAMS = {
        "report": (str, "missing", "missing | incomplete | balance"),
        "max-related": (int, 10, "other claims listed as related locations"),
        "max-benefit-ratio": ((int, float), 3.0, "benefit words per risk word before flagging"),
        "late-fraction": ((int, float), 0.85, "risks only after this fraction of the page are late"),
        "model": (bool, False, "missing: let the treatment model decide (false: the rules alone)"),
        "threshold": ((int, float), None, "missing: the treatment model's threshold (default: the model's)"),
        "unknown-products": (str, "off", "missing: severity for products the knowledge base lacks, or off"),
    }

    @classmethod
    def check_params(cls, params, where):
        from ..registry import RuleError
        if params["report"] not in ("missing", "incomplete", "balance"):
            raise RuleError(f"{where}: field 'params.report': must be missing, incomplete or balance")
        if params["unknown-products"] not in ("error", "warning", "info", "off"):
            raise RuleError(f"{where}: field 'params.unknown-products': must be error, warning, info or off")

    def _disclosed(self, r, ctx) -> bool:
        """Whether ``r`` needs no missing-risk-disclosure finding: the treatment model's score
        is under its threshold, or (without the model) a risk statement is attributed to it."""
        if self.params["model"] and r.score is not None:
            from ..model import get_model
            thr = self.params["threshold"]
            if thr is None:
                thr = get_model(ctx).treatments["threshold"]
            return r.score < thr
        return bool(r.risks)

    def check(self, doc, ctx):
        reports = analyze_risk(doc, ctx)
        scope = set(self.rule.scope)
        mode = self.params["report"]
        unknown_severity = self.params["unknown-products"]
        for name, r in reports.items():
            t = r.treatment
            unknown = t.type == "unknown"
            claims = [s for s in r.claims if s.block.kind in scope]
            if not claims or not t.disclosure_required or (unknown and (mode != "missing" or unknown_severity == "off")):
                continue
            first = claims[0]
            name = r.subject
            names = {"treatment": name, "Treatment": name[:1].upper() + name[1:]}
            related = [(s.block, s.start, s.end, "another benefit claim") for s in claims[1:self.params["max-related"] + 1]]
            if mode == "missing":
                if self._disclosed(r, ctx):
                    continue
                yield Hit(first.block, first.start, first.end, subject=r.subject, related=related,
                          args={**names, "claims": len(claims)}, severity=unknown_severity if unknown else None)
            elif mode == "incomplete":
                if not r.risks:
                    continue
                missing = r.missing_key_risks()
                regulatory = r.missing_regulatory()
                if not missing and not regulatory:
                    continue
                parts = []
                if missing:
                    parts.append("key risks not named: " + "; ".join(missing))
                if regulatory:
                    parts.append("regulatory status not stated: " + "; ".join(regulatory))
                rel = [(s.block, s.start, s.end, "risk named here") for s in r.risks[:self.params["max-related"]]]
                yield Hit(first.block, first.start, first.end, subject=r.subject, related=rel,
                          args={**names, "missing": "; ".join(parts)})
            else:
                if not r.risks:
                    continue  # that is missing-risk-disclosure's finding
                bw = sum(len(s.text.split()) for s in claims)
                rw = sum(len(s.text.split()) for s in r.risks)
                ratio = bw / max(1, rw)
                total = sum(len(b.text) for b in doc.prose_blocks()) or 1
                pos = {}
                acc = 0
                for b in doc.prose_blocks():
                    pos[b.index] = acc
                    acc += len(b.text)
                # the call to action that closes the pitch: the first one after every claim
                last_claim = max(s.index for s in claims)
                cta = next((s.index for s in analyze(doc, ctx) if s.cta and s.index > last_claim), None)
                late = all(s.block.container in ("footer", "aside")
                           or (cta is not None and s.index > cta)
                           or (pos.get(s.block.index, 0) + s.start) / total >= self.params["late-fraction"]
                           for s in r.risks)
                if ratio > self.params["max-benefit-ratio"] or late:
                    why = (f"{bw} words of benefit claims against {rw} words of risk"
                           if ratio > self.params["max-benefit-ratio"] else
                           "its risks appear only at the end of the page, in a footer or after the call to action")
                    rel = [(s.block, s.start, s.end, "risk named here") for s in r.risks[:self.params["max-related"]]]
                    yield Hit(first.block, first.start, first.end, subject=r.subject, related=rel,
                              args={**names, "why": why})
