"""Compiled data in the user's cache directory, so that start-up does not parse it again.

What is cached: the parsed form of every YAML file medlint reads (rule packs, knowledge
files; keyed by the file's content hash, so an edited file is parsed again), the syllable
counts textstat reads from the CMU pronouncing dictionary, and the lemma table from
``spacy-lookups-data`` (keyed by those packages' versions). Entries are ``marshal`` data
(plain dicts, lists and strings; never code). A cache that is missing, stale, corrupt or
unwritable is rebuilt or skipped silently: the cache changes speed, never results.

Where: ``$MEDLINT_CACHE_DIR`` if set (``off`` disables the cache), else the platform's user
cache directory (``$XDG_CACHE_HOME/medlint`` or ``~/.cache/medlint`` on Linux,
``~/Library/Caches/medlint`` on macOS, ``%LOCALAPPDATA%\\medlint\\Cache`` on Windows). Never
next to the user's files.
"""
from __future__ import annotations

import atexit
import hashlib
import marshal
import os
import sys
import tempfile
import threading
from pathlib import Path

from . import __version__

# marshal's format may change between Python versions: part of every key
_TAG = f"medlint-{__version__}-py{sys.version_info[0]}.{sys.version_info[1]}-m{marshal.version}"
_lock = threading.Lock()


def cache_dir() -> Path | None:
    env = os.environ.get("MEDLINT_CACHE_DIR")
    if env is not None:
        return None if env.strip().lower() in ("", "off", "0", "false", "no") else Path(env)
    home = Path.home()
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "medlint"
    if os.name == "nt":
        base = os.environ.get("LOCALAPPDATA")
        return Path(base) / "medlint" / "Cache" if base else None
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg and os.path.isabs(xdg) else home / ".cache") / "medlint"


def _read(path: Path, key: str):
    """The value stored under ``key`` in ``path``; KeyError when absent, stale or corrupt."""
    try:
        tag, stored_key, value = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        raise KeyError(key) from None
    if tag != _TAG or stored_key != key:
        raise KeyError(key)
    return value


def _write(path: Path, key: str, value) -> None:
    """Atomically (write a temporary file, then rename); any failure is ignored."""
    try:
        data = marshal.dumps((_TAG, key, value))
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except (OSError, ValueError):
        pass


def compiled(name: str, key: str, build):
    """``build()``, or its value from the cache file ``name`` when stored under ``key``
    (the versions or content hashes it depends on). The value must be marshal-able."""
    d = cache_dir()
    if d is None:
        return build()
    path = d / f"{name}.marshal"
    try:
        return _read(path, key)
    except KeyError:
        pass
    value = build()
    _write(path, key, value)
    return value


class _YamlStore:
    """Parsed YAML by content hash, loaded from one cache file on first use and written
    back at exit when it gained entries. Values are kept marshalled so that every read
    returns a fresh object (callers may change what they get)."""

    def __init__(self):
        self.entries: dict[str, bytes] | None = None
        self.used: set[str] = set()
        self.dirty = False

    def _path(self) -> Path | None:
        d = cache_dir()
        return d / "yaml.marshal" if d is not None else None

    def _load(self):
        if self.entries is None:
            self.entries = {}
            path = self._path()
            if path is not None:
                try:
                    stored = _read(path, "yaml")
                    if isinstance(stored, dict):
                        self.entries = stored
                except KeyError:
                    pass

    def get(self, source: bytes, parse):
        digest = hashlib.sha1(source).hexdigest()
        with _lock:
            self._load()
            hit = self.entries.get(digest)
            if hit is not None:
                self.used.add(digest)
                return marshal.loads(hit)
        value = parse()
        try:
            packed = marshal.dumps(value)
        except ValueError:  # e.g. a YAML date: not marshal-able, parsed each time
            return value
        with _lock:
            if not self.dirty:
                atexit.register(self.save)
            self.entries[digest] = packed
            self.used.add(digest)
            self.dirty = True
        return value

    def save(self):
        path = self._path()
        if not self.dirty or path is None:
            return
        entries = self.entries
        if len(entries) > 4 * max(len(self.used), 500):  # keep the cache from growing without end
            entries = {k: v for k, v in entries.items() if k in self.used}
        _write(path, "yaml", entries)
        self.dirty = False


yaml_store = _YamlStore()
