"""Speed work changes no finding.

The findings on ``examples/``, the development corpus (``../shared/corpus/dev``, skipped when
absent) and a generated 1,000-page site are compared with the stored expected output in
``tests/expected/``. That output is regenerated only by a deliberate change to detection,
never to make a speed change pass:

    python -m tests.test_findings_stable --write

and the diff of ``tests/expected/`` is reviewed like any other change.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import random
import sys
from pathlib import Path

import pytest

from medlint.engine import Options
from medlint.runner import run

ROOT = Path(__file__).resolve().parent.parent
EXPECTED = ROOT / "tests" / "expected"
DEV = ROOT.parent / "shared" / "corpus" / "dev"
SITE_PAGES = 1000


def site_pages(n: int = SITE_PAGES, seed: int = 11) -> dict[str, str]:
    """A generated clinic site: the benchmark's invented pages (our own template copy), so
    that pages repeat sentences and paragraphs across the site as real sites do."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from bench_claims import page
    finally:
        sys.path.pop(0)
    rng = random.Random(seed)
    return {f"site/page-{i:04d}.md": page(rng) for i in range(n)}


def findings_lines(paths: list[Path], base: Path) -> list[str]:
    """One JSON line per finding (paths relative to ``base``), plus one per file error."""
    res = run([str(p) for p in paths], Options(isolated=True))
    out = []
    for f in res.findings:
        d = f.to_json()
        d["path"] = Path(d["path"]).relative_to(base).as_posix()
        for r in d["related"]:
            r["path"] = Path(r["path"]).relative_to(base).as_posix()
        line = json.dumps(d, sort_keys=True, ensure_ascii=False)
        out.append(line.replace(str(base) + "/", ""))  # paths named in messages
    for e in res.errors:
        out.append(json.dumps({"error": e["message"].replace(str(base), "<base>")}))
    return sorted(out)


def examples_lines() -> list[str]:
    return findings_lines(sorted((ROOT / "examples").iterdir()), ROOT / "examples")


def dev_lines() -> list[str]:
    pages = sorted(p for p in DEV.iterdir() if p.suffix in (".md", ".txt", ".html"))
    return findings_lines(pages, DEV)


def site_lines(tmp: Path) -> list[str]:
    """Per page of the generated site: its finding count per rule and a digest of its
    findings (the full list, about 90,000 findings, would weigh megabytes in the repo)."""
    for name, text in site_pages().items():
        p = tmp / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    by_page: dict[str, list[str]] = {}
    for line in findings_lines(sorted((tmp / "site").iterdir()), tmp):
        by_page.setdefault(json.loads(line).get("path", "<errors>"), []).append(line)
    out = []
    for path, lines in sorted(by_page.items()):
        counts: dict[str, int] = {}
        for line in lines:
            rule = json.loads(line).get("rule", "error")
            counts[rule] = counts.get(rule, 0) + 1
        digest = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()[:16]
        out.append(json.dumps({"path": path, "counts": counts, "sha256": digest}, sort_keys=True))
    return out


def _stored(name: str) -> list[str]:
    with gzip.open(EXPECTED / f"{name}.jsonl.gz", "rt", encoding="utf-8") as fh:
        return fh.read().splitlines()


def _write(name: str, lines: list[str]):
    EXPECTED.mkdir(exist_ok=True)
    # mtime=0: the same findings give the same bytes
    with open(EXPECTED / f"{name}.jsonl.gz", "wb") as raw, \
            gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as fh:
        fh.write(("\n".join(lines) + "\n").encode("utf-8"))


def _compare(name: str, got: list[str]):
    want = _stored(name)
    if got == want:
        return
    missing = [x for x in want if x not in set(got)]
    extra = [x for x in got if x not in set(want)]
    show = "\n".join(["missing:"] + missing[:5] + ["new:"] + extra[:5])
    pytest.fail(f"findings on {name} changed ({len(missing)} missing, {len(extra)} new); if the "
                f"change to detection is deliberate, run `python -m tests.test_findings_stable "
                f"--write` and review the diff.\n{show}")


def test_examples_findings_unchanged():
    _compare("examples", examples_lines())


@pytest.mark.skipif(not DEV.is_dir(), reason="../shared/corpus/dev is not available here")
def test_dev_corpus_findings_unchanged():
    _compare("dev", dev_lines())


@pytest.mark.slow
def test_generated_site_findings_unchanged(tmp_path):
    _compare("site", site_lines(tmp_path))


if __name__ == "__main__":
    if "--write" not in sys.argv:
        sys.exit("usage: python -m tests.test_findings_stable --write")
    import tempfile
    _write("examples", examples_lines())
    if DEV.is_dir():
        _write("dev", dev_lines())
    with tempfile.TemporaryDirectory() as d:
        _write("site", site_lines(Path(d)))
    for p in sorted(EXPECTED.glob("*.jsonl.gz")):
        print(f"{p.relative_to(ROOT)}: {len(_stored(p.name[:-len('.jsonl.gz')]))} lines")
