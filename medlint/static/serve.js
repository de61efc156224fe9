/* medlint serve: the editor page. Sends the text to /api/lint as you type (debounced, one
   request at a time, the newest text when the previous answer arrives) and draws the
   findings in a backdrop under the transparent textarea. Offsets from the server are UTF-16
   code units, as JavaScript strings count them. No outside resources, no build step. */
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const ed = $("editor"), bd = $("backdrop"), hl = $("highlights"), tip = $("tip");
  const SEVERITIES = ["error", "warning", "info"];
  const state = {
    path: null, version: null, format: "markdown", name: "untitled.md", savedText: "",
    result: null, text: null, selected: null, maxBytes: 10485760, formats: {},
  };
  // what the latency benchmark and the browser test read
  // inputAt: the last edit not yet answered; per answered lint: latency (edit to painted),
  // the debounce (waitMs), the request's round trip, the lint on the server, building the
  // highlights here (drawMs), and the browser's layout and paint after that (paintMs)
  const perf = window.medlintPerf = { inputAt: 0, renders: 0, latencies: [], requestMs: [], serverMs: [], drawMs: [],
    waitMs: [], paintMs: [] };
  window.medlintState = () => ({ text: state.text, path: state.path, ...(state.result || { findings: [] }) });

  function el(tag, props, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === undefined || v === null) continue;
      if (k === "class") e.className = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (const k of kids) if (k !== null && k !== undefined) e.append(k);
    return e;
  }

  async function api(method, url, body) {
    const r = await fetch(url, {
      method, headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined, cache: "no-store",
    });
    let data;
    try { data = await r.json(); } catch (e) { data = { error: `${r.status} ${r.statusText}` }; }
    if (!r.ok) throw new Error(data.error || `request failed (${r.status})`);
    return data;
  }

  function setStatus(msg, bad) {
    const s = $("status");
    s.textContent = msg;
    s.classList.toggle("bad", !!bad);
  }

  // -- linting -----------------------------------------------------------------------------

  let timer = null, inflight = false, again = false, lintMs = 60;
  // wait a tenth of what a lint costs (a burst of keystrokes becomes one request), 5-250 ms
  const debounce = () => Math.min(250, Math.max(5, lintMs / 10));

  function changed() {
    perf.inputAt = performance.now();
    clearTimeout(timer);
    timer = setTimeout(lint, debounce());
    updateButtons();
  }

  async function lint() {
    if (inflight) { again = true; return; }
    inflight = true;
    const text = ed.value;
    const t0 = performance.now();
    try {
      const r = await api("POST", "/api/lint", { text, path: state.path, format: state.format, claims: tabShown() === "claims" });
      const spent = performance.now() - t0;
      lintMs = 0.7 * lintMs + 0.3 * spent;
      if (ed.value === text) render(r, text, spent);
      else again = true;
    } catch (e) {
      showErrors([e.message]);
    } finally {
      inflight = false;
      if (again) { again = false; lint(); }
    }
  }

  function render(r, text, requestMs) {
    const t0 = performance.now();
    // the selected finding stays selected if it is still there (ids change with every lint)
    const prev = state.selected !== null && state.result ? key(state.result.findings[state.selected]) : null;
    state.result = r;
    state.text = text;
    const same = prev ? r.findings.find((f) => key(f) === prev) : null;
    state.selected = same ? same.id : null;
    renderHighlights();
    renderSummary();
    showErrors(r.errors);
    renderFindings();
    renderTab();
    selectFinding(state.selected, false);
    // counted just after the frame that paints the new highlights
    const inputAt = perf.inputAt;
    perf.inputAt = 0;
    const t1 = performance.now(), drawn = t1 - t0;
    requestAnimationFrame(() => {
      // scroll positions are read in the frame's own layout, not in a second one forced here
      if (bd.scrollTop !== ed.scrollTop) bd.scrollTop = ed.scrollTop;
      setTimeout(after, 0);  // after the frame that paints them
    });
    const after = () => {
      const now = performance.now();
      if (inputAt) {
        perf.latencies.push(now - inputAt);
        perf.waitMs.push(t0 - requestMs - inputAt);  // the debounce (and a request still running)
      }
      perf.paintMs.push(now - t1);
      perf.requestMs.push(requestMs);
      perf.serverMs.push(r.ms);
      perf.drawMs.push(drawn);
      perf.renders += 1;
      document.body.dataset.ready = "1";
    };
  }

  const key = (f) => f ? `${f.rule}:${f.start}:${f.end}` : null;

  // -- the highlights under the text -------------------------------------------------------

  // One <div> per line of the text (an empty line holds a <br>), laid out as the textarea
  // lays out its lines. Only the lines whose text or highlights changed are replaced (the
  // unchanged lines before and after them stay in place), so an edit costs the browser the
  // layout of a line or two, not of the page.
  let hlSigs = [];

  function renderHighlights() {
    const text = state.text, r = state.result, n = text.length;
    const spans = r.findings.map((f) => ({ f, s: Math.min(f.start, n), e: Math.min(Math.max(f.end, f.start + 1), n) }))
      .sort((x, y) => x.s - y.s);
    const badges = new Map();
    r.sections.forEach((s, i) => badges.set(s.start, i));
    const lines = [];
    for (let pos = 0; ;) {
      const nl = text.indexOf("\n", pos);
      lines.push([pos, nl < 0 ? n : nl]);
      if (nl < 0) break;
      pos = nl + 1;
    }
    const sigs = [], parts = [];
    let k = 0, active = [];
    for (const [ls, le] of lines) {
      while (k < spans.length && spans[k].s <= le) active.push(spans[k++]);
      active = active.filter((x) => x.e > ls || (x.s === ls && ls === le));
      const here = active.filter((x) => x.s < le || (x.s === ls && ls === le));
      const cuts = new Set([ls, le]);
      for (const x of here) { cuts.add(Math.max(x.s, ls)); cuts.add(Math.min(x.e, le)); }
      const cs = [...cuts].sort((a, b) => a - b);
      const segs = [];
      for (let i = 0; i + 1 < cs.length; i++) {
        const a = cs[i], b = cs[i + 1];
        const on = here.filter((x) => x.s <= a && x.e >= b);
        if (!on.length) { segs.push([a - ls, b - ls]); continue; }
        const worst = SEVERITIES.find((sv) => on.some((x) => x.f.severity === sv)) || "info";
        segs.push([a - ls, b - ls, on.length > 1 ? `${worst} multi` : worst, on.map((x) => x.f.id).join(" ")]);
      }
      const badge = badges.has(ls) ? badges.get(ls) : null;
      const bsig = badge === null ? null : [r.sections[badge], r.summary && r.summary.target];
      sigs.push(JSON.stringify([text.slice(ls, le), segs, badge, bsig]));
      parts.push([ls, le, segs, badge]);
    }
    let p = 0;
    while (p < sigs.length && p < hlSigs.length && sigs[p] === hlSigs[p]) p++;
    let q = 0;
    while (q < sigs.length - p && q < hlSigs.length - p && sigs[sigs.length - 1 - q] === hlSigs[hlSigs.length - 1 - q]) q++;
    const kids = hl.children;
    const before = kids[hlSigs.length - q] || null;
    for (let i = hlSigs.length - q - 1; i >= p; i--) kids[i].remove();
    const frag = document.createDocumentFragment();
    for (let i = p; i < sigs.length - q; i++) {
      const [ls, le, segs, badge] = parts[i];
      const div = el("div", { class: "ln" });
      if (badge !== null) { const b = gradeBadge(r, badge); if (b) div.append(b); }
      for (const [a, b, cls, ids] of segs) {
        const piece = text.slice(ls + a, ls + b);
        div.append(cls ? el("mark", { class: cls, "data-ids": ids }, piece) : piece);
      }
      if (ls === le) div.append(el("br"));
      frag.append(div);
    }
    hl.insertBefore(frag, before);
    hlSigs = sigs;
  }

  ed.addEventListener("scroll", () => { bd.scrollTop = ed.scrollTop; tip.hidden = true; });
  ed.addEventListener("input", changed);

  // a section's grade, at the right edge of its heading's line: absolutely positioned with no
  // top, it stays on the line where it sits in the text (no layout to measure here)
  function gradeBadge(r, i) {
    const s = r.sections[i];
    if (s.grade === null || s.heading === null) return null;
    const cls = !s.graded ? "grade short" : s.over ? "grade over" : "grade";
    const title = !s.graded ? `${s.words} words: too short to grade on its own`
      : `${r.summary.formula} grade ${s.grade} (target ${r.summary.target})`;
    return el("span", { class: cls, title, "data-section": i },
      !s.graded ? `grade ${s.grade} · short` : `grade ${s.grade}${s.over ? ` > ${r.summary.target}` : ""}`);
  }

  function findingsAt(offset) {
    if (!state.result || ed.value !== state.text) return [];
    return state.result.findings.filter((f) => f.start <= offset && offset <= Math.max(f.end, f.start + 1));
  }

  // hover: the marks lie under the textarea, so ask the browser what is under the pointer
  ed.addEventListener("mousemove", (ev) => {
    const mark = document.elementsFromPoint(ev.clientX, ev.clientY).find((e) => e.tagName === "MARK");
    if (!mark || !state.result) { tip.hidden = true; return; }
    const fs = mark.dataset.ids.split(" ").map((i) => state.result.findings[+i]);
    tip.replaceChildren(...fs.map((f) => el("div", {}, el("b", {}, `${f.code} ${f.rule}: `), f.message)));
    const box = $("pane").getBoundingClientRect();
    tip.style.left = `${Math.min(ev.clientX - box.left + 12, box.width - 430)}px`;
    tip.style.top = `${ev.clientY - box.top + 18}px`;
    tip.hidden = false;
  });
  ed.addEventListener("mouseleave", () => { tip.hidden = true; });

  // selecting text or moving the caret onto a finding shows its explanation
  function caretMoved() {
    const hits = findingsAt(ed.selectionStart);
    if (!hits.length || hits.some((f) => f.id === state.selected)) return;
    hits.sort((a, b) => (a.end - a.start) - (b.end - b.start));  // the innermost first
    selectFinding(hits[0].id, false);
  }
  ed.addEventListener("click", caretMoved);
  ed.addEventListener("keyup", (ev) => { if (ev.key.startsWith("Arrow") || ev.key === "Home" || ev.key === "End") caretMoved(); });
  ed.addEventListener("select", caretMoved);

  function scrollToOffset(offset, id) {
    let target = null;
    if (id !== undefined) target = [...hl.querySelectorAll("mark")].find((m) => m.dataset.ids.split(" ").includes(String(id)));
    if (!target) {
      const s = state.result.sections.findIndex((x) => x.start === offset);
      if (s >= 0) target = hl.querySelector(`.grade[data-section="${s}"]`);
    }
    if (target) ed.scrollTop = Math.max(0, target.offsetTop - ed.clientHeight / 3);
    bd.scrollTop = ed.scrollTop;
  }

  function jump(start, end, id) {
    if (ed.value !== state.text) { setStatus("The text changed; the list is being updated.", true); return; }
    ed.focus({ preventScroll: true });
    ed.setSelectionRange(start, end);
    scrollToOffset(start, id);
  }

  // -- the findings list and one finding's explanation ------------------------------------

  // the lists are drawn again only when what they show changed (most keystrokes move the
  // findings' offsets, not the findings), and the hidden tabs when they are shown
  const shownSigs = {};
  function unchanged(name, data) {
    const sig = JSON.stringify(data);
    if (shownSigs[name] === sig) return true;
    shownSigs[name] = sig;
    return false;
  }

  const tabShown = () => document.querySelector(".tabs button[aria-selected=true]").dataset.tab;

  function renderTab() {
    const tab = tabShown();
    if (tab === "sections") renderSections();
    // the claims register is asked for while its tab is open (it costs the server time)
    const cs = state.result ? state.result.claims : null;
    if (tab === "claims" && cs) renderClaims();
    $("n-claims").textContent = cs && cs.length ? `(${cs.length})` : "";
  }

  function renderFindings() {
    const box = $("findings"), fs = state.result.findings;
    if (unchanged("findings", [state.text.trim() === "", fs.map((f) => [f.rule, f.message, !!f.fix])])) {
      for (const item of box.querySelectorAll(".item")) {  // the same findings: positions may have moved
        const f = fs[+item.dataset.id], where = item.querySelector(".where");
        if (f && where.textContent !== `${f.line}:${f.column}`) where.textContent = `${f.line}:${f.column}`;
      }
      return;
    }
    $("n-findings").textContent = fs.length ? `(${fs.length})` : "";
    if (!fs.length) { box.replaceChildren(el("p", { class: "empty" }, state.text.trim() ? "No findings." : "Paste or type some copy to check it.")); return; }
    const out = [];
    for (const sev of SEVERITIES) {
      const mine = fs.filter((f) => f.severity === sev);
      if (!mine.length) continue;
      out.push(el("h3", {}, `${sev === "info" ? "Info" : sev[0].toUpperCase() + sev.slice(1) + "s"} (${mine.length})`));
      const rules = [...new Set(mine.map((f) => f.rule))];
      for (const rule of rules) {
        const rf = mine.filter((f) => f.rule === rule);
        out.push(el("h4", {}, `${rf[0].code} ${rule} (${rf.length})`));
        for (const f of rf) {
          out.push(el("div", { class: `item ${sev}`, "data-id": f.id, "data-rule": f.rule },
            el("button", { class: "go", type: "button", onclick: () => { selectFinding(f.id, true); } },
              el("span", { class: "where" }, `${f.line}:${f.column}`), f.message),
            f.fix ? el("button", { class: "quickfix", type: "button", title: f.fix.message, onclick: () => applyFix(state.result.findings[f.id]) }, "Fix")
              : null));
        }
      }
    }
    box.replaceChildren(...out);
  }

  function selectFinding(id, move) {
    state.selected = id;
    const f = id === null ? null : state.result.findings[id];
    for (const b of document.querySelectorAll("#findings .item")) b.classList.toggle("selected", +b.dataset.id === id);
    for (const m of hl.querySelectorAll("mark")) m.classList.toggle("current", m.dataset.ids.split(" ").includes(String(id)));
    renderDetail();
    if (move && f) jump(f.start, f.end, id);
  }

  function renderDetail() {
    const box = $("detail");
    const f = state.selected !== null && state.result ? state.result.findings[state.selected] : null;
    if (!f) { box.replaceChildren(); return; }
    const rule = state.result.rules[f.rule] || {};
    const kids = [
      el("p", {}, el("b", {}, `${f.code} ${f.rule}`), ` · ${f.severity} · line ${f.line}, column ${f.column}`),
      el("p", {}, f.message),
    ];
    if (rule.description) kids.push(el("p", {}, rule.description));
    if (rule.why) kids.push(el("p", {}, el("i", {}, "Why it matters: "), rule.why));
    if (f.related.length) {
      kids.push(el("ul", {}, ...f.related.map((r) => el("li", {},
        r.start === null ? `${r.message} (line ${r.line})`
          : el("a", { href: "#", onclick: (ev) => { ev.preventDefault(); jump(r.start, r.start, undefined); } },
            `line ${r.line}: ${r.message}`)))));
    }
    if (rule.references && rule.references.length) {
      kids.push(el("p", {}, el("i", {}, "References:")),
        el("ul", {}, ...rule.references.map((x) => el("li", {}, x))));
    }
    const actions = el("div", { class: "actions" });
    if (f.fix) actions.append(el("button", { class: "fix", type: "button", onclick: () => applyFix(f) }, `Fix: ${f.fix.message}`));
    actions.append(el("button", { class: "suppress", type: "button", onclick: () => suppress(f) }, `Disable ${f.rule} for this line`));
    kids.push(actions);
    box.replaceChildren(...kids);
  }

  function replaceRange(start, end, text) {
    ed.focus({ preventScroll: true });
    ed.setSelectionRange(start, end);
    // insertText keeps the browser's undo history; setRangeText where it is not supported
    if (!document.execCommand("insertText", false, text)) {
      ed.setRangeText(text, start, end, "end");
      changed();
    }
  }

  function applyFix(f) {
    if (ed.value !== state.text) { setStatus("The text changed since the last check; try again in a moment.", true); return; }
    state.selected = null;
    replaceRange(f.start, f.end, f.fix.replacement);
    setStatus(`Fixed: ${f.fix.message}`);
  }

  function suppress(f) {
    if (ed.value !== state.text) { setStatus("The text changed since the last check; try again in a moment.", true); return; }
    const text = ed.value;
    const lineStart = text.lastIndexOf("\n", f.start - 1) + 1;
    const indent = /^[ \t]*/.exec(text.slice(lineStart))[0];
    state.selected = null;
    replaceRange(lineStart, lineStart, `${indent}<!-- medlint-disable-next-line ${f.rule} -->\n`);
    setStatus(`${f.rule} disabled for line ${f.line}`);
  }

  // -- summary, sections, claims -----------------------------------------------------------

  function renderSummary() {
    const s = state.result.summary, box = $("summary");
    if (!s) { box.replaceChildren(); return; }
    const gradeCls = s.grade === null ? "" : s.grade > s.target ? "over" : "ok";
    const sev = Object.entries(s.by_severity).filter(([, n]) => n).map(([k, n]) => `${n} ${k}`).join(", ") || "none";
    const cats = Object.entries(s.by_category).map(([k, n]) => `${k} ${n}`).join(", ");
    box.replaceChildren(
      el("span", { id: "s-words" }, el("b", {}, s.words.toLocaleString("en-US")), " words"),
      el("span", { id: "s-grade" }, "grade ", el("b", { class: gradeCls }, s.grade === null ? "–" : String(s.grade)),
        ` (${s.formula}, target ${s.target})`),
      el("span", { id: "s-risk", title: "0-100, as in medlint audit: more and more serious findings score higher" },
        "risk score ", el("b", {}, String(s.risk_score))),
      el("span", { id: "s-findings" }, `findings: ${sev}`),
      cats ? el("span", { id: "s-categories" }, cats) : null,
    );
  }

  function showErrors(errors) {
    $("errors").replaceChildren(...(errors || []).map((e) => el("div", {}, e)));
  }

  function renderSections() {
    const r = state.result, secs = r.sections;
    if (unchanged("sections", [secs, r.summary && r.summary.target])) return;
    if (!secs.length) { $("sections").replaceChildren(el("p", { class: "empty" }, "No prose yet.")); return; }
    const rows = secs.map((s) => el("tr", { class: "jump", onclick: () => jump(s.start, s.start) },
      el("td", {}, s.heading === null ? "(before the first heading)" : s.heading),
      el("td", { class: "num" }, String(s.line)),
      el("td", { class: "num" }, String(s.words)),
      el("td", { class: `num${s.over ? " over" : ""}` }, s.grade === null ? "–" : s.graded ? String(s.grade) : `${s.grade} (short)`)));
    $("sections").replaceChildren(el("table", {},
      el("thead", {}, el("tr", {}, el("th", {}, "Section"), el("th", {}, "Line"), el("th", {}, "Words"),
        el("th", {}, `Grade (target ${r.summary ? r.summary.target : ""})`))),
      el("tbody", {}, ...rows)));
  }

  function renderClaims() {
    const cs = state.result.claims;
    if (unchanged("claims", cs)) return;
    if (!cs.length) { $("claims").replaceChildren(el("p", { class: "empty" }, "No claims found.")); return; }
    const rows = cs.map((c) => el("tr", { class: "jump", onclick: () => jump(c.start, c.end) },
      el("td", {}, el("span", { class: `status ${c.status.split(" ")[0]}` }, c.status)),
      el("td", {}, c.claim, el("div", { class: "where" },
        `${c.kind}${c.treatment.length ? " · " + c.treatment.join(", ") : ""} · line ${c.line}`)),
      el("td", {}, c.citation ? `${c.citation}${c.cited_by ? ` (${c.cited_by})` : ""}` : "–")));
    $("claims").replaceChildren(el("table", {},
      el("thead", {}, el("tr", {}, el("th", {}, "Status"), el("th", {}, "Claim"), el("th", {}, "Citation found"))),
      el("tbody", {}, ...rows)));
  }

  for (const tab of document.querySelectorAll(".tabs button")) {
    tab.addEventListener("click", () => {
      for (const t of document.querySelectorAll(".tabs button")) {
        const on = t === tab;
        t.setAttribute("aria-selected", String(on));
        $(`tab-${t.dataset.tab}`).hidden = !on;
      }
      if (state.result) renderTab();
      if (tab.dataset.tab === "claims" && state.result && !state.result.claims) lint();
    });
  }

  // -- files -------------------------------------------------------------------------------

  // the server's extension -> format table (medlint.parsers.FORMATS)
  const formatOf = (name) => state.formats[`.${(name.split(".").pop() || "").toLowerCase()}`] || "text";
  const dirty = () => ed.value !== state.savedText;

  function updateButtons() {
    $("save").disabled = !state.path || !dirty();
  }

  function load(text, path, version, format, name) {
    Object.assign(state, { path, version, format, name, savedText: text, selected: null });
    $("format").value = format;
    ed.value = text;
    ed.scrollTop = 0;
    updateButtons();
    changed();
  }

  async function openFile(rel) {
    if (dirty() && ed.value.trim() && !window.confirm("Discard the changes to the current text?")) {
      $("file").value = state.path || "";
      return;
    }
    if (!rel) { load("", null, null, state.format, "untitled.md"); setStatus("New text"); return; }
    try {
      const r = await api("GET", `/api/file?path=${encodeURIComponent(rel)}`);
      load(r.text, r.path, r.version, r.format, r.path.split("/").pop());
      setStatus(`Opened ${r.path}`);
    } catch (e) {
      setStatus(e.message, true);
      $("file").value = state.path || "";
    }
  }

  $("file").addEventListener("change", (ev) => openFile(ev.target.value));
  $("format").addEventListener("change", (ev) => { state.format = ev.target.value; changed(); });

  $("upload").addEventListener("change", (ev) => {
    const file = ev.target.files[0];
    if (!file) return;
    if (file.size > state.maxBytes) { setStatus(`${file.name} is over the size limit`, true); return; }
    const reader = new FileReader();
    reader.onload = () => {
      load(String(reader.result).replace(/\r\n/g, "\n"), null, null, formatOf(file.name), file.name);
      state.savedText = "";
      $("file").value = "";
      setStatus(`Uploaded ${file.name}: download it when you are done (it is not saved on the server)`);
      updateButtons();
    };
    reader.readAsText(file);
    ev.target.value = "";
  });

  $("save").addEventListener("click", async () => {
    if (!state.path) return;
    const text = ed.value;
    try {
      const r = await api("POST", "/api/save", { path: state.path, text, version: state.version });
      state.version = r.version;
      state.savedText = text;
      updateButtons();
      setStatus(`Saved ${r.path}`);
    } catch (e) {
      setStatus(e.message, true);
    }
  });

  $("download").addEventListener("click", () => {
    const url = URL.createObjectURL(new Blob([ed.value], { type: "text/plain;charset=utf-8" }));
    const a = el("a", { href: url, download: state.name || "untitled.md" });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  });

  window.addEventListener("beforeunload", (ev) => {
    if (dirty() && ed.value.trim()) ev.preventDefault();
  });

  async function start() {
    try {
      const info = await api("GET", "/api/info");
      state.maxBytes = info.max_bytes;
      state.formats = info.formats;
      document.title = `medlint editor: ${info.root}`;
      for (const f of info.files) $("file").append(el("option", { value: f }, f));
      if (info.start) { $("file").value = info.start; await openFile(info.start); }
      else { changed(); }
    } catch (e) {
      setStatus(`Cannot reach medlint serve: ${e.message}`, true);
    }
  }
  start();
})();
