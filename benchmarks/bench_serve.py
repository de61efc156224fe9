#!/usr/bin/env python3
"""Latency of `medlint serve` with the browser in the loop: from a keystroke in the editor to
the updated highlights, on a generated ~2,000-word Markdown page.

    python benchmarks/bench_serve.py --edits 40

Starts ``medlint serve`` in its own process as a writer would, opens the page in headless
Chromium (tests/cdp.py; Debian's ``chromium`` package, or MEDLINT_CHROMIUM=/path), and types
one character at a random place of the page per edit, as a real key event. The latency is
measured in the page: from the editor's ``input`` event to just after the frame that paints
the highlights of the lint answering that text (a task queued from that frame's animation
callback). It includes the page's debounce (a tenth of the recent lint time, 5-250 ms), the
request, the lint on the server, building the highlights and the browser's layout and paint.
Edits are spaced out (the previous one answered and 200 ms idle), so each is measured alone.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))


def main():
    from bench_lsp import make_page
    from tests.cdp import Browser, find_chromium

    ap = argparse.ArgumentParser()
    ap.add_argument("--edits", type=int, default=40)
    ap.add_argument("--words", type=int, default=2000)
    a = ap.parse_args()
    exe = find_chromium()
    if not exe:
        sys.exit("headless Chromium not found (apt-get install chromium, or set MEDLINT_CHROMIUM)")
    rng = random.Random(3)
    root = tempfile.mkdtemp(prefix="medlint-bench-serve-")
    text = make_page(a.words, rng)
    with open(os.path.join(root, "page.md"), "w", encoding="utf-8") as fh:
        fh.write(text)
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "medlint", "serve", os.path.join(root, "page.md"),
                             "--isolated"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        m = re.search(r"http://\S+/", line)
        if not m:
            sys.exit(f"medlint serve did not start: {line}{proc.stderr.read()}")
        url = m.group(0)
        with Browser.launch(exe) as browser:
            page = browser.new_page()
            page.goto(url)
            page.wait_for("document.body.dataset.ready === '1' && window.medlintState().path === 'page.md' "
                          "&& window.medlintState().text === document.getElementById('editor').value", timeout=120)
            t1 = time.perf_counter()
            info = page.evaluate("[window.medlintState().findings.length, document.getElementById('editor').value.split(/\\s+/).length]")
            print(f"page: {info[1]:,} words, {info[0]} findings; editor ready {t1 - t0:.1f} s after `medlint serve` started "
                  f"(cold: pipeline, rules, knowledge)")
            latencies, request, server, draw, wait, paint = [], [], [], [], [], []
            for _ in range(a.edits):
                n = page.evaluate("medlintPerf.renders")
                page.evaluate("(() => { const e = document.getElementById('editor'); e.focus(); "
                                    "const v = e.value; let i = %d %% v.length; "
                                    "while (i < v.length && v[i] !== ' ') i++; "
                                    "e.setSelectionRange(i, i); })()" % rng.randrange(10 ** 6))
                page.call("Input.dispatchKeyEvent", {"type": "char", "text": rng.choice("aeiostn")})
                page.wait_for("medlintPerf.renders > %d && window.medlintState().text === "
                              "document.getElementById('editor').value" % n, timeout=30)
                lat, req, srv, drw, wt, pnt = page.evaluate(
                    "['latencies', 'requestMs', 'serverMs', 'drawMs', 'waitMs', 'paintMs'].map("
                    "k => medlintPerf[k][medlintPerf[k].length - 1])")
                wait.append(wt)
                paint.append(pnt)
                latencies.append(lat)
                request.append(req)
                server.append(srv)
                draw.append(drw)
                time.sleep(0.2)
            assert not page.events("Runtime.exceptionThrown"), page.events("Runtime.exceptionThrown")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    med = statistics.median(latencies)
    p90 = sorted(latencies)[int(0.9 * (len(latencies) - 1))]
    print(f"edits: {len(latencies)}; keystroke -> highlights painted: median {med:.0f} ms, p90 {p90:.0f} ms, "
          f"max {max(latencies):.0f} ms")
    print(f"  medians: debounce {statistics.median(wait):.0f} ms, request {statistics.median(request):.0f} ms "
          f"(of which the lint on the server {statistics.median(server):.0f} ms), building the highlights "
          f"{statistics.median(draw):.0f} ms, then the browser's layout and paint until the frame is shown "
          f"{statistics.median(paint):.0f} ms")


if __name__ == "__main__":
    main()
