"""`medlint serve`: the HTTP API a writer's browser talks to, against a real server on a free
loopback port (the browser itself: tests/test_serve_browser.py)."""
import http.client
import json
import os
import threading

import pytest

from medlint.engine import Options
from medlint.serve import App, Server

from . import faults
from .test_audit import write_site

PAGE = ("# Knee care at our clinic\n\n"
        "Our knee injections relieve arthritis pain for months. We talk through every step first.\n")


def start_server(app: App) -> Server:
    """``app`` served on a free loopback port, in a thread (stop it with ``stop_server``)."""
    srv = Server(app)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def stop_server(srv: Server) -> None:
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def served(tmp_path):
    """A server on PATH = tmp_path/site; yields (root, request)."""
    root = write_site(tmp_path / "site", {"page.md": PAGE, "notes.txt": "Bring a list of your medicines.\n"})
    servers = []

    def start(options=None, max_bytes=10 * 1048576, path=None):
        servers.append(start_server(App(str(path or root), options or Options(), max_bytes)))
        return servers[-1]

    def request(method, url, body=None, headers=None, srv=None):
        srv = srv or servers[0] if servers else start()
        conn = http.client.HTTPConnection("127.0.0.1", srv.server_address[1], timeout=60)
        data = json.dumps(body).encode() if body is not None and not isinstance(body, bytes) else body
        hdrs = {"Content-Type": "application/json"} if data is not None else {}
        hdrs.update(headers or {})
        conn.request(method, url, body=data, headers=hdrs)
        resp = conn.getresponse()
        raw = resp.read()
        conn.close()
        try:
            payload = json.loads(raw)
        except ValueError:
            payload = raw.decode("utf-8", "replace")
        return resp.status, payload, dict(resp.getheaders())

    request.start = start
    yield root, request
    for srv in servers:
        stop_server(srv)


def test_the_page_is_served_with_a_policy_that_allows_no_other_host(served):
    root, request = served
    status, html, headers = request("GET", "/")
    assert status == 200 and "<textarea id=\"editor\"" in html
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "connect-src 'self'" in csp and "script-src 'self'" in csp
    assert "http" not in csp  # no outside host is allowed anything
    for asset in ("/static/serve.js", "/static/serve.css"):
        status, text, _ = request("GET", asset)
        assert status == 200
        assert "http://" not in text and "https://" not in text  # nothing from a CDN


def js_slice(text, start, end):
    """text[start:end] as JavaScript counts: in UTF-16 code units."""
    return text.encode("utf-16-le")[2 * start:2 * end].decode("utf-16-le")


def test_lint_reports_findings_with_offsets_sections_summary_and_claims(served):
    root, request = served
    text = "# Knee care 🦵\n\nOur injections cure arthritis. Studies show it works.\n"
    status, r, _ = request("POST", "/api/lint", {"text": text, "format": "markdown"})
    assert status == 200 and r["errors"] == []
    got = {(f["rule"], f["line"], f["column"]): f for f in r["findings"]}
    assert sorted(got) == [("exaggerated-claim", 3, 16), ("jargon", 3, 5), ("uncited-claim", 3, 1),
                           ("vague-citation", 3, 32)]
    jargon = got[("jargon", 3, 5)]
    assert jargon["message"].startswith("'injections' is medical jargon; in patient copy say 'shots'")
    assert jargon["fix"] == {"replacement": "shots", "message": "Replace 'injections' with 'shots'"}
    # after the emoji, offsets count UTF-16 code units (as the browser's strings do)
    assert jargon["start"] == text.index("injections") + 1
    assert js_slice(text, jargon["start"], jargon["end"]) == "injections"
    assert js_slice(text, got[("vague-citation", 3, 32)]["start"], got[("vague-citation", 3, 32)]["end"]) \
        == "Studies show it works."
    assert r["rules"]["jargon"]["code"] == "MED403" and r["rules"]["jargon"]["why"]
    (sec,) = r["sections"]
    assert (sec["heading"], sec["line"], sec["start"], sec["words"], sec["graded"], sec["over"]) == \
        ("Knee care 🦵", 1, 0, 8, False, False)
    s = r["summary"]
    assert (s["words"], s["target"], s["formula"], s["findings"]) == (10, 8, "Flesch-Kincaid", 4)
    assert s["by_category"] == {"claims": 3, "language": 1} and s["risk_score"] == 46
    assert s["by_severity"] == {"info": 1, "warning": 3, "error": 0}
    claims = {c["claim"]: c for c in r["claims"]}
    cure = claims["Our injections cure arthritis."]
    assert (cure["status"], cure["kind"], cure["codes"]) == ("uncited", "exaggeration", ["MED201", "MED210"])
    assert js_slice(text, cure["start"], cure["end"]) == "Our injections cure arthritis."
    assert claims["Studies show it works."]["status"] == "vague"
    # without the register (the page's Claims tab is closed): the same findings, no claims
    status, r2, _ = request("POST", "/api/lint", {"text": text, "format": "markdown", "claims": False})
    assert r2["claims"] is None and r2["findings"] == r["findings"]


