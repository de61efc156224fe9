"""The language server, driven by a real LSP client (pytest-lsp) over stdio."""
import asyncio
import sys

import pytest
import pytest_lsp
from lsprotocol import types as T
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

EMOJI_LINE = "😀🎉 Our drip is a miracle for fatigue.\n"


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "medlint", "lsp"]))
async def client(lsp_client: LanguageClient, tmp_path_factory):
    root = tmp_path_factory.mktemp("ws")
    (root / "medlint.toml").write_text('select = ["exaggerated-claim", "jargon"]\n', encoding="utf-8")
    lsp_client.root = root

    @lsp_client.feature(T.CLIENT_REGISTER_CAPABILITY)
    def register(params):  # VS Code accepts the server's file watchers; so does this client
        lsp_client.registrations = params.registrations
    await lsp_client.initialize_session(T.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"), root_uri=root.as_uri(),
        workspace_folders=[T.WorkspaceFolder(uri=root.as_uri(), name="ws")]))
    yield
    await lsp_client.shutdown_session()


async def _diagnostics(client, uri, predicate=lambda d: True, timeout=20.0):
    """Wait until diagnostics for ``uri`` satisfy ``predicate``."""
    end = asyncio.get_event_loop().time() + timeout
    while asyncio.get_event_loop().time() < end:
        got = client.diagnostics.get(uri)
        if got is not None and predicate(got):
            return got
        await asyncio.sleep(0.05)
    raise AssertionError(f"no matching diagnostics for {uri}: {client.diagnostics.get(uri)}")


@pytest.mark.asyncio(loop_scope="function")
async def test_open_edit_hover_and_actions(client: LanguageClient):
    uri = (client.root / "page.md").as_uri()
    client.text_document_did_open(T.DidOpenTextDocumentParams(text_document=T.TextDocumentItem(
        uri=uri, language_id="markdown", version=1, text=EMOJI_LINE)))
    diags = await _diagnostics(client, uri, lambda d: len(d) > 0)
    miracle = [d for d in diags if d.code == "MED210"]
    assert len(miracle) == 1
    # "miracle" starts after two emoji (two UTF-16 units each), a space and "Our drip is a "
    start = 2 * 2 + 1 + len("Our drip is a ")
    assert miracle[0].range == T.Range(start=T.Position(line=0, character=start),
                                       end=T.Position(line=0, character=start + len("miracle")))
    assert miracle[0].source == "medlint" and "exaggerated-claim" in miracle[0].message

    # edit: the exaggeration goes, jargon arrives
    client.text_document_did_change(T.DidChangeTextDocumentParams(
        text_document=T.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[T.TextDocumentContentChangeWholeDocument(
            text="Patients feel better after we administer the drip.\n")]))
    diags = await _diagnostics(client, uri, lambda d: d and all(x.code != "MED210" for x in d))
    jargon = [d for d in diags if d.code == "MED403"]
    assert jargon, diags
    pos = jargon[0].range.start

    hover = await client.text_document_hover_async(T.HoverParams(
        text_document=T.TextDocumentIdentifier(uri=uri), position=T.Position(line=pos.line, character=pos.character + 1)))
    assert hover is not None and "jargon" in hover.contents.value and "Why it matters" in hover.contents.value

    actions = await client.text_document_code_action_async(T.CodeActionParams(
        text_document=T.TextDocumentIdentifier(uri=uri), range=jargon[0].range,
        context=T.CodeActionContext(diagnostics=[jargon[0]])))
    titles = [a.title for a in actions]
    fix = next(a for a in actions if a.is_preferred)
    edit = fix.edit.changes[uri][0]
    assert edit.range == jargon[0].range and edit.new_text == "give"
    disable = next(a for a in actions if "disable jargon" in a.title)
    assert disable.edit.changes[uri][0].new_text == "<!-- medlint-disable-next-line jargon -->\n", titles

    # closing clears the diagnostics
    client.text_document_did_close(T.DidCloseTextDocumentParams(text_document=T.TextDocumentIdentifier(uri=uri)))
    await _diagnostics(client, uri, lambda d: len(d) == 0)


