#!/usr/bin/env python3
"""Benchmark for `medlint audit`: pages/s and peak memory, processes vs. a Dask cluster.

Generates a site of N pages (default 10,000) of about 1,000 words each: our own copy,
assembled at random from word lists and sentence templates, with planted defects
(exaggerated promises, uncited claims, vague citations, risk-minimizing wording, jargon,
long sentences, treatments promoted without their risks, a paragraph pasted on several
pages). About 70% of the pages are HTML as a site exports them (header, navigation menu,
cookie banner, sidebar and a footer holding a planted "miracle" claim that main-content
extraction must ignore); the rest are Markdown.

Then runs the same audit three ways, each cold (``--no-cache``) in a fresh process:

- ``medlint audit --jobs 1``
- ``medlint audit --jobs 2``
- ``medlint.audit.audit(..., scheduler=Client(LocalCluster(n_workers=2, threads_per_worker=1)))``
  on loopback

and reports wall seconds, pages/s (pages / the audit's own seconds, which excludes
interpreter start-up), peak memory (sum of the resident set sizes of the process tree,
sampled every 0.1 s from /proc; and the peak of the largest single process), and checks
that the three runs give identical findings, files and errors (JSON compared, timing fields
removed). With ``--warm`` it also times a second ``--jobs 2`` run with the cache.

    python benchmarks/bench_audit.py --pages 10000
    python benchmarks/bench_audit.py --pages 500 --modes jobs1 jobs2 dask --warm
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time

ROLES = ["clinic", "care team", "nurse", "coach", "physician", "pharmacist", "therapist", "dietitian",
         "front desk", "counselor", "physiotherapist", "midwife", "trainer", "advisor"]
ROLE_ADJ = ["our", "the", "your", "a trained", "the evening", "the senior", "a local", "the visiting",
            "the weekend", "a licensed", "the community", "the on-call"]
VERBS = ["reviews", "explains", "supports", "measures", "adjusts", "tracks", "describes", "covers",
         "schedules", "checks", "records", "discusses", "plans", "monitors", "outlines", "compares",
         "includes", "follows", "updates", "answers", "prepares", "shares", "confirms", "prints"]
ADJ = ["daily", "weekly", "monthly", "written", "printed", "shared", "personal", "detailed", "short",
       "updated", "current", "previous", "planned", "optional", "standard", "family", "morning",
       "evening", "home", "travel", "seasonal", "school", "workplace", "digital", "paper", "group"]
NOUNS = ["blood pressure", "medicines", "sleep diary", "allergies", "routine", "goals", "costs",
         "insurance", "exercises", "diet", "questions", "test results", "pain score", "work hours",
         "appointments", "mood", "hydration", "posture", "stretching", "breathing", "walking plan",
         "meal plan", "vaccines", "eye checks", "hearing", "skin care", "dental visits", "screenings",
         "referrals", "recovery", "heart rate", "weight", "steps", "caffeine", "screen time", "stress",
         "balance", "lab work", "consent forms", "travel plans", "prescriptions", "refills"]
TAILS = ["before the session starts", "after every visit", "during the first month", "at each check-in",
         "when something changes", "with your own doctor", "in plain language", "over the phone",
         "at no extra cost", "for adults and teenagers", "in a quiet room", "on weekday evenings",
         "within two working days", "as part of the plan", "with a printed summary", "if you ask",
         "in the patient portal", "at the front desk", "for the whole course", "before any change"]
TOPICS = ["Weight Care", "Sleep Support", "Back Pain", "Stress and Mood", "Healthy Skin", "Joint Care",
          "Heart Health", "Energy and Focus", "Healthy Ageing", "Digestive Health", "Hormone Health"]
# planted defects (each is known to trip its rule)
EXAGGERATED = ["Our {t} program is a miracle for busy people.", "Results are guaranteed, or your next month is free.",
               "This breakthrough gives immediate relief to almost everyone.",
               "Our approach is a game-changer that works for everyone."]
UNCITED = ["{T} reduces anxiety and improves sleep in most patients.",
           "{T} lowers blood pressure and boosts energy within weeks.",
           "{T} relieves chronic pain better than pills."]
VAGUE = ["Studies show that {t} helps people lose weight.", "Experts agree that {t} protects your heart.",
         "Research proves that {t} sharpens focus."]
MINIMIZING = ["Side effects are mild and transient, and most people feel nothing at all.",
              "It is generally considered safe and completely natural."]
JARGON = ["Our clinicians assess comorbidities and contraindications before titration.",
          "The protocol targets inflammatory cytokine cascades and mitochondrial bioenergetics."]
TREATMENTS = ["semaglutide", "ketamine infusions", "NAD+ IV drips", "testosterone therapy", "ashwagandha"]
LONG = ("Because every patient arrives with a different history, a different schedule and a "
        "different set of goals, our team spends the first visit listening carefully, reviewing "
        "medicines, checking blood pressure, asking about sleep, stress, food and movement, and "
        "then writing a plan that fits the life you actually live rather than the life a brochure "
        "imagines, which is why the first visit takes a little longer than the ones that follow.")
SHARED = [("Every membership includes a named nurse who {v} your {a} {n} {tail}, a printed plan "
           "after each visit, and a phone line that is answered by a person on weekdays. Changes "
           "to your plan are always discussed with you first and written down.")]


def sentence(rng: random.Random) -> str:
    s = (f"{rng.choice(ROLE_ADJ)} {rng.choice(ROLES)} {rng.choice(VERBS)} {rng.choice(ADJ)} "
         f"{rng.choice(NOUNS)} {rng.choice(TAILS)}")
    if rng.random() < 0.4:
        s += f" and {rng.choice(VERBS)} the {rng.choice(ADJ)} {rng.choice(NOUNS)}"
    return s[0].upper() + s[1:] + "."


def paragraph(rng, n) -> str:
    return " ".join(sentence(rng) for _ in range(n))


def defects(rng, t: str) -> list[str]:
    T = t[0].upper() + t[1:]
    out = []
    for pool, p in ((EXAGGERATED, 0.8), (UNCITED, 0.7), (VAGUE, 0.5), (MINIMIZING, 0.4), (JARGON, 0.4)):
        if rng.random() < p:
            out.append(rng.choice(pool).format(t=t, T=T))
    if rng.random() < 0.3:
        out.append(LONG)
    return out


def page_sections(rng, idx: int, shared: list[str]):
    t = rng.choice(TREATMENTS)
    title = f"{rng.choice(TOPICS)} at Brightside Clinic ({idx})"
    sections = []
    planted = defects(rng, t)
    words = 0
    n_sections = 7
    for s in range(n_sections):
        paras = []
        for _ in range(2):
            text = paragraph(rng, rng.randint(4, 6))
            if planted and rng.random() < 0.6:
                text += " " + planted.pop()
            paras.append(text)
            words += len(text.split())
        sections.append((f"{rng.choice(TOPICS)}: part {s + 1}", paras))
    if planted:
        sections[-1][1].append(" ".join(planted))
    if shared:
        sections[rng.randrange(len(sections))][1].append(rng.choice(shared))
    return title, sections


NAV = ('<header class="site-header"><a class="logo" href="/">Brightside Clinic</a>'
       '<nav class="main-navigation"><ul id="primary-menu" class="menu">'
       '<li><a href="/">Home</a></li><li><a href="/services/">Services</a></li>'
       '<li><a href="/team/">Our team</a></li><li><a href="/book/">Book a visit</a></li></ul></nav></header>\n'
       '<div class="cookie-notice">We use cookies to remember your settings. <a href="/privacy/">Privacy</a> '
       '<button>Accept</button></div>\n')
SIDEBAR = ('<aside id="secondary" class="widget-area"><h3>Popular pages</h3><ul>'
           '<li><a href="/sleep/">Sleep support</a></li><li><a href="/weight/">Weight care</a></li></ul></aside>\n')
FOOTER = ('<footer class="site-footer"><p>Brightside Clinic, 12 Harbour Road. Our miracle detox '
          'is guaranteed to work for everyone.</p><p><a href="/contact/">Contact</a> | '
          '<a href="/privacy/">Privacy</a></p></footer>\n')


def render(idx: int, title: str, sections, html: bool) -> str:
    if not html:
        out = [f"# {title}", ""]
        for h, paras in sections:
            out += [f"## {h}", ""]
            for p in paras:
                out += [p, ""]
        return "\n".join(out)
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>{title}</title></head>", '<body class="page no-sidebar">', NAV,
           '<main id="main" class="site-main"><article>', f"<h1>{title}</h1>"]
    for h, paras in sections:
        out.append(f"<h2>{h}</h2>")
        for p in paras:
            out.append(f"<p>{p.replace('&', '&amp;')}</p>")
    out += ["</article></main>", SIDEBAR, FOOTER, "</body></html>"]
    return "\n".join(out) + "\n"


def generate(directory: str, n: int, seed: int = 7) -> int:
    rng = random.Random(seed)
    shared_pool = [SHARED[0].format(v=rng.choice(VERBS), a=rng.choice(ADJ), n=rng.choice(NOUNS),
                                    tail=rng.choice(TAILS)) for _ in range(max(1, n // 200))]
    words = 0
    for i in range(n):
        shared = [rng.choice(shared_pool)] if rng.random() < 0.05 else []
        title, sections = page_sections(rng, i, shared)
        html = rng.random() < 0.7
        sub = os.path.join(directory, f"section{i // 1000:02d}")
        os.makedirs(sub, exist_ok=True)
        text = render(i, title, sections, html)
        words += sum(len(p.split()) for _, ps in sections for p in ps)
        with open(os.path.join(sub, f"page{i:05d}.{'html' if html else 'md'}"), "w", encoding="utf-8") as fh:
            fh.write(text)
    return words


# --- measuring ----------------------------------------------------------------------------

def _tree_rss(root_pid: int) -> tuple[int, int]:
    """(sum of RSS, largest RSS) in bytes over a process and its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as fh:
                parts = fh.read().rsplit(")", 1)[1].split()
            ppid = int(parts[1])
            with open(f"/proc/{d}/statm") as fh:
                rss[int(d)] = int(fh.read().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(d))
    total, largest, stack = 0, 0, [root_pid]
    while stack:
        p = stack.pop()
        r = rss.get(p, 0)
        total += r
        largest = max(largest, r)
        stack += children.get(p, [])
    return total, largest


