#!/usr/bin/env python3
"""Latency of the language server: time from a didChange to the publishDiagnostics that
answers it, on a generated ~2,000-word Markdown page, over stdio like an editor.

    python benchmarks/bench_lsp.py --edits 30

Reports the median and 90th percentile of change-to-diagnostics time. That time includes
the server's debounce (adaptive: about one lint's time, between medlint.lsp.MIN_DEBOUNCE_SECONDS
and DEBOUNCE_SECONDS) and the lint itself; each edit changes one word somewhere on the page.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))


def make_page(words: int, rng: random.Random) -> str:
    from bench_claims import page
    out = []
    while sum(len(p.split()) for p in out) < words:
        out.append(page(rng))
    text = "\n\n".join(out)
    return " ".join(text.split(" ")[:words]) + "\n"


class Client:
    def __init__(self, cmd):
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self.next_id = 0
        self.events = []
        self.cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def send(self, method, params, request=False):
        msg = {"jsonrpc": "2.0", "method": method, "params": params}
        if request:
            self.next_id += 1
            msg["id"] = self.next_id
        body = json.dumps(msg).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()
        return msg.get("id")

    def _read(self):
        out = self.proc.stdout
        while True:
            headers = {}
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.decode().strip()
                if not line:
                    break
                k, v = line.split(":", 1)
                headers[k.lower()] = v.strip()
            msg = json.loads(out.read(int(headers["content-length"])))
            with self.cond:
                self.events.append((time.perf_counter(), msg))
                self.cond.notify_all()

    def wait(self, pred, timeout=60):
        end = time.perf_counter() + timeout
        with self.cond:
            while True:
                for i, (t, m) in enumerate(self.events):
                    if pred(m):
                        del self.events[: i + 1]
                        return t, m
                left = end - time.perf_counter()
                if left <= 0:
                    raise TimeoutError("no answer from the server")
                self.cond.wait(left)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--edits", type=int, default=30)
    ap.add_argument("--words", type=int, default=2000)
    a = ap.parse_args()
    rng = random.Random(3)
    text = make_page(a.words, rng)
    root = tempfile.mkdtemp()
    uri = "file://" + os.path.join(root, "page.md")
    c = Client([sys.executable, "-m", "medlint", "lsp"])
    rid = c.send("initialize", {"processId": os.getpid(), "rootUri": "file://" + root, "capabilities": {}}, True)
    c.wait(lambda m: m.get("id") == rid)
    c.send("initialized", {})
    t0 = time.perf_counter()
    c.send("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}})
    t1, _ = c.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics")
    print(f"page: {len(text.split())} words; first diagnostics after open (cold: pipeline, rules, knowledge): {t1 - t0:.2f} s")
    times = []
    for v in range(2, a.edits + 2):
        words = text.split(" ")
        i = rng.randrange(len(words))
        words[i] = rng.choice(["miracle", "gently", "studies", "show", "safe", "administer"])
        text = " ".join(words)
        start = time.perf_counter()
        c.send("textDocument/didChange", {"textDocument": {"uri": uri, "version": v},
                                           "contentChanges": [{"text": text}]})
        t, m = c.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                      and m["params"].get("version") == v)
        times.append(t - start)
    from medlint.lsp import DEBOUNCE_SECONDS, MIN_DEBOUNCE_SECONDS
    med = statistics.median(times)
    p90 = sorted(times)[int(0.9 * (len(times) - 1))]
    print(f"edits: {len(times)}; change -> diagnostics: median {med * 1000:.0f} ms, p90 {p90 * 1000:.0f} ms "
          f"(includes the adaptive debounce, {MIN_DEBOUNCE_SECONDS * 1000:.0f}-{DEBOUNCE_SECONDS * 1000:.0f} ms)")
    rid = c.send("shutdown", None, True)
    c.wait(lambda m: m.get("id") == rid)
    c.send("exit", None)


if __name__ == "__main__":
    main()
