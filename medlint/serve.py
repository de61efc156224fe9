"""A writer's editor in the browser (``medlint serve [PATH]``).

A small local web app on the standard library's threading HTTP server: the page
(``medlint/static/serve.*``, plain HTML, CSS and JavaScript, no build step) sends the text to
``/api/lint`` as the writer types and shows the findings inline, the page's sections with
their grades, a summary and the claims register. Linting is the same engine as ``check`` and
the language server: one :class:`~medlint.engine.Linter` per server, and the per-block caches
of :mod:`medlint.nlp` (a block whose text did not change is not parsed or analysed again).

Safety:

- binds to 127.0.0.1 unless ``--host`` says otherwise; while it listens on loopback it
  answers only requests addressed to a loopback name (``Host`` header), so a web page cannot
  reach it through DNS rebinding; a request with an ``Origin`` other than the server's own is
  refused;
- reads and writes only files under PATH whose names match the include globs (Markdown,
  HTML, text): a path that leaves PATH, through ``..``, an absolute path or a symbolic link,
  is refused;
- a save names the version of the file it was opened at (a hash of its bytes) and is refused
  when the file changed on disk since; writes are atomic and keep the file's byte-order mark
  and line endings;
- request bodies and texts are limited to ``--max-file-size``;
- every answer carries a Content-Security-Policy that allows nothing but the server itself.

API (JSON): ``GET /api/info``, ``GET /api/file?path=REL``, ``POST /api/lint {text, path,
format, claims}`` (``claims: false``: no claims register, null in the answer; the page asks
for it while its Claims tab is open), ``POST /api/save {path, text, version}``. Errors are ``{"error": message}`` with a
4xx status.
"""
from __future__ import annotations

import bisect
import hashlib
import json
import os
import re
import sys
import threading
import time
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from urllib.parse import parse_qs, urlsplit

from . import __version__
from .engine import Linter, Options
from .finding import SEVERITIES, finding_stats
from .parsers import FORMATS, format_for
from .registry import MedlintError, find_rule
from .runner import MAX_FILE_SIZE, InputError, decode, discover, lint_source_safely, read_bytes

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
       "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
STATIC = {"/": ("serve.html", "text/html; charset=utf-8"),
          "/static/serve.js": ("serve.js", "text/javascript; charset=utf-8"),
          "/static/serve.css": ("serve.css", "text/css; charset=utf-8")}
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
MAX_FILES_LISTED = 5000
WARM_UP = ("# Warm-up\n\nOur new injections relieve joint pain within days, and studies show they are "
           "safe. Side effects are rare. Ask your physician whether it suits you.\n")
_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


class HTTPError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def _utf16(text: str):
    """Code-point offset -> UTF-16 offset (what JavaScript strings count) for ``text``."""
    astral = [m.start() for m in _ASTRAL.finditer(text)]
    if not astral:
        return lambda i: i
    return lambda i: i + bisect.bisect_left(astral, i)


def _size(n: float) -> str:
    return f"{n / 1048576:.1f} MB" if n >= 1048576 else f"{n / 1024:.0f} KB"


def version_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


