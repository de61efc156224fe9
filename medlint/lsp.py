"""Language server (``medlint lsp``): diagnostics as you type, hovers, quick fixes.

Built on pygls; lints in-process with the same engine as the CLI. Diagnostics are
published on open and on every change (debounced), and cleared on close. Ranges are
converted to the protocol's UTF-16 code units. The closest ``medlint.toml`` /
``pyproject.toml`` above each document applies, and is reloaded when it changes. A rule
that crashes is logged to the client and contributes no diagnostics; the server stays up.
"""
from __future__ import annotations

import asyncio
import logging
import os
import threading
import time

from lsprotocol import types as T
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from . import __version__
from .config import clear_cache as clear_config_cache
from .deadline import Deadline, PageTimeout, stage
from .document import LineIndex
from .engine import Linter, Options
from .parsers import format_for, parse
from .registry import MedlintError, find_rule

log = logging.getLogger("medlint.lsp")
# The wait after a change before linting adapts to what a lint of that document costs: an
# eighth of its recent average (a page that lints in 80 ms waits 10 ms, just enough to take
# a burst of keystrokes as one change; a very long page up to DEBOUNCE_SECONDS, so that
# typing is not interrupted by lints that are stale at once). Lints never pile up: while
# one runs for a document, further changes make one more lint of the latest text when it
# ends.
DEBOUNCE_SECONDS = 0.25
MIN_DEBOUNCE_SECONDS = 0.005
SEVERITY = {"error": T.DiagnosticSeverity.Error, "warning": T.DiagnosticSeverity.Warning,
            "info": T.DiagnosticSeverity.Information}
LANGUAGE_FORMATS = {"markdown": "markdown", "html": "html", "plaintext": "text", "text": "text"}
CONFIG_NAMES = ("pyproject.toml", "medlint.toml")


class MedlintServer(LanguageServer):
    def __init__(self):
        super().__init__("medlint", __version__)
        self.linter = Linter(Options())
        self.lock = threading.Lock()  # one lint at a time: the spaCy pipeline is shared
        self.pending: dict[str, asyncio.TimerHandle] = {}
        self.running: set[str] = set()  # documents being linted
        self.rerun: set[str] = set()  # ... that changed meanwhile: lint again when done
        self.results: dict[str, list] = {}  # uri -> [(finding, diagnostic)]
        self.languages: dict[str, str] = {}
        self.last_lint_seconds = 0.0
        # uri -> recent average lint time (None after the first lint, which also parses
        # every block and is not typical)
        self.lint_seconds: dict[str, float | None] = {}

    def debounce(self, uri: str) -> float:
        avg = self.lint_seconds.get(uri)
        if avg is None:
            avg = DEBOUNCE_SECONDS
        return min(DEBOUNCE_SECONDS, max(MIN_DEBOUNCE_SECONDS, avg / 8))

    def reset_config(self):
        clear_config_cache()
        self.linter = Linter(Options())


server = MedlintServer()


def _fmt(uri: str, path: str) -> str:
    lang = server.languages.get(uri)
    if lang in LANGUAGE_FORMATS:
        return LANGUAGE_FORMATS[lang]
    return format_for(path)


def _range(lines: LineIndex, line: int, col: int, end_line: int, end_col: int) -> T.Range:
    return T.Range(start=T.Position(line=line - 1, character=lines.utf16_column(line, col)),
                   end=T.Position(line=end_line - 1, character=lines.utf16_column(end_line, end_col)))


def compute(ls: MedlintServer, uri: str, source: str, version):
    """Lint one document (in a worker thread). Returns what :func:`publish` sends."""
    path = to_fs_path(uri) or uri
    started = time.perf_counter()
    errors: list[str] = []
    with ls.lock:
        try:
            deadline = Deadline(ls.linter.timeout(path))
            with deadline:
                stage("parsing the page")
                document = parse(source, path, _fmt(uri, path))
                findings = ls.linter.lint(document, errors)
        except PageTimeout:  # keep the previous diagnostics; say why there are no new ones
            return uri, version, None, [f"medlint: {deadline.message(path)}"], True
        except MedlintError as e:  # bad config or rule pack: say so, keep serving
            return uri, version, None, [f"medlint: {e}"], True
        except Exception as e:  # never a dead server
            log.exception("lint failed")
            return uri, version, None, [f"medlint: internal error on {path}: {type(e).__name__}: {e}"], False
    pairs = diagnostics_for(uri, path, document, findings)
    ls.last_lint_seconds = spent = time.perf_counter() - started
    if uri not in ls.lint_seconds:
        ls.lint_seconds[uri] = None
    else:
        prev = ls.lint_seconds[uri]
        ls.lint_seconds[uri] = spent if prev is None else 0.7 * prev + 0.3 * spent
    return uri, version, pairs, errors, False