def measure(cmd: list[str], cwd: str) -> dict:
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0, 0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            tot, big = _tree_rss(proc.pid)
            peak[0], peak[1] = max(peak[0], tot), max(peak[1], big)
            done.wait(0.1)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    out, err = proc.communicate()
    done.set()
    th.join()
    return {"wall_s": time.perf_counter() - t0, "rc": proc.returncode, "stdout": out, "stderr": err,
            "peak_tree_mb": peak[0] / 1048576, "peak_proc_mb": peak[1] / 1048576}


DASK_DRIVER = r"""
import json, sys
from distributed import Client, LocalCluster
from medlint.audit import audit
from medlint.engine import Options
if __name__ == "__main__":
    site, out = sys.argv[1], sys.argv[2]
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address="127.0.0.1:0") as cluster, Client(cluster) as client:
        res = audit([site], Options(isolated=True), scheduler=client, cache=False)
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(res.to_json(), fh)
"""


def comparable(path: str) -> tuple[str, dict]:
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    summary = data["summary"]
    keep = {k: data[k] for k in ("findings", "files", "errors", "duplicate_clusters")}
    digest = hashlib.sha256(json.dumps(keep, sort_keys=True).encode()).hexdigest()
    return digest, summary


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=10000)
    ap.add_argument("--modes", nargs="+", default=["jobs1", "jobs2", "dask"], choices=["jobs1", "jobs2", "dask"])
    ap.add_argument("--warm", action="store_true", help="also time a cached --jobs 2 run")
    ap.add_argument("--keep", metavar="DIR", help="generate into DIR and keep it")
    a = ap.parse_args()
    work = a.keep or tempfile.mkdtemp(prefix="medlint-bench-audit-")
    site = os.path.join(work, "site")
    try:
        if not os.path.isdir(site) or len([1 for _ in os.scandir(site)]) == 0:
            os.makedirs(site, exist_ok=True)
            t = time.perf_counter()
            words = generate(site, a.pages)
            print(f"generated {a.pages} pages, {words:,} words of body copy in {time.perf_counter() - t:.1f} s "
                  f"({site})", flush=True)
        exe = [sys.executable, "-m", "medlint"]
        rows = []
        for mode in a.modes:
            out = os.path.join(work, f"{mode}.json")
            if mode == "dask":
                drv = os.path.join(work, "dask_driver.py")
                with open(drv, "w") as fh:
                    fh.write(DASK_DRIVER)
                cmd = [sys.executable, drv, site, out]
            else:
                cmd = exe + ["audit", site, "--isolated", "--no-cache", "--json", out, "-q",
                             "--jobs", mode[-1]]
            print(f"running {mode}: {' '.join(cmd)}", flush=True)
            m = measure(cmd, work)
            if m["rc"] not in (0, 1):
                sys.exit(f"{mode} failed (exit {m['rc']}):\n{m['stderr'][-3000:]}")
            digest, summary = comparable(out)
            rows.append((mode, m, digest, summary))
            print(f"  {mode}: {summary['pages']} pages in {summary['seconds']:.1f} s "
                  f"({summary['pages'] / summary['seconds']:.1f} pages/s), wall {m['wall_s']:.1f} s, "
                  f"peak {m['peak_tree_mb']:.0f} MB", flush=True)
        if a.warm:
            out = os.path.join(work, "warm.json")
            cmd = exe + ["audit", site, "--isolated", "--json", out, "-q", "--jobs", "2"]
            measure(cmd, work)  # fill the cache
            m = measure(cmd, work)
            digest, summary = comparable(out)
            rows.append(("jobs2 cached", m, digest, summary))
        s0 = rows[0][3]
        print()
        print(f"{s0['pages']} pages, {s0['words']:,} words (main content), {s0['findings']:,} findings, "
              f"{s0['duplicate_clusters']} cross-page duplicate clusters, {s0['failed_pages']} failed")
        print(f"{'mode':<14} {'audit s':>8} {'pages/s':>8} {'wall s':>7} {'peak MB (tree)':>15} "
              f"{'peak MB (1 proc)':>17}  findings sha256")
        for mode, m, digest, summary in rows:
            print(f"{mode:<14} {summary['seconds']:>8.1f} {summary['pages'] / summary['seconds']:>8.1f} "
                  f"{m['wall_s']:>7.1f} {m['peak_tree_mb']:>15.0f} {m['peak_proc_mb']:>17.0f}  {digest[:16]}")
        same = len({r[2] for r in rows}) == 1
        print("identical findings in all runs:", "yes" if same else "NO")
        if not same:
            sys.exit(1)
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
