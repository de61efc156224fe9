"""Fault injection for tests and benchmarks: a rule kind that fails on chosen pages.

``install()`` registers the kind ``fault`` (idempotent); ``write_pack(directory, action,
marker)`` writes a rule pack holding one ``fault`` rule. The rule does ``action`` on every page
whose text contains ``marker`` and nothing elsewhere:

- ``raise``: raises RuntimeError (a rule bug);
- ``hang``: loops forever in Python code (a rule that never returns);
- ``kill``: the process sends itself SIGKILL (a worker killed by a signal, the OOM killer).

Worker processes started by ``fork`` (Linux) inherit the registration, so an audit run in a
process that called ``install()`` exercises the faults in its workers too.
"""
from __future__ import annotations

import os
import signal
from pathlib import Path

FAULT_RULE = """\
code: TST{code:03d}
name: injected-{action}
kind: fault
category: language
severity: info
message: "injected fault"
description: "Test rule: {action} on pages containing the marker."
why: "Fault injection for medlint's own tests."
references: ["medlint tests"]
examples: {{fail: ["FAULT here"], pass: ["nothing"]}}
params:
  action: {action}
  marker: "{marker}"
"""


def install():
    from medlint.kinds import KINDS, Hit, Kind, register

    if "fault" in KINDS:
        return

    @register
    class FaultKind(Kind):
        name = "fault"
        PARAMS = {"action": (str, "raise", "raise | hang | kill"),
                  "marker": (str, "", "the text that marks a page to fail on")}

        def check(self, doc, ctx):
            if self.params["marker"] not in doc.source:
                return
            action = self.params["action"]
            if action == "raise":
                raise RuntimeError("injected failure")
            if action == "hang":
                n = 0
                while True:
                    n += 1
            if action == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            yield from ()  # a generator, like every kind

    return FaultKind


def write_pack(directory, action: str, marker: str, code: int = 901) -> str:
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    (d / f"injected-{action}.yaml").write_text(FAULT_RULE.format(code=code, action=action, marker=marker),
                                               encoding="utf-8")
    return str(d)
