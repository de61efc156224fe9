"""The audit report: one self-contained HTML file.

Everything is inline: CSS, JavaScript, the chart (SVG) and the data (the pages table as
JSON in a ``<script type="application/json">`` element; each page's findings in compressed
chunks, see ``CHUNK_PAGES``). A Content-Security-Policy meta tag forbids
any network access at view time. Text from pages, paths and messages is escaped: static
parts with :func:`html.escape`, the JSON with ``<``, ``>`` and ``&`` as ``\\u`` escapes, and
the script builds the table and page views with ``textContent`` only (never ``innerHTML``
with data), so copy containing markup or ``</script>`` shows as text.

Sections: summary (pages, words, findings by severity and rule, reading-grade chart), the
pages table (sortable by clicking a column, filterable by path, rule, severity and status),
a page view per page (``#page=N``: each finding with its line, the highlighted excerpt and
the rule's explanation; a failed page shows its errors), the cross-page duplicate clusters
and the rules that fired.
"""
from __future__ import annotations

import html
import json
import math

from .. import __version__

SEVERITY_ORDER = ("error", "warning", "info")


def _clean(s) -> str:
    """Text safe to encode as UTF-8 (file names may carry undecodable bytes)."""
    return str(s).encode("utf-8", "replace").decode("utf-8")


def esc(s) -> str:
    return html.escape(_clean(s), quote=True)


def _json_for_script(data) -> str:
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# Page details (findings, excerpts) are embedded in chunks of CHUNK_PAGES pages, each
# compressed (raw DEFLATE, base64) in an inert <script type="application/octet-stream">
# element; the browser inflates a chunk (DecompressionStream) the first time one of its
# pages is opened. The summary and the pages table need none of them, so a 100,000-page
# report opens as fast as the table can be drawn, and stays one file to share.
CHUNK_PAGES = 100


def _rules(result):
    rules = list(result.rules)
    rule_idx = {r.name: i for i, r in enumerate(rules)}
    used = {k[0] for r in result.files for k in r.stats}
    extra = []  # a finding of a rule not in the rule list (should not happen): still shown
    for name in sorted(used - set(rule_idx)):
        rule_idx[name] = len(rules) + len(extra)
        extra.append(name)
    rows = [[r.code, r.name, r.category, r.severity, _clean(r.description), _clean(r.why),
             [_clean(x) for x in r.references]] for r in rules]
    rows += [["", name, "", "", "", "", []] for name in extra]
    return rule_idx, rows


def _data(result, rule_idx, rule_rows) -> dict:
    """What the page needs at once: the pages table and the rules."""
    sev_idx = {s: i for i, s in enumerate(SEVERITY_ORDER)}
    pages = []
    for r in result.files:
        counts = [0, 0, 0]
        rules_on = set()
        for k, n in r.stats.items():  # k: (rule, code, category, severity, fixable)
            counts[sev_idx.get(k[3], 2)] += n
            rules_on.add(rule_idx[k[0]])
        grade = (r.readability or {}).get("flesch_kincaid_grade")
        pages.append([_clean(result.display_path(r.path)), result.scores.get(r.path), r.words,
                      round(grade, 1) if grade is not None else None, *counts, bool(r.errors),
                      [_clean(e) for e in r.errors], sum(counts), sorted(rules_on)])
    return {"pages": pages, "rules": rule_rows, "chunk": CHUNK_PAGES}


def _chunks(result, rule_idx):
    """(number, base64 of the compressed JSON) for each chunk of CHUNK_PAGES pages: per page
    its findings, each [line, column, end line, end column, rule, severity, message,
    subject, before, flagged, after, related], messages in the chunk's string table."""
    sev_idx = {s: i for i, s in enumerate(SEVERITY_ORDER)}
    page_idx = {r.path: i for i, r in enumerate(result.files)}
    files = result.files
    for n, start in enumerate(range(0, len(files), CHUNK_PAGES)):
        strings: dict[str, int] = {}  # messages repeat a lot: each is stored once

        def intern(text: str) -> int:
            return strings.setdefault(_clean(text), len(strings))
        findings = []
        for r in files[start:start + CHUNK_PAGES]:
            fs = r.findings
            exs = (result.excerpts.get(r.path) if result.excerpts is not None and fs else None) or []
            fl = []
            for i, f in enumerate(fs):
                ex = exs[i] if i < len(exs) else None
                rel = [[_clean(result.display_path(x.path)), x.line, x.column, intern(x.message),
                        page_idx.get(x.path, -1)] for x in f.related]
                fl.append([f.line, f.column, f.end_line, f.end_column, rule_idx.get(f.rule, -1),
                           sev_idx.get(f.severity, 2), intern(f.message), _clean(f.subject or ""),
                           *([_clean(t) for t in ex] if ex else ["", "", ""]), rel])
            findings.append(fl)
        yield n, _deflate({"findings": findings, "strings": list(strings)})


def _deflate(data) -> str:
    """base64 of the raw-DEFLATE-compressed JSON of ``data`` (inflated by the page's script)."""
    return _deflate_items([data], array=False)


