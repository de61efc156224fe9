"""The knowledge base loads, every entry is complete, and users can extend it."""
import pytest

from medlint.knowledge import KnowledgeError, load_knowledge, load_treatments

KB = load_knowledge()


def test_at_least_60_treatments_and_200_plain_words():
    assert len(KB.treatments) >= 60
    assert len(KB.plain_language) >= 200


@pytest.mark.parametrize("t", KB.treatments, ids=lambda t: t.name)
def test_every_entry_is_complete(t):
    assert t.aliases and t.name.lower() in (a.lower() for a in t.aliases)
    assert t.references and all(r.strip() for r in t.references)
    if t.disclosure_required:
        assert t.risk_terms, f"{t.name}: no disclosure vocabulary"
        assert t.key_risks, f"{t.name}: no key risks"
    for item in t.key_risks + t.regulatory:
        assert item.label and item.terms and item.reference


def test_low_risk_interventions_are_marked():
    low = {t.name for t in KB.treatments if not t.disclosure_required}
    assert {"CBT", "exercise", "sleep hygiene"} <= low


def test_required_coverage():
    names = {t.name.lower() for t in KB.treatments}
    for want in ["ketamine", "esketamine", "ssris", "snris", "benzodiazepines", "semaglutide",
                 "testosterone", "finasteride", "isotretinoin", "psilocybin", "mdma", "cbd",
                 "ashwagandha", "nad+", "melatonin", "kratom", "prp", "tms", "stem cell therapy",
                 "iv vitamin therapy", "hyperbaric oxygen therapy", "chelation therapy"]:
        assert want in names, want


def test_user_file_adds_and_overrides(tmp_path):
    from medlint.knowledge import builtin_knowledge_dir
    f = tmp_path / "mine.yaml"
    f.write_text(
        "- name: Glowzyme\n  aliases: [Glowzyme, Glowzyme drops]\n  type: supplement\n"
        "  risk_terms: [stomach upset]\n  key_risks: []\n  references: ['Our own label, 2026']\n"
        "- name: ketamine\n  risk_terms: [dissociation]\n", encoding="utf-8")
    out = {t.name: t for t in load_treatments([str(builtin_knowledge_dir() / "treatments"), str(f)])}
    assert out["Glowzyme"].aliases == ["Glowzyme", "Glowzyme drops"]
    assert out["ketamine"].risk_terms == ["dissociation"]
    assert out["ketamine"].key_risks  # untouched fields are kept


def test_bad_entry_names_file_and_field(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text("name: Foo\naliases: [Foo]\ntype: potion\nreferences: [x]\nrisk_terms: [y]\n")
    with pytest.raises(KnowledgeError, match=r"bad.yaml.*field 'type'"):
        load_treatments([str(f)])


def test_user_treatments_from_config_drive_the_rules(tmp_path):
    from .conftest import run_cli
    (tmp_path / "kb.yaml").write_text(
        "name: Glowzyme\naliases: [Glowzyme]\ntype: supplement\nrisk_terms: [stomach upset]\n"
        "key_risks: []\nreferences: ['Our own label, 2026']\n", encoding="utf-8")
    (tmp_path / "medlint.toml").write_text('[knowledge]\ntreatments = ["kb.yaml"]\n', encoding="utf-8")
    (tmp_path / "page.md").write_text("Glowzyme drops melt away stress.\n", encoding="utf-8")
    p = run_cli("check", "--select", "missing-risk-disclosure", "page.md", cwd=tmp_path)
    assert p.returncode == 1, p.stderr
    assert "Glowzyme is promoted" in p.stdout
