"""Bounded time per page (--timeout, the 'timeout' config key, the language server) and
user-pack regexes that could backtrack catastrophically."""
import asyncio
import sys
import threading
import time

import pytest
import pytest_lsp
from lsprotocol import types as T
from pytest_lsp import ClientServerConfig, LanguageClient

from . import faults
from .conftest import run_cli

PROMISE = "Our drip is a miracle for fatigue.\n"


def _site(tmp_path, n=4, marked=(2,)):
    site = tmp_path / "site"
    site.mkdir()
    for i in range(n):
        text = PROMISE if i not in marked else "HANGME. " + PROMISE
        (site / f"p{i}.md").write_text(text, encoding="utf-8")
    return site


def _message(path, seconds, rule="injected-hang (TST901)"):
    return (f"{path}: timed out after {seconds} s while running rule {rule}; page not linted "
            f"(raise the limit with --timeout or the 'timeout' config key)")


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_hanging_rule_costs_one_page_not_the_run(tmp_path, jobs):
    from medlint.engine import Options
    from medlint.runner import run
    faults.install()
    pack = faults.write_pack(tmp_path / "pack", "hang", "HANGME")
    site = _site(tmp_path)
    t0 = time.monotonic()
    result = run([str(site)], Options(isolated=True, rules_dirs=[pack], timeout=1,
                                      select=["exaggerated-claim", "injected-hang"]), jobs=jobs)
    assert time.monotonic() - t0 < 30
    bad = str(site / "p2.md")
    assert result.errors == [{"path": bad, "message": _message(bad, 1)}]
    assert [(f.path, f.rule) for f in result.findings] == [
        (str(site / f"p{i}.md"), "exaggerated-claim") for i in (0, 1, 3)]


def test_the_time_limit_is_per_page_not_per_run(tmp_path):
    from medlint.engine import Options
    from medlint.runner import run
    site = _site(tmp_path, n=6, marked=())
    result = run([str(site)], Options(isolated=True, timeout=5, select=["exaggerated-claim"]))
    assert not result.errors and len(result.findings) == 6


def test_timeout_in_a_thread_interrupts_python_code():
    """The language server lints in a worker thread, where SIGALRM cannot reach."""
    from medlint.deadline import Deadline, PageTimeout
    out = []

    def work():
        d = Deadline(0.3)
        try:
            with d:
                while True:
                    pass
        except PageTimeout:
            out.append("timed out")
        with Deadline(0.1):  # finishes in time: no exception may land later
            pass
        time.sleep(0.3)
        out.append("clean")

    th = threading.Thread(target=work)
    th.start()
    th.join(10)
    assert out == ["timed out", "clean"]


def test_a_runaway_regex_is_interrupted_in_the_main_thread():
    import re

    from medlint.deadline import Deadline, PageTimeout
    t0 = time.monotonic()
    with pytest.raises(PageTimeout):
        with Deadline(0.5):
            re.match(r"(a|a?)+$", "a" * 40 + "!")
    assert time.monotonic() - t0 < 5


def test_timeout_option_and_config_key(tmp_path):
    r = run_cli("check", "--isolated", "--timeout", "soon", str(tmp_path))
    assert r.returncode == 2 and "'soon' is not a number of seconds" in r.stderr
    (tmp_path / "medlint.toml").write_text('timeout = "long"\n', encoding="utf-8")
    (tmp_path / "a.md").write_text(PROMISE, encoding="utf-8")
    r = run_cli("check", str(tmp_path / "a.md"))
    assert r.returncode == 2
    assert r.stderr.strip() == (f"medlint: error: {tmp_path / 'medlint.toml'}: 'timeout' must be a number "
                                f"of seconds (0: no limit)")
    from medlint.config import load_config_file
    from medlint.engine import Linter, Options
    (tmp_path / "medlint.toml").write_text("timeout = 0\n", encoding="utf-8")
    cfg = load_config_file(str(tmp_path / "medlint.toml"))
    assert Linter(Options(config=cfg)).timeout("a.md") is None  # 0: no limit
    assert Linter(Options(config=cfg, timeout=7)).timeout("a.md") == 7  # the option wins
    assert Linter(Options(isolated=True)).timeout("a.md") == 60


# --- regexes in user packs --------------------------------------------------------------------

