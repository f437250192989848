"""The layers contract of pyproject.toml ([tool.importlinter]) holds: no module imports a layer above its own,
and no package has an import cycle among its modules (except the ones listed there as 'to be cut')."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tremorlab.paths import ROOT


def test_import_layers_contract():
    if not os.environ.get("CI"):
        pytest.importorskip("importlinter")  # in the test extra: CI always has it
    exe = Path(sys.executable).with_name("lint-imports")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "lib"), os.environ.get("PYTHONPATH", "")]))
    r = subprocess.run([str(exe), "--no-cache"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
    assert "0 broken" in r.stdout
