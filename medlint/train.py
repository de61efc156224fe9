"""Train, cross-validate and rebuild medlint's sentence model.

    python -m medlint.train CORPUS [CORPUS ...] [--out FILE]
    python -m medlint.train CORPUS [CORPUS ...] --cross-validate 5 [--evaluator evaluate.py]
    python -m medlint.train CORPUS [CORPUS ...] --leave-one-area-out

A corpus is a folder of labelled pages in the layout of ``../shared/corpus/GUIDE.md``:
``pages/NAME.txt`` with ``gold/NAME.yaml`` (and optionally ``sources.tsv`` giving each page's
URL, so that folds are grouped by site), or ``NAME.md``/``.html``/``.txt`` with
``NAME.gold.yaml`` beside it.

Training is deterministic: the same pages give the same weights file, byte for byte (features
sorted, weights rounded, gzip without a timestamp). Evaluation folds hold out whole sites
(``--cross-validate``) or whole product areas (``--leave-one-area-out``: the area is the
page name's leading letters, "a07" -> "a"). Only the FIRST corpus is split into folds; the
others (for example the project's own regression pages) are always training data. Each
held-out page is linted by medlint itself with the model of its fold, and the findings are
scored line by line as ``evaluate.py`` scores them; with ``--evaluator PATH`` the merged
findings are also handed to that script and its lines are printed.

Needs scikit-learn (``pip install "medlint[train]"``); linting never does.
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import zlib
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlparse

import yaml

from .model import FEATURE_VERSION, FORMAT, TARGETS

EXTS = (".txt", ".md", ".html", ".htm")
GOLD_KEYS = {"claim": (("claims_uncited", "claims_cited"), "ambiguous_claims"),
             "exaggeration": (("exaggerations",), "ambiguous_exaggerations"),
             "risk-minimizing": (("risk_minimizing",), "ambiguous_risk_minimizing")}
# the categories evaluate.py scores line by line, and the target each reads
CATEGORIES = (("claims", "claim", "claims_uncited"), ("exaggeration", "exaggeration", "exaggerations"),
              ("risk-minimizing", "risk-minimizing", "risk_minimizing"))
GOLD_OF = {target: key for _cat, target, key in CATEGORIES}  # the gold lines a target is scored on
# (C, class_weight) of each target's logistic regression, chosen by cross-validation
HYPER = {"claim": (0.3, None), "exaggeration": (0.3, None), "risk-minimizing": (1.0, None)}
MIN_COUNT = 2  # a feature seen fewer times in the training sentences is dropped
BETA = 0.8  # thresholds maximise F-beta on held-out training pages: beta < 1 favours precision
ROUND = 4
TIE = 0.005


@dataclass
class Page:
    path: str
    gold: dict
    group: str  # pages of one group (site) are never split between training and test
    area: str
    primary: bool  # from the first corpus (the one evaluation splits)

    def skip(self, target: str) -> set:
        return set(self.gold.get("ambiguous") or []) | set(self.gold.get(GOLD_KEYS[target][1]) or [])

    def positives(self, target: str) -> set:
        out = set()
        for k in GOLD_KEYS[target][0]:
            out |= set(self.gold.get(k) or [])
        return out


@dataclass
class Item:
    """One sentence: its features, line, and whether medlint's rules see a citation."""
    page: int
    line: int
    feats: list
    cited: bool
    question: bool
    labels: dict = field(default_factory=dict)  # target -> 0/1, absent when ambiguous
    block: int = 0
    # set when scored (the attributes model.decide reads)
    scores: dict = field(default_factory=dict)
    block_scores: dict = field(default_factory=dict)


def _unit(it):
    return (it.page, it.block)


