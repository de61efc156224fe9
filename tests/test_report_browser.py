"""The HTML audit report in a real browser: headless Chromium (Debian's `chromium` package),
driven over the DevTools protocol (tests/cdp.py, no dependency). Sorts and filters the pages
table with real mouse clicks and typing, opens a page view, checks that nothing was fetched
from the network and no script error happened, and saves screenshots in the test's tmp dir."""

import pytest

from medlint.audit import audit
from medlint.engine import Options
from medlint.formatters.report import render_report

from .cdp import Browser, find_chromium
from .test_audit import CLEAN, EXPORTED, PROMISE, SHARED, write_site

pytestmark = pytest.mark.slow

CHROMIUM = find_chromium()
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium not installed (apt-get install -y chromium, or set "
                             "MEDLINT_CHROMIUM=/path/to/chrome); the browser test of the report is skipped")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser")
    site = write_site(root / "site", {
        "clinic/weight.md": PROMISE + "\nStudies show that our drip melts fat. Semaglutide melts fat fast.\n",
        "clinic/sleep.md": "# Sleep\n\nOur tonic is a miracle. " + SHARED + "\n",
        "clinic/about.md": CLEAN,
        "blog/zeta.md": "# Zeta\n\n" + SHARED + "\n\nIt is a breakthrough.\n",
        "blog/alpha.md": CLEAN + "\nWe are open on Saturdays too, from nine until noon.\n",
        "exported.html": EXPORTED,
        "broken.md": b"caf\xe9 au lait\n",
        "script </script> page.md": "# Tonic </script><script>document.title='pwned'</script>\n\nA miracle!\n",
    })
    res = audit([str(site)], Options(isolated=True), jobs=1, cache=False)
    path = root / "report.html"
    path.write_text(render_report(res), encoding="utf-8")
    return path, res


def rows(page):
    return page.evaluate("""Array.from(document.querySelectorAll('#pages-body tr')).map(tr =>
        Array.from(tr.children).map(td => td.textContent))""")


