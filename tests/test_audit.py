"""`medlint audit`: site audits with a risk score, HTML/CSV/JSON reports, a cache, failures
that never lose a page, Ctrl-C, main-content extraction and Dask."""
import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from medlint.audit import ProgressBar, audit, risk_score
from medlint.engine import Options
from medlint.finding import Finding
from medlint.formatters.csv import COLUMNS, render_csv
from medlint.formatters.report import render_report
from medlint.parsers import parse

from . import faults
from .conftest import EXAMPLES, run_cli
from .test_document import assert_round_trip

ISO = Options(isolated=True)

CLEAN = "# Visiting us\n\nOur office opens at nine on weekdays. Parking is free for all guests.\n"
PROMISE = ("# Drips\n\nOur herbal tonic is a miracle. It gives immediate relief to everyone who tries it, "
           "and the results are guaranteed.\n")
SHARED = ("Every membership includes a named nurse who reviews your weekly meal plan after every visit, "
          "a printed plan after each visit, and a phone line that is answered by a person on weekdays.")

# an exported page as a site builder writes it: furniture by tag, by role and by class
EXPORTED = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Weight care | Brightside</title></head>
<body class="page no-sidebar">
<header class="site-header"><a href="/">Brightside</a></header>
<div role="navigation"><a href="/">Home</a> <a href="/book/">Book</a></div>
<ul id="primary-menu" class="menu"><li><a href="/">Home</a></li><li><a href="/miracle/">Miracle results</a></li></ul>
<div class="cookie-notice">We use cookies. Our miracle cookies are guaranteed.</div>
<nav class="breadcrumbs"><a href="/">Home</a> &rsaquo; Weight care</nav>
<div class="content-sidebar-wrap"><main id="main">
<h1>Weight care</h1>
<p>Our program is a miracle for busy people &mdash; results are guaranteed.</p>
<ul class="treatment-menu"><li>Semaglutide visits: a miracle in a syringe, $199 a month.</li></ul>
</main>
<div class="sidebar"><p>Popular: <a href="/sleep/">Sleep support</a> <a href="/skin/">Skin</a></p></div>
</div>
<footer class="site-footer"><p>Our miracle detox is guaranteed to work for everyone.</p></footer>
</body></html>
"""


def write_site(root: Path, pages: dict) -> Path:
    for name, text in pages.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            p.write_bytes(text)
        else:
            p.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def site(tmp_path):
    return write_site(tmp_path / "site", {
        "clean.md": CLEAN,
        "promise.md": PROMISE,
        "blog/a.md": f"# A\n\n{SHARED}\n\nOur tonic is a miracle.\n",
        "blog/b.md": f"# B\n\nSomething else entirely about opening hours and parking.\n\n{SHARED}\n",
        "exported.html": EXPORTED,
    })


def comparable(res) -> str:
    data = res.to_json()
    return json.dumps({k: data[k] for k in ("findings", "files", "errors", "duplicate_clusters")}, sort_keys=True)


# --- main content ----------------------------------------------------------------------------

def test_furniture_is_tagged_and_positions_stay_exact():
    doc = parse(EXPORTED, "exported.html")
    assert_round_trip(doc)  # tagging changes no text and no offset
    by_text = {b.text: b.container for b in doc.blocks}
    assert by_text["Brightside"] == "header"
    assert by_text["Home Book"] == "nav"  # role=navigation
    assert by_text["Miracle results"] == "nav"  # class "menu", all link text
    assert by_text["We use cookies. Our miracle cookies are guaranteed."] == "aside"  # class cookie-notice
    assert by_text["Home \u203a Weight care"] == "nav"  # breadcrumbs
    assert by_text["Our miracle detox is guaranteed to work for everyone."] == "footer"
    assert by_text["Popular: Sleep support Skin"] == "aside"  # class "sidebar", mostly links
    # prose is never hidden on a class-name guess
    assert by_text["Our program is a miracle for busy people \u2014 results are guaranteed."] is None
    assert by_text["Semaglutide visits: a miracle in a syringe, $199 a month."] is None  # treatment-menu
    assert by_text["Weight care"] is None


def test_audit_reports_main_content_only(tmp_path):
    write_site(tmp_path, {"exported.html": EXPORTED})
    main = audit([str(tmp_path)], ISO, jobs=1, cache=False)
    everything = audit([str(tmp_path)], ISO, jobs=1, cache=False, main_content=False)
    src = EXPORTED.splitlines()
    main_lines = {src[f.line - 1] for f in main.findings}
    all_lines = {src[f.line - 1] for f in everything.findings}
    assert all("<main" in ln or "<p>Our program" in ln or "treatment-menu" in ln for ln in main_lines), main_lines
    assert any("site-footer" in ln for ln in all_lines) and any("cookie" in ln for ln in all_lines)
    # the findings that remain are the same findings, at the same positions
    pos = lambda r: {(f.line, f.column, f.end_line, f.end_column, f.rule) for f in r.findings}  # noqa: E731
    assert pos(main) <= pos(everything)
    assert main.files[0].words < everything.files[0].words


def test_real_example_page_main_content():
    """examples/wellness-spa.html (our own page): its nav and footer give no finding in an
    audit, the main content gives the same findings as `medlint check`."""
    from medlint import lint_text
    path = EXAMPLES / "wellness-spa.html"
    text = path.read_text(encoding="utf-8")
    res = audit([str(path)], ISO, jobs=1, cache=False)
    lines = text.splitlines()
    nav = next(i for i, ln in enumerate(lines, 1) if "<nav>" in ln)
    foot = next(i for i, ln in enumerate(lines, 1) if "<footer>" in ln)
    assert res.findings and not [f for f in res.findings if f.line in (nav, foot)]
    checked = lint_text(text, str(path), isolated=True)
    key = lambda f: (f.line, f.column, f.end_line, f.end_column, f.code, f.message)  # noqa: E731
    assert {key(f) for f in res.findings} == {key(f) for f in checked if f.line not in (nav, foot)}
    for f, ex in zip(res.files[0].findings, res.excerpts[str(path)]):
        before, flagged, after = ex
        line = lines[f.line - 1]
        if f.end_line == f.line:  # the highlighted excerpt is exactly the flagged source text
            assert flagged == " ".join(line[f.column - 1:f.end_column - 1].split()) or \
                flagged == re.sub(r"\s+", " ", line[f.column - 1:f.end_column - 1])


# --- results, reports and exit codes ---------------------------------------------------------

def test_audit_result_and_clusters(site):
    res = audit([str(site)], ISO, jobs=1, cache=False)
    assert len(res.files) == 5 and not res.errors
    assert res.scores[str(site / "clean.md")] == 0
    assert res.scores[str(site / "promise.md")] > 0
    (cluster,) = res.clusters
    assert [m[0] for m in cluster["members"]] == [str(site / "blog/a.md"), str(site / "blog/b.md")]
    assert cluster["excerpt"] == SHARED
    s = res.summary()
    assert s["pages"] == 5 and s["findings"] == len(res.findings)
    assert sum(s["grade_histogram"].values()) == 5
    assert s["by_rule"]["exaggerated-claim"]["pages"] == 3


def test_risk_score_orders_pages():
    def f(rule, sev, cat):
        return Finding("p", 1, 1, 1, 2, "X", rule, cat, sev, "m")
    assert risk_score([]) == 0
    one_error = risk_score([f("missing-risk-disclosure", "error", "risk")])
    many_info = risk_score([f("long-sentence", "info", "readability")] * 100)
    assert one_error == 39 and risk_score([f("uncited-claim", "warning", "claims")]) == 18
    assert many_info < one_error  # repeats of a minor rule do not outrank one serious problem
    mixed = [f("missing-risk-disclosure", "error", "risk"), f("uncited-claim", "warning", "claims"),
             f("exaggerated-claim", "warning", "claims")]
    assert one_error < risk_score(mixed) <= 100


def test_cli_writes_html_csv_json(site, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    r = run_cli("audit", str(site), "--isolated", "-j", "2", "--report", str(out / "r.html"),
                "--csv", str(out / "f.csv"), "--json", str(out / "a.json"), cwd=str(tmp_path))
    assert r.returncode == 1, r.stderr
    assert "Audited 5 pages" in r.stdout and r.stderr == ""  # no progress bar when not a TTY
    data = json.loads((out / "a.json").read_text(encoding="utf-8"))
    assert data["kind"] == "audit" and len(data["files"]) == 5
    assert {f["path"] for f in data["files"]} == {str(p) for p in site.rglob("*") if p.is_file()}
    with open(out / "f.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert tuple(rows[0]) == COLUMNS == (
        "path", "line", "column", "end_line", "end_column", "code", "rule", "category", "severity",
        "message", "subject", "excerpt", "related", "page_risk_score")
    assert len(rows) - 1 == len(data["findings"])
    first = dict(zip(rows[0], rows[1]))
    assert first["path"] == data["findings"][0]["path"] and first["line"] == str(data["findings"][0]["line"])
    html = (out / "r.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "default-src 'none'" in html
    # self-contained: nothing is loaded from anywhere
    assert not re.search(r"""<(script|link|img|iframe)[^>]+(src|href)=""", html)
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)[^\s\"'<]+[\"'][^>]*>", html.split('id="audit-data"')[0])
    assert oct(os.stat(out / "r.html").st_mode & 0o777) != oct(0o600)  # shareable, like any new file


def test_exit_codes(tmp_path):
    clean = write_site(tmp_path / "clean", {"a.md": CLEAN})
    assert run_cli("audit", str(clean), "--isolated", "--no-cache", "-q").returncode == 0
    warn = write_site(tmp_path / "warn", {"a.md": PROMISE})
    assert run_cli("audit", str(warn), "--isolated", "--no-cache", "-q").returncode == 1
    r = run_cli("audit", str(warn), "--isolated", "--no-cache", "-q", "--fail-on", "error")
    assert r.returncode == 0
    bad = write_site(tmp_path / "bad", {"a.md": PROMISE, "b.md": b"caf\xe9 au lait\n"})
    r = run_cli("audit", str(bad), "--isolated", "--no-cache", "-q")
    assert r.returncode == 2 and "b.md: not valid UTF-8" in r.stderr


def test_report_escapes_page_text(tmp_path):
    nasty = ("# Tonic </script><script>alert(1)</script>\n\nOur <b>tonic</b> is a miracle & more "
             "</script><!-- x -->.\n")
    write_site(tmp_path, {"x<y>.md": nasty})
    res = audit([str(tmp_path)], ISO, jobs=1, cache=False)
    html = render_report(res)
    assert "<script>alert(1)" not in html and "<b>tonic" not in html
    assert html.count("</script>") == html.count("<script")  # only our own script elements close
    blob = re.search(r'<script id="audit-data" type="application/json">(.*?)</script>', html, re.S).group(1)
    data = json.loads(blob)
    assert data["pages"][0][0] == "x<y>.md"
    chunk = report_chunk(html, 0)
    assert any("</script>" in (f[8] + f[9] + f[10]) for f in chunk["findings"][0])


def report_chunk(html: str, n: int) -> dict:
    """The page details of chunk ``n`` of a report, decoded as the browser does."""
    import base64
    import zlib
    b64 = re.search(rf'<script type="application/octet-stream" id="chunk-{n}">(.*?)</script>', html).group(1)
    return json.loads(zlib.decompress(base64.b64decode(b64), -15))


def test_csv_neutralises_formulas(tmp_path):
    write_site(tmp_path, {"=cmd.md": "# =HYPERLINK(1)\n\n=SUM(A1) Our tonic is a miracle.\n"})
    res = audit([str(tmp_path)], ISO, jobs=1, cache=False)
    rows = list(csv.reader(io.StringIO(render_csv(res))))
    for row in rows[1:]:
        for cell in row:
            assert not cell or cell[0] not in "=+-@", row


# --- never lose a page ------------------------------------------------------------------------

@pytest.fixture
def faulty(tmp_path):
    """A rule pack with three injected faults (tests/faults.py): a rule that raises on pages
    saying RAISE-HERE, one that hangs on HANG-HERE, one that kills its process on KILL-HERE.
    Forked workers inherit the registered kind."""
    from medlint.registry import load_rules
    faults.install()
    pack = tmp_path / "pack"
    for code, (action, marker) in enumerate((("raise", "RAISE-HERE"), ("hang", "HANG-HERE"),
                                             ("kill", "KILL-HERE")), 901):
        faults.write_pack(pack, action, marker, code)
    load_rules.cache_clear()
    yield str(pack)
    load_rules.cache_clear()


def _failing_site(root: Path, n: int = 200, kill: bool = True) -> tuple[Path, dict]:
    """``n`` pages, 1% failing in each way; returns the site and {page name: expected error}."""
    pages, expected = {}, {}
    ways = [("unreadable", None), ("latin1", "not valid UTF-8 (byte 0xe9 on line 1)"),
            ("raise", "internal error in rule injected-raise (TST901): RuntimeError: injected failure"),
            ("hang", "timed out after 1 s while running rule injected-hang (TST902)")]
    if kill:
        ways.append(("kill", "the worker process linting this page died"))
    per_way = max(1, n // 100)
    failing = {}
    for w, (way, err) in enumerate(ways):
        for k in range(per_way):
            failing[7 + w * 37 + k * 101] = (way, err)
    for i in range(n):
        name = f"p{i:03d}.md"
        way, err = failing.get(i, (None, None))
        text = PROMISE.replace("tonic", f"tonic number {i}")
        if way == "latin1":
            pages[name] = b"Our caf\xe9 tonic is a miracle.\n"
        elif way in ("raise", "hang", "kill"):
            pages[name] = text + f"\n{way.upper()}-HERE\n"
        elif way != "unreadable":
            pages[name] = text
        if way:
            expected[name] = err
    write_site(root, pages)
    for name, err in expected.items():
        if err is None:  # a symbolic link to itself: os.stat and open fail (ELOOP)
            os.symlink(name, root / name)
            expected[name] = "cannot read: Too many levels of symbolic links"
    return root, expected


@pytest.mark.parametrize("jobs", [1, 2])
def test_every_page_accounted_for(tmp_path, faulty, jobs):
    """1% of the pages fail in each way; every page is in every report once, with its error."""
    if jobs == 2 and sys.platform != "linux":
        pytest.skip("relies on fork to inherit the injected kind")
    kill = jobs == 2  # a worker that dies: only possible with worker processes
    site, expected = _failing_site(tmp_path / "site", kill=kill)
    opts = Options(isolated=True, rules_dirs=[faulty], timeout=1)
    res = audit([str(site)], opts, jobs=jobs, cache=False)
    all_pages = sorted(str(site / p) for p in os.listdir(site))
    assert len(all_pages) == 200
    assert sorted(r.path for r in res.files) == all_pages
    failed = {os.path.basename(r.path): r.errors for r in res.failed}
    assert set(failed) == set(expected)
    for name, errors in failed.items():
        assert len(errors) == 1 and expected[name] in errors[0], (name, errors)
    # a page on which a rule crashed still has the other rules' findings; the others all do
    by_name = {os.path.basename(r.path): r for r in res.files}
    for name, r in by_name.items():
        if name not in failed or "injected-raise" in failed[name][0]:
            assert any(f.rule == "exaggerated-claim" for f in r.findings), name
    # ... and every page, with its errors, is in each report exactly once
    html = render_report(res)
    data = json.loads(re.search(r'id="audit-data" type="application/json">(.*?)</script>', html, re.S).group(1))
    assert sorted(p[0] for p in data["pages"]) == sorted(os.listdir(site))
    assert {p[0]: p[8] for p in data["pages"] if p[7]} == failed
    rows = list(csv.DictReader(io.StringIO(render_csv(res))))
    errors = [(os.path.basename(r["path"]), r["message"]) for r in rows if r["rule"] == "page-error"]
    assert sorted(errors) == sorted((k, v[0]) for k, v in failed.items())
    assert {os.path.basename(r["path"]) for r in rows} == set(os.listdir(site))
    out = io.StringIO()
    res.write_json(out)
    files = json.loads(out.getvalue())["files"]
    assert sorted(f["path"] for f in files) == all_pages
    assert {os.path.basename(f["path"]): f["errors"] for f in files if f["failed"]} == failed


def test_failed_pages_are_not_cached(tmp_path, faulty):
    site, expected = _failing_site(tmp_path / "site", n=100, kill=False)
    opts = Options(isolated=True, rules_dirs=[faulty], timeout=1)
    cache = str(tmp_path / "cache")
    audit([str(site)], opts, jobs=1, cache_dir=cache)
    again = audit([str(site)], opts, jobs=1, cache_dir=cache)
    assert again.cached == 100 - len(expected) and len(again.failed) == len(expected)


# --- cache ------------------------------------------------------------------------------------

def test_cache_skips_unchanged_pages(site, tmp_path, monkeypatch):
    import medlint.audit as audit_mod
    cache = str(tmp_path / "cache")
    first = audit([str(site)], ISO, jobs=1, cache_dir=cache)
    assert first.cached == 0
    assert (tmp_path / "cache" / "CACHEDIR.TAG").exists()
    linted = []
    real = audit_mod._run_local
    monkeypatch.setattr(audit_mod, "_run_local",
                        lambda files, *a, **k: (linted.extend(files), real(files, *a, **k))[1])
    second = audit([str(site)], ISO, jobs=1, cache_dir=cache)
    assert second.cached == 5 and linted == []
    assert comparable(second) == comparable(first)  # cross-page duplicates come back too
    (site / "promise.md").write_text(PROMISE + "\nIt is a breakthrough.\n", encoding="utf-8")
    third = audit([str(site)], ISO, jobs=1, cache_dir=cache)
    assert third.cached == 4 and linted == [str(site / "promise.md")]
    linted.clear()
    other_rules = audit([str(site)], Options(isolated=True, ignore=["jargon"]), jobs=1, cache_dir=cache)
    assert other_rules.cached == 0 and len(linted) == 5
    linted.clear()
    off = audit([str(site)], ISO, jobs=1, cache=False, cache_dir=cache)
    assert off.cached == 0 and len(linted) == 5


def test_cache_key_follows_config_and_rule_packs(tmp_path):
    site = write_site(tmp_path / "site", {"a.md": PROMISE})
    cache = str(tmp_path / "cache")
    (site / "medlint.toml").write_text('ignore = ["jargon"]\n', encoding="utf-8")
    assert audit([str(site)], Options(), jobs=1, cache_dir=cache).cached == 0
    assert audit([str(site)], Options(), jobs=1, cache_dir=cache).cached == 1
    (site / "medlint.toml").write_text('ignore = ["long-sentence"]\n', encoding="utf-8")
    from medlint.config import clear_cache
    clear_cache()
    assert audit([str(site)], Options(), jobs=1, cache_dir=cache).cached == 0


def test_cli_no_cache_and_corrupt_cache(site, tmp_path):
    r = run_cli("audit", str(site), "--isolated", "-q", "--cache-dir", str(tmp_path / "c"))
    assert r.returncode == 1
    r = run_cli("audit", str(site), "--isolated", "--top", "0", "--cache-dir", str(tmp_path / "c"))
    assert "all from the cache" in r.stdout
    r = run_cli("audit", str(site), "--isolated", "--top", "0", "--no-cache", "--cache-dir", str(tmp_path / "c"))
    assert "cache" not in r.stdout
    (tmp_path / "c" / "audit.sqlite3").write_bytes(b"this is not a database" * 100)
    r = run_cli("audit", str(site), "--isolated", "--top", "0", "--cache-dir", str(tmp_path / "c"))
    assert r.returncode == 1 and "Audited 5 pages" in r.stdout, r.stderr


def test_unusable_cache_directory_is_not_fatal(site, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    res = audit([str(site)], ISO, jobs=1, cache_dir=str(blocker / "cache"))
    assert len(res.files) == 5 and not res.errors and res.cached == 0


# --- Ctrl-C -----------------------------------------------------------------------------------

def test_interrupt_leaves_no_report(tmp_path):
    para = " ".join(["Our clinic team reviews your weekly meal plan with you after every visit."] * 12)
    write_site(tmp_path / "site", {f"p{i:03d}.md": f"# Page {i}\n\n{para}\n\n{para}\n\n{para} {i}\n"
                                   for i in range(400)})
    report = tmp_path / "out" / "report.html"
    report.parent.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "medlint", "audit", str(tmp_path / "site"), "--isolated",
                             "--no-cache", "-j", "2", "--report", str(report), "--csv", str(tmp_path / "out" / "f.csv")],
                            cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True,
                            # a test run started in the background inherits SIGINT ignored
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(6)  # started, workers busy
    assert proc.poll() is None, "the audit finished before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole process group
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert list((tmp_path / "out").iterdir()) == []  # no report, no CSV, no temporary file


# --- SIGKILL, then the same audit again -------------------------------------------------------

def _comparable_reports(out: Path) -> tuple:
    """The reports of a run without what says when and how it ran."""
    data = json.loads((out / "a.json").read_text(encoding="utf-8"))
    for k in ("seconds", "executor", "cached_pages"):
        data["summary"].pop(k)
    data.pop("started")
    html = re.sub(r'<div class="meta">.*?</div>', "", (out / "a.html").read_text(encoding="utf-8"), count=1)
    return data, (out / "a.csv").read_bytes(), html


def test_a_killed_audit_resumes_without_linting_finished_pages_again(tmp_path):
    import sqlite3
    para = " ".join(["Our clinic team reviews your weekly meal plan with you after every visit."] * 8)
    site = write_site(tmp_path / "site", {f"p{i:03d}.md": f"# Page {i}\n\n{para} {i}\n\n{PROMISE}\n"
                                          for i in range(240)})

    def cmd(out, *extra):
        out.mkdir()
        return [sys.executable, "-m", "medlint", "audit", str(site), "--isolated", "-j", "1", "-q",
                "--json", str(out / "a.json"), "--csv", str(out / "a.csv"), "--report", str(out / "a.html"),
                *extra]
    whole = subprocess.run(cmd(tmp_path / "whole", "--no-cache"), capture_output=True, text=True)
    assert whole.returncode == 1, whole.stderr
    cache = tmp_path / "cache"
    proc = subprocess.Popen(cmd(tmp_path / "killed", "--cache-dir", str(cache)), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    db = cache / "audit.sqlite3"
    end = time.monotonic() + 120
    done = 0
    while time.monotonic() < end and proc.poll() is None:
        if db.exists():
            try:
                with sqlite3.connect(str(db), timeout=1) as c:
                    done = c.execute("SELECT count(*) FROM entries").fetchone()[0]
            except sqlite3.Error:
                pass
        if done >= 60:
            break
        time.sleep(0.02)
    assert proc.poll() is None and done >= 60, "the audit finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)  # no clean-up, no flush: as if the power went
    proc.wait()
    with sqlite3.connect(str(db)) as c:
        kept = c.execute("SELECT count(*) FROM entries").fetchone()[0]
    assert 60 <= kept < 240
    assert list((tmp_path / "killed").iterdir()) == []  # no half-written report
    again = subprocess.run(cmd(tmp_path / "again", "--cache-dir", str(cache)), capture_output=True, text=True)
    assert again.returncode == 1, again.stderr
    summary = json.loads((tmp_path / "again" / "a.json").read_text(encoding="utf-8"))["summary"]
    assert summary["cached_pages"] == kept  # every page finished before the kill, none linted again
    assert _comparable_reports(tmp_path / "again") == _comparable_reports(tmp_path / "whole")


# --- progress ---------------------------------------------------------------------------------

def test_progress_bar_only_on_a_terminal():
    buf = io.StringIO()
    bar = ProgressBar(buf)  # StringIO is not a TTY
    bar(1, 10)
    bar(10, 10)
    bar.close()
    assert buf.getvalue() == ""
    buf = io.StringIO()
    bar = ProgressBar(buf, enabled=True)
    bar(5, 10)
    bar(10, 10)
    bar.close()
    text = buf.getvalue()
    assert "\r" in text and "10/10 pages" in text and text.endswith("\n")


def test_cli_progress_bar_on_a_terminal(site):
    """With standard error on a terminal (a pseudo-terminal here) the bar is drawn there;
    standard output (the summary) is untouched by it."""
    import pty
    master, slave = pty.openpty()
    try:
        proc = subprocess.run([sys.executable, "-m", "medlint", "audit", str(site), "--isolated", "--no-cache",
                               "-j", "1", "--top", "0"], stdout=subprocess.PIPE, stderr=slave, text=True,
                              timeout=120)
        os.close(slave)
        slave = None
        err = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the terminal's other end is closed
                break
            if not chunk:
                break
            err += chunk
    finally:
        if slave is not None:
            os.close(slave)
        os.close(master)
    assert proc.returncode == 1
    assert "\r" in err.decode() and "5/5 pages" in err.decode()
    assert "pages" in proc.stdout and "\r" not in proc.stdout


# --- Dask -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def dask_cluster():
    distributed = pytest.importorskip("distributed", reason="Dask is not installed (pip install 'medlint[dask]')")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address="127.0.0.1:0", silence_logs=40) as cluster:
        with distributed.Client(cluster, set_as_default=False) as client:
            yield cluster, client


def test_dask_local_cluster_gives_identical_results(tmp_path, dask_cluster):
    cluster, client = dask_cluster
    assert len(client.nthreads()) == 2
    site = write_site(tmp_path / "site", {
        **{f"p{i}.md": PROMISE.replace("tonic", f"tonic {i}") + f"\n{SHARED}\n" for i in range(12)},
        "exported.html": EXPORTED, "latin1.md": b"caf\xe9\n", "clean.md": CLEAN})
    local = audit([str(site)], ISO, jobs=1, cache=False)
    on_dask = audit([str(site)], ISO, scheduler=client, cache=False, batch_size=3)
    assert on_dask.executor.startswith("Dask")
    assert comparable(on_dask) == comparable(local)
    assert len(on_dask.failed) == 1 and on_dask.clusters
    # the command line, given the scheduler's address
    out = tmp_path / "dask.json"
    r = run_cli("audit", str(site), "--isolated", "--no-cache", "--scheduler", cluster.scheduler_address,
                "--json", str(out), "-q")
    assert r.returncode == 2, r.stderr  # latin1.md failed
    data = json.loads(out.read_text(encoding="utf-8"))
    assert json.dumps(data["findings"]) == json.dumps(local.to_json()["findings"])
    assert data["summary"]["executor"].startswith("Dask tcp://127.0.0.1:")


def test_dask_unreachable_scheduler_is_a_clear_error(tmp_path):
    pytest.importorskip("distributed")
    site = write_site(tmp_path / "site", {"a.md": CLEAN})
    r = run_cli("audit", str(site), "--isolated", "--no-cache", "--scheduler", "tcp://127.0.0.1:9", "-q",
                env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "3s"})
    assert r.returncode == 2 and "cannot connect to the Dask scheduler at tcp://127.0.0.1:9" in r.stderr