def read_corpus(root: str, primary: bool = True) -> list[Page]:
    root = os.path.abspath(root)
    if not os.path.isdir(root):
        raise SystemExit(f"medlint.train: {root}: no such directory")
    pairs = []
    pdir = os.path.join(root, "pages")
    if os.path.isdir(pdir):
        for f in sorted(os.listdir(pdir)):
            stem, ext = os.path.splitext(f)
            g = os.path.join(root, "gold", stem + ".yaml")
            if ext in EXTS and os.path.exists(g):
                pairs.append((os.path.join(pdir, f), g, stem))
    for f in sorted(os.listdir(root)):
        stem, ext = os.path.splitext(f)
        g = os.path.join(root, stem + ".gold.yaml")
        if ext in EXTS and os.path.exists(g):
            pairs.append((os.path.join(root, f), g, stem))
    if not pairs:
        raise SystemExit(f"medlint.train: no labelled pages in {root}")
    sites = {}
    tsv = os.path.join(root, "sources.tsv")
    if os.path.exists(tsv):
        with open(tsv, encoding="utf-8") as fh:
            for row in fh.read().splitlines()[1:]:
                parts = row.split("\t")
                if len(parts) >= 2:
                    host = (urlparse(parts[1]).hostname or parts[1]).lower()
                    sites[parts[0]] = host[4:] if host.startswith("www.") else host
    out = []
    for path, g, stem in pairs:
        try:
            with open(g, encoding="utf-8") as fh:
                gold = yaml.safe_load(fh) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
            raise SystemExit(f"medlint.train: {g}: cannot read labels: {e}") from None
        if not isinstance(gold, dict):
            raise SystemExit(f"medlint.train: {g}: labels must be a mapping (see tests/corpus/README.md)")
        area = stem.rstrip("0123456789") or stem
        out.append(Page(path, gold, sites.get(stem, os.path.basename(root) + "/" + stem), area, primary))
    return out


def _config(model_path: str | None = None, use_model: bool = True):
    from .config import Config
    rules = {} if use_model else {n: {"model": False} for n in ("uncited-claim", "exaggerated-claim",
                                                                  "risk-minimizing")}
    return Config(rules=rules, sentence_model=model_path)


def extract(pages: list[Page]) -> list[Item]:
    """Sentences of every page with features, from medlint's own analysis (rules only)."""
    from .claims import analyze
    from .engine import Linter, Options
    from .model import sentence_features
    from .parsers import parse
    from .runner import read_file
    linter = Linter(Options(config=_config(use_model=False)))
    items = []
    for i, page in enumerate(pages):
        doc = parse(read_file(page.path), page.path)
        rs = linter.ruleset(page.path)
        sents = analyze(doc, rs)
        feats = sentence_features(doc, sents)
        pos = {t: page.positives(t) for t in TARGETS}
        skip = {t: page.skip(t) for t in TARGETS}
        for s, f in zip(sents, feats):
            line = doc.span_position(s.block, s.start, s.end)[0]
            it = Item(i, line, f, bool(s.citation), s.question, block=s.block.index)
            for t in TARGETS:
                if line not in skip[t]:
                    it.labels[t] = int(line in pos[t])
            items.append(it)
    return items


# ---------------------------------------------------------------- training

def _fit_target(X, y, c, class_weight):
    from sklearn.linear_model import LogisticRegression
    clf = LogisticRegression(C=c, solver="liblinear", max_iter=1000, random_state=0,
                             class_weight=class_weight)
    clf.fit(X, y)
    return clf.coef_[0], float(clf.intercept_[0])


def _matrix(feature_lists, vocab):
    from scipy.sparse import csr_matrix
    rows, cols = [], []
    for r, feats in enumerate(feature_lists):
        for f in set(feats):
            j = vocab.get(f)
            if j is not None:
                rows.append(r)
                cols.append(j)
    return csr_matrix(([1.0] * len(rows), (rows, cols)), shape=(len(feature_lists), len(vocab)))


def units(items: list[Item]):
    """Blocks: [(features, labels, [item indexes])], in order."""
    from .model import block_features, runs
    out = []
    for i, j in runs(items, _unit):
        group = items[i:j]
        labels = {}
        for t in TARGETS:
            ys = [it.labels.get(t) for it in group]
            if 1 in ys:
                labels[t] = 1
            elif None not in ys:
                labels[t] = 0
        out.append((block_features([it.feats for it in group]), labels, list(range(i, j))))
    return out


