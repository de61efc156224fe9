"""A small Chrome DevTools Protocol client for headless Chromium, with no dependency.

Chromium is started with ``--remote-debugging-pipe``: it reads protocol messages from file
descriptor 3 and writes to descriptor 4, each a JSON object ended by a NUL byte. No port,
no websocket, no proxy settings to get wrong. A tiny Python launcher puts our pipe ends on
descriptors 3 and 4 and execs Chromium (no ``preexec_fn``, which is unsafe with threads).

    with Browser.launch() as b:
        page = b.new_page()
        page.goto("file:///tmp/report.html")
        page.evaluate("document.title")
        page.screenshot("shot.png")
"""
from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--no-default-browser-check",
         "--disable-extensions", "--remote-debugging-pipe", "--hide-scrollbars", "--mute-audio"]
LAUNCHER = ("import os, sys\n"
            "r, w = int(sys.argv[1]), int(sys.argv[2])\n"
            "os.dup2(r, 3); os.dup2(w, 4)\n"
            "for fd in (r, w):\n"
            "    if fd not in (3, 4): os.close(fd)\n"
            "os.execv(sys.argv[3], sys.argv[3:])\n")


def find_chromium() -> str | None:
    env = os.environ.get("MEDLINT_CHROMIUM")
    if env:
        return env if os.path.exists(env) else None
    for name in CHROMIUM_NAMES:
        p = shutil.which(name)
        if p:
            return p
    return None


class CDPError(RuntimeError):
    pass


class Browser:
    def __init__(self, proc, to_browser: int, from_browser: int, profile: str):
        self.proc = proc
        self.wfd = to_browser
        self.rfd = from_browser
        self.profile = profile
        self.buf = b""
        self.next_id = 0
        self.events: list[dict] = []

    @classmethod
    def launch(cls, executable: str | None = None, timeout: float = 30) -> "Browser":
        exe = executable or find_chromium()
        if not exe:
            raise FileNotFoundError("chromium not found")
        profile = tempfile.mkdtemp(prefix="medlint-chromium-")
        cmd_r, cmd_w = os.pipe()  # we write, chromium reads (fd 3)
        res_r, res_w = os.pipe()  # chromium writes (fd 4), we read
        proc = subprocess.Popen(
            [sys.executable, "-c", LAUNCHER, str(cmd_r), str(res_w), exe, *FLAGS,
             f"--user-data-dir={profile}", "about:blank"],
            pass_fds=(cmd_r, res_w), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        os.close(cmd_r)
        os.close(res_w)
        b = cls(proc, cmd_w, res_r, profile)
        b.timeout = timeout
        b.call("Browser.getVersion", timeout=timeout)
        return b

    # -- protocol --------------------------------------------------------------------------

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        data = json.dumps(msg).encode() + b"\0"
        while data:
            n = os.write(self.wfd, data)
            data = data[n:]
        return self.next_id

    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from chromium")
            ready, _, _ = select.select([self.rfd], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.rfd, 1 << 20)
            if not chunk:
                raise CDPError("chromium closed the pipe (exited?)")
            self.buf += chunk
        raw, self.buf = self.buf.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = 30) -> dict:
        mid = self.send(method, params, session)
        deadline = time.monotonic() + timeout
        while True:
            msg = self._read_message(deadline)
            if msg.get("id") == mid:
                if "error" in msg:
                    raise CDPError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def wait_event(self, method: str, session: str | None = None, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        for i, e in enumerate(self.events):
            if e["method"] == method and (session is None or e.get("sessionId") == session):
                return self.events.pop(i)
        while True:
            msg = self._read_message(deadline)
            if "method" not in msg:
                continue
            if msg["method"] == method and (session is None or msg.get("sessionId") == session):
                return msg
            self.events.append(msg)

    def new_page(self, width: int = 1280, height: int = 900) -> "Page":
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session)
        for m in ("Page.enable", "Runtime.enable", "Network.enable"):
            self.call(m, session=session)
        self.call("Emulation.setDeviceMetricsOverride", {"width": width, "height": height,
                                                          "deviceScaleFactor": 1, "mobile": False},
                  session=session)
        return page

    def close(self):
        try:
            self.send("Browser.close")
            self.proc.wait(timeout=10)
        except Exception:  # noqa: BLE001
            self.proc.kill()
            self.proc.wait()
        for fd in (self.wfd, self.rfd):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Page:
    def __init__(self, browser: Browser, session: str):
        self.b = browser
        self.session = session

    def call(self, method, params=None, timeout=30):
        return self.b.call(method, params, self.session, timeout)

    def goto(self, url: str, timeout: float = 30):
        self.call("Page.navigate", {"url": url})
        self.b.wait_event("Page.loadEventFired", self.session, timeout)

    def evaluate(self, expression: str):
        r = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                           "awaitPromise": True})
        if "exceptionDetails" in r:
            raise CDPError(f"{expression}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.evaluate(expression):
                return
            time.sleep(0.05)
        raise TimeoutError(f"timed out waiting for {expression}")

    def click(self, selector: str):
        """A real mouse click (press and release) at the centre of the element (of its first
        line box, for a link that wraps: the centre of the whole box may miss it)."""
        box = self.evaluate(f"""(() => {{ const e = document.querySelector({json.dumps(selector)});
            if (!e) return null; e.scrollIntoView({{block: "center"}});
            const r = e.getClientRects()[0] || e.getBoundingClientRect();
            return [r.left + r.width / 2, r.top + r.height / 2]; }})()""")
        if box is None:
            raise CDPError(f"no element {selector}")
        x, y = box
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, "button": "left",
                                                   "clickCount": 1})

    def type(self, selector: str, text: str):
        self.evaluate(f"document.querySelector({json.dumps(selector)}).focus()")
        self.call("Input.insertText", {"text": text})

    def screenshot(self, path: str, full_page: bool = True):
        params = {"format": "png"}
        if full_page:
            params["captureBeyondViewport"] = True
        data = self.call("Page.captureScreenshot", params, timeout=60)["data"]
        with open(path, "wb") as fh:
            fh.write(base64.b64decode(data))

    def events(self, method: str) -> list[dict]:
        return [e for e in self.b.events if e["method"] == method and e.get("sessionId") == self.session]