class App:
    """What the HTTP handler calls: opening, linting and saving under one root directory."""

    def __init__(self, path: str, options: Options | None = None, max_bytes: int = MAX_FILE_SIZE):
        path = os.path.abspath(path)
        if not os.path.exists(path):
            raise MedlintError(f"{path}: no such file or directory")
        self.start = None
        if os.path.isfile(path):
            self.start = os.path.basename(path)
            path = os.path.dirname(path)
        self.root = os.path.realpath(path)
        self.options = replace(options or Options(), claims=False)  # listed on request: lint()
        self.max_bytes = max_bytes
        self.lock = threading.Lock()  # one lint at a time: the spaCy pipeline is shared
        self.linter = Linter(self.options)
        if self.start is not None:
            try:
                self.resolve(self.start)
            except HTTPError as e:  # e.g. `medlint serve notes.docx`
                raise MedlintError(str(e)) from None

    def reload_config(self):
        """Configuration files are read again when a file is opened or the file list asked for."""
        from .config import clear_cache
        with self.lock:
            clear_cache()
            self.linter = Linter(self.options)

    def warm_up(self):
        """The first lint loads the pipeline, the rule packs, the knowledge and the sentence
        model: do it at start, not on the writer's first keystroke."""
        self.lint(WARM_UP, None, "markdown")

    # -- paths ------------------------------------------------------------------------------

    def resolve(self, rel, must_exist: bool = True) -> str:
        """The real path of ``rel`` under the root, or an HTTPError (403: outside the root or
        not a Markdown, HTML or text file; 404: no such file)."""
        if not isinstance(rel, str) or not rel or "\x00" in rel or len(rel) > 4096:
            raise HTTPError(400, "a file path (relative to the served folder) is required")
        if os.path.isabs(rel) or rel.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", rel):
            raise HTTPError(403, f"{rel}: only files under the served folder can be opened or saved")
        full = os.path.realpath(os.path.join(self.root, rel))
        if os.path.commonpath([self.root, full]) != self.root or full == self.root:
            raise HTTPError(403, f"{rel}: only files under the served folder can be opened or saved")
        if os.path.splitext(full)[1].lower() not in FORMATS:
            raise HTTPError(403, f"{rel}: only Markdown, HTML and plain-text files can be opened or saved")
        if must_exist and not os.path.isfile(full):
            raise HTTPError(404, f"{rel}: no such file")
        return full

    def files(self) -> list[str]:
        found = discover([self.root], self.options)
        return sorted(os.path.relpath(f, self.root) for f in found)[:MAX_FILES_LISTED]

    def info(self) -> dict:
        self.reload_config()
        return {"version": __version__, "root": os.path.basename(self.root) or self.root,
                "files": self.files(), "start": self.start, "max_bytes": self.max_bytes,
                "formats": FORMATS}  # file extension -> format, for uploaded files

    # -- open and save ----------------------------------------------------------------------

    def open(self, rel) -> dict:
        full = self.resolve(rel)
        if os.path.getsize(full) > self.max_bytes:
            raise HTTPError(413, f"{rel}: file is over the {_size(self.max_bytes)} limit (--max-file-size)")
        try:
            data = read_bytes(full, self.max_bytes)
            text = decode(data, rel, self.max_bytes)
        except InputError as e:  # binary, not UTF-8, unreadable
            raise HTTPError(415, str(e).replace(full, rel)) from None
        self.reload_config()
        newline = "\r\n" if "\r\n" in text else "\n"
        return {"path": rel, "text": text.replace("\r\n", "\n"), "format": format_for(full),
                "version": version_of(data), "newline": newline}

    def save(self, rel, text, version) -> dict:
        full = self.resolve(rel, must_exist=False)
        if not isinstance(text, str):
            raise HTTPError(400, "the text to save is missing")
        self._check_size(text)
        try:
            with open(full, "rb") as fh:
                data = fh.read()
        except FileNotFoundError:
            raise HTTPError(409, f"{rel} was deleted since it was opened; download your text "
                                 f"instead, or open the file again") from None
        except OSError as e:
            raise HTTPError(403, f"{rel}: cannot read: {e.strerror or e}") from None
        if version != version_of(data):
            raise HTTPError(409, f"{rel} changed on disk since it was opened; not saved. Download "
                                 f"your text, or open the file again to see the other change")
        if b"\r\n" in data:
            text = text.replace("\r\n", "\n").replace("\n", "\r\n")
        if data.startswith(b"\xef\xbb\xbf"):
            text = "\ufeff" + text
        from .util import atomic_write, is_read_only
        if is_read_only(full):
            raise HTTPError(403, f"{rel}: file is read-only; not saved")
        try:
            atomic_write(full, text)
        except OSError as e:
            raise HTTPError(500, f"{rel}: cannot write: {e.strerror or e}") from None
        return {"path": rel, "version": version_of(text.encode("utf-8"))}

    def _check_size(self, text: str):
        if len(text) > self.max_bytes or len(text.encode("utf-8", "surrogatepass")) > self.max_bytes:
            raise HTTPError(413, f"the text is over the {_size(self.max_bytes)} limit (--max-file-size)")

    # -- lint -------------------------------------------------------------------------------

    def lint(self, text, rel=None, fmt=None, claims: bool = True) -> dict:
        """Findings, sections, summary and (``claims``) the claims register of ``text``."""
        if not isinstance(text, str):
            raise HTTPError(400, "'text' must be a string")
        self._check_size(text)
        if fmt is not None and fmt not in FORMATS.values():
            raise HTTPError(400, f"unknown format {fmt!r}: one of {', '.join(sorted(set(FORMATS.values())))}")
        if rel:
            path = self.resolve(rel, must_exist=False)
        else:  # unsaved text: the served folder's configuration applies
            path = os.path.join(self.root, "untitled" + {"html": ".html", "text": ".txt"}.get(fmt, ".md"))
        started = time.perf_counter()

        def failed(errors):  # nothing but what went wrong
            return {"findings": [], "sections": [], "claims": None, "rules": {}, "summary": None,
                    "errors": errors, "ms": round(1000 * (time.perf_counter() - started), 1)}

        with self.lock:
            try:
                res = lint_source_safely(self.linter, text, path, fmt or format_for(path), keep_document=True,
                                         site_data=False)
                rs = self.linter.ruleset(path)
                grading = rs.impl(find_rule(rs.all_rules, "readability-grade"))
            except MedlintError as e:  # bad configuration or rule pack: say so, keep serving
                return failed([str(e)])
            if claims and res.document is not None:
                from .register import page_claims
                res.claims = page_claims(res.document, rs, res.findings)
        u16 = _utf16(text)
        doc = res.document
        errors = [e.replace(path, rel or "untitled") for e in res.errors]
        if doc is None:  # the page failed (a time-out, a parse error)
            return failed(errors)
        findings, rules = [], {}
        for i, f in enumerate(res.findings):
            findings.append({
                "id": i, "rule": f.rule, "code": f.code, "category": f.category, "severity": f.severity,
                "message": f.message, "line": f.line, "column": f.column, "end_line": f.end_line,
                "end_column": f.end_column, "start": u16(f.start_offset), "end": u16(f.end_offset),
                "fix": f.fix.to_json() if f.fix else None,
                "related": [{"line": r.line, "column": r.column, "message": r.message,
                             "start": u16(doc.lines.offset(r.line, r.column))
                             if os.path.abspath(r.path) == os.path.abspath(path) else None}
                            for r in f.related]})
            if f.rule not in rules:
                rule = find_rule(rs.all_rules, f.rule)
                if rule is not None:
                    rules[f.rule] = {"code": rule.code, "name": rule.name, "category": rule.category,
                                     "description": " ".join(rule.description.split()),
                                     "why": " ".join(rule.why.split()), "references": list(rule.references)}
        sections, summary = self._readability(doc, grading, res, u16)
        stats = finding_stats(res.findings)
        by_category: dict[str, int] = {}
        by_severity = {s: 0 for s in SEVERITIES}
        for (_rule, _code, category, severity, _fix), n in stats.items():
            by_category[category] = by_category.get(category, 0) + n
            by_severity[severity] += n
        from .audit import risk_score
        summary.update(findings=len(res.findings), by_category=by_category, by_severity=by_severity,
                       risk_score=risk_score(stats=stats))
        rows = None if res.claims is None else []
        for c in res.claims or []:
            row = {k: c[k] for k in ("status", "kind", "treatment", "claim", "citation", "cited_by",
                                     "codes", "line", "column")}
            row["start"] = u16(doc.lines.offset(c["line"], c["column"]))
            row["end"] = u16(doc.lines.offset(c["end_line"], c["end_column"]))
            rows.append(row)
        return {"findings": findings, "rules": rules, "sections": sections, "summary": summary,
                "claims": rows, "errors": errors, "ms": round(1000 * (time.perf_counter() - started), 1)}

    @staticmethod
    def _readability(doc, grading, res, u16):
        """Each section's grade against the target, as ``grading`` (the readability-grade
        rule with this page's configuration) measures and judges it."""
        from .readability import FORMULA_NAMES, grade_of, section_report
        formula, target = grading.params["formula"], grading.params["target-grade"]
        sections = []
        for s in section_report(doc, formula):
            if s["line"] is None:
                continue
            graded = grading.measurable(s)
            grade = s["grade"]
            sections.append({"heading": s["heading"], "line": s["line"],
                             "start": u16(doc.lines.offset(s["line"], 1)), "words": s["words"],
                             "grade": round(grade, 1) if grade is not None else None, "graded": graded,
                             "over": bool(graded and grade is not None and grade > target)})
        page_grade = grade_of({**res.readability, "words": res.words}, formula) if res.readability else None
        summary = {"words": res.words, "grade": round(page_grade, 1) if page_grade is not None else None,
                   "target": target, "formula": FORMULA_NAMES.get(formula, formula)}
        return sections, summary