def _deflate_items(items, array: bool = True) -> str:
    """Like :func:`_deflate`, for a JSON array written item by item (never all in memory as text)."""
    import base64
    import zlib
    co = zlib.compressobj(6, zlib.DEFLATED, -15)
    out = [co.compress(b"[")] if array else []
    for n, item in enumerate(items):
        raw = json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        out.append(co.compress((b"," if n and array else b"") + raw))
    if array:
        out.append(co.compress(b"]"))
    out.append(co.flush())
    return base64.b64encode(b"".join(out)).decode("ascii")


def _claim_rows(register):
    """The register's rows for the script, one at a time: [status, kind, treatments, claim,
    citation, codes, pages, [[path, line, column], ...]]."""
    for c in register.rows():
        yield [c["status"], c["kind"], "; ".join(_clean(t) for t in c["treatment"]), _clean(c["claim"]),
               _clean(c["citation"] or ""), " ".join(c["codes"]), c["pages"],
               [[_clean(o["path"]), o["line"], o["column"]] for o in c["occurrences"]]]


def _claims_section(register) -> str:
    from ..register import STATUSES
    s = register.summary()
    counts = ", ".join(f"{n:,} {k}" for k, n in s["by_status"].items() if n)
    intro = (f"{s['claims']:,} distinct claims ({counts}) made {s['occurrences']:,} times on {s['pages']:,} "
             f"pages. Identical claims on several pages are one row: approve a claim once."
             if len(register) else "No claims were found.")
    opts = "".join(f'<option value="{esc(x)}">{esc(x)}</option>' for x in STATUSES)
    return ('<section id="claims" class="main-view"><h2>Claims</h2>'
            f'<p class="muted">{esc(intro)} The same register as <code>medlint claims</code>: each efficacy, '
            'safety or exaggerated claim and each vague attribution, with the citation found for it.</p>'
            '<div class="filters"><input type="search" id="c-text" placeholder="Filter by claim or page" '
            'aria-label="Filter claims by text or page">'
            f'<select id="c-status" aria-label="Claim status"><option value="">any status</option>{opts}</select>'
            '<select id="c-treat" aria-label="Treatment"><option value="">any treatment</option></select>'
            '<span id="c-count"></span></div>'
            '<table id="claims-table"><thead><tr><th data-key="status">Status</th><th data-key="kind">Kind</th>'
            '<th data-key="treatment">Treatment</th><th data-key="claim">Claim</th>'
            '<th data-key="citation">Citation</th><th>Findings</th><th data-key="pages" class="num">Pages</th>'
            '<th>Where</th></tr></thead><tbody id="claims-body"></tbody></table>'
            '<p><button id="c-more" type="button" hidden>Show more claims</button></p></section>')


def _grade_chart(hist: dict, target: float | None) -> str:
    """Inline SVG bar chart of pages per reading grade."""
    labels = list(hist)
    counts = [hist[k] for k in labels]
    w, h, left, bottom, top = 640, 240, 44, 36, 16
    n = len(labels)
    bw = (w - left - 10) / n
    top_count = max(counts) if any(counts) else 1
    step = 10 ** max(0, int(math.log10(top_count))) if top_count >= 10 else 1
    ymax = max(step, int(math.ceil(top_count / step) * step))
    scale = (h - bottom - top) / ymax
    parts = [f'<svg class="chart" viewBox="0 0 {w} {h}" role="img" '
             f'aria-label="Pages per Flesch-Kincaid reading grade" xmlns="http://www.w3.org/2000/svg">']
    for t in range(0, ymax + 1, max(1, ymax // 4)):
        y = h - bottom - t * scale
        parts.append(f'<line x1="{left}" x2="{w - 6}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="axis">{t}</text>')
    for i, (lab, c) in enumerate(zip(labels, counts)):
        x = left + i * bw + 3
        bh = c * scale
        y = h - bottom - bh
        try:
            g = 5 if lab.startswith("\u2264") else 16 if lab.endswith("+") else int(lab)
        except ValueError:
            g = 0
        cls = "bar over" if target is not None and g > target else "bar"
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bw - 6:.1f}" height="{bh:.1f}" class="{cls}">'
                     f'<title>grade {esc(lab)}: {c} page{"s" if c != 1 else ""}</title></rect>')
        if c:
            parts.append(f'<text x="{x + (bw - 6) / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" '
                         f'class="count">{c}</text>')
        parts.append(f'<text x="{x + (bw - 6) / 2:.1f}" y="{h - bottom + 16}" text-anchor="middle" '
                     f'class="axis">{esc(lab)}</text>')
    parts.append(f'<text x="{left + (w - left) / 2:.1f}" y="{h - 4}" text-anchor="middle" class="axis">'
                 f'Flesch-Kincaid grade of the page (pages per grade)</text></svg>')
    return "".join(parts)