def publish(ls: MedlintServer, uri, version, pairs, messages, show):
    """On the event loop: log problems, publish diagnostics (None: keep the previous ones)."""
    for msg in messages:
        ls.window_log_message(T.LogMessageParams(type=T.MessageType.Error, message=msg))
        if show:
            ls.window_show_message(T.ShowMessageParams(type=T.MessageType.Error, message=msg))
    if pairs is None or uri not in ls.languages:
        return
    ls.results[uri] = pairs
    ls.text_document_publish_diagnostics(
        T.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=[d for _, d in pairs]))


def diagnostics_for(uri, path, document, findings):
    lines = document.lines
    pairs = []
    for f in findings:
        related = []
        for r in f.related:
            if os.path.abspath(r.path) == os.path.abspath(path):
                rr = _range(lines, r.line, r.column, r.end_line or r.line, r.end_column or r.column)
                ruri = uri
            else:
                rr = T.Range(start=T.Position(line=r.line - 1, character=r.column - 1),
                             end=T.Position(line=r.line - 1, character=r.column - 1))
                ruri = "file://" + os.path.abspath(r.path)
            related.append(T.DiagnosticRelatedInformation(location=T.Location(uri=ruri, range=rr),
                                                          message=r.message))
        diag = T.Diagnostic(
            range=_range(lines, f.line, f.column, f.end_line, f.end_column),
            message=f"{f.message} [{f.rule}]",
            severity=SEVERITY[f.severity], code=f.code, source="medlint",
            related_information=related or None,
            data={"rule": f.rule, "fix": f.fix.replacement if f.fix else None,
                  "fix_message": f.fix.message if f.fix else None})
        pairs.append((f, diag))
    return pairs


def _schedule(ls: MedlintServer, uri: str, delay: float):
    loop = asyncio.get_event_loop()
    old = ls.pending.pop(uri, None)
    if old is not None:
        old.cancel()

    def fire():
        ls.pending.pop(uri, None)
        if uri in ls.running:
            ls.rerun.add(uri)
        else:
            _start(ls, uri, loop)

    ls.pending[uri] = loop.call_later(delay, fire)


def _start(ls: MedlintServer, uri: str, loop):
    """Lint the document's current text in a worker thread, publish on the event loop."""
    if uri not in ls.languages:
        return
    doc = ls.workspace.get_text_document(uri)
    ls.running.add(uri)
    fut = loop.run_in_executor(None, compute, ls, uri, doc.source, doc.version)

    def done(f):
        ls.running.discard(uri)
        if not f.cancelled() and not f.exception():
            publish(ls, *f.result())
        if uri in ls.rerun:
            ls.rerun.discard(uri)
            _start(ls, uri, loop)
    fut.add_done_callback(done)


@server.feature(T.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: MedlintServer, params: T.DidOpenTextDocumentParams):
    ls.languages[params.text_document.uri] = params.text_document.language_id
    _schedule(ls, params.text_document.uri, 0)


@server.feature(T.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: MedlintServer, params: T.DidChangeTextDocumentParams):
    _schedule(ls, params.text_document.uri, ls.debounce(params.text_document.uri))


@server.feature(T.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: MedlintServer, params: T.DidSaveTextDocumentParams):
    uri = params.text_document.uri
    if os.path.basename(to_fs_path(uri) or "") in CONFIG_NAMES:
        _config_changed(ls)
    else:
        _schedule(ls, uri, 0)


