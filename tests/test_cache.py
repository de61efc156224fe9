"""The compiled cache (medlint/cache.py) changes speed, never results."""
from __future__ import annotations

import os

import pytest

from medlint import cache
from medlint.registry import MedlintError, read_yaml

from .conftest import run_cli


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    d = tmp_path / "cache"
    monkeypatch.setenv("MEDLINT_CACHE_DIR", str(d))
    monkeypatch.setattr(cache, "yaml_store", cache._YamlStore())
    return d


def test_compiled_builds_once_then_reads_the_cache(cache_dir):
    calls = []

    def build():
        calls.append(1)
        return {"lemma": ["a", "b"], "n": 3}
    assert cache.compiled("table", "v1", build) == {"lemma": ["a", "b"], "n": 3}
    assert cache.compiled("table", "v1", build) == {"lemma": ["a", "b"], "n": 3}
    assert len(calls) == 1
    assert (cache_dir / "table.marshal").is_file()
    # a new key (a new package version, an edited file) rebuilds and replaces the entry
    assert cache.compiled("table", "v2", lambda: {"n": 4}) == {"n": 4}
    assert cache.compiled("table", "v2", build) == {"n": 4}
    assert len(calls) == 1


def test_a_corrupt_cache_file_is_rebuilt_silently(cache_dir):
    cache_dir.mkdir()
    (cache_dir / "table.marshal").write_bytes(b"\x00garbage, not marshal data")
    assert cache.compiled("table", "v1", lambda: [1, 2, 3]) == [1, 2, 3]
    assert cache.compiled("table", "v1", lambda: pytest.fail("rebuilt again")) == [1, 2, 3]


def test_an_unwritable_cache_directory_is_skipped(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory", encoding="utf-8")
    monkeypatch.setenv("MEDLINT_CACHE_DIR", str(blocker / "cache"))
    assert cache.compiled("table", "v1", lambda: {"ok": True}) == {"ok": True}


def test_the_cache_can_be_turned_off(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDLINT_CACHE_DIR", "off")
    assert cache.cache_dir() is None
    assert cache.compiled("table", "v1", lambda: 7) == 7
    assert not any(tmp_path.iterdir())


def test_default_location_is_the_user_cache_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("MEDLINT_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if os.name == "posix" and os.uname().sysname == "Linux":
        assert cache.cache_dir() == tmp_path / "xdg" / "medlint"


def test_yaml_reads_are_cached_by_content_and_an_edit_is_seen(cache_dir, tmp_path):
    f = tmp_path / "pack.yaml"
    f.write_text("words: [calm, rest]\n", encoding="utf-8")
    first = read_yaml(f)
    first["words"].append("changed by the caller")  # every read returns its own copy
    assert read_yaml(f) == {"words": ["calm", "rest"]}
    f.write_text("words: [sleep]\n", encoding="utf-8")
    assert read_yaml(f) == {"words": ["sleep"]}
    cache.yaml_store.save()
    fresh = cache._YamlStore()
    assert fresh.get(f.read_bytes(), lambda: pytest.fail("parsed again")) == {"words": ["sleep"]}


def test_a_yaml_error_is_never_cached(cache_dir, tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text("words: [calm\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(MedlintError, match=r"bad\.yaml:\d+:\d+: invalid YAML"):
            read_yaml(f)


def test_findings_are_the_same_with_a_cold_a_warm_and_no_cache(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# Calm Drops\n\nOur calm drops cure anxiety in minutes and are completely safe.\n"
                    "Studies show they work better than medication.\n", encoding="utf-8")
    args = ["check", "--isolated", "--output-format", "json", str(page)]
    env = {"MEDLINT_CACHE_DIR": str(tmp_path / "cache")}
    cold = run_cli(*args, env=env)
    warm = run_cli(*args, env=env)
    off = run_cli(*args, env={"MEDLINT_CACHE_DIR": "off"})
    assert cold.returncode == warm.returncode == off.returncode == 1, cold.stderr
    assert cold.stdout == warm.stdout == off.stdout
    assert {p.name for p in (tmp_path / "cache").iterdir()} >= {"yaml.marshal", "syllables.marshal",
                                                                "lemma-lookup.marshal"}
