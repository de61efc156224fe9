"""A wheel built from the repository, installed into a fresh virtual environment and run
from outside the source tree, has every rule pack and knowledge file and lints examples/."""
import json
import os
import subprocess
import sys
import venv

import pytest

from medlint.registry import load_rules

from .conftest import EXAMPLES, ROOT

pytestmark = pytest.mark.slow


def test_wheel_installs_and_lints_examples(tmp_path):
    dist = tmp_path / "dist"
    p = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(dist), str(ROOT)],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
    wheel = next(dist.glob("medlint-*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    p = subprocess.run([str(py), "-m", "pip", "install", "-q", str(wheel)], capture_output=True, text=True)
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    medlint = env_dir / "bin" / "medlint"
    p = subprocess.run([str(medlint), "rules", "--format", "json"], capture_output=True, text=True, cwd=work, env=env)
    assert p.returncode == 0, p.stderr
    rules = json.loads(p.stdout)
    installed = {r["name"] for r in rules}
    assert installed == {r.name for r in load_rules()}
    opt_in = ",".join(r["name"] for r in rules if r["opt_in"])  # off by default: selected here
    p = subprocess.run([str(medlint), "check", "--format", "json", "--extend-select", opt_in, str(EXAMPLES)],
                       capture_output=True, text=True, cwd=work, env=env)
    assert p.returncode == 1, p.stderr
    data = json.loads(p.stdout)
    fired = {f["rule"] for f in data["findings"]}
    assert fired == installed, installed - fired
    # it really ran the installed copy, not the checkout
    p = subprocess.run([str(py), "-c", "import medlint, sys; print(medlint.__file__)"], capture_output=True,
                       text=True, cwd=work, env=env)
    assert str(env_dir) in p.stdout
    # the editor's page and assets ship inside the package (`medlint serve`)
    p = subprocess.run([str(py), "-c", "from importlib import resources; d = resources.files('medlint') / 'static'; "
                        "print(sorted(f.name for f in d.iterdir()))"], capture_output=True, text=True, cwd=work, env=env)
    assert p.stdout.strip() == "['serve.css', 'serve.html', 'serve.js']", p.stderr