@pytest.mark.asyncio(loop_scope="function")
async def test_config_change_is_picked_up(client: LanguageClient):
    uri = (client.root / "other.md").as_uri()
    client.text_document_did_open(T.DidOpenTextDocumentParams(text_document=T.TextDocumentItem(
        uri=uri, language_id="markdown", version=1, text="Our drip is a miracle.\n")))
    await _diagnostics(client, uri, lambda d: any(x.code == "MED210" for x in d))
    (client.root / "medlint.toml").write_text('select = ["jargon"]\n', encoding="utf-8")
    client.workspace_did_change_watched_files(T.DidChangeWatchedFilesParams(changes=[T.FileEvent(
        uri=(client.root / "medlint.toml").as_uri(), type=T.FileChangeType.Changed)]))
    await _diagnostics(client, uri, lambda d: not any(x.code == "MED210" for x in d))


CRASHING_SERVER = [sys.executable, "-c", (
    "import medlint.kinds.pattern as p\n"
    "def boom(self, doc):\n"
    "    raise RuntimeError('rule exploded')\n"
    "p.PatternKind._check = boom\n"
    "from medlint.lsp import serve\n"
    "serve()\n")]


@pytest_lsp.fixture(config=ClientServerConfig(server_command=CRASHING_SERVER))
async def crashing(lsp_client: LanguageClient, tmp_path_factory):
    root = tmp_path_factory.mktemp("crash")
    lsp_client.root = root
    await lsp_client.initialize_session(T.InitializeParams(capabilities=T.ClientCapabilities(),
                                                           root_uri=root.as_uri()))
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio(loop_scope="function")
async def test_a_crashing_rule_is_logged_and_the_server_lives(crashing: LanguageClient):
    uri = (crashing.root / "page.md").as_uri()
    crashing.text_document_did_open(T.DidOpenTextDocumentParams(text_document=T.TextDocumentItem(
        uri=uri, language_id="markdown", version=1,
        text="Our drip is a miracle. We administer it weekly.\n")))
    diags = await _diagnostics(crashing, uri, lambda d: len(d) > 0)
    codes = {d.code for d in diags}
    assert "MED210" not in codes and "MED310" not in codes  # the pattern rules crashed
    assert "MED403" in codes  # the others still report
    logs = [m.message for m in crashing.log_messages if m.type == T.MessageType.Error]
    assert any("internal error in rule exaggerated-claim" in m and "rule exploded" in m for m in logs), logs
    # and it keeps serving
    hover = await crashing.text_document_hover_async(T.HoverParams(
        text_document=T.TextDocumentIdentifier(uri=uri), position=T.Position(line=0, character=0)))
    assert hover is None or hover.contents


@pytest.mark.asyncio(loop_scope="function")
async def test_a_burst_of_edits_ends_with_the_last_text(client: LanguageClient):
    """Twenty changes in quick succession: lints do not pile up, and the diagnostics that
    stay are those of the last version."""
    uri = (client.root / "burst.md").as_uri()
    client.text_document_did_open(T.DidOpenTextDocumentParams(text_document=T.TextDocumentItem(
        uri=uri, language_id="markdown", version=1, text="Our drip is a miracle.\n")))
    await _diagnostics(client, uri, lambda d: any(x.code == "MED210" for x in d))
    for v in range(2, 22):
        text = "Our drip is a miracle.\n" if v < 21 else "We administer the drip.\n"
        client.text_document_did_change(T.DidChangeTextDocumentParams(
            text_document=T.VersionedTextDocumentIdentifier(uri=uri, version=v),
            content_changes=[T.TextDocumentContentChangeWholeDocument(text=text)]))
        await asyncio.sleep(0.005)
    diags = await _diagnostics(client, uri, lambda d: d and all(x.code != "MED210" for x in d))
    assert [d.code for d in diags] == ["MED403"]
    await asyncio.sleep(0.5)  # nothing stale arrives later
    assert [d.code for d in client.diagnostics[uri]] == ["MED403"]


def test_debounce_follows_the_cost_of_a_lint():
    from medlint.lsp import DEBOUNCE_SECONDS, MIN_DEBOUNCE_SECONDS, MedlintServer
    ls = MedlintServer.__new__(MedlintServer)  # no transport needed for the arithmetic
    ls.lint_seconds = {}
    assert ls.debounce("a") == pytest.approx(DEBOUNCE_SECONDS / 8)  # nothing measured yet
    ls.lint_seconds["a"] = 0.12
    assert ls.debounce("a") == pytest.approx(0.015)
    ls.lint_seconds["a"] = 0.01
    assert ls.debounce("a") == MIN_DEBOUNCE_SECONDS
    ls.lint_seconds["a"] = 5.0
    assert ls.debounce("a") == DEBOUNCE_SECONDS