RISKY = [("(a+)+$", "a quantifier inside a repeated group"),
         (r"(?:\w*\s?)*", "a quantifier inside a repeated group"),
         ("(a|aa)+$", "alternatives that can match the same text inside a repeated group"),
         ("(.|a)+", "alternatives that can match the same text inside a repeated group"),
         (r"^(?:x|\d+)*y", "alternatives that can match the same text inside a repeated group")]
SAFE = ["^[a-z]+$", "(ab|cd)+", "(?:mg|mcg)+", r"\d+(?:\.\d+)?", "(a{1,3}){2}", "^(?:semi|tirze)patide$"]


@pytest.mark.parametrize("pattern,why", RISKY)
def test_risky_regexes_are_named(pattern, why):
    from medlint.kinds.pattern import backtracking_risk
    assert backtracking_risk(pattern) == why


@pytest.mark.parametrize("pattern", SAFE)
def test_safe_regexes_pass(pattern):
    from medlint.kinds.pattern import backtracking_risk
    assert backtracking_risk(pattern) is None


def test_a_catastrophic_regex_in_a_user_pack_is_rejected_at_load(tmp_path):
    rules = tmp_path / "my-rules"
    rules.mkdir()
    (rules / "dose.yaml").write_text(
        "code: XYZ100\nname: dose-words\nkind: pattern\ncategory: language\nseverity: info\n"
        "message: m\ndescription: d\nwhy: w\nreferences: [r]\nexamples: {fail: [aaa], pass: [b]}\n"
        "params:\n  patterns:\n    - [{LOWER: {REGEX: '^(a|aa)+$'}}]\n", encoding="utf-8")
    (tmp_path / "a.md").write_text(PROMISE, encoding="utf-8")
    r = run_cli("check", "--isolated", "--rules-dir", str(rules), str(tmp_path / "a.md"))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    (line,) = r.stderr.strip().splitlines()
    assert line == (f"medlint: error: {rules / 'dose.yaml'}: field 'params.patterns[0]': REGEX '^(a|aa)+$' "
                    f"can take exponential time (alternatives that can match the same text inside a "
                    f"repeated group); rewrite it without a repeated group that can match the same text "
                    f"in more than one way")


# --- the language server ----------------------------------------------------------------------

HANGING_SERVER = [sys.executable, "-c", (
    "import medlint.kinds.pattern as p\n"
    "real = p.PatternKind._check\n"
    "def slow(self, doc):\n"
    "    while 'HANGME' in doc.source:\n"
    "        pass\n"
    "    return real(self, doc)\n"
    "p.PatternKind._check = slow\n"
    "from medlint.lsp import serve\n"
    "serve()\n")]


@pytest_lsp.fixture(config=ClientServerConfig(server_command=HANGING_SERVER))
async def hanging(lsp_client: LanguageClient, tmp_path_factory):
    root = tmp_path_factory.mktemp("hang")
    (root / "medlint.toml").write_text('select = ["exaggerated-claim"]\ntimeout = 1\n', encoding="utf-8")
    lsp_client.root = root
    await lsp_client.initialize_session(T.InitializeParams(capabilities=T.ClientCapabilities(),
                                                           root_uri=root.as_uri()))
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio(loop_scope="function")
async def test_the_language_server_gives_up_on_a_slow_lint_and_keeps_serving(hanging: LanguageClient):
    path = hanging.root / "page.md"
    uri = path.as_uri()
    hanging.text_document_did_open(T.DidOpenTextDocumentParams(text_document=T.TextDocumentItem(
        uri=uri, language_id="markdown", version=1, text="HANGME. " + PROMISE)))
    loop = asyncio.get_event_loop()
    end = loop.time() + 30
    want = f"medlint: {_message(str(path), 1, 'exaggerated-claim (MED210)')}"
    while loop.time() < end and not any(m.message == want for m in hanging.log_messages):
        await asyncio.sleep(0.05)
    assert any(m.message == want for m in hanging.log_messages), [m.message for m in hanging.log_messages]
    hanging.text_document_did_change(T.DidChangeTextDocumentParams(
        text_document=T.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[T.TextDocumentContentChangeWholeDocument(text=PROMISE)]))
    while loop.time() < end and not hanging.diagnostics.get(uri):
        await asyncio.sleep(0.05)
    assert [d.code for d in hanging.diagnostics.get(uri) or []] == ["MED210"]
