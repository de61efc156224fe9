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
    python benchmarks/bench_audit.py --pages 100000 --modes jobs2 --report   # scale
    python benchmarks/bench_audit.py --pages 1000 --modes jobs2 --hang 10 --kill-resume

``--report`` also writes the HTML report and the CSV in the first mode's run and times
headless Chromium showing the summary, the pages table and the last page's details.
``--hang`` audits again with a rule that never returns on one page (the run must end
within the timeout + 1.1 x the normal run). ``--kill-resume`` SIGKILLs a cached audit half
way, runs it again and counts the pages linted twice (must be 0) and compares the reports.
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


def page_sections(rng, idx: int, shared: list[str], n_sections: int = 7):
    t = rng.choice(TREATMENTS)
    title = f"{rng.choice(TOPICS)} at Brightside Clinic ({idx})"
    sections = []
    planted = defects(rng, t)
    words = 0
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


def generate(directory: str, n: int, seed: int = 7, sections: int = 7) -> int:
    rng = random.Random(seed)
    shared_pool = [SHARED[0].format(v=rng.choice(VERBS), a=rng.choice(ADJ), n=rng.choice(NOUNS),
                                    tail=rng.choice(TAILS)) for _ in range(max(1, n // 200))]
    words = 0
    for i in range(n):
        shared = [rng.choice(shared_pool)] if rng.random() < 0.05 else []
        title, body = page_sections(rng, i, shared, sections)
        html = rng.random() < 0.7
        sub = os.path.join(directory, f"section{i // 1000:02d}")
        os.makedirs(sub, exist_ok=True)
        text = render(i, title, body, html)
        words += sum(len(p.split()) for _, ps in body for p in ps)
        with open(os.path.join(sub, f"page{i:05d}.{'html' if html else 'md'}"), "w", encoding="utf-8") as fh:
            fh.write(text)
    return words


# --- measuring ----------------------------------------------------------------------------

def _tree_rss(root_pid: int) -> tuple[int, int, int, int]:
    """(sum of RSS, largest RSS, the process's own RSS, largest RSS of a descendant) in bytes
    over a process and its descendants, from /proc."""
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
    total, largest, child, stack = 0, 0, 0, [root_pid]
    while stack:
        p = stack.pop()
        r = rss.get(p, 0)
        total += r
        largest = max(largest, r)
        if p != root_pid:
            child = max(child, r)
        stack += children.get(p, [])
    return total, largest, rss.get(root_pid, 0), child


def measure(cmd: list[str], cwd: str) -> dict:
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0, 0, 0, 0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[:] = [max(a, b) for a, b in zip(peak, _tree_rss(proc.pid))]
            done.wait(0.1)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    out, err = proc.communicate()
    done.set()
    th.join()
    return {"wall_s": time.perf_counter() - t0, "rc": proc.returncode, "stdout": out, "stderr": err,
            "peak_tree_mb": peak[0] / 1048576, "peak_proc_mb": peak[1] / 1048576,
            "peak_parent_mb": peak[2] / 1048576, "peak_worker_mb": peak[3] / 1048576}


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


FAULT_DRIVER = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])  # the repository: tests/faults.py
from tests import faults
from medlint.audit import audit
from medlint.engine import Options
if __name__ == "__main__":
    root, site, pack, timeout, out = sys.argv[1:6]
    faults.install()
    faults.write_pack(pack, "hang", "HANG-HERE")
    t0 = time.perf_counter()
    res = audit([site], Options(isolated=True, rules_dirs=[pack], timeout=float(timeout)), jobs=2, cache=False)
    wall = time.perf_counter() - t0
    with open(out, "w", encoding="utf-8") as fh:
        json.dump({"seconds": wall, "errors": res.errors, "pages": len(res.files)}, fh)
"""


def hang_test(site: str, work: str, timeout: float) -> None:
    """One page of the site gets a rule that never returns: the audit must finish within
    timeout + 1.1 x the time of the same audit without the hanging page."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    drv = os.path.join(work, "fault_driver.py")
    with open(drv, "w") as fh:
        fh.write(FAULT_DRIVER)
    pages = sorted(os.path.join(d, f) for d, _, fs in os.walk(site) for f in fs)
    victim = pages[len(pages) // 2]

    def once(tag):
        out = os.path.join(work, f"hang-{tag}.json")
        m = measure([sys.executable, drv, root, site, os.path.join(work, f"pack-{tag}"), str(timeout), out], work)
        if m["rc"] != 0:
            sys.exit(f"fault driver failed:\n{m['stderr'][-3000:]}")
        with open(out, encoding="utf-8") as fh:
            return json.load(fh)
    normal = once("normal")
    with open(victim, "a", encoding="utf-8") as fh:
        fh.write("\nHANG-HERE\n")
    try:
        hung = once("hung")
    finally:
        with open(victim, encoding="utf-8") as fh:
            text = fh.read()
        with open(victim, "w", encoding="utf-8") as fh:
            fh.write(text.replace("\nHANG-HERE\n", ""))
    bound = timeout + 1.1 * normal["seconds"]
    reported = [e for e in hung["errors"] if e["path"] == victim and "timed out" in e["message"]]
    print(f"\nhanging rule on 1 of {hung['pages']} pages, --timeout {timeout:g}: audit {hung['seconds']:.1f} s "
          f"(without it {normal['seconds']:.1f} s; bound timeout + 1.1 x normal = {bound:.1f} s): "
          f"{'within' if hung['seconds'] <= bound else 'OVER'} the bound; page reported: "
          f"{'yes' if reported else 'NO'}; other page errors: {len(hung['errors']) - len(reported)}")
    if reported:
        print(f"  {reported[0]['message']}")


def kill_resume(site: str, work: str, reference: str, jobs: str) -> None:
    """SIGKILL an audit when half the pages are done, run it again with the cache: no page
    finished before the kill is linted again, and the reports equal an uninterrupted run's."""
    import signal
    import sqlite3
    cache = os.path.join(work, "kill-cache")
    shutil.rmtree(cache, ignore_errors=True)
    total = sum(len(fs) for _, _, fs in os.walk(site))
    out = os.path.join(work, "killed.json")
    cmd = [sys.executable, "-m", "medlint", "audit", site, "--isolated", "-q", "--jobs", jobs,
           "--cache-dir", cache, "--json", out]
    proc = subprocess.Popen(cmd, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    db = os.path.join(cache, "audit.sqlite3")
    done = 0
    while proc.poll() is None and done < total // 2:
        time.sleep(0.05)
        try:
            with sqlite3.connect(db, timeout=1) as c:
                done = c.execute("SELECT count(*) FROM entries").fetchone()[0]
        except sqlite3.Error:
            pass
    if proc.poll() is not None:
        sys.exit("the audit finished before it could be killed")
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    with sqlite3.connect(db) as c:
        kept = c.execute("SELECT count(*) FROM entries").fetchone()[0]
    m = measure(cmd, work)
    digest, summary = comparable(out)
    same = digest == comparable(reference)[0]
    print(f"\nSIGKILLed at {kept} of {total} pages done; resumed run: {summary['cached_pages']} pages from the "
          f"cache, {total - summary['cached_pages']} linted ({kept - summary['cached_pages']} finished pages "
          f"linted again), {m['wall_s']:.1f} s; reports identical to an uninterrupted run: "
          f"{'yes' if same else 'NO'}")


def browser_timing(report: str) -> None:
    """Headless Chromium (tests/cdp.py): time to show the summary, the pages table, and one
    page's details."""
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from tests.cdp import Browser, find_chromium
    exe = find_chromium()
    if not exe:
        print("no Chromium: browser timings skipped")
        return
    url = "file://" + os.path.abspath(report)
    with Browser.launch(exe) as b:
        page = b.new_page()
        t0 = time.perf_counter()
        page.call("Page.navigate", {"url": url})
        page.wait_for("!!document.querySelector('#summary .cards')", timeout=600)
        t_summary = time.perf_counter() - t0
        page.wait_for("document.body && document.body.dataset.ready === '1'", timeout=600)
        t_table = time.perf_counter() - t0
        n = page.evaluate("document.querySelectorAll('#pages-body tr').length")
        last = page.evaluate("JSON.parse(document.getElementById('audit-data').textContent).pages.length") - 1
        t1 = time.perf_counter()
        page.evaluate(f"location.hash = '#page={last}'")
        page.wait_for("!!document.querySelector('#findings[data-loaded]')", timeout=120)
        t_page = time.perf_counter() - t1
        shown = page.evaluate("document.querySelectorAll('#findings .finding').length")
    print(f"Chromium: summary shown {t_summary:.2f} s after navigation, pages table ({n} rows drawn) "
          f"{t_table:.2f} s; last page's details ({shown} findings) opened in {t_page:.2f} s")


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
    ap.add_argument("--sections", type=int, default=7,
                    help="sections of two paragraphs per page (default 7: about 1,000 words)")
    ap.add_argument("--keep", metavar="DIR", help="generate into DIR and keep it")
    ap.add_argument("--report", action="store_true",
                    help="the first mode also writes the HTML report and CSV: sizes, Chromium timings")
    ap.add_argument("--hang", type=float, metavar="SECONDS",
                    help="also audit with a rule that hangs on one page, with this --timeout")
    ap.add_argument("--kill-resume", action="store_true",
                    help="also SIGKILL an audit half way and resume it with the cache")
    a = ap.parse_args()
    work = a.keep or tempfile.mkdtemp(prefix="medlint-bench-audit-")
    site = os.path.join(work, "site")
    try:
        if not os.path.isdir(site) or len([1 for _ in os.scandir(site)]) == 0:
            os.makedirs(site, exist_ok=True)
            t = time.perf_counter()
            words = generate(site, a.pages, sections=a.sections)
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
                if a.report and not rows:
                    cmd += ["--report", os.path.join(work, "report.html"), "--csv", os.path.join(work, "findings.csv")]
            print(f"running {mode}: {' '.join(cmd)}", flush=True)
            outputs = [out] + ([os.path.join(work, "report.html"), os.path.join(work, "findings.csv")]
                               if "--report" in cmd else [])
            for f in outputs:  # a report left by an earlier run must not pass for this one's
                if os.path.exists(f):
                    os.unlink(f)
            m = measure(cmd, work)
            if m["rc"] not in (0, 1) or not all(os.path.exists(f) for f in outputs) or "Traceback" in m["stderr"]:
                sys.exit(f"{mode} failed (exit {m['rc']}):\n{m['stderr'][-3000:]}")
            digest, summary = comparable(out)
            rows.append((mode, m, digest, summary))
            print(f"  {mode}: {summary['pages']} pages in {summary['seconds']:.1f} s "
                  f"({summary['pages'] / summary['seconds']:.1f} pages/s), wall {m['wall_s']:.1f} s, "
                  f"peak {m['peak_tree_mb']:.0f} MB (parent {m['peak_parent_mb']:.0f} MB, largest worker "
                  f"{m['peak_worker_mb']:.0f} MB)", flush=True)
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
        if a.report:
            sizes = {n: os.path.getsize(os.path.join(work, n)) / 1048576
                     for n in ("report.html", "findings.csv", f"{a.modes[0]}.json")}
            print("report sizes: " + ", ".join(f"{n} {mb:.1f} MB" for n, mb in sizes.items()))
            browser_timing(os.path.join(work, "report.html"))
        if a.hang is not None:
            hang_test(site, work, a.hang)
        if a.kill_resume:
            mode = next((m for m in a.modes if m != "dask"), "jobs2")
            kill_resume(site, work, os.path.join(work, f"{mode}.json"), mode[-1])
        if not same:
            sys.exit(1)
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
