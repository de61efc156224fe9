"""Small helpers shared by the front ends."""
from __future__ import annotations

import os
import tempfile


def _default_mode(path: str) -> int:
    """The mode a plain open() would give ``path`` (or the mode it already has)."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_all_atomically(items) -> None:
    """Write each ``(path, write(fh))`` to a temporary file beside its target, then rename
    them all: an interrupted or failed run leaves no half-written file and no temporary
    file. Each output streams to its file."""
    done: list[tuple[str, str]] = []
    try:
        for path, write in items:
            d = os.path.dirname(os.path.abspath(path))
            fd, tmp = tempfile.mkstemp(prefix=".medlint-", dir=d)
            done.append((tmp, path))
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                write(fh)
            os.chmod(tmp, _default_mode(path))  # mkstemp makes the file private (0600)
        for tmp, path in done:
            os.replace(tmp, path)
    except BaseException:
        for tmp, _path in done:
            if os.path.exists(tmp):
                os.unlink(tmp)
        raise


def is_read_only(path: str) -> bool:
    """No write permission bit, or not writable by this user (root ignores the bits)."""
    return not os.access(path, os.W_OK) or not os.stat(path).st_mode & 0o222


def atomic_write(path: str, text: str):
    """Write ``text`` to ``path`` via a temporary file and rename: readers never see half a file."""
    write_all_atomically([(path, lambda fh: fh.write(text))])