def _target_grade(result):
    for r in result.rules:
        if r.name == "readability-grade":
            t = r.params.get("target-grade")
            return t if isinstance(t, (int, float)) else None
    return None


def _score_doc() -> str:
    from ..audit import CATEGORY_WEIGHT, OTHER_CATEGORY_WEIGHT, RISK_SCALE, SEVERITY_POINTS
    sev = ", ".join(f"{k} {v:g}" for k, v in SEVERITY_POINTS.items())
    cat = ", ".join(f"{k} {v:g}" for k, v in CATEGORY_WEIGHT.items())
    return (f"<p>Each rule that fires on a page adds <code>w &times; (1 + ln n)</code> points: "
            f"<code>n</code> is its number of findings on the page and <code>w</code> its severity "
            f"points ({esc(sev)}) times its category weight ({esc(cat)}; other categories "
            f"{OTHER_CATEGORY_WEIGHT:g}). The score is <code>100 &times; (1 &minus; e<sup>&minus;points/"
            f"{RISK_SCALE:g}</sup>)</code>, rounded: 0 is clean and the score approaches 100 as "
            f"problems add up. One missing risk disclosure scores 39, one uncited claim 18. Many "
            f"kinds of serious problems outrank many repeats of one minor one. A page that failed "
            f"is shown as <b>failed</b> and sorts above every score.</p>")


CSS = """
:root{--fg:#1d2330;--muted:#5b6475;--line:#dde2ea;--bg:#f6f7f9;--card:#fff;--err:#b42318;--warn:#b54708;
--info:#175cd3;--ok:#067647;--mark:#fde68a}
*{box-sizing:border-box}body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
color:var(--fg);background:var(--bg)}header.top{background:#111827;color:#fff;padding:14px 24px}
header.top h1{margin:0;font-size:20px}header.top .meta{color:#cbd5e1;font-size:12px}
nav.tabs{display:flex;gap:4px;padding:0 24px;background:#1f2937}nav.tabs a{color:#e5e7eb;padding:8px 12px;
text-decoration:none;font-size:13px}nav.tabs a:hover{background:#374151}
main{padding:16px 24px;max-width:1400px;margin:0 auto}section{background:var(--card);border:1px solid var(--line);
border-radius:8px;padding:16px 20px;margin:0 0 16px}h2{margin:0 0 12px;font-size:17px}h3{font-size:15px;margin:16px 0 8px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin-bottom:12px}.card{border:1px solid var(--line);border-radius:8px;
padding:10px 14px;min-width:130px}.card .n{font-size:22px;font-weight:600}.card .l{color:var(--muted);font-size:12px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);
vertical-align:top}th{background:#f1f3f7;font-weight:600;font-size:12px;white-space:nowrap}td.num,th.num{text-align:right}
#pages-table th[data-key]{cursor:pointer;user-select:none}#pages-table th[aria-sort=ascending]::after{content:" \\25B2"}
#pages-table th[aria-sort=descending]::after{content:" \\25BC"}#pages-table tbody tr:hover{background:#f8fafc}
.path{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px;word-break:break-all}
.score{display:inline-block;min-width:38px;text-align:center;border-radius:10px;padding:1px 6px;font-weight:600;font-size:12px}
.s-high{background:#fee4e2;color:var(--err)}.s-med{background:#fef0c7;color:var(--warn)}.s-low{background:#fef7c3;color:#854a0e}
.s-min{background:#ecfdf3;color:var(--ok)}.s-fail{background:var(--err);color:#fff}
.sev{display:inline-block;border-radius:4px;padding:0 6px;font-size:11px;font-weight:600;text-transform:uppercase}
.sev-error{background:#fee4e2;color:var(--err)}.sev-warning{background:#fef0c7;color:var(--warn)}.sev-info{background:#d1e9ff;color:var(--info)}
.filters{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin-bottom:10px}
.filters input,.filters select{font:inherit;padding:4px 6px;border:1px solid #c5ccd8;border-radius:6px}
.filters input[type=search]{min-width:260px}#count{color:var(--muted);margin-left:auto}
button{font:inherit;padding:4px 10px;border:1px solid #c5ccd8;border-radius:6px;background:#fff;cursor:pointer}
.finding{border:1px solid var(--line);border-left:4px solid var(--info);border-radius:6px;padding:8px 12px;margin:0 0 10px}
.finding.f-error{border-left-color:var(--err)}.finding.f-warning{border-left-color:var(--warn)}
.finding .head{display:flex;gap:8px;align-items:center;flex-wrap:wrap;font-size:13px}.finding .loc{font-weight:600}
.finding .msg{margin:6px 0}.excerpt{background:#f8fafc;border:1px solid var(--line);border-radius:4px;padding:6px 8px;
font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px;white-space:pre-wrap;word-break:break-word;margin:6px 0}
mark{background:var(--mark);padding:0 1px;border-radius:2px}.errors{background:#fef3f2;border:1px solid #fecdca;
color:var(--err);border-radius:6px;padding:8px 12px;margin:8px 0}.muted{color:var(--muted)}details summary{cursor:pointer;color:var(--info)}
.chart{max-width:680px;width:100%;height:auto}.chart .bar{fill:#3b82f6}.chart .bar.over{fill:#f79009}.chart .grid{stroke:#e5e7eb}
.chart .axis{font-size:11px;fill:#475467}.chart .count{font-size:11px;fill:#1d2330}
.legend{font-size:12px;color:var(--muted)}.legend i{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px}
.cluster{border-top:1px solid var(--line);padding:8px 0}.cluster ul{margin:4px 0 0 18px;padding:0}
#claims-table th[data-key]{cursor:pointer;user-select:none}#claims-table th[aria-sort=ascending]::after{content:" \\25B2"}
#claims-table th[aria-sort=descending]::after{content:" \\25BC"}#claims-table td.cite{word-break:break-all;max-width:280px}#claims-table td:last-child .path{word-break:normal;white-space:nowrap}
.status{font-size:12px;padding:1px 6px;border-radius:8px;white-space:nowrap;background:#eef2f6}.st-uncited{background:#fee4e2}
.st-vague,.st-broken{background:#fef0c7}.st-cited{background:#dcfae6}
a{color:#1849a9}h2.path{font-size:16px}#page-view[hidden],.hidden{display:none}
"""

