"""File discovery, reading, sequential and process-pool runs, per-file errors."""
from __future__ import annotations

import fnmatch
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from .config import DEFAULT_EXCLUDE, config_for
from .deadline import Deadline, PageTimeout, stage
from .engine import Linter, Options
from .finding import Finding
from .parsers import format_for, parse
from .registry import MedlintError

MAX_FILE_SIZE = 10 * 1024 * 1024


class InputError(MedlintError):
    pass


@dataclass
class FileResult:
    path: str
    findings: list[Finding] = field(default_factory=list)
    words: int = 0
    readability: dict | None = None
    errors: list[str] = field(default_factory=list)
    site_data: dict = field(default_factory=dict)  # rule name -> data for site-wide rules
    claims: list[dict] | None = None  # the page's claims register entries (Options.claims)
    document: object = field(default=None, repr=False, compare=False)  # the parsed page (keep_document)

    def to_json(self) -> dict:
        return {"path": self.path, "words": self.words, "readability": self.readability}

    def add_findings(self, findings):
        """Findings of the cross-page pass."""
        self.findings.extend(findings)
        self.findings.sort(key=Finding.sort_key)


@dataclass
class RunResult:
    files: list[FileResult] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)  # {"path", "message"}
    order: str = "position"  # or "severity": errors first, then by position (--sort)

    @property
    def findings(self) -> list[Finding]:
        out = [f for r in self.files for f in r.findings]
        out.sort(key=Finding.severity_sort_key if self.order == "severity" else Finding.sort_key)
        return out


def decode(data: bytes, path: str, max_size: int = MAX_FILE_SIZE) -> str:
    """Bytes -> text, or an InputError that says what is wrong with the file."""
    if len(data) > max_size:
        raise InputError(f"{path}: file is {len(data) / 1048576:.1f} MB, over the "
                         f"{max_size / 1048576:.0f} MB limit (--max-file-size); not linted")
    if b"\x00" in data[:8192]:
        raise InputError(f"{path}: binary file (NUL bytes); not linted")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        raise InputError(f"{path}: not valid UTF-8 (byte 0x{data[e.start]:02x} on line {line}); "
                         f"save the file as UTF-8") from None


def read_bytes(path: str, max_size: int = MAX_FILE_SIZE) -> bytes:
    """A file's bytes, or an InputError that says why they cannot be read."""
    try:
        size = os.path.getsize(path)
        if size > max_size:
            raise InputError(f"{path}: file is {size / 1048576:.1f} MB, over the "
                             f"{max_size / 1048576:.0f} MB limit (--max-file-size); not linted")
        with open(path, "rb") as fh:
            return fh.read()
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory") from None
    except FileNotFoundError:
        what = "broken symbolic link" if os.path.islink(path) else "no such file or directory"
        raise InputError(f"{path}: {what}") from None
    except OSError as e:
        raise InputError(f"{path}: cannot read: {e.strerror or e}") from None


def read_file(path: str, max_size: int = MAX_FILE_SIZE) -> str:
    return decode(read_bytes(path, max_size), path, max_size)


def discover(paths: list[str], options: Options | None = None) -> list[str]:
    """Files to lint: files named explicitly, and files under directories that match the
    include globs (default: Markdown, HTML, text) and no exclude glob."""
    out: list[str] = []
    seen = set()
    for p in paths:
        if p == "-":
            out.append(p)
            continue
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if d not in DEFAULT_EXCLUDE and not d.startswith("."))
                for f in sorted(files):
                    full = os.path.join(root, f)
                    cfg = config_for(full) if not (options and options.isolated) else None
                    include = cfg.include if cfg else ("*.md", "*.markdown", "*.html", "*.htm", "*.txt")
                    if not any(fnmatch.fnmatch(f, g) for g in include):
                        continue
                    if cfg and cfg.is_excluded(full):
                        continue
                    if full not in seen:
                        seen.add(full)
                        out.append(full)
        elif p not in seen:
            seen.add(p)
            out.append(p)
    return out


def lint_source(linter: Linter, source: str, path: str, fmt: str | None = None, *,
                keep_document: bool = False, site_data: bool = True) -> FileResult:
    """Lint one page's text. ``keep_document``: also return the parsed page
    (``FileResult.document``); ``site_data=False``: skip what only the cross-page pass reads."""
    from .readability import document_metrics
    res = FileResult(path)
    stage("parsing the page")
    doc = parse(source, path, fmt)
    if keep_document:
        res.document = doc
    res.findings = linter.lint(doc, res.errors)
    stage("measuring readability")
    m = document_metrics(doc)
    if linter.options.main_content and any(b.container for b in doc.blocks):
        from .readability import METRIC_KINDS, metrics, prose_of  # main content: no furniture
        m = metrics(prose_of(b for b in doc.prose_blocks(METRIC_KINDS) if not b.container))
    res.words = m["words"]
    res.readability = {k: m[k] for k in ("flesch_kincaid_grade", "smog", "flesch_reading_ease",
                                          "dale_chall", "sentences", "syllables")}
    rs = linter.ruleset(path)
    if linter.options.claims:
        from .register import page_claims
        stage("listing the page's claims")
        res.claims = page_claims(doc, rs, res.findings)
    if not site_data:
        return res
    for rule in rs.rules_for(path):
        impl = rs.impl(rule)
        if impl.site_wide:
            stage(f"collecting site data for rule {rule.name} ({rule.code})")
            res.site_data[rule.name] = impl.collect(doc, rs)
    return res


