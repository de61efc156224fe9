"""Site audits: lint every page of a site, score each page's risk, and report.

``medlint audit PATH... --report report.html --csv findings.csv --json audit.json`` (see the
README, "Site audits"). The pipeline is the one ``medlint check`` uses; this module adds:

- **main content**: HTML findings located in page furniture (navigation, headers, footers,
  sidebars, cookie banners; tagged by :mod:`medlint.parsers.html`) are not reported
  (``Options.main_content``); rules still read those blocks, so a risk disclosure in a
  footer still counts as disclosed. Positions are unchanged: nothing is cut out of a page.
- **execution**: pages are linted by :func:`medlint.runner.run` in a process pool
  (``jobs``), or on a Dask cluster (``scheduler``: an address or a ``distributed.Client``).
  Either way the cross-page pass (:func:`medlint.runner.site_pass`) runs once, here, over
  every page in discovery order, so results are the same whatever ran the pages.
- **never lose a page**: a page that cannot be read or parsed, or on which a rule crashes,
  is kept with its errors (``FileResult.errors``); if a worker process dies the remaining
  pages are re-run and the page that killed it is isolated by bisection and reported.
- **cache**: a page whose content, path, medlint code, rule packs, configuration and options
  are unchanged is not linted again (``.medlint_cache/audit.sqlite3``; see :class:`Cache`).
- **risk score**: 0-100 per page (:func:`risk_score`).
"""
from __future__ import annotations

import base64
import hashlib
import json
import logging
import math
import os
import re
import sqlite3
import sys
import time
import zlib
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from . import __version__
from .engine import Linter, Options
from .finding import SEVERITIES, Finding, finding_stats
from .registry import MedlintError
from .runner import (MAX_FILE_SIZE, FileResult, RunResult, discover, lint_source_safely, read_file,
                     site_pass)
from .util import write_all_atomically

log = logging.getLogger("medlint")

CACHE_SCHEMA = 2  # 2: pages carry their claims register entries
AUDIT_SCHEMA = 1
DEFAULT_CACHE_DIR = ".medlint_cache"
CACHE_MAX_AGE_DAYS = 30

# --- risk score ---------------------------------------------------------------------------

SEVERITY_POINTS = {"error": 10.0, "warning": 4.0, "info": 1.0}
CATEGORY_WEIGHT = {"risk": 1.0, "claims": 1.0, "duplication": 0.3, "readability": 0.3,
                   "language": 0.2}
OTHER_CATEGORY_WEIGHT = 0.5
RISK_SCALE = 20.0


def risk_points(findings=None, stats: dict | None = None) -> float:
    """Sum over the rules that fire on a page of ``w * (1 + ln n)``: ``w`` is the rule's
    severity points (error 10, warning 4, info 1) times its category weight (risk and claims
    1.0, duplication and readability 0.3, language 0.2), ``n`` its number of findings."""
    per_rule: dict[str, list] = {}
    for (rule, _code, category, severity, _fix), n in (stats if stats is not None else finding_stats(findings)).items():
        w = SEVERITY_POINTS.get(severity, 1.0) * CATEGORY_WEIGHT.get(category, OTHER_CATEGORY_WEIGHT)
        cur = per_rule.setdefault(rule, [0.0, 0])
        cur[0] = max(cur[0], w)
        cur[1] += n
    return sum(w * (1 + math.log(n)) for w, n in per_rule.values())


def risk_score(findings=None, stats: dict | None = None) -> int:
    """0-100: ``round(100 * (1 - exp(-points / 20)))`` of :func:`risk_points`.

    One missing risk disclosure (an error in the risk category) scores 39, one uncited
    claim 18, thirty jargon findings 4; scores saturate towards 100, so a page with
    many kinds of serious problems outranks a page that repeats one minor one."""
    return int(round(100 * (1 - math.exp(-risk_points(findings, stats) / RISK_SCALE))))


# --- result -------------------------------------------------------------------------------

class RunFile:
    """Where an audit keeps its pages' findings while it runs and while its reports are
    written: an anonymous temporary file (deleted when closed or when the process ends),
    one compressed JSON record per page. The parent process keeps only a small record per
    page (:class:`PageRecord`), so memory does not grow with the number of findings."""

    def __init__(self, directory: str | None = None):
        import tempfile
        try:
            self.fh = tempfile.TemporaryFile(dir=directory)
        except OSError:
            self.fh = tempfile.TemporaryFile()
        self.end = 0

    def put(self, findings) -> tuple[int, int] | None:
        return self.put_json([f.to_json() for f in findings]) if findings else None

    def get(self, ref) -> list[Finding]:
        return [Finding.from_json(d) for d in self.get_json(ref) or []]

    def put_json(self, data) -> tuple[int, int] | None:
        if not data:
            return None
        blob = zlib.compress(json.dumps(data, separators=(",", ":")).encode(), 1)
        self.fh.seek(self.end)
        self.fh.write(blob)
        ref = (self.end, len(blob))
        self.end += len(blob)
        return ref

    def get_json(self, ref):
        if ref is None:
            return None
        self.fh.seek(ref[0])
        return json.loads(zlib.decompress(self.fh.read(ref[1])))

    def close(self):
        self.fh.close()