JS = r"""
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("audit-data").textContent);
  var SEV = ["error", "warning", "info"];
  var STEP = 250;
  var pages = D.pages.map(function (p, i) {
    return {i: i, path: p[0], score: p[1], words: p[2], grade: p[3], e: p[4], w: p[5], n: p[6],
            failed: p[7], errors: p[8], total: p[9], rules: p[10]};
  });
  var state = {key: "score", dir: -1, shown: STEP};
  function $(id) { return document.getElementById(id); }
  function el(tag, attrs) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (k === "text") e.textContent = attrs[k];
      else if (k === "cls") e.className = attrs[k];
      else e.setAttribute(k, attrs[k]);
    });
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined) continue;
      e.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }
  function scoreBadge(p) {
    if (p.failed) return el("span", {cls: "score s-fail", title: "a part of this page could not be checked", text: "failed"});
    var s = p.score, c = s >= 70 ? "s-high" : s >= 40 ? "s-med" : s >= 15 ? "s-low" : "s-min";
    return el("span", {cls: "score " + c, text: String(s)});
  }
  function sortValue(p, key) {
    if (key === "score") return p.failed ? 1000 + (p.score || 0) : (p.score || 0);
    var v = p[key];
    return v === null || v === undefined ? -Infinity : v;
  }
  function compare(a, b) {
    var x = sortValue(a, state.key), y = sortValue(b, state.key), r;
    if (typeof x === "string") r = x.localeCompare(y); else r = x < y ? -1 : x > y ? 1 : 0;
    return r * state.dir || a.path.localeCompare(b.path);
  }
  function filtered() {
    var q = $("f-text").value.trim().toLowerCase(), rule = $("f-rule").value,
        sev = $("f-sev").value, status = $("f-status").value, min = parseFloat($("f-min").value);
    return pages.filter(function (p) {
      if (q && p.path.toLowerCase().indexOf(q) < 0) return false;
      if (rule !== "" && p.rules.indexOf(+rule) < 0) return false;
      if (sev !== "" && !p[{error: "e", warning: "w", info: "n"}[sev]]) return false;
      if (status === "failed" && !p.failed) return false;
      if (status === "findings" && !p.total) return false;
      if (status === "clean" && (p.total || p.failed)) return false;
      if (!isNaN(min) && !p.failed && (p.score || 0) < min) return false;
      return true;
    });
  }
  function row(p) {
    var link = el("a", {href: "#page=" + p.i, cls: "path", text: p.path});
    return el("tr", {"data-page": String(p.i)},
      el("td", null, scoreBadge(p)), el("td", null, link),
      el("td", {cls: "num", text: String(p.total)}), el("td", {cls: "num", text: String(p.e)}),
      el("td", {cls: "num", text: String(p.w)}), el("td", {cls: "num", text: String(p.n)}),
      el("td", {cls: "num", text: p.words.toLocaleString("en-US")}),
      el("td", {cls: "num", text: p.grade === null ? "\u2013" : p.grade.toFixed(1)}),
      el("td", {text: p.failed ? p.errors.length + " error" + (p.errors.length > 1 ? "s" : "") : "ok"}));
  }
  // a sortable, filterable table drawn STEP rows at a time (the pages, the claims)
  function table(o) {
    var st = o.state;
    function draw() {
      var rows = o.rows(), body = $(o.body);
      while (body.firstChild) body.removeChild(body.firstChild);
      rows.slice(0, st.shown).forEach(function (x) { body.appendChild(o.row(x)); });
      $(o.count).textContent = "Showing " + Math.min(rows.length, st.shown) + " of " + rows.length +
        " matching " + o.noun + " (" + o.total() + " in all)";
      $(o.more).hidden = rows.length <= st.shown;
      Array.prototype.forEach.call(document.querySelectorAll("#" + o.id + " th[data-key]"), function (th) {
        th.setAttribute("aria-sort", th.getAttribute("data-key") === st.key ? (st.dir > 0 ? "ascending" : "descending") : "none");
      });
    }
    function redraw() { st.shown = STEP; draw(); }
    $(o.more).addEventListener("click", function () { st.shown += STEP; draw(); });
    Array.prototype.forEach.call(document.querySelectorAll("#" + o.id + " th[data-key]"), function (th) {
      th.addEventListener("click", function () {
        var k = th.getAttribute("data-key");
        if (st.key === k) st.dir = -st.dir;
        else { st.key = k; st.dir = o.firstDir(k); }
        draw();
      });
    });
    o.inputs.forEach(function (id) { $(id).addEventListener("input", redraw); });
    o.selects.forEach(function (id) { $(id).addEventListener("change", redraw); });
    return {draw: draw, redraw: redraw};
  }
  var pagesTable = table({id: "pages-table", body: "pages-body", count: "count", more: "more", noun: "pages",
    state: state, rows: function () { return filtered().sort(compare); }, row: row,
    total: function () { return pages.length; }, firstDir: function (k) { return k === "path" ? 1 : -1; },
    inputs: ["f-text", "f-min"], selects: ["f-rule", "f-sev", "f-status"]});
  function render() { pagesTable.draw(); }
  function rerender() { pagesTable.redraw(); }
  var ruleSel = $("f-rule");
  D.rules.forEach(function (r, i) {
    ruleSel.appendChild(el("option", {value: String(i), text: (r[0] ? r[0] + " " : "") + r[1]}));
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-rule-filter]"), function (a) {
    a.addEventListener("click", function () {
      $("f-rule").value = a.getAttribute("data-rule-filter"); rerender();
    });
  });

  function explanation(r) {
    var d = el("details", {cls: "why"}, el("summary", {text: "About " + (r[0] ? r[0] + " " : "") + r[1]}));
    if (r[4]) d.appendChild(el("p", null, el("b", {text: "What it flags. "}), r[4]));
    if (r[5]) d.appendChild(el("p", null, el("b", {text: "Why it matters. "}), r[5]));
    if (r[6] && r[6].length) {
      var ul = el("ul");
      r[6].forEach(function (x) { ul.appendChild(el("li", {text: x})); });
      d.appendChild(el("div", null, el("b", {text: "References"}), ul));
    }
    return d;
  }
  function showPage(i) {
    var p = pages[i];
    if (!p) { showMain(); return; }
    document.querySelectorAll(".main-view").forEach(function (s) { s.classList.add("hidden"); });
    var v = $("page-view");
    while (v.firstChild) v.removeChild(v.firstChild);
    v.appendChild(el("p", null, el("a", {href: "#pages", text: "\u2190 All pages"})));
    v.appendChild(el("h2", {cls: "path", text: p.path}));
    v.appendChild(el("p", {cls: "muted"}, "Risk score ", scoreBadge(p), " \u00b7 " + p.total + " finding" +
      (p.total === 1 ? "" : "s") + " \u00b7 " + p.words.toLocaleString("en-US") + " words \u00b7 reading grade " +
      (p.grade === null ? "\u2013" : p.grade.toFixed(1))));
    if (p.failed) {
      var box = el("div", {cls: "errors"}, el("b", {text: "This page could not be fully checked:"}));
      var ul = el("ul");
      p.errors.forEach(function (e) { ul.appendChild(el("li", {text: e})); });
      box.appendChild(ul);
      v.appendChild(box);
    }
    var list = el("div", {id: "findings"});
    v.appendChild(list);
    v.hidden = false;
    window.scrollTo(0, 0);
    list.appendChild(el("p", {cls: "muted", text: "Loading\u2026"}));
    chunk(Math.floor(i / D.chunk)).then(function (C) {
      if (location.hash !== "#page=" + i) return;  // another page was opened meanwhile
      list.removeChild(list.firstChild);
      showFindings(list, i, C.findings[i % D.chunk], C.strings);
    }, function (err) {
      list.firstChild.textContent = "The details of this page could not be read: " + err +
        " (a browser that supports DecompressionStream is needed).";
    });
  }
  var chunks = {};
  var parsed = new Promise(function (resolve) {  // the chunks follow this script in the file
    if (document.readyState !== "loading") resolve();
    else document.addEventListener("DOMContentLoaded", resolve);
  });
  function inflate(id) {  // the JSON compressed in the inert script element with this id
    return parsed.then(function () {
      var b = atob(document.getElementById(id).textContent), bytes = new Uint8Array(b.length);
      for (var k = 0; k < b.length; k++) bytes[k] = b.charCodeAt(k);
      var s = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
      return new Response(s).text().then(JSON.parse);
    });
  }
  function chunk(n) {
    if (!chunks[n]) chunks[n] = inflate("chunk-" + n);
    return chunks[n];
  }

  // the claims register: one row per distinct claim, loaded once the page has been parsed
  var STATUS_ORDER = {"uncited": 0, "vague": 1, "broken reference": 2, "cited": 3};
  var claims = [], cstate = {key: "status", dir: 1, shown: STEP};
  var pageOf = {};
  pages.forEach(function (p) { pageOf[p.path] = p.i; });
  function claimValue(c, key) {
    if (key === "status") return STATUS_ORDER[c.status] * 1e6 - c.pages;
    return c[key];
  }
  function claimCompare(a, b) {
    var x = claimValue(a, cstate.key), y = claimValue(b, cstate.key), r;
    if (typeof x === "string") r = x.localeCompare(y); else r = x < y ? -1 : x > y ? 1 : 0;
    return r * cstate.dir || a.n - b.n;
  }
  function claimRow(c) {
    var first = c.where[0], pi = pageOf[first[0]], where = first[0] + ":" + first[1] + ":" + first[2];
    var loc = el("td", null, pi !== undefined ? el("a", {href: "#page=" + pi, cls: "path", text: where})
                                              : el("span", {cls: "path", text: where}));
    if (c.where.length > 1) {
      var d = el("details", null, el("summary", {text: (c.where.length - 1) + " more"})), ul = el("ul");
      c.where.slice(1).forEach(function (w) {
        var i = pageOf[w[0]], t = w[0] + ":" + w[1] + ":" + w[2];
        ul.appendChild(el("li", null, i !== undefined ? el("a", {href: "#page=" + i, cls: "path", text: t}) : t));
      });
      d.appendChild(ul);
      loc.appendChild(d);
    }
    return el("tr", null, el("td", null, el("span", {cls: "status st-" + c.status.split(" ")[0], text: c.status})),
      el("td", {text: c.kind}), el("td", {text: c.treatment || "\u2013"}), el("td", {text: c.claim}),
      el("td", {cls: "cite", text: c.citation || ""}), el("td", {text: c.codes}),
      el("td", {cls: "num", text: String(c.pages)}), loc);
  }
  function claimsFiltered() {
    var q = $("c-text").value.trim().toLowerCase(), st = $("c-status").value, tr = $("c-treat").value;
    return claims.filter(function (c) {
      if (st && c.status !== st) return false;
      if (tr && c.treatments.indexOf(tr) < 0) return false;
      if (q && c.claim.toLowerCase().indexOf(q) < 0 && c.where[0][0].toLowerCase().indexOf(q) < 0) return false;
      return true;
    });
  }
  var claimsTable = table({id: "claims-table", body: "claims-body", count: "c-count", more: "c-more",
    noun: "claims", state: cstate, rows: function () { return claimsFiltered().sort(claimCompare); }, row: claimRow,
    total: function () { return claims.length; }, firstDir: function (k) { return k === "pages" ? -1 : 1; },
    inputs: ["c-text"], selects: ["c-status", "c-treat"]});
  function loadClaims() {
    parsed.then(function () {  // the register follows this script in the file
      return document.getElementById("claims-data") ? inflate("claims-data") : [];
    }).then(function (R) {
      var treat = {};
      claims = R.map(function (r, n) {
        var ts = r[2] ? r[2].split("; ") : [];
        ts.forEach(function (t) { treat[t] = 1; });
        return {n: n, status: r[0], kind: r[1], treatment: r[2], treatments: ts, claim: r[3], citation: r[4],
                codes: r[5], pages: r[6], where: r[7]};
      });
      Object.keys(treat).sort(function (a, b) { return a.localeCompare(b); }).forEach(function (t) {
        $("c-treat").appendChild(el("option", {value: t, text: t}));
      });
      claimsTable.draw();
      $("claims-table").setAttribute("data-loaded", "1");
    }, function (err) {
      $("c-count").textContent = "The claims could not be read: " + err +
        " (a browser that supports DecompressionStream is needed).";
    });
  }
  function showFindings(list, i, F, S) {
    F.forEach(function (f) {
      var r = D.rules[f[4]] || ["", "?", "", "", "", "", []], sev = SEV[f[5]];
      var loc = "Line " + f[0] + ", column " + f[1];
      var card = el("div", {cls: "finding f-" + sev},
        el("div", {cls: "head"}, el("span", {cls: "loc", text: loc}), el("span", {cls: "sev sev-" + sev, text: sev}),
           el("span", {text: (r[0] ? r[0] + " " : "") + r[1]})),
        el("div", {cls: "msg", text: S[f[6]]}));
      if (f[8] || f[9] || f[10]) {
        card.appendChild(el("div", {cls: "excerpt", title: "line " + f[0]}, f[8], el("mark", {text: f[9]}), f[10]));
      }
      if (f[11].length) {
        var rl = el("ul", {cls: "related"});
        f[11].forEach(function (x) {
          var where = x[0] + ":" + x[1] + ":" + x[2];
          rl.appendChild(el("li", null, S[x[3]] + ": ", x[4] >= 0 && x[4] !== i ?
            el("a", {href: "#page=" + x[4], cls: "path", text: where}) : el("span", {cls: "path", text: where})));
        });
        card.appendChild(rl);
      }
      card.appendChild(explanation(r));
      list.appendChild(card);
    });
    if (!F.length) list.appendChild(el("p", {cls: "muted", text: pages[i].failed ? "No findings from the rules that ran." : "No findings: this page is clean."}));
    list.setAttribute("data-loaded", "1");
  }
  function showMain() {
    $("page-view").hidden = true;
    document.querySelectorAll(".main-view").forEach(function (s) { s.classList.remove("hidden"); });
  }
  function route() {
    var m = /^#page=(\d+)$/.exec(location.hash);
    if (m) showPage(+m[1]);
    else {
      showMain();
      var t = location.hash && document.getElementById(location.hash.slice(1));
      if (t) t.scrollIntoView();
    }
  }
  window.addEventListener("hashchange", route);
  render();
  route();
  loadClaims();
  document.body.setAttribute("data-ready", "1");
})();
"""