def fit(items: list[Item], pages: list[Page], thresholds: dict | None = None) -> dict:
    """A model (as the dict written to the weights file) trained on the blocks of ``items``."""
    us = units(items)
    counts: dict[str, int] = defaultdict(int)
    for feats, _labels, _ix in us:
        for f in feats:
            counts[f] += 1
    names = sorted(f for f, n in counts.items() if n >= MIN_COUNT)
    vocab = {f: j for j, f in enumerate(names)}
    X = _matrix([u[0] for u in us], vocab)
    weights, bias = {}, {}
    for t in TARGETS:
        rows = [r for r, u in enumerate(us) if t in u[1]]
        y = [us[r][1][t] for r in rows]
        coef, b = _fit_target(X[rows], y, *HYPER[t])
        weights[t] = [round(float(w), ROUND) for w in coef]
        bias[t] = round(b, ROUND)
    keep = [j for j in range(len(names)) if any(weights[t][j] != 0 for t in TARGETS)]
    model = {"format": FORMAT, "feature_version": FEATURE_VERSION, "targets": list(TARGETS),
             "features": [names[j] for j in keep],
             "weights": {t: [weights[t][j] for j in keep] for t in TARGETS},
             "bias": bias, "thresholds": thresholds or {t: 0.5 for t in TARGETS}}
    if thresholds is None:
        model["thresholds"] = choose_thresholds(items, pages)
        model["treatments"] = fit_treatments(treatment_rows(model, pages))
    return model


# ---------------------------------------------------------------- the treatment model

TREATMENT_C = 0.5


def _name_tokens(name: str) -> frozenset:
    """A treatment name's tokens as evaluate.py compares them (lower case, a plural "s" off,
    generic words such as "therapy" or "supplements" dropped)."""
    import re
    out = set()
    for w in re.findall(r"[a-z0-9+']+", (name or "").lower()):
        if w.endswith("s") and not w.endswith("ss") and len(w) > 4:
            w = w[:-1]
        if w not in GENERIC_NAME_WORDS:
            out.add(w)
    return frozenset(out)


GENERIC_NAME_WORDS = {"therapy", "therapies", "treatment", "treatments", "infusion", "infusions", "injection",
                      "injections", "supplement", "supplements", "program", "oil", "dietary", "the", "and",
                      "of", "for", "with", "nasal", "spray", "drug", "drugs", "medication", "medications"}


def same_treatment(subject: str, gold_key: str) -> bool:
    """Whether a finding's subject names a gold treatment (its name or one of its aliases in
    parentheses), by evaluate.py's rule: one token set contains the other."""
    import re
    main, _, rest = gold_key.partition("(")
    names = [main] + [a for a in re.split(r"[,/]", rest.rstrip(")")) if a.strip()]
    s = _name_tokens(subject)
    return bool(s) and any(s <= a or a <= s for a in (_name_tokens(n) for n in names) if a)


def treatment_label(subject: str, gold: dict):
    """1 when the gold says the page promotes this treatment without disclosing a risk, 0
    when it is disclosed, not required or not a promoted treatment at all, None when ambiguous."""
    keys = [k for k, v in (gold.get("treatments") or {}).items() if same_treatment(subject, k)]
    states = [(gold["treatments"][k] or {}).get("risk_disclosed") for k in keys]
    if False in states:
        return 1
    if "ambiguous" in states:
        return None
    return 0


def treatment_rows(model: dict, pages: list[Page]) -> list[tuple[str, list, int]]:
    """(group, features, label) of every promoted candidate treatment of ``pages``, from
    medlint's own analysis with the sentence model ``model``."""
    from .engine import Linter, Options
    from .parsers import parse
    from .risk import analyze_risk, treatment_features
    from .runner import read_file
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        mpath = os.path.join(tmp, "model.json.gz")
        Path(mpath).write_bytes(dump({k: v for k, v in model.items() if k != "treatments"}, {}))
        linter = Linter(Options(config=_config(mpath)))
        for page in pages:
            doc = parse(read_file(page.path), page.path)
            reports = analyze_risk(doc, linter.ruleset(page.path))
            for name, feats in treatment_features(doc, reports).items():
                r = reports[name]
                if not r.treatment.disclosure_required:
                    continue
                y = treatment_label(r.subject, page.gold)
                if y is not None:
                    rows.append((page.group, feats, y))
    return rows


