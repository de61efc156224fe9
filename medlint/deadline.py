"""Bounded time per page: one slow page cannot stall a run.

``with Deadline(seconds) as d:`` raises :class:`PageTimeout` in the running code once
``seconds`` have passed; ``stage(...)`` records what is running (parsing, a rule's name)
so that the page's error can say where the time went.

How the code is interrupted:

- in a process's main thread (``medlint check``, the worker processes of ``check --jobs``
  and ``audit``): ``SIGALRM`` via ``setitimer``. The
  handler raises between two Python bytecodes, and Python's regular-expression engine polls
  for signals while it backtracks, so a runaway regex is interrupted too;
- in any other thread (the language server lints in a worker thread, Dask runs tasks in
  threads) or where ``SIGALRM`` does not exist (Windows): a timer thread raises the exception
  asynchronously in the linting thread (``PyThreadState_SetAsyncExc``). That interrupts
  Python code, not a single long call into C.

:class:`PageTimeout` derives from ``BaseException`` so that the engine's per-rule ``except
Exception`` (a crashing rule must not take the others down) does not swallow it.
"""
from __future__ import annotations

import ctypes
import signal
import threading

DEFAULT_TIMEOUT = 60.0

_local = threading.local()


class PageTimeout(BaseException):
    """The page's time limit ran out (raised inside the code that was running)."""


def stage(what: str) -> None:
    """Record what this thread is doing now, for the time-out message."""
    d = getattr(_local, "deadline", None)
    if d is not None:
        d.stage = what


class Deadline:
    def __init__(self, seconds: float | None):
        self.seconds = seconds if seconds and seconds > 0 else None
        self.stage = "reading the page"
        self.expired = False
        self._lock = threading.Lock()
        self._active = False
        self._timer = None
        self._old_handler = None
        self._thread = threading.get_ident()
        self._prev = None

    def message(self, path: str) -> str:
        return (f"{path}: timed out after {self.seconds:g} s while {self.stage}; page not linted "
                f"(raise the limit with --timeout or the 'timeout' config key)")

    def _signals(self) -> bool:
        return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()

    def __enter__(self):
        self._prev = getattr(_local, "deadline", None)
        _local.deadline = self
        if self.seconds is None:
            return self
        self._active = True
        if self._signals():
            self._old_handler = signal.signal(signal.SIGALRM, self._on_alarm)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
        else:
            self._timer = threading.Timer(self.seconds, self._on_timer)
            self._timer.daemon = True
            self._timer.start()
        return self

    def _on_alarm(self, signum, frame):
        if self._active:
            self._active = False
            self.expired = True
            raise PageTimeout()

    def _on_timer(self):
        with self._lock:
            if not self._active:
                return
            self._active = False
            self.expired = True
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self._thread),
                                                       ctypes.py_object(PageTimeout))

    def __exit__(self, *exc):
        _local.deadline = self._prev
        if self.seconds is None:
            return False
        if self._timer is None:
            signal.setitimer(signal.ITIMER_REAL, 0)
            self._active = False
            signal.signal(signal.SIGALRM, self._old_handler or signal.SIG_DFL)
        else:
            self._timer.cancel()
            with self._lock:
                fired = self.expired and not isinstance(exc[1], PageTimeout)
                self._active = False
            if fired:  # raised after the code finished: withdraw it before it lands elsewhere
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self._thread), None)
        return False