@server.feature(T.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: MedlintServer, params: T.DidCloseTextDocumentParams):
    uri = params.text_document.uri
    handle = ls.pending.pop(uri, None)
    if handle is not None:
        handle.cancel()
    ls.results.pop(uri, None)
    ls.languages.pop(uri, None)
    ls.lint_seconds.pop(uri, None)
    ls.text_document_publish_diagnostics(T.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


def _config_changed(ls: MedlintServer):
    ls.reset_config()
    for uri in list(ls.languages):
        _schedule(ls, uri, 0)


@server.feature(T.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def watched_files(ls: MedlintServer, params: T.DidChangeWatchedFilesParams):
    if any(os.path.basename(to_fs_path(c.uri) or "") in CONFIG_NAMES for c in params.changes):
        _config_changed(ls)


@server.feature(T.INITIALIZED)
def initialized(ls: MedlintServer, params: T.InitializedParams):
    caps = ls.client_capabilities.workspace
    dyn = caps and caps.did_change_watched_files and caps.did_change_watched_files.dynamic_registration
    if dyn:
        opts = T.DidChangeWatchedFilesRegistrationOptions(watchers=[
            T.FileSystemWatcher(glob_pattern="**/pyproject.toml"),
            T.FileSystemWatcher(glob_pattern="**/medlint.toml")])
        ls.client_register_capability(T.RegistrationParams(registrations=[T.Registration(
            id="medlint-config-watch", method=T.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=opts)]))


def _contains(r: T.Range, p: T.Position) -> bool:
    start = (r.start.line, r.start.character)
    end = (r.end.line, r.end.character)
    return start <= (p.line, p.character) <= end


@server.feature(T.TEXT_DOCUMENT_HOVER)
def hover(ls: MedlintServer, params: T.HoverParams):
    pairs = ls.results.get(params.text_document.uri, [])
    hits = [(f, d) for f, d in pairs if _contains(d.range, params.position)]
    if not hits:
        return None
    rules = ls.linter.ruleset(to_fs_path(params.text_document.uri) or ".").all_rules
    parts = []
    for f, d in hits:
        rule = find_rule(rules, f.rule)
        text = f"**{f.code} {f.rule}** ({f.severity})\n\n{f.message}"
        if rule is not None:
            text += f"\n\n{rule.description}\n\n*Why it matters:* {rule.why}"
            if rule.references:
                text += "\n\n*Reference:* " + rule.references[0]
        if f.fix:
            text += f"\n\n*Quick fix:* {f.fix.message}"
        parts.append(text)
    return T.Hover(contents=T.MarkupContent(kind=T.MarkupKind.Markdown, value="\n\n---\n\n".join(parts)),
                   range=hits[0][1].range)


@server.feature(T.TEXT_DOCUMENT_CODE_ACTION,
                T.CodeActionOptions(code_action_kinds=[T.CodeActionKind.QuickFix]))
def code_action(ls: MedlintServer, params: T.CodeActionParams):
    uri = params.text_document.uri
    doc = ls.workspace.get_text_document(uri)
    pairs = ls.results.get(uri, [])
    wanted = params.range
    actions = []
    done_lines = set()
    for f, d in pairs:
        if d.range.end.line < wanted.start.line or d.range.start.line > wanted.end.line:
            continue
        if f.fix is not None:
            actions.append(T.CodeAction(
                title=f"medlint: {f.fix.message}", kind=T.CodeActionKind.QuickFix, diagnostics=[d],
                is_preferred=True,
                edit=T.WorkspaceEdit(changes={uri: [T.TextEdit(range=d.range, new_text=f.fix.replacement)]})))
        key = (d.range.start.line, f.rule)
        if key in done_lines:
            continue
        done_lines.add(key)
        line_text = doc.lines[d.range.start.line] if d.range.start.line < len(doc.lines) else ""
        indent = line_text[:len(line_text) - len(line_text.lstrip())]
        comment = f"{indent}<!-- medlint-disable-next-line {f.rule} -->\n"
        pos = T.Position(line=d.range.start.line, character=0)
        actions.append(T.CodeAction(
            title=f"medlint: disable {f.rule} for this line", kind=T.CodeActionKind.QuickFix,
            diagnostics=[d],
            edit=T.WorkspaceEdit(changes={uri: [T.TextEdit(range=T.Range(start=pos, end=pos), new_text=comment)]})))
    return actions


def serve(tcp: str | None = None) -> int:
    logging.basicConfig(level=logging.WARNING)
    if tcp:
        host, _, port = tcp.rpartition(":")
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        server.start_io()
    return 0