class PageRecord:
    """One page of an audit, as :class:`medlint.runner.FileResult` presents it (``path``,
    ``findings``, ``words``, ``readability``, ``errors``), with its findings read back from
    the :class:`RunFile` each time they are asked for, and the findings of the cross-page
    pass (``add_findings``) held here."""

    __slots__ = ("path", "words", "readability", "errors", "site_data", "stats", "extra", "_run", "_ref",
                 "_claims")

    def __init__(self, res: FileResult, run: RunFile):
        self.path = res.path
        self.words = res.words
        self.readability = res.readability
        self.errors = list(res.errors)
        self.site_data = res.site_data
        self.stats = finding_stats(res.findings)
        self.extra: list[Finding] = []
        self._run = run
        self._ref = run.put(res.findings)
        self._claims = run.put_json(res.claims)

    @property
    def claims(self) -> list[dict]:
        """The page's claims register entries (:mod:`medlint.register`)."""
        return self._run.get_json(self._claims) or []

    @property
    def findings(self) -> list[Finding]:
        out = self._run.get(self._ref)
        if self.extra:
            out = sorted(out + self.extra, key=Finding.sort_key)
        return out

    @property
    def count(self) -> int:
        return sum(self.stats.values())

    def add_findings(self, findings):
        self.extra.extend(findings)
        finding_stats(findings, self.stats)

    def to_json(self) -> dict:
        return {"path": self.path, "words": self.words, "readability": self.readability}


class Excerpts:
    """Excerpts of a page's findings, read from the page when asked for (never all kept):
    ``get(path)`` is a list parallel to that page's findings of (before, flagged, after) or
    None. The most recent page's are remembered (the report and the CSV ask page by page)."""

    def __init__(self, result: "AuditResult", max_size: int):
        self.pages = {r.path: r for r in result.files}
        self.max_size = max_size
        self._last: tuple = (None, None)

    def get(self, path, default=None):
        if self._last[0] == path:
            return self._last[1]
        r = self.pages.get(path)
        if r is None:
            return default
        findings = r.findings
        out = page_excerpts(path, findings, self.max_size) if findings else []
        self._last = (path, out)
        return out

    def __getitem__(self, path):
        out = self.get(path)
        if out is None:
            raise KeyError(path)
        return out