# -- HTTP ------------------------------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    server_version = f"medlint/{__version__}"
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once, not 40 ms apart

    @property
    def app(self) -> App:
        return self.server.app

    def log_message(self, fmt, *args):  # quiet unless asked
        if self.server.verbose:
            super().log_message(fmt, *args)

    def _headers(self, status: int, ctype: str, length: int, extra=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(length))
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()

    def _json(self, status: int, obj):
        body = json.dumps(obj, ensure_ascii=False).encode("utf-8")
        self._headers(status, "application/json; charset=utf-8", len(body))
        self.wfile.write(body)

    def _error(self, status: int, message: str, close: bool = False):
        if close:
            self.close_connection = True
        body = json.dumps({"error": message}, ensure_ascii=False).encode("utf-8")
        self._headers(status, "application/json; charset=utf-8", len(body),
                      [("Connection", "close")] if close else ())
        self.wfile.write(body)

    def _allowed(self) -> bool:
        """Refuse requests addressed to another host name (DNS rebinding) or sent by a page
        of another origin."""
        host = self.headers.get("Host", "")
        if self.server.loopback_only:
            name = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
            if name not in LOOPBACK:
                self._error(403, "this server answers only requests to 127.0.0.1 or localhost", close=True)
                return False
        origin = self.headers.get("Origin")
        if origin is not None and origin != f"http://{host}":
            self._error(403, f"requests from {origin} are not allowed", close=True)
            return False
        return True

    def do_GET(self):  # noqa: N802
        if not self._allowed():
            return
        url = urlsplit(self.path)
        try:
            if url.path in STATIC:
                name, ctype = STATIC[url.path]
                body = resources.files("medlint").joinpath("static", name).read_bytes()
                self._headers(200, ctype, len(body))
                self.wfile.write(body)
            elif url.path == "/api/info":
                self._json(200, self.app.info())
            elif url.path == "/api/file":
                rel = (parse_qs(url.query).get("path") or [None])[0]
                self._json(200, self.app.open(rel))
            elif url.path == "/favicon.ico":
                self._headers(204, "image/x-icon", 0)
            else:
                self._error(404, f"{url.path}: not found")
        except HTTPError as e:
            self._error(e.status, str(e))
        except ConnectionError:  # the browser went away (a reload, a closed tab)
            self.close_connection = True
        except Exception as e:  # noqa: BLE001 - never a dead server
            self._error(500, f"internal error: {type(e).__name__}: {e}")

    def do_POST(self):  # noqa: N802
        if not self._allowed():
            return
        url = urlsplit(self.path)
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            self._error(411, "a Content-Length is required", close=True)
            return
        # JSON escapes (\n, \") can add to the text's own size; 2x covers every real page
        if int(length) > 2 * self.app.max_bytes + 65536:
            self._error(413, f"a request of {_size(int(length))} is over the limit "
                             f"(--max-file-size {_size(self.app.max_bytes)})", close=True)
            return
        if not (self.headers.get("Content-Type") or "").startswith("application/json"):
            self._error(415, "send JSON (Content-Type: application/json)", close=True)
            return
        try:
            raw = self.rfile.read(int(length))
            try:
                body = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                raise HTTPError(400, "the request is not valid JSON") from None
            if not isinstance(body, dict):
                raise HTTPError(400, "the request must be a JSON object")
            if url.path == "/api/lint":
                self._json(200, self.app.lint(body.get("text"), body.get("path"), body.get("format"),
                                              body.get("claims", True) is not False))
            elif url.path == "/api/save":
                self._json(200, self.app.save(body.get("path"), body.get("text"), body.get("version")))
            else:
                self._error(404, f"{url.path}: not found")
        except HTTPError as e:
            self._error(e.status, str(e))
        except ConnectionError:
            self.close_connection = True
        except Exception as e:  # noqa: BLE001
            self._error(500, f"internal error: {type(e).__name__}: {e}")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, app: App, host: str = "127.0.0.1", port: int = 0, verbose: bool = False):
        if ":" in host and not host.startswith("["):
            import socket
            self.address_family = socket.AF_INET6
        super().__init__((host.strip("[]"), port), Handler)
        self.app = app
        self.verbose = verbose
        self.loopback_only = host.strip("[]") in ("127.0.0.1", "localhost", "::1")

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return  # a browser that closed its connection is not an error worth a traceback
        super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}/"


def serve(path: str, options: Options, host: str = "127.0.0.1", port: int = 0,
          open_browser: bool = False, max_bytes: int = MAX_FILE_SIZE, verbose: bool = False) -> int:
    app = App(path, options, max_bytes)
    try:
        server = Server(app, host, port, verbose)
    except OSError as e:
        raise MedlintError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    if not server.loopback_only:
        print(f"medlint serve: warning: listening on {host}, not only on this computer: anyone who "
              f"can reach it can read and change the files under {app.root}", file=sys.stderr)
    print(f"medlint serve: {server.url} (serving {app.root}; Ctrl-C to stop)", flush=True)
    if open_browser:
        import webbrowser
        threading.Thread(target=webbrowser.open, args=(server.url,), daemon=True).start()
    threading.Thread(target=app.warm_up, daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("medlint serve: stopped", file=sys.stderr)
    finally:
        server.server_close()
    return 0
