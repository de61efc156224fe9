"""`medlint serve` in a real browser: headless Chromium over the DevTools protocol
(tests/cdp.py). A writer opens a file, types a paragraph key by key, sees the uncited claim
and the jargon term highlighted where they are, reads the explanation, applies the jargon
fix, saves, and the file on disk has the change. Nothing is fetched from any other host and
no script error happens. Screenshots go to the test's tmp dir."""
import json
import time

import pytest

from medlint.engine import Options
from medlint.serve import App

from .cdp import Browser, find_chromium
from .test_audit import write_site
from .test_serve import start_server, stop_server

pytestmark = pytest.mark.slow

CHROMIUM = find_chromium()
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium not installed (apt-get install -y chromium, or set "
                             "MEDLINT_CHROMIUM=/path/to/chrome); the browser test of medlint serve is skipped")

DRAFT = "# Knee care at our clinic\n\nWe are open on weekday evenings.\n"
TYPED = "\nOur knee injections relieve arthritis pain for months."


@pytest.fixture
def server(tmp_path):
    root = write_site(tmp_path / "site", {"draft.md": DRAFT, "other.md": "# Other\n\nNothing here.\n"})
    app = App(str(root), Options(isolated=True))
    app.warm_up()  # as `medlint serve` does while the browser opens
    srv = start_server(app)
    yield root, srv
    stop_server(srv)


def marked(page, rule):
    """The text under each highlight of ``rule``'s findings, from the page's own data."""
    return page.evaluate(f"""(() => {{
        const r = window.medlintState();
        return r.findings.filter(f => f.rule === {json.dumps(rule)}).map(f =>
            Array.from(document.querySelectorAll('#highlights mark'))
                 .filter(m => m.dataset.ids.split(' ').includes(String(f.id)))
                 .map(m => m.textContent).join(''));
    }})()""")


def type_keys(page, text):
    for ch in text:
        if ch == "\n":
            page.call("Input.dispatchKeyEvent", {"type": "keyDown", "key": "Enter", "code": "Enter",
                                                 "windowsVirtualKeyCode": 13, "text": "\r"})
            page.call("Input.dispatchKeyEvent", {"type": "keyUp", "key": "Enter", "code": "Enter",
                                                 "windowsVirtualKeyCode": 13})
        else:
            page.call("Input.dispatchKeyEvent", {"type": "char", "text": ch})