@dataclass
class AuditResult:
    run: RunResult
    root: str  # the directory page paths are shown relative to in the report
    scores: dict[str, int] = field(default_factory=dict)
    # excerpts.get(path): parallel to the page's findings, (before, flagged text, after) or None
    excerpts: Excerpts | None = None
    clusters: list[dict] = field(default_factory=list)  # cross-page duplicate clusters
    rules: tuple = ()  # every rule of the run (for explanations)
    cached: int = 0
    seconds: float = 0.0
    executor: str = ""
    options: Options = field(default_factory=Options)
    fail_on: str = "warning"
    started: str = ""
    _runfile: RunFile | None = None

    @property
    def files(self) -> list[FileResult]:
        return self.run.files

    @property
    def findings(self) -> list[Finding]:
        """Every finding of every page, sorted (all in memory: for small audits and tests;
        the reports read page by page)."""
        return self.run.findings

    def stats(self) -> dict:
        """:func:`medlint.finding.finding_stats` of every page together."""
        out: dict = {}
        for r in self.run.files:
            for k, n in r.stats.items():
                out[k] = out.get(k, 0) + n
        return out

    def has_findings_at(self, threshold: str) -> bool:
        """A finding at or above severity ``threshold`` (the exit status)."""
        from .finding import SEVERITY_RANK
        rank = SEVERITY_RANK[threshold]
        return any(SEVERITY_RANK.get(k[3], 0) >= rank for r in self.run.files for k in r.stats)

    def register(self):
        """The site's claims register (:class:`medlint.register.Register`): identical claims on
        several pages are one row; paths as the report shows them."""
        from .register import Register

        def pages():
            for r in self.run.files:
                claims = r.claims or []
                for c in claims:
                    c["path"] = self.display_path(c["path"])
                yield claims
        return Register(pages())

    def claims(self) -> list[dict]:
        """The register's rows (all in memory: for small audits and tests)."""
        return list(self.register().rows())

    def close(self):
        """Delete the run file that holds the pages' findings (after writing the reports)."""
        if self._runfile is not None:
            self._runfile.close()

    @property
    def errors(self) -> list[dict]:
        return self.run.errors

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.run.files if r.errors]

    def display_path(self, path: str) -> str:
        try:
            rel = os.path.relpath(path, self.root)
        except ValueError:
            return path
        return path if rel.startswith("..") else Path(rel).as_posix()

    def summary(self) -> dict:
        files = self.run.files
        sev = {s: 0 for s in SEVERITIES}
        by_rule: dict[str, dict] = {}
        for r in files:
            seen = set()
            for (rule, code, category, severity, _fix), n in r.stats.items():
                sev[severity] = sev.get(severity, 0) + n
                d = by_rule.setdefault(rule, {"code": code, "category": category, "findings": 0,
                                              "pages": 0, **{s: 0 for s in SEVERITIES}})
                d[severity] = d.get(severity, 0) + n
                d["findings"] += n
                if rule not in seen:
                    seen.add(rule)
                    d["pages"] += 1
        grades = [r.readability.get("flesch_kincaid_grade") for r in files if r.readability]
        grades = [g for g in grades if g is not None]
        return {
            "pages": len(files), "failed_pages": len(self.failed), "cached_pages": self.cached,
            "words": sum(r.words for r in files), "findings": sum(sev.values()),
            "by_severity": sev,
            "by_rule": dict(sorted(by_rule.items(), key=lambda kv: (kv[1]["code"], kv[0]))),
            "grade_histogram": grade_histogram(grades),
            "median_grade": round(sorted(grades)[len(grades) // 2], 1) if grades else None,
            "duplicate_clusters": len(self.clusters),
            "seconds": round(self.seconds, 2), "executor": self.executor,
        }

    def _json_parts(self):
        """(head, findings iterator, tail) of the audit JSON: the check JSON schema
        (findings, files, errors) plus summary and clusters. Findings come page by page,
        sorted by path, line and column, as ``medlint check`` sorts them."""
        head = {"schema": AUDIT_SCHEMA, "medlint": __version__, "kind": "audit",
                "started": self.started, "summary": self.summary()}

        def findings():
            for r in sorted(self.run.files, key=lambda r: r.path):
                for f in r.findings:
                    yield f.to_json()
        files = [{"path": r.path, "words": r.words, "readability": r.readability,
                  "risk_score": self.scores.get(r.path), "findings": r.count,
                  "failed": bool(r.errors), "errors": list(r.errors)} for r in self.run.files]
        tail = {"files": files, "errors": self.run.errors,
                "duplicate_clusters": [{"size": len(c["members"]), "excerpt": c["excerpt"],
                                        "pages": [{"path": p, "line": ln, "column": col}
                                                  for p, ln, col in c["members"]]}
                                       for c in self.clusters]}
        return head, findings(), tail

    def to_json(self) -> dict:
        """The audit JSON as one dict (all in memory; :meth:`write_json` streams it)."""
        head, findings, tail = self._json_parts()
        return {**head, "findings": list(findings), **tail}

    def write_json(self, fh) -> None:
        """Write the audit JSON to ``fh``, one finding at a time."""
        head, findings, tail = self._json_parts()
        enc = json.JSONEncoder(indent=1)
        fh.write("{\n")
        for k, v in head.items():
            fh.write(f' {json.dumps(k)}: {enc.encode(v)},\n')
        fh.write(' "findings": [')
        for i, f in enumerate(findings):
            fh.write(("," if i else "") + "\n  " + enc.encode(f).replace("\n", "\n  "))
        fh.write("\n ]")
        for k, v in tail.items():
            fh.write(f',\n {json.dumps(k)}: {enc.encode(v)}')
        fh.write("\n}\n")


GRADE_BINS = ["\u22645"] + [str(g) for g in range(6, 16)] + ["16+"]


def grade_histogram(grades) -> dict[str, int]:
    """Pages per Flesch-Kincaid grade: <=5, 6 ... 15, 16+ (rounded to whole grades)."""
    out = {b: 0 for b in GRADE_BINS}
    for g in grades:
        r = int(round(g))
        out[GRADE_BINS[0] if r <= 5 else GRADE_BINS[-1] if r >= 16 else str(r)] += 1
    return out


# --- fingerprints and cache ---------------------------------------------------------------

def _hash_tree(h, root: Path, suffixes=None):
    if root.is_file():
        h.update(str(root.name).encode() + b"\0" + root.read_bytes() + b"\0")
        return
    if not root.is_dir():
        h.update(f"missing:{root}".encode())
        return
    for dirpath, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.startswith("."))
        for f in sorted(files):
            if suffixes and not f.endswith(suffixes):
                continue
            p = Path(dirpath) / f
            h.update(p.relative_to(root).as_posix().encode() + b"\0")
            try:
                h.update(p.read_bytes())
            except OSError:
                h.update(b"unreadable")
            h.update(b"\0")


@lru_cache(maxsize=1)
def worker_identity() -> str:
    """medlint's version, the built-in rule packs and the versions of the libraries whose
    behaviour shapes findings: a Dask worker must match the client."""
    from importlib import metadata

    from .registry import builtin_rules_dir
    from .model import builtin_path
    h = hashlib.sha256(__version__.encode())
    _hash_tree(h, Path(builtin_rules_dir()))
    if builtin_path().exists():  # the sentence model's weights decide claims
        h.update(hashlib.sha256(builtin_path().read_bytes()).digest())
    for dist in ("spacy", "spacy-lookups-data", "textstat", "markdown-it-py", "mdit-py-plugins", "numpy"):
        try:
            h.update(f"{dist}={metadata.version(dist)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{dist}=none".encode())
    return h.hexdigest()


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """:func:`worker_identity` plus medlint's Python code (for the cache: an edited rule
    kind in a development checkout invalidates cached results without a version bump)."""
    h = hashlib.sha256(worker_identity().encode())
    _hash_tree(h, Path(__file__).resolve().parent, (".py",))
    return h.hexdigest()


def config_fingerprint(options: Options, cfg) -> str:
    """Everything besides the page that changes its findings: code, options, configuration,
    the contents of extra rule packs and knowledge files."""
    h = hashlib.sha256()
    h.update(json.dumps([CACHE_SCHEMA, code_fingerprint(), options.select, options.extend_select,
                         options.ignore, options.main_content, cfg.path, cfg.root, cfg.key()],
                        default=str).encode())
    for d in list(cfg.extra_rules) + list(options.rules_dirs):
        _hash_tree(h, Path(d))
    for paths in cfg.knowledge.values():
        for p in paths:
            _hash_tree(h, Path(p))
    if cfg.sentence_model and os.path.isfile(cfg.sentence_model):
        h.update(hashlib.sha256(Path(cfg.sentence_model).read_bytes()).digest())
    return h.hexdigest()


def _enc(o):
    import numpy as np
    if isinstance(o, np.ndarray):
        return {"__nd__": [o.dtype.str, list(o.shape), base64.b64encode(o.tobytes()).decode()]}
    if isinstance(o, dict):
        if not all(isinstance(k, str) for k in o):
            raise TypeError("non-string key")
        return {k: _enc(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_enc(v) for v in o]
    if o is None or isinstance(o, (str, int, float, bool)):
        return o
    raise TypeError(f"cannot cache {type(o).__name__}")


def _dec(o):
    if isinstance(o, dict):
        if "__nd__" in o and len(o) == 1:
            import numpy as np
            dtype, shape, data = o["__nd__"]
            return np.frombuffer(base64.b64decode(data), dtype=np.dtype(dtype)).reshape(shape).copy()
        return {k: _dec(v) for k, v in o.items()}
    if isinstance(o, list):
        return [_dec(v) for v in o]
    return o


def encode_result(r: FileResult) -> bytes:
    data = {"path": r.path, "words": r.words, "readability": r.readability,
            "findings": [f.to_json() for f in r.findings], "site_data": _enc(r.site_data), "claims": r.claims}
    return zlib.compress(json.dumps(data, separators=(",", ":")).encode(), 1)


def decode_result(blob: bytes) -> FileResult:
    d = json.loads(zlib.decompress(blob))
    return FileResult(d["path"], findings=[Finding.from_json(f) for f in d["findings"]], words=d["words"],
                      readability=d["readability"], site_data=_dec(d["site_data"]), claims=d.get("claims"))


class Cache:
    """Per-page lint results before the cross-page pass, keyed by sha256 of the page's bytes,
    its path and :func:`config_fingerprint`. One SQLite file, written only by the process
    that runs the audit; entries unused for 30 days are dropped. Pages with errors are never
    cached. Stored as JSON (no pickle): a cache directory is safe to share or inspect."""

    def __init__(self, directory: str):
        self.directory = directory
        self.path = os.path.join(directory, "audit.sqlite3")
        os.makedirs(directory, exist_ok=True)
        for name, text in (("CACHEDIR.TAG", "Signature: 8a477f597d28d172789f06886806bc55\n"
                                            "# This file is a cache directory tag created by medlint.\n"),
                           (".gitignore", "# created by medlint\n*\n")):
            p = os.path.join(directory, name)
            if not os.path.exists(p):
                with open(p, "w", encoding="utf-8") as fh:
                    fh.write(text)
        try:
            self.db = self._open()
        except sqlite3.DatabaseError:  # a corrupt cache is thrown away, never an error
            os.unlink(self.path)
            self.db = self._open()
        self.broken = False
        self.used: list[str] = []

    def _open(self):
        db = sqlite3.connect(self.path, timeout=30)
        # write-ahead log: each page's result is committed as it arrives, cheaply, so an audit
        # that is killed (SIGKILL, power loss) and run again does not lint those pages again
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value BLOB, used REAL)")
        return db

    def get_many(self, keys: list[str]):
        """Yield (key, FileResult) for the keys the cache holds, 500 at a time (a large
        site's cached results are never all in memory at once)."""
        try:
            for i in range(0, len(keys), 500):
                chunk = keys[i:i + 500]
                q = f"SELECT key, value FROM entries WHERE key IN ({','.join('?' * len(chunk))})"
                rows = self.db.execute(q, chunk).fetchall()
                for k, v in rows:
                    try:
                        res = decode_result(v)
                    except (ValueError, KeyError, TypeError, zlib.error):
                        continue
                    self.used.append(k)
                    yield k, res
        except sqlite3.Error as e:
            log.warning("medlint: cache not read: %s", e)
            self.broken = True

    def put(self, key: str, result: FileResult):
        if result.errors or self.broken:
            return
        try:
            blob = encode_result(result)
        except TypeError:
            return  # site data this cache cannot store: lint the page again next time
        try:
            self.db.execute("INSERT OR REPLACE INTO entries VALUES (?, ?, ?)", (key, blob, time.time()))
            self.db.commit()
        except sqlite3.Error as e:  # disk full, locked for too long: go on without caching
            log.warning("medlint: cache not written: %s", e)
            self.broken = True

    def close(self):
        try:
            now = time.time()
            self.db.executemany("UPDATE entries SET used = ? WHERE key = ?", [(now, k) for k in self.used])
            self.db.execute("DELETE FROM entries WHERE used < ?", (now - CACHE_MAX_AGE_DAYS * 86400,))
            self.db.commit()
        except sqlite3.Error as e:
            log.warning("medlint: cache not written: %s", e)
        finally:
            self.db.close()


# --- running ------------------------------------------------------------------------------

def _page_key(path: str, data: bytes, config_fp: str) -> str:
    h = hashlib.sha256(config_fp.encode())
    h.update(b"\0" + path.encode("utf-8", "surrogateescape") + b"\0")
    h.update(hashlib.sha256(data).digest())
    return h.hexdigest()


def _run_local(files: list[str], options: Options, jobs: int, max_size: int, on_result) -> None:
    """Lint ``files`` with :func:`medlint.runner.run` (no cross-page pass). If a worker
    process dies (a crash in native code, the OOM killer), the pages without a result are
    run again; a group that kills a worker again is halved until the page is found."""
    from concurrent.futures.process import BrokenProcessPool

    from .runner import run
    done: set[str] = set()

    def got(res):
        done.add(res.path)
        on_result(res)

    groups = [files]
    retried = False
    while groups:
        group = [f for f in groups.pop() if f not in done]
        if not group:
            continue
        if len(group) == 1 and jobs > 1 and retried:  # runner.run would lint it in this process
            got(_run_alone(group[0], options, max_size))
            continue
        try:
            run(group, options, jobs=jobs, max_size=max_size, progress=got, site=False, keep=False)
        except BrokenProcessPool:
            retried = True
            rest = [f for f in group if f not in done]
            if len(rest) == 1:
                got(_run_alone(rest[0], options, max_size))
            elif rest:
                half = len(rest) // 2
                groups += [rest[half:], rest[:half]]


def _run_alone(path: str, options: Options, max_size: int) -> FileResult:
    """One page in a worker process of its own (runner.run lints a single file in-process)."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    from .runner import _init_worker, _work
    with ProcessPoolExecutor(1, initializer=_init_worker, initargs=(options,)) as ex:
        try:
            return ex.submit(_work, (path, None, max_size)).result()
        except BrokenProcessPool:
            return FileResult(path, errors=[f"{path}: internal error: the worker process linting this "
                                            f"page died (crash or out of memory)"])


def audit(paths, options: Options | None = None, *, jobs: int | None = None, cache: bool = True,
          cache_dir: str = DEFAULT_CACHE_DIR, scheduler=None, main_content: bool = True,
          progress=None, max_size: int = MAX_FILE_SIZE, batch_size: int = 16) -> AuditResult:
    """Audit the pages under ``paths``.

    jobs: processes (default: all cores); scheduler: a Dask scheduler address
    (``"tcp://host:8786"``) or a ``distributed.Client`` to run the pages on instead.
    progress: called as ``progress(done, total)`` as pages finish.
    Pages are never dropped: failures are in ``result.failed`` / ``result.errors``."""
    t0 = time.perf_counter()
    started = time.strftime("%Y-%m-%d %H:%M:%S %z")
    options = replace(options or Options(), main_content=main_content, claims=True)
    paths = [str(p) for p in paths]
    if "-" in paths:
        raise MedlintError("medlint audit reads files and directories, not standard input ('-')")
    linter = Linter(options)
    files = discover(paths, options)
    total = len(files)
    jobs = jobs or _cpu_count()
    if jobs < 1:
        raise MedlintError("--jobs must be at least 1")
    results: dict[str, PageRecord] = {}
    runfile = RunFile(cache_dir if cache and os.path.isdir(cache_dir) else None)
    count = [0]

    def tick(res: FileResult):
        if res.path in results:  # a page re-run after a worker died: its first result stands
            return
        results[res.path] = PageRecord(res, runfile)
        count[0] += 1
        if progress:
            progress(count[0], total)

    # cache look-up: hash every readable page
    keys: dict[str, str] = {}
    store = None
    if cache:
        try:
            store = Cache(cache_dir)
        except (OSError, sqlite3.Error) as e:  # a read-only disk: audit without the cache
            log.warning("medlint: cache disabled: %s: %s", cache_dir, e)
    cached = 0
    try:
        if store is not None:
            fps: dict = {}
            for f in files:
                try:
                    if os.path.getsize(f) > max_size:
                        continue
                    with open(f, "rb") as fh:
                        data = fh.read()
                    cfg = linter.config_for(f)
                except (OSError, MedlintError):
                    continue  # the run reports it
                ck = (cfg.path, cfg.root, cfg.key())
                if ck not in fps:
                    fps[ck] = config_fingerprint(options, cfg)
                keys[f] = _page_key(f, data, fps[ck])
            path_of = {k: f for f, k in keys.items()}
            for k, hit in store.get_many(list(keys.values())):
                hit.path = path_of[k]
                tick(hit)
            cached = len(results)

        def fresh(res: FileResult):
            tick(res)
            if store is not None and res.path in keys:
                store.put(keys[res.path], res)

        todo = [f for f in files if f not in results]
        executor = "the cache (no page needed linting)"
        if todo and scheduler is not None:
            executor = _run_dask(todo, options, linter, scheduler, max_size, batch_size, fresh)
        else:
            if todo:
                executor = f"{jobs} process{'es' if jobs != 1 else ''}"
                _run_local(todo, options, jobs, max_size, fresh)
    except BaseException:
        runfile.close()
        raise
    finally:
        if store is not None:
            store.close()

    run = RunResult(files=[results[f] for f in files])
    site_pass(linter, run)
    run.errors = [{"path": r.path, "message": e} for r in run.files for e in r.errors]
    root = _common_root(files)
    rs = linter.ruleset(files[0] if files else ".")
    res = AuditResult(run=run, root=root, rules=rs.all_rules, cached=cached, executor=executor,
                      options=options, fail_on=linter.fail_on(files[0] if files else "."), started=started,
                      _runfile=runfile)
    res.scores = {r.path: risk_score(stats=r.stats) for r in run.files}
    res.clusters, wanted = _clusters(run, files)
    _cluster_excerpts(wanted, res.clusters, max_size)
    res.excerpts = Excerpts(res, max_size)
    res.seconds = time.perf_counter() - t0
    return res


def _cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return os.cpu_count() or 1


def _common_root(files: list[str]) -> str:
    dirs = [os.path.dirname(os.path.abspath(f)) for f in files]
    if not dirs:
        return os.getcwd()
    try:
        return os.path.commonpath(dirs)
    except ValueError:
        return os.getcwd()


# --- Dask ---------------------------------------------------------------------------------

_dask_linters: dict = {}


class _FixedConfigLinter(Linter):
    """A Linter that applies the configuration the client resolved, whatever the worker's
    file system holds."""

    def __init__(self, options: Options, config):
        super().__init__(replace(options, config_path=None))
        self._config = config

    def config_for(self, path: str):
        return self._config


def dask_lint_batch(options: Options, config, pages: list[tuple[str, str]]):
    """Runs on a Dask worker: lint (path, text) pages. Returns (worker identity, results)."""
    key = (repr(options), config.path, config.root, config.key())
    linter = _dask_linters.get(key)
    if linter is None:
        linter = _dask_linters[key] = _FixedConfigLinter(options, config)
    return worker_identity(), [lint_source_safely(linter, text, path) for path, text in pages]


def _run_dask(files, options, linter, scheduler, max_size, batch_size, on_result) -> str:
    """Pages are read here and sent to the workers as text (workers need medlint, not the
    pages); the configuration is resolved here too. Returns a description of the cluster."""
    try:
        import distributed
    except ImportError:
        raise MedlintError("running on a Dask cluster needs Dask: pip install 'medlint[dask]'") from None
    own = isinstance(scheduler, str)
    if own:
        try:
            import dask
            timeout = dask.config.get("distributed.comm.timeouts.connect", "30s")  # DASK_* env/config
            client = distributed.Client(scheduler, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as e:
            raise MedlintError(f"cannot connect to the Dask scheduler at {scheduler}: {e}") from None
    else:
        client = scheduler
    expected = worker_identity()

    def batches():
        batch, cfg_key, cfg = [], None, None
        for f in files:
            try:
                text = read_file(f, max_size)
                c = linter.config_for(f)
            except MedlintError as e:
                on_result(FileResult(f, errors=[str(e)]))
                continue
            k = (c.path, c.root, c.key())
            if batch and (k != cfg_key or len(batch) >= batch_size):
                yield cfg, batch
                batch = []
            cfg_key, cfg = k, c
            batch.append((f, text))
        if batch:
            yield cfg, batch

    futures = {}
    try:
        nthreads = sum(client.nthreads().values()) or 1
        window = max(4, 3 * nthreads)
        queue = batches()
        ac = distributed.as_completed(loop=client.loop)

        def submit_next(n=1):
            for _ in range(n):
                item = next(queue, None)
                if item is None:
                    return
                cfg, pages = item
                fut = client.submit(dask_lint_batch, options, cfg, pages, pure=False)
                futures[fut] = (cfg, pages)
                ac.add(fut)

        submit_next(window)
        for fut in ac:
            cfg, pages = futures.pop(fut)
            try:
                fp, out = fut.result()
            except distributed.client.FutureCancelledError:
                raise
            except Exception as e:  # noqa: BLE001
                if type(e).__name__ != "KilledWorker":
                    raise MedlintError(f"a Dask worker could not run medlint: {type(e).__name__}: {e} "
                                       f"(each worker needs the same medlint installed)") from None
                if len(pages) == 1:  # this page kills workers
                    path = pages[0][0]
                    on_result(FileResult(path, errors=[f"{path}: internal error: the Dask worker linting "
                                                       f"this page died (crash or out of memory)"]))
                else:
                    for p in pages:  # try each page on its own
                        f2 = client.submit(dask_lint_batch, options, cfg, [p], pure=False)
                        futures[f2] = (cfg, [p])
                        ac.add(f2)
                submit_next()
                continue
            if fp != expected:
                raise MedlintError("a Dask worker runs a different medlint version, rule packs or library "
                                   "versions than this client; install the same versions everywhere")
            for r in out:
                on_result(r)
            submit_next()
    except BaseException:
        for f in list(futures):
            f.cancel()
        raise
    finally:
        if own:
            try:
                client.close(timeout=10)
            except Exception:  # noqa: BLE001
                pass
    addr = scheduler if own else getattr(getattr(client, "scheduler", None), "address", "cluster")
    return f"Dask {addr} ({nthreads} worker thread{'s' if nthreads != 1 else ''})"


# --- clusters and excerpts ----------------------------------------------------------------

def _clusters(run: RunResult, files: list[str]):
    """Cross-page duplicate clusters from the duplicate-section findings whose related
    locations are on other pages (connected components). Returns (clusters, wanted ranges):
    each cluster is {"members": [(path, line, column)], "first": (path, l, c, el, ec)}."""
    order = {f: i for i, f in enumerate(files)}
    parent: dict = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    spans: dict = {}
    for r in run.files:
        for f in r.extra:  # the cross-page pass's findings
            if f.rule != "duplicate-section":
                continue
            others = [x for x in f.related if x.path != f.path]
            if not others:
                continue
            a = (f.path, f.line, f.column)
            spans.setdefault(a, (f.end_line, f.end_column))
            for x in others:
                b = (x.path, x.line, x.column)
                spans.setdefault(b, (x.end_line or x.line, x.end_column or x.column))
                ra, rb = find(a), find(b)
                if ra != rb:
                    parent[rb] = ra
    groups: dict = {}
    for node in parent:
        groups.setdefault(find(node), []).append(node)
    clusters = []
    wanted: dict[str, set] = {}
    for members in groups.values():
        members.sort(key=lambda m: (order.get(m[0], len(order)), m[1], m[2]))
        first = members[0]
        el, ec = spans.get(first, (first[1], first[2]))
        clusters.append({"members": members, "first": (*first, el, ec), "excerpt": None})
        wanted.setdefault(first[0], set()).add((first[1], first[2], el, ec))
    clusters.sort(key=lambda c: (-len({m[0] for m in c["members"]}), order.get(c["first"][0], 0), c["first"][1]))
    return clusters, wanted


def excerpt(lines, line: int, column: int, end_line: int, end_column: int,
            context: int = 70, max_mark: int = 300):
    """(before, flagged, after) around a span, whitespace collapsed, trimmed with ellipses."""
    src = lines.source
    try:
        s = lines.offset(line, column)
        e = lines.offset(end_line, end_column)
    except IndexError:
        return None
    s = min(max(0, s), len(src))
    e = min(max(s, e), len(src))
    ls = lines.starts[line - 1]
    le = lines.starts[end_line] if end_line < len(lines.starts) else len(src)
    b0 = max(ls, s - context)
    a1 = min(le, e + context)
    before, mark, after = src[b0:s], src[s:e], src[e:a1]
    ws = re.compile(r"\s+")
    before, mark, after = ws.sub(" ", before).lstrip(), ws.sub(" ", mark), ws.sub(" ", after).rstrip()
    if b0 > ls:
        before = "\u2026" + before
    if a1 < le:
        after += "\u2026"
    if len(mark) > max_mark:
        mark = mark[:max_mark * 2 // 3].rstrip() + " \u2026 " + mark[-max_mark // 3:].lstrip()
    return before, mark, after


def _lines(path: str, max_size: int):
    from .document import LineIndex
    try:
        return LineIndex(read_file(path, max_size))
    except MedlintError:
        return None


def page_excerpts(path: str, findings, max_size: int = MAX_FILE_SIZE) -> list:
    """(before, flagged, after) for each finding, read from the page (None where it cannot
    be read any more)."""
    lines = _lines(path, max_size)
    if lines is None:
        return [None] * len(findings)
    return [excerpt(lines, f.line, f.column, f.end_line, f.end_column) for f in findings]


def _cluster_excerpts(cluster_ranges: dict, clusters: list, max_size: int) -> None:
    """Each cluster's text, read from the page holding its first copy."""
    first_text: dict = {}
    for path, want in cluster_ranges.items():
        lines = _lines(path, max_size)
        for rng in want:
            ex = excerpt(lines, *rng, context=0) if lines is not None else None
            first_text[(path, *rng)] = ex[1] if ex else None
    for c in clusters:
        c["excerpt"] = first_text.get(c["first"])


# --- writing reports ----------------------------------------------------------------------

def write_outputs(items) -> None:
    """Write every report atomically (see :func:`medlint.util.write_all_atomically`)."""
    write_all_atomically(items)


# --- progress -----------------------------------------------------------------------------

class ProgressBar:
    """A one-line progress bar on a terminal (nothing when the stream is not a TTY)."""

    def __init__(self, stream=None, label: str = "auditing", enabled: bool | None = None):
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.label = label
        self.t0 = time.monotonic()
        self.last = 0.0
        self.drawn = False

    def __call__(self, done: int, total: int):
        if not self.enabled:
            return
        now = time.monotonic()
        if done < total and now - self.last < 0.1:
            return
        self.last = now
        import shutil
        width = shutil.get_terminal_size((80, 20)).columns
        rate = done / max(1e-9, now - self.t0)
        eta = (total - done) / rate if rate > 0 else 0
        tail = f" {done}/{total} pages  {rate:5.1f}/s  ETA {int(eta) // 60}:{int(eta) % 60:02d}"
        bar_w = max(10, width - len(self.label) - len(tail) - 5)
        filled = int(bar_w * done / total) if total else bar_w
        line = f"{self.label} [{'#' * filled}{'.' * (bar_w - filled)}]{tail}"
        self.stream.write("\r" + line[:width - 1])
        self.stream.flush()
        self.drawn = True

    def close(self):
        if self.enabled and self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False
