"""Small helpers shared by the front ends."""
from __future__ import annotations

import os
import tempfile


def atomic_write(path: str, text: str):
    """Write ``text`` to ``path`` via a temporary file and rename: readers never see half a file."""
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".medlint-", dir=d)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        try:  # mkstemp makes the file private (0600): give it the mode a plain open() would
            mode = os.stat(path).st_mode & 0o7777
        except OSError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