@needs_chromium
def test_report_sorts_filters_and_shows_a_page(report, tmp_path):
    path, res = report
    with Browser.launch(CHROMIUM) as browser:
        page = browser.new_page()
        page.goto(path.as_uri())
        page.wait_for("document.body.dataset.ready === '1'")
        assert page.evaluate("document.title").startswith("medlint site audit")  # not 'pwned'
        page.screenshot(str(tmp_path / "summary.png"))

        # every page is listed; the failed page first (default sort: risk, descending)
        table = rows(page)
        assert len(table) == len(res.files) == 8
        assert table[0][0] == "failed" and table[0][1] == "broken.md"
        scores = [int(r[0]) for r in table[1:]]
        assert scores == sorted(scores, reverse=True)

        # sort by page path: click the header (ascending), click again (descending)
        page.click("#pages-table th[data-key=path]")
        names = [r[1] for r in rows(page)]
        assert names == sorted(names)
        assert page.evaluate("document.querySelector('#pages-table th[data-key=path]').getAttribute('aria-sort')") == "ascending"
        page.click("#pages-table th[data-key=path]")
        assert [r[1] for r in rows(page)] == sorted(names, reverse=True)
        # numeric sort by words
        page.click("#pages-table th[data-key=words]")
        words = [int(r[6].replace(",", "")) for r in rows(page)]
        assert words == sorted(words, reverse=True)

        # filter by typing a path
        page.type("#f-text", "clinic/")
        names = [r[1] for r in rows(page)]
        assert names and all(n.startswith("clinic/") for n in names) and len(names) == 3
        assert page.evaluate("document.getElementById('count').textContent").startswith("Showing 3 of 3")
        page.evaluate("(e => { e.value = ''; e.dispatchEvent(new Event('input')); })(document.getElementById('f-text'))")
        # filter by status and by rule
        page.evaluate("(s => { s.value = 'failed'; s.dispatchEvent(new Event('change')); })(document.getElementById('f-status'))")
        assert [r[1] for r in rows(page)] == ["broken.md"]
        page.evaluate("(s => { s.value = ''; s.dispatchEvent(new Event('change')); })(document.getElementById('f-status'))")
        page.click("#rules-summary a[data-rule-filter]")  # a rule in the summary filters the table
        rule_filter = page.evaluate("document.getElementById('f-rule').value")
        assert rule_filter != "" and 0 < len(rows(page)) < 8
        page.evaluate("(s => { s.value = ''; s.dispatchEvent(new Event('change')); })(document.getElementById('f-rule'))")
        page.screenshot(str(tmp_path / "table.png"), full_page=False)

        # open the riskiest page with a real click on its link
        page.evaluate("(s => { s.value = 'findings'; s.dispatchEvent(new Event('change')); })(document.getElementById('f-status'))")
        page.click("#pages-table th[data-key=score]")
        if page.evaluate("document.querySelector('#pages-table th[data-key=score]').getAttribute('aria-sort')") != "descending":
            page.click("#pages-table th[data-key=score]")
        top = rows(page)[0][1]
        page.click("#pages-body tr:first-child a")
        page.wait_for("!document.getElementById('page-view').hidden")
        page.wait_for("!!document.querySelector('#findings[data-loaded]')")  # its chunk is inflated
        shown = page.evaluate("""(() => { const v = document.getElementById('page-view');
            return {path: v.querySelector('h2').textContent,
                    findings: Array.from(v.querySelectorAll('.finding')).map(f => ({
                        loc: f.querySelector('.loc').textContent, msg: f.querySelector('.msg').textContent,
                        mark: (f.querySelector('mark') || {}).textContent || '',
                        why: (f.querySelector('details.why') || {}).textContent || ''})),
                    mainHidden: document.getElementById('pages').classList.contains('hidden')}; })()""")
        assert shown["path"] == top and shown["mainHidden"]
        fr = next(r for r in res.files if res.display_path(r.path) == top)
        assert len(shown["findings"]) == len(fr.findings) > 0
        for got, f in zip(shown["findings"], fr.findings):
            assert got["loc"] == f"Line {f.line}, column {f.column}"
            assert got["msg"] == f.message
            assert got["why"].startswith(f"About {f.code} {f.rule}")
        assert any(g["mark"] for g in shown["findings"])
        page.evaluate("document.querySelector('#page-view details.why').open = true")
        page.screenshot(str(tmp_path / "page-view.png"), full_page=False)

        # a failed page shows its error
        failed_idx = next(i for i, r in enumerate(res.files) if r.errors)
        page.evaluate(f"location.hash = '#page={failed_idx}'")
        page.wait_for("document.querySelector('#page-view h2').textContent === 'broken.md'")
        assert "not valid UTF-8" in page.evaluate("document.querySelector('#page-view .errors').textContent")
        # back to the table
        page.click("#page-view a[href='#pages']")
        page.wait_for("document.getElementById('page-view').hidden")

        # self-contained: the only request is the report itself; no script error
        urls = [e["params"]["request"]["url"] for e in page.events("Network.requestWillBeSent")]
        assert urls and all(u.startswith("file://") for u in urls), urls
        assert not page.events("Runtime.exceptionThrown")
    for name in ("summary.png", "table.png", "page-view.png"):
        data = (tmp_path / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000


def claim_rows(page):
    return page.evaluate("""Array.from(document.querySelectorAll('#claims-body tr')).map(tr =>
        Array.from(tr.children).map(td => td.firstChild ? td.firstChild.textContent : ''))""")


@needs_chromium
def test_claims_tab_lists_sorts_and_filters_the_register(report, tmp_path):
    path, res = report
    register = res.claims()
    assert register  # the site makes claims: the tab has rows to show
    with Browser.launch(CHROMIUM) as browser:
        page = browser.new_page()
        page.goto(path.as_uri())
        page.wait_for("!!document.querySelector('#claims-table[data-loaded]')")  # inflated after load
        page.click("nav.tabs a[href='#claims']")
        table = claim_rows(page)
        assert len(table) == len(register)
        assert {(r[0], r[3]) for r in table} == {(c["status"], c["claim"]) for c in register}
        # default order: uncited first, then vague, broken reference, cited
        order = {"uncited": 0, "vague": 1, "broken reference": 2, "cited": 3}
        ranks = [order[r[0]] for r in table]
        assert ranks == sorted(ranks)
        # the vague attribution on the weight page is listed with its status and page
        vague = next(r for r in table if r[3] == "Studies show that our drip melts fat.")
        assert vague[0] == "vague" and vague[1] == "vague attribution" and vague[7].startswith("clinic/weight.md:")

        # filter by status, then by treatment (the select is filled from the register)
        page.evaluate("(s => { s.value = 'vague'; s.dispatchEvent(new Event('change')); })(document.getElementById('c-status'))")
        assert {r[0] for r in claim_rows(page)} == {"vague"}
        page.evaluate("(s => { s.value = ''; s.dispatchEvent(new Event('change')); })(document.getElementById('c-status'))")
        treatments = page.evaluate("Array.from(document.querySelectorAll('#c-treat option')).map(o => o.value).filter(Boolean)")
        assert "Semaglutide" in treatments
        page.evaluate("(s => { s.value = 'Semaglutide'; s.dispatchEvent(new Event('change')); })(document.getElementById('c-treat'))")
        only = claim_rows(page)
        assert only and all("Semaglutide" in r[2] for r in only)
        page.evaluate("(s => { s.value = ''; s.dispatchEvent(new Event('change')); })(document.getElementById('c-treat'))")
        # typing filters by claim text; a header click sorts by it
        page.type("#c-text", "miracle")
        assert claim_rows(page) and all("miracle" in r[3].lower() for r in claim_rows(page))
        page.evaluate("(e => { e.value = ''; e.dispatchEvent(new Event('input')); })(document.getElementById('c-text'))")
        page.click("#claims-table th[data-key=claim]")
        texts = [r[3] for r in claim_rows(page)]
        assert texts == sorted(texts, key=lambda t: t.lower()) or texts == sorted(texts)
        page.screenshot(str(tmp_path / "claims.png"), full_page=False)
        # a claim's place opens that page's findings
        href = page.evaluate("document.querySelector('#claims-body tr:first-child td:last-child a').getAttribute('href')")
        page.click("#claims-body tr:first-child td:last-child a")
        page.wait_for(f"location.hash === '{href}'")
        assert page.evaluate("location.hash") == href, page.evaluate("location.hash")
        page.wait_for("!!document.querySelector('#findings[data-loaded]')")
        assert not page.events("Runtime.exceptionThrown")