def test_a_section_above_the_target_is_marked_over(served):
    root, request = served
    hard = ("Pharmacological management of generalized anxiety disorder frequently incorporates selective "
            "serotonin reuptake inhibitors, which demonstrate considerable therapeutic efficacy in "
            "randomized controlled investigations. Discontinuation of benzodiazepine medications "
            "necessitates gradual dose reduction to minimize withdrawal phenomena. Individualized "
            "consideration of comorbid psychiatric conditions remains fundamental to treatment.")
    text = "# Easy part\n\nWe are open late. Call us. Bring your list.\n\n# Hard part\n\n" + hard + "\n"
    status, r, _ = request("POST", "/api/lint", {"text": text, "format": "markdown"})
    hard_sec = [s for s in r["sections"] if s["heading"] == "Hard part"][0]
    assert hard_sec["graded"] and hard_sec["over"] and hard_sec["grade"] > 8
    assert hard_sec["start"] == text.index("# Hard part")
    easy = [s for s in r["sections"] if s["heading"] == "Easy part"][0]
    assert not easy["graded"] and not easy["over"]  # too short to grade on its own


def test_the_configuration_of_path_applies(served):
    root, request = served
    (root / "medlint.toml").write_text('select = ["jargon"]\n', encoding="utf-8")
    status, r, _ = request("POST", "/api/lint", {"text": PAGE, "path": "page.md"})
    assert {f["rule"] for f in r["findings"]} == {"jargon"}
    status, r, _ = request("POST", "/api/lint", {"text": PAGE, "format": "markdown"})  # unsaved text too
    assert {f["rule"] for f in r["findings"]} == {"jargon"}


def test_a_crashing_rule_is_reported_and_the_others_keep_working(served, tmp_path):
    root, request = served
    faults.install()
    pack = faults.write_pack(tmp_path / "pack", "raise", "CRASH-ME")
    srv = request.start(Options(rules_dirs=[pack]))
    status, r, _ = request("POST", "/api/lint", {"text": "Our shots cure acne. CRASH-ME", "format": "text"}, srv=srv)
    assert status == 200
    assert len(r["errors"]) == 1
    assert "internal error in rule injected-raise (TST901): RuntimeError: injected failure" in r["errors"][0]
    assert "exaggerated-claim" in {f["rule"] for f in r["findings"]}


def test_open_lists_and_reads_files_under_path(served):
    root, request = served
    status, info, _ = request("GET", "/api/info")
    assert info["files"] == ["notes.txt", "page.md"] and info["start"] is None
    status, f, _ = request("GET", "/api/file?path=page.md")
    assert status == 200 and f["text"] == PAGE and f["format"] == "markdown" and f["newline"] == "\n"