@needs_chromium
def test_type_see_fix_and_save(server, tmp_path):
    root, srv = server
    with Browser.launch(CHROMIUM) as browser:
        page = browser.new_page()
        page.goto(srv.url)
        page.wait_for("document.body.dataset.ready === '1'")
        assert page.evaluate("document.getElementById('file').options.length") == 3  # new text + 2 files

        # open draft.md from the served folder
        page.evaluate("""(() => { const s = document.getElementById('file'); s.value = 'draft.md';
                          s.dispatchEvent(new Event('change')); })()""")
        page.wait_for(f"document.getElementById('editor').value === {json.dumps(DRAFT)}")
        page.wait_for("document.getElementById('status').textContent === 'Opened draft.md'")

        # type a paragraph at the end, key by key
        page.evaluate("""(() => { const e = document.getElementById('editor'); e.focus();
                          e.setSelectionRange(e.value.length, e.value.length); })()""")
        renders = page.evaluate("medlintPerf.renders")
        type_keys(page, TYPED)
        typed_at = time.monotonic()
        page.wait_for("medlintPerf.renders > %d && window.medlintState().text === "
                      "document.getElementById('editor').value && window.medlintState().findings.some("
                      "f => f.rule === 'jargon')" % renders, timeout=10)
        seen_after = time.monotonic() - typed_at
        assert seen_after < 1.0, f"highlights took {seen_after:.2f} s after the last key"
        assert page.evaluate("medlintPerf.latencies[medlintPerf.latencies.length - 1]") < 1000

        # both findings are highlighted over exactly their words
        assert marked(page, "jargon") == ["injections"]
        assert marked(page, "uncited-claim") == ["Our knee injections relieve arthritis pain for months."]
        # the backdrop lays the text out as the textarea does, so the marks sit under the words
        assert page.evaluate("Math.abs(document.getElementById('backdrop').scrollHeight - "
                             "document.getElementById('editor').scrollHeight) <= 2")
        page.screenshot(str(tmp_path / "typed.png"), full_page=False)

        # hovering the jargon term shows its message
        x, y = page.evaluate("""(() => { const f = window.medlintState().findings.find(f => f.rule === 'jargon');
            const m = Array.from(document.querySelectorAll('#highlights mark'))
                           .find(m => m.dataset.ids.split(' ').includes(String(f.id)) && m.textContent === 'injections');
            const r = m.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()""")
        page.call("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y})
        page.wait_for("!document.getElementById('tip').hidden")
        assert "MED403 jargon: 'injections' is medical jargon" in page.evaluate("document.getElementById('tip').textContent")

        # the list groups by severity and rule; selecting the finding explains it; apply its fix
        page.click("#findings .item[data-rule=jargon] .go")
        detail = page.evaluate("document.getElementById('detail').textContent")
        assert "MED403 jargon" in detail and "Why it matters" in detail
        assert page.evaluate("document.getElementById('editor').value.slice("
                             "document.getElementById('editor').selectionStart, "
                             "document.getElementById('editor').selectionEnd)") == "injections"
        page.click("#detail button.fix")
        page.wait_for("!document.querySelector('#findings .item[data-rule=jargon]') && "
                      "window.medlintState().text === document.getElementById('editor').value", timeout=10)
        text = page.evaluate("document.getElementById('editor').value")
        assert text == DRAFT + TYPED.replace("injections", "shots")
        assert marked(page, "uncited-claim") == ["Our knee shots relieve arthritis pain for months."]

        # the claims panel lists the claim as uncited
        page.click(".tabs button[data-tab=claims]")
        page.wait_for("document.querySelectorAll('#claims tbody tr').length > 0")
        claims = page.evaluate("Array.from(document.querySelectorAll('#claims tbody tr')).map(tr => tr.textContent)")
        assert len(claims) == 1 and claims[0].startswith("uncitedOur knee shots relieve arthritis pain for months.")

        # a suppression added from the list silences the finding on that line
        page.click(".tabs button[data-tab=findings]")
        page.click("#findings .item[data-rule=uncited-claim] .go")
        page.click("#detail button.suppress")
        page.wait_for("!document.querySelector('#findings .item[data-rule=uncited-claim]') && "
                      "window.medlintState().text === document.getElementById('editor').value", timeout=10)
        text = page.evaluate("document.getElementById('editor').value")
        assert text == DRAFT + "\n<!-- medlint-disable-next-line uncited-claim -->\n" + \
            TYPED.lstrip("\n").replace("injections", "shots")

        # save writes the file back
        page.click("#save")
        page.wait_for("document.getElementById('status').textContent === 'Saved draft.md'")
        assert (root / "draft.md").read_text(encoding="utf-8") == text
        assert page.evaluate("document.getElementById('save').disabled")

        # a change made on disk meanwhile is not overwritten
        (root / "draft.md").write_text(text + "Added elsewhere.\n", encoding="utf-8")
        page.evaluate("document.getElementById('editor').focus()")
        type_keys(page, " More.")
        page.wait_for("!document.getElementById('save').disabled")
        page.click("#save")
        page.wait_for("document.getElementById('status').textContent.startsWith('draft.md changed on disk')")
        assert (root / "draft.md").read_text(encoding="utf-8").endswith("Added elsewhere.\n")
        page.screenshot(str(tmp_path / "saved.png"), full_page=False)

        urls = [e["params"]["request"]["url"] for e in page.events("Network.requestWillBeSent")]
        assert urls and all(u.startswith(srv.url) for u in urls), urls
        assert not page.events("Runtime.exceptionThrown")
