"""SARIF 2.1.0 output (for GitHub code scanning and other SARIF viewers)."""
from __future__ import annotations

import json
import os
from urllib.parse import quote

from .. import __version__

LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _uri(path: str) -> str:
    p = path.replace(os.sep, "/")
    if os.path.isabs(path):
        return "file://" + quote(p)
    return quote(p)


def render_sarif(result, rules) -> str:
    rules = list(rules)
    index = {r.code: i for i, r in enumerate(rules)}
    driver_rules = []
    for r in rules:
        driver_rules.append({
            "id": r.code,
            "name": r.name,
            "shortDescription": {"text": r.description.split(". ")[0].rstrip(".") + "."},
            "fullDescription": {"text": r.description},
            "help": {"text": r.why + "\n\nReferences:\n" + "\n".join("- " + x for x in r.references),
                     "markdown": r.why + "\n\n**References**\n\n" + "\n".join("- " + x for x in r.references)},
            "defaultConfiguration": {"level": LEVEL[r.severity]},
            "properties": {"category": r.category, "tags": sorted({r.category, r.kind})},
        })
    results = []
    for f in result.findings:
        res = {
            "ruleId": f.code,
            "level": LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": _uri(f.path)},
                "region": {"startLine": f.line, "startColumn": f.column,
                           "endLine": f.end_line, "endColumn": f.end_column}}}],
            "properties": {"rule": f.rule, "category": f.category},
        }
        if f.code in index:
            res["ruleIndex"] = index[f.code]
        if f.subject:
            res["properties"]["subject"] = f.subject
        fp = getattr(f, "fingerprint", None)
        if fp:
            res["partialFingerprints"] = {"medlintFingerprint/v1": fp}
        if f.related:
            res["relatedLocations"] = [
                {"id": i + 1, "message": {"text": r.message},
                 "physicalLocation": {"artifactLocation": {"uri": _uri(r.path)},
                                      "region": {"startLine": r.line, "startColumn": r.column}}}
                for i, r in enumerate(f.related)]
        if f.fix:
            res["fixes"] = [{"description": {"text": f.fix.message},
                             "artifactChanges": [{"artifactLocation": {"uri": _uri(f.path)},
                                                  "replacements": [{"deletedRegion": {
                                                      "startLine": f.line, "startColumn": f.column,
                                                      "endLine": f.end_line, "endColumn": f.end_column},
                                                      "insertedContent": {"text": f.fix.replacement}}]}]}]
        results.append(res)
    notifications = [{"level": "error", "message": {"text": e["message"]},
                      "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(e["path"])}}}]}
                     for e in result.errors]
    run = {
        "tool": {"driver": {"name": "medlint", "version": __version__, "semanticVersion": __version__,
                            "informationUri": "https://pypi.org/project/medlint/", "rules": driver_rules}},
        "columnKind": "unicodeCodePoints",
        "results": results,
        "invocations": [{"executionSuccessful": not result.errors,
                         "toolExecutionNotifications": notifications}],
    }
    return json.dumps({"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
                       "runs": [run]}, indent=2, ensure_ascii=False)