@pytest.mark.parametrize("rel", ["../secret.md", "../../etc/passwd", "/etc/passwd", "sub/../../secret.md",
                                 "link.md", "linkdir/secret.md", "page.py", ""])
def test_path_traversal_is_refused_on_open_and_save(served, rel):
    root, request = served
    secret = root.parent / "secret.md"
    secret.write_text("outside\n", encoding="utf-8")
    (root / "link.md").symlink_to(secret)
    (root / "linkdir").symlink_to(root.parent, target_is_directory=True)
    (root / "page.py").write_text("print('x')\n", encoding="utf-8")
    from urllib.parse import quote
    status, r, _ = request("GET", f"/api/file?path={quote(rel)}")
    assert status in (400, 403), r
    status, r, _ = request("POST", "/api/save", {"path": rel, "text": "pwned", "version": "x"})
    assert status in (400, 403), r
    assert secret.read_text(encoding="utf-8") == "outside\n"
    assert (root / "page.py").read_text(encoding="utf-8") == "print('x')\n"


def test_save_writes_the_file_and_keeps_its_line_endings_and_bom(served):
    root, request = served
    (root / "win.md").write_bytes(b"\xef\xbb\xbf# Title\r\n\r\nFirst line.\r\n")
    status, f, _ = request("GET", "/api/file?path=win.md")
    assert f["text"] == "# Title\n\nFirst line.\n" and f["newline"] == "\r\n"
    status, r, _ = request("POST", "/api/save", {"path": "win.md", "text": f["text"] + "Second line.\n",
                                                  "version": f["version"]})
    assert status == 200, r
    assert (root / "win.md").read_bytes() == b"\xef\xbb\xbf# Title\r\n\r\nFirst line.\r\nSecond line.\r\n"
    # saving again needs the new version
    status, r2, _ = request("POST", "/api/save", {"path": "win.md", "text": "x\n", "version": f["version"]})
    assert status == 409
    status, r3, _ = request("POST", "/api/save", {"path": "win.md", "text": "x\n", "version": r["version"]})
    assert status == 200
    assert not [p for p in os.listdir(root) if p.startswith(".medlint-")]  # no temporary file left


def test_save_is_refused_when_the_file_changed_on_disk(served):
    root, request = served
    status, f, _ = request("GET", "/api/file?path=page.md")
    (root / "page.md").write_text(PAGE + "A colleague's new line.\n", encoding="utf-8")
    status, r, _ = request("POST", "/api/save", {"path": "page.md", "text": "mine\n", "version": f["version"]})
    assert status == 409
    assert r["error"].startswith("page.md changed on disk since it was opened; not saved")
    assert (root / "page.md").read_text(encoding="utf-8").endswith("A colleague's new line.\n")
    (root / "page.md").unlink()
    status, r, _ = request("POST", "/api/save", {"path": "page.md", "text": "mine\n", "version": f["version"]})
    assert status == 409 and "was deleted" in r["error"]
    assert not (root / "page.md").exists()


def test_oversized_requests_are_refused(served):
    root, request = served
    srv = request.start(max_bytes=1000)
    status, r, _ = request("POST", "/api/lint", {"text": "word " * 300}, srv=srv)  # 1,500 bytes of text
    assert (status, r) == (413, {"error": "the text is over the 1 KB limit (--max-file-size)"})
    status, r, _ = request("POST", "/api/lint", {"text": "x" * 70000}, srv=srv)  # refused before reading
    assert (status, r) == (413, {"error": "a request of 68 KB is over the limit (--max-file-size 1 KB)"})
    (root / "big.md").write_text("word " * 400, encoding="utf-8")
    status, r, _ = request("GET", "/api/file?path=big.md", srv=srv)
    assert status == 413
    status, r, _ = request("POST", "/api/save", {"path": "page.md", "text": "y" * 1200, "version": "v"}, srv=srv)
    assert status == 413
    assert (root / "page.md").read_text(encoding="utf-8") == PAGE