def render_report(result) -> str:
    """The report as one string (see :func:`write_report`, which streams it)."""
    import io
    buf = io.StringIO()
    write_report(result, buf)
    return buf.getvalue()


def write_report(result, fh) -> None:
    """Write the HTML report to ``fh``, page details one chunk at a time."""
    s = result.summary()
    rule_idx, rule_rows = _rules(result)
    data = _data(result, rule_idx, rule_rows)
    sev = s["by_severity"]
    rule_index = {r[1]: i for i, r in enumerate(data["rules"])}
    title = f"medlint site audit: {result.root}"
    out = ['<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
           "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
           "form-action 'none'\">",
           f'<meta name="generator" content="medlint {esc(__version__)}">',
           f"<title>{esc(title)}</title><style>{CSS}</style></head><body>",
           f'<header class="top"><h1>Site audit</h1><div class="meta">{esc(result.root)} &middot; '
           f'{esc(result.started)} &middot; medlint {esc(__version__)} &middot; {s["seconds"]:.1f} s on '
           f'{esc(s["executor"])}</div></header>',
           '<nav class="tabs"><a href="#summary">Summary</a><a href="#pages">Pages</a>'
           '<a href="#claims">Claims</a><a href="#duplicates">Duplicates</a><a href="#rules">Rules</a></nav><main>']
    # summary
    cards = [(f"{s['pages']:,}", "pages"), (f"{s['words']:,}", "words"), (f"{s['findings']:,}", "findings"),
             (f"{sev.get('error', 0):,}", "errors"), (f"{sev.get('warning', 0):,}", "warnings"),
             (f"{sev.get('info', 0):,}", "info"), (f"{s['failed_pages']:,}", "pages failed"),
             (f"{s['duplicate_clusters']:,}", "cross-page duplicate clusters"),
             ("\u2013" if s["median_grade"] is None else f"{s['median_grade']:.1f}", "median reading grade")]
    out.append('<section id="summary" class="main-view"><h2>Summary</h2><div class="cards">')
    for n, label in cards:
        cls = " style=\"border-color:#fda29b\"" if label == "pages failed" and s["failed_pages"] else ""
        out.append(f'<div class="card"{cls}><div class="n">{esc(n)}</div><div class="l">{esc(label)}</div></div>')
    out.append("</div>")
    if s["failed_pages"]:
        out.append(f'<div class="errors">{s["failed_pages"]} page{"s" if s["failed_pages"] != 1 else ""} could '
                   f'not be fully checked; they are listed in the table with status <b>failed</b> '
                   f'(<a href="#pages" data-failed-link>filter</a>).</div>')
    out.append('<h3>Findings by rule</h3><table id="rules-summary"><thead><tr><th>Code</th><th>Rule</th>'
               '<th>Category</th><th class="num">Errors</th><th class="num">Warnings</th><th class="num">Info</th>'
               '<th class="num">Total</th><th class="num">Pages</th></tr></thead><tbody>')
    for name, d in s["by_rule"].items():
        ri = rule_index.get(name, -1)
        out.append(f'<tr><td>{esc(d["code"])}</td><td><a href="#pages" data-rule-filter="{ri}">{esc(name)}</a></td>'
                   f'<td>{esc(d["category"])}</td><td class="num">{d.get("error", 0):,}</td>'
                   f'<td class="num">{d.get("warning", 0):,}</td><td class="num">{d.get("info", 0):,}</td>'
                   f'<td class="num">{d["findings"]:,}</td><td class="num">{d["pages"]:,}</td></tr>')
    if not s["by_rule"]:
        out.append('<tr><td colspan="8" class="muted">No findings.</td></tr>')
    out.append("</tbody></table>")
    target = _target_grade(result)
    out.append("<h3>Reading grade</h3>")
    out.append(_grade_chart(s["grade_histogram"], target))
    if target is not None:
        out.append(f'<div class="legend"><i style="background:#3b82f6"></i>at or below the target grade '
                   f'({esc(target)})<i style="background:#f79009"></i>above it</div>')
    out.append("</section>")
    # pages
    out.append('<section id="pages" class="main-view"><h2>Pages</h2>'
               '<details><summary>How the risk score works</summary>' + _score_doc() + "</details>"
               '<div class="filters"><input type="search" id="f-text" placeholder="Filter by path" '
               'aria-label="Filter by path">'
               '<select id="f-rule" aria-label="Rule"><option value="">any rule</option></select>'
               '<select id="f-sev" aria-label="Severity"><option value="">any severity</option>'
               '<option value="error">with errors</option><option value="warning">with warnings</option>'
               '<option value="info">with info</option></select>'
               '<select id="f-status" aria-label="Status"><option value="">all pages</option>'
               '<option value="findings">with findings</option><option value="clean">clean</option>'
               '<option value="failed">failed</option></select>'
               '<label>risk &ge; <input type="number" id="f-min" min="0" max="100" style="width:64px" '
               'aria-label="Minimum risk score"></label><span id="count"></span></div>'
               '<table id="pages-table"><thead><tr><th data-key="score">Risk</th><th data-key="path">Page</th>'
               '<th data-key="total" class="num">Findings</th><th data-key="e" class="num">Errors</th>'
               '<th data-key="w" class="num">Warnings</th><th data-key="n" class="num">Info</th>'
               '<th data-key="words" class="num">Words</th><th data-key="grade" class="num">Grade</th>'
               '<th data-key="failed">Status</th></tr></thead><tbody id="pages-body"></tbody></table>'
               '<p><button id="more" type="button" hidden>Show more</button></p></section>')
    # claims register
    register = result.register()
    out.append(_claims_section(register))
    # duplicates
    out.append('<section id="duplicates" class="main-view"><h2>Cross-page duplicates</h2>')
    if not result.clusters:
        out.append('<p class="muted">No paragraph was found on more than one page.</p>')
    else:
        out.append(f'<p class="muted">{len(result.clusters)} cluster{"s" if len(result.clusters) != 1 else ""} of '
                   f'near-identical paragraphs found on several pages (rule duplicate-section). The first '
                   f'copy is the one on the earliest page.</p>')
    page_idx = {r.path: i for i, r in enumerate(result.files)}
    for n, c in enumerate(result.clusters, 1):
        npages = len({m[0] for m in c["members"]})
        text = c.get("excerpt") or ""
        out.append(f'<div class="cluster"><b>Cluster {n}</b> &middot; {npages} pages<div class="excerpt">'
                   f'{esc(text)}</div>')
        items = []
        for path, line, col in c["members"]:
            pi = page_idx.get(path)
            where = esc(f"{result.display_path(path)}:{line}:{col}")
            items.append(f'<li><a class="path" href="#page={pi}">{where}</a></li>' if pi is not None
                         else f'<li class="path">{where}</li>')
        if len(items) > 12:
            out.append(f"<ul>{''.join(items[:10])}</ul><details><summary>{len(items) - 10} more</summary>"
                       f"<ul>{''.join(items[10:])}</ul></details>")
        else:
            out.append(f"<ul>{''.join(items)}</ul>")
        out.append("</div>")
    out.append("</section>")
    # rules
    out.append('<section id="rules" class="main-view"><h2>Rules</h2><p class="muted">The rules that ran. '
               'Each finding in a page view also carries its rule&rsquo;s explanation.</p>')
    fired = set(s["by_rule"])
    for r in result.rules:
        if r.name not in fired:
            continue
        refs = "".join(f"<li>{esc(x)}</li>" for x in r.references)
        out.append(f'<details id="rule-{esc(r.name)}"><summary>{esc(r.code)} {esc(r.name)} '
                   f'<span class="sev sev-{esc(r.severity)}">{esc(r.severity)}</span></summary>'
                   f"<p><b>What it flags.</b> {esc(r.description)}</p><p><b>Why it matters.</b> {esc(r.why)}</p>"
                   f"<ul>{refs}</ul></details>")
    if not fired:
        out.append('<p class="muted">No rule fired.</p>')
    out.append('</section><section id="page-view" hidden></section></main>')
    out.append(f'<script id="audit-data" type="application/json">{_json_for_script(data)}</script>')
    fh.write("\n".join(out) + "\n")
    # the script runs before the chunks are parsed: the table is ready while they load
    fh.write(f"<script>{JS}</script>\n")
    fh.write("""<script>document.querySelectorAll("[data-failed-link]").forEach(function(a){a.addEventListener(
"click",function(){var s=document.getElementById("f-status");s.value="failed";s.dispatchEvent(new Event("change"));});});
</script>\n""")
    if len(register):
        fh.write(f'<script type="application/octet-stream" id="claims-data">{_deflate_items(_claim_rows(register))}'
                 '</script>\n')
    for n, b64 in _chunks(result, rule_idx):
        fh.write(f'<script type="application/octet-stream" id="chunk-{n}">{b64}</script>\n')
    fh.write("</body></html>\n")
