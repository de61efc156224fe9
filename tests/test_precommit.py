"""The published pre-commit hook blocks a commit with risky copy and lets clean copy in.

Installs the hook from this checkout's HEAD the way users do (a `repos:` entry pointing at
the repository and a rev), so it exercises .pre-commit-hooks.yaml as published. The hook's
environment is built by pre-commit (pip install from the package registry).
"""
import os
import shutil
import subprocess
import sys

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow

RISKY = "# Our Drip\n\nOur NAD+ drip is a guaranteed cure for fatigue.\n"
CLEAN = "# Visiting us\n\nOur lounge is open from 9 to 5 on weekdays. Parking is free.\n"


def _git(*args, cwd):
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    head = _git("rev-parse", "HEAD", cwd=ROOT)
    if head.returncode != 0:
        pytest.skip("the checkout is not a git repository")
    d = tmp_path_factory.mktemp("site")
    env_home = tmp_path_factory.mktemp("pre-commit-home")
    for cmd in (["init", "-q"], ["config", "user.email", "t@example.test"], ["config", "user.name", "T"]):
        assert _git(*cmd, cwd=d).returncode == 0
    (d / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {ROOT}\n"
        f"    rev: {head.stdout.strip()}\n"
        "    hooks:\n"
        "      - id: medlint\n"
        "        args: [--fail-on, warning, --select, 'exaggerated-claim,risk-minimizing']\n",
        encoding="utf-8")
    env = dict(os.environ, PRE_COMMIT_HOME=str(env_home))
    pre_commit = [sys.executable, "-m", "pre_commit"]
    p = subprocess.run(pre_commit + ["install"], cwd=d, capture_output=True, text=True, env=env)
    assert p.returncode == 0, p.stdout + p.stderr
    _git("add", ".pre-commit-config.yaml", cwd=d)
    return d, env


def test_risky_copy_is_blocked(repo):
    d, env = repo
    (d / "drip.md").write_text(RISKY, encoding="utf-8")
    _git("add", "drip.md", cwd=d)
    p = subprocess.run(["git", "commit", "-m", "add drip page"], cwd=d, capture_output=True, text=True, env=env,
                       timeout=1800)
    out = p.stdout + p.stderr
    assert p.returncode != 0, out
    assert "drip.md:3:" in out and "MED210 [exaggerated-claim]" in out, out
    assert _git("rev-parse", "--verify", "HEAD", cwd=d).returncode != 0  # nothing was committed


def test_clean_copy_passes(repo):
    d, env = repo
    _git("reset", "-q", cwd=d)
    if (d / "drip.md").exists():
        (d / "drip.md").unlink()
    (d / "visit.md").write_text(CLEAN, encoding="utf-8")
    _git("add", "visit.md", ".pre-commit-config.yaml", cwd=d)
    p = subprocess.run(["git", "commit", "-m", "add visit page"], cwd=d, capture_output=True, text=True, env=env,
                       timeout=1800)
    assert p.returncode == 0, p.stdout + p.stderr
    out = p.stdout + p.stderr
    assert "medlint" in out and "Passed" in out, out