def fit_treatments(rows) -> dict | None:
    """Logistic regression over the candidates' features; its threshold maximises F1 of
    held-out predictions (5 folds grouped by site)."""
    from sklearn.linear_model import LogisticRegression
    if len({r[2] for r in rows}) < 2:
        return None  # too few labelled candidates (a small corpus): the rules decide
    counts: dict[str, int] = defaultdict(int)
    for _g, feats, _y in rows:
        for f in set(feats):
            counts[f] += 1
    names = sorted(f for f, n in counts.items() if n >= MIN_COUNT)
    vocab = {f: j for j, f in enumerate(names)}
    X = _matrix([r[1] for r in rows], vocab)
    y = [r[2] for r in rows]

    def clf():
        return LogisticRegression(C=TREATMENT_C, solver="liblinear", max_iter=1000, random_state=0)
    held = [0.0] * len(rows)
    fold = [zlib.crc32(g.encode("utf-8")) % 5 for g, _f, _y in rows]
    for f in range(5):
        tr = [i for i in range(len(rows)) if fold[i] != f]
        te = [i for i in range(len(rows)) if fold[i] == f]
        if not te or len({y[i] for i in tr}) < 2:
            continue
        m = clf().fit(X[tr], [y[i] for i in tr])
        for i, p in zip(te, m.predict_proba(X[te])[:, 1]):
            held[i] = float(p)
    grid = [x / 100 for x in range(10, 91, 2)]
    f1s = []
    for thr in grid:
        tp = sum(1 for p, t in zip(held, y) if p >= thr and t)
        fp = sum(1 for p, t in zip(held, y) if p >= thr and not t)
        fn = sum(1 for p, t in zip(held, y) if p < thr and t)
        f1s.append(prf(tp, fp, fn)[2])
    best = max(f1s)
    near = [thr for thr, f1 in zip(grid, f1s) if f1 >= best - TIE]
    m = clf().fit(X, y)
    return {"features": names, "weights": [round(float(w), ROUND) for w in m.coef_[0]],
            "bias": round(float(m.intercept_[0]), ROUND), "threshold": near[len(near) // 2]}


def score_items(model: dict, items: list[Item]):
    """Set ``scores`` and ``block_scores`` of ``items`` as medlint would at lint time."""
    from .model import Model, runs
    m = Model.from_dict(model)
    for it in items:
        it.scores = m.scores(it.feats)
    for i, j in runs(items, _unit):
        bs = m.block_scores([it.feats for it in items[i:j]])
        for it in items[i:j]:
            it.block_scores = bs


def _fold(page: Page, k: int) -> int:
    """The page's fold among ``k``: by site, the same on every run and machine."""
    return zlib.crc32(page.group.encode("utf-8")) % k


def folds_by_group(pages: list[Page], k: int) -> list[int]:
    """Fold of each page; -1 for pages of the other corpora, always training data."""
    return [_fold(p, k) if p.primary else -1 for p in pages]


def choose_thresholds(items: list[Item], pages: list[Page], k: int = 3) -> dict:
    """Per target, the threshold that maximises line-level F-beta on pages held out of
    the training data (grouped folds of ``items``' pages)."""
    pf = [_fold(p, k) for p in pages]
    scored = []
    for f in range(k):
        train = [it for it in items if pf[it.page] != f]
        test = [it for it in items if pf[it.page] == f]
        if not train or not test:
            continue
        score_items(fit(train, pages, thresholds={t: 0.5 for t in TARGETS}), test)
        scored.extend(test)
    scored.sort(key=lambda it: (it.page, it.block))
    out = {}
    for t in TARGETS:
        grid = [x / 100 for x in range(6, 91, 2)]
        fbs = []
        for thr in grid:
            p, r, _f1 = prf(*line_counts(scored, pages, t, thr))
            fbs.append((1 + BETA ** 2) * p * r / (BETA ** 2 * p + r) if p + r else 0.0)
        # F-beta is flat near its top: take the middle of the thresholds within TIE of the
        # best, which moves less from one training set to the next than the arg max does
        best = max(fbs)
        near = [thr for thr, fb in zip(grid, fbs) if fb >= best - TIE]
        out[t] = near[len(near) // 2]
    return out


def line_counts(items, pages, target, thr):
    """tp, fp, fn of line-level findings for ``target`` (scored ``items``), as evaluate.py
    counts them."""
    from .model import decide
    got: dict[int, set] = defaultdict(set)
    for it in decide(items, target, thr, key=_unit):
        if not (target == "claim" and it.cited):
            got[it.page].add(it.line)
    return _count(((pages[i], got.get(i, set())) for i in sorted({it.page for it in items})), target)


def _count(page_lines, target) -> tuple[int, int, int]:
    """tp, fp, fn over [(page, lines found)]; ambiguous lines count neither way."""
    tp = fp = fn = 0
    for page, got in page_lines:
        skip = page.skip(target)
        want = set(page.gold.get(GOLD_OF[target]) or []) - skip
        tp += len(want & got)
        fp += len(got - want - skip)
        fn += len(want - got)
    return tp, fp, fn


def dump(model: dict, meta: dict) -> bytes:
    """The weights file: gzipped JSON, byte-for-byte reproducible."""
    data = dict(model)
    data["meta"] = meta
    raw = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, compresslevel=9, filename="") as gz:
        gz.write(raw)
    return buf.getvalue()


def corpus_digest(pages: list[Page]) -> str:
    h = hashlib.sha256()
    for p in pages:
        h.update(Path(p.path).read_bytes())
        h.update(yaml.safe_dump(p.gold, sort_keys=True).encode("utf-8"))
    return h.hexdigest()


# ---------------------------------------------------------------- evaluation

def lint_with(model: dict, paths: list[str]) -> list[dict]:
    """Findings (JSON dicts) of medlint with ``model`` on ``paths``."""
    from .engine import Linter, Options
    from .runner import lint_path
    with tempfile.TemporaryDirectory() as tmp:
        mpath = os.path.join(tmp, "model.json.gz")
        Path(mpath).write_bytes(dump(model, {}))
        linter = Linter(Options(config=_config(mpath)))
        out = []
        for p in paths:
            res = lint_path(linter, p)
            out.extend(f.to_json() for f in res.findings)
    return out


def score_findings(findings: list[dict], pages: list[Page]) -> dict:
    """tp/fp/fn per line category, as evaluate.py counts them."""
    rules = {"claims": {"uncited-claim", "vague-citation"}, "exaggeration": {"exaggerated-claim"},
             "risk-minimizing": {"risk-minimizing"}}
    by_file = defaultdict(set)
    for f in findings:
        by_file[(os.path.realpath(f["path"]), f["rule"])].add(f["line"])
    out = {}
    for cat, target, _key in CATEGORIES:
        lines = [(p, set().union(*(by_file.get((os.path.realpath(p.path), r), set()) for r in rules[cat])))
                 for p in pages]
        out[cat] = _count(lines, target)
    subjects = defaultdict(set)
    for f in findings:
        if f["rule"] == "missing-risk-disclosure":
            subjects[os.path.realpath(f["path"])].add(f.get("subject") or "")
    tp = fp = fn = 0
    for p in pages:
        tr = p.gold.get("treatments") or {}
        subs = subjects.get(os.path.realpath(p.path), set())
        for key, v in tr.items():
            if (v or {}).get("risk_disclosed") is False:
                hit = any(same_treatment(sub, key) for sub in subs)
                tp += hit
                fn += not hit
        for sub in subs:
            if not any((tr[k] or {}).get("risk_disclosed") in (False, "ambiguous") for k in tr if same_treatment(sub, k)):
                fp += 1
    out["risk-disclosure"] = (tp, fp, fn)
    return out


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def format_counts(counts: dict) -> str:
    lines = []
    for cat, (tp, fp, fn) in counts.items():
        p, r, f = prf(tp, fp, fn)
        lines.append(f"{cat:16} tp={tp:4} fp={fp:4} fn={fn:4}  P={p:.2f} R={r:.2f} F1={f:.2f}")
    return "\n".join(lines)


def held_out(pages, items, fold_of, label, log) -> list[dict]:
    """Train without each fold, lint the fold with that model; all held-out findings."""
    findings = []
    for f in sorted({x for x in fold_of if x >= 0}):
        train = [it for it in items if fold_of[it.page] != f]
        test_pages = [pages[i] for i, x in enumerate(fold_of) if x == f]
        train_pages_ix = sorted({it.page for it in train})
        model = fit(_reindex(train, train_pages_ix), [pages[i] for i in train_pages_ix])
        got = lint_with(model, [p.path for p in test_pages])
        findings.extend(got)
        log(f"{label} {f}: {len(test_pages)} pages held out, thresholds "
            + ", ".join(f"{t}={v:.2f}" for t, v in model["thresholds"].items()))
    return findings


def _reindex(items, page_ix):
    pos = {p: i for i, p in enumerate(page_ix)}
    return [replace(it, page=pos[it.page]) for it in items]


def run_evaluator(evaluator: str, corpus: str, findings: list[dict]) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as fh:
        json.dump({"schema": 1, "findings": findings, "files": [], "errors": []}, fh)
        name = fh.name
    try:
        p = subprocess.run([sys.executable, evaluator, corpus, "--json", name],
                           capture_output=True, text=True)
        return p.stdout + p.stderr
    finally:
        os.unlink(name)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m medlint.train", description=__doc__.split("\n\n")[0])
    ap.add_argument("corpora", nargs="+", help="labelled corpora; the first is the one folds split")
    ap.add_argument("--out", help="write the model here (default: the built-in model file, when "
                                  "neither --cross-validate nor --leave-one-area-out is given)")
    ap.add_argument("--cross-validate", type=int, metavar="K", help="K-fold cross-validation grouped by site")
    ap.add_argument("--leave-one-area-out", action="store_true",
                    help="train on all product areas but one, test on that one, for each area")
    ap.add_argument("--evaluator", help="evaluate.py to score the merged held-out findings with")
    ap.add_argument("--findings-out", help="save the merged held-out findings (JSON) here")
    a = ap.parse_args(argv)
    log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    try:
        import scipy.sparse  # noqa: F401
        import sklearn  # noqa: F401
    except ImportError:
        raise SystemExit("medlint.train needs scikit-learn and SciPy: pip install \"medlint[train]\"")

    pages = []
    for n, c in enumerate(a.corpora):
        pages.extend(read_corpus(c, primary=(n == 0)))
    primary = [p for p in pages if p.primary]
    log(f"{len(pages)} labelled pages ({len(primary)} in {a.corpora[0]}); reading sentences ...")
    items = extract(pages)
    log(f"{len(items)} sentences")

    cv_meta = None
    if a.cross_validate:
        fold_of = folds_by_group(pages, a.cross_validate)
        findings = held_out(pages, items, fold_of, "fold", log)
        print(f"# {a.cross_validate}-fold cross-validation grouped by site on {a.corpora[0]} "
              f"({len(primary)} pages)")
        counts = score_findings(findings, primary)
        print(format_counts(counts))
        cv_meta = {"how": f"{a.cross_validate}-fold cross-validation grouped by site, "
                          f"{len(primary)} pages of {os.path.basename(os.path.normpath(a.corpora[0]))}"}
        cv_meta.update({cat: [round(x, 2) for x in prf(*c)] for cat, c in counts.items()})
        if a.findings_out:
            Path(a.findings_out).write_text(json.dumps({"findings": findings}), encoding="utf-8")
        if a.evaluator:
            print("# evaluate.py on the merged held-out findings:")
            print(run_evaluator(a.evaluator, a.corpora[0], findings), end="")
    if a.leave_one_area_out:
        areas = sorted({p.area for p in primary})
        print(f"# leave one product area out on {a.corpora[0]}")
        for area in areas:
            fold_of = [0 if (p.primary and p.area == area) else -1 for p in pages]
            findings = held_out(pages, items, fold_of, f"area {area}", lambda m: None)
            counts = score_findings(findings, [p for p in primary if p.area == area])
            parts = []
            for cat, c in counts.items():
                pr, rc, f1 = prf(*c)
                parts.append(f"{cat} P={pr:.2f} R={rc:.2f} F1={f1:.2f}")
            print(f"area {area}: " + "  ".join(parts), flush=True)
    if a.out or not (a.cross_validate or a.leave_one_area_out):
        from .model import builtin_path
        out = Path(a.out) if a.out else builtin_path()
        model = fit(items, pages)
        meta = {"trained_on": [os.path.basename(os.path.normpath(c)) for c in a.corpora],
                "pages": len(pages), "sentences": len(items), "corpus_sha256": corpus_digest(pages)}
        if cv_meta:
            meta["cross_validation"] = cv_meta
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(dump(model, meta))
        log(f"wrote {out} ({len(model['features'])} features, thresholds "
            + ", ".join(f"{t}={v:.2f}" for t, v in model["thresholds"].items()) + ")")


if __name__ == "__main__":
    main()
