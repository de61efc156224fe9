"""medlint asks every claim for a verifiable source; its own rules and knowledge meet that bar."""
from collections import defaultdict

import yaml

from medlint.knowledge import load_knowledge, reference_ids
from medlint.registry import builtin_rules_dir


def _references(node, where, out):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "references" and isinstance(v, list):
                out.extend((where, r) for r in v)
            elif k == "reference" and isinstance(v, str):
                out.append((where, v))
            else:
                _references(v, where, out)
    elif isinstance(node, list):
        for x in node:
            _references(x, where, out)


def all_references():
    out = []
    root = builtin_rules_dir()
    for f in sorted(root.rglob("*.yaml")):
        _references(yaml.safe_load(f.read_text(encoding="utf-8")), str(f.relative_to(root)), out)
    return out


def test_every_reference_carries_an_identifier():
    refs = all_references()
    assert len(refs) > 1000
    missing = [f"{w}: {r}" for w, r in refs if not reference_ids(r)]
    assert missing == []


def test_one_spelling_per_source():
    spellings = defaultdict(set)
    for _w, r in all_references():
        for ident in reference_ids(r):
            spellings[ident].add(r)
    assert {k: sorted(v) for k, v in spellings.items() if len(v) > 1} == {}


def test_reference_ids_recognise_each_kind():
    assert reference_ids("NCCIH. Saw palmetto. https://www.nccih.nih.gov/health/saw-palmetto.") == \
        ["https://www.nccih.nih.gov/health/saw-palmetto"]
    assert reference_ids("Smith J. A trial. J Foo. 2020. doi:10.1000/xyz123. PMID: 12345678") == \
        ["doi:10.1000/xyz123", "pmid: 12345678"]
    assert reference_ids("21 CFR 202.1(e)(5): fair balance") == ["21 cfr 202.1(e)(5)"]
    assert reference_ids("World Health Organization. Physical activity guidelines. 2020.") == []


def test_knowledge_base_size_and_every_fact_referenced():
    kb = load_knowledge()
    assert len(kb.treatments) >= 400
    for t in kb.treatments:
        assert t.references, t.name
        assert t.status is not None and reference_ids(t.status.reference), t.name
        for item in t.key_risks + t.regulatory:
            assert reference_ids(item.reference), (t.name, item.label)