def lint_source_safely(linter: Linter, source: str, path: str, fmt: str | None = None,
                       **how) -> FileResult:
    """:func:`lint_source` within the page's time limit (:mod:`medlint.deadline`), where a
    problem with this one page becomes a FileResult with an error instead of an exception
    (configuration and rule-pack errors still raise: they concern every page)."""
    rs = linter.ruleset(path)  # built once, outside the page's time
    for rule in rs.rules_for(path):
        rs.impl(rule)
    deadline = Deadline(linter.timeout(path))
    try:
        with deadline:
            return lint_source(linter, source, path, fmt, **how)
    except PageTimeout:
        return FileResult(path, errors=[deadline.message(path)])
    except InputError as e:
        return FileResult(path, errors=[str(e)])
    except MedlintError:
        raise
    except Exception as e:  # never a traceback for one bad page
        return FileResult(path, errors=[f"{path}: internal error: {type(e).__name__}: {e}"])


def lint_path(linter: Linter, path: str, fmt: str | None = None, stdin_name: str | None = None,
              max_size: int = MAX_FILE_SIZE) -> FileResult:
    shown = (stdin_name or "-") if path == "-" else path
    try:
        if path == "-":
            source = decode(sys.stdin.buffer.read(), shown, max_size)
        else:
            source = read_file(path, max_size)
    except InputError as e:
        return FileResult(shown, errors=[str(e)])
    return lint_source_safely(linter, source, shown, fmt or (format_for(stdin_name) if stdin_name else None))


_worker_linter: Linter | None = None


def _init_worker(options: Options):
    global _worker_linter
    import signal
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _worker_linter = Linter(options)


def _work(args):
    path, fmt, max_size = args
    return lint_path(_worker_linter, path, fmt, None, max_size)


def run(paths: list[str], options: Options | None = None, jobs: int = 1, fmt: str | None = None,
        stdin_filename: str | None = None, max_size: int = MAX_FILE_SIZE,
        progress=None, site: bool = True, keep: bool = True) -> RunResult:
    """Lint ``paths``. ``site=False`` skips the cross-page pass and keeps each file's
    ``site_data`` (for callers that merge several runs, e.g. ``medlint audit`` with its cache);
    ``keep=False`` hands each result to ``progress`` only (the caller stores it)."""
    options = options or Options()
    linter = Linter(options)
    files = discover(paths, options)
    result = RunResult()
    if jobs > 1 and len(files) > 1 and "-" not in files:
        ex = ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(options,))
        try:
            chunk = max(1, min(32, len(files) // (jobs * 8) or 1))
            for res in ex.map(_work, [(f, fmt, max_size) for f in files], chunksize=chunk):
                if keep:
                    result.files.append(res)
                if progress:
                    progress(res)
        except BaseException:  # Ctrl-C: drop queued work, stop the workers, don't wait
            ex.shutdown(wait=False, cancel_futures=True)
            for proc in list((getattr(ex, "_processes", None) or {}).values()):
                proc.terminate()
            raise
        ex.shutdown()
    else:
        for f in files:
            res = lint_path(linter, f, fmt, stdin_filename, max_size)
            if keep:
                result.files.append(res)
            if progress:
                progress(res)
    if site:
        site_pass(linter, result)
    for r in result.files:
        for e in r.errors:
            result.errors.append({"path": r.path, "message": e})
    return result


def site_pass(linter: Linter, result: RunResult):
    """Cross-document rules: each gets the small per-file data collected above."""
    by_rule: dict[str, list] = {}
    for r in result.files:
        for name, data in r.site_data.items():
            by_rule.setdefault(name, []).append((r.path, data))
        r.site_data = {}
    if not by_rule or not result.files:
        return
    rs = linter.ruleset(result.files[0].path if result.files[0].path != "-" else ".")
    by_path = {r.path: r for r in result.files}
    for rule in rs.enabled:
        if rule.name not in by_rule:
            continue
        impl = rs.impl(rule)
        for path, findings in impl.site_check(by_rule[rule.name], rs).items():
            by_path[path].add_findings(findings)