def test_bad_requests_get_a_clear_error(served):
    root, request = served
    (root / "bin.md").write_bytes(b"\x00\x01\x02binary")
    (root / "latin.md").write_bytes(b"caf\xe9\n")
    assert request("GET", "/api/file?path=bin.md")[:2] == (415, {"error": "bin.md: binary file (NUL bytes); not linted"})
    status, r, _ = request("GET", "/api/file?path=latin.md")
    assert status == 415 and "not valid UTF-8" in r["error"]
    assert request("GET", "/api/file?path=missing.md")[0] == 404
    assert request("POST", "/api/lint", b"{not json")[0] == 400
    assert request("POST", "/api/lint", [1, 2])[0] == 400
    assert request("POST", "/api/lint", {"text": 5})[0] == 400
    assert request("POST", "/api/lint", {"text": "x", "format": "docx"})[0] == 400
    assert request("POST", "/api/lint", b"text=x", headers={"Content-Type": "application/x-www-form-urlencoded"})[0] == 415
    assert request("GET", "/nothing-here")[0] == 404


def test_requests_for_other_host_names_or_from_other_origins_are_refused(served):
    root, request = served
    status, r, _ = request("GET", "/api/info", headers={"Host": "attacker.example:80"})
    assert status == 403  # DNS rebinding: a page of another site resolved to 127.0.0.1
    status, r, _ = request("POST", "/api/save", {"path": "page.md", "text": "x", "version": "v"},
                           headers={"Origin": "http://attacker.example"})
    assert status == 403 and r["error"] == "requests from http://attacker.example are not allowed"
    assert (root / "page.md").read_text(encoding="utf-8") == PAGE


def test_a_single_file_path_serves_its_folder_and_opens_it(served):
    root, request = served
    srv = request.start(path=root / "page.md")
    status, info, _ = request("GET", "/api/info", srv=srv)
    assert info["start"] == "page.md"


def test_serve_refuses_a_missing_path_or_a_file_it_cannot_edit(tmp_path, capsys):
    from medlint.cli import main
    assert main(["serve", str(tmp_path / "nope")]) == 2
    (tmp_path / "notes.docx").write_bytes(b"PK")
    assert main(["serve", str(tmp_path / "notes.docx")]) == 2
    err = capsys.readouterr().err
    assert "nope: no such file or directory" in err
    assert "medlint: error: notes.docx: only Markdown, HTML and plain-text files can be opened or saved" in err


def test_the_command_prints_its_url_serves_and_stops_on_ctrl_c(tmp_path):
    import signal
    import subprocess
    import sys
    import urllib.request
    (tmp_path / "page.md").write_text(PAGE, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "medlint", "serve", str(tmp_path), "--host", "0.0.0.0",
                             "--isolated"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("medlint serve: http://0.0.0.0:") and "(serving " in line
        port = int(line.split(":")[3].split("/")[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/info", timeout=30) as resp:
            assert json.load(resp)["files"] == ["page.md"]
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert "warning: listening on 0.0.0.0, not only on this computer" in err
    assert "Traceback" not in err


def test_a_broken_configuration_is_shown_and_fixing_it_takes_effect_on_the_next_open(served):
    root, request = served
    (root / "medlint.toml").write_text('select = ["no-such-rule"]\n', encoding="utf-8")
    status, r, _ = request("POST", "/api/lint", {"text": PAGE, "path": "page.md"})
    assert status == 200 and r["findings"] == []
    assert r["errors"] == ["unknown rule selector 'no-such-rule' (see `medlint rules`)"]
    (root / "medlint.toml").write_text('select = ["jargon"]\n', encoding="utf-8")
    request("GET", "/api/file?path=page.md")
    status, r, _ = request("POST", "/api/lint", {"text": PAGE, "path": "page.md"})
    assert r["errors"] == [] and {f["rule"] for f in r["findings"]} == {"jargon"}
