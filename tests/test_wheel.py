"""The package works from a wheel: built, installed non-editable into a fresh venv, run in a bare folder.

The wheel is built from a copy of the sources (so the checkout gets no ``build/`` folder), installed
with ``--no-deps`` into a venv made ``--without-pip``; that venv sees the project venv's third-party
packages through a ``.pth`` line (site-packages added as a plain path: the editable tremorlab's own
``.pth`` there is not processed, so the only tremorlab it can import is the wheel's).  The working
tree is a temporary folder holding ``notebooks/00-data.ipynb`` only, as a wheel user who fetched
the chapter would have; the data come from ``TREMORLAB_DATA`` as in CI.
"""

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tremorlab.paths import ROOT

pytestmark = [pytest.mark.wheel, pytest.mark.slow]

SOURCES = ("pyproject.toml", "README.md", "LICENSE", "lib")


def _run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    assert r.returncode == 0, f"{' '.join(map(str, cmd))} -> {r.returncode}\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    return r


@pytest.fixture(scope="module")
def wheel_venv(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in SOURCES:
        p = ROOT / name
        if p.is_dir():
            shutil.copytree(p, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(p, src / name)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp / "dist"),
          str(src)])
    (wheel,) = (tmp / "dist").glob("tremorlab-*.whl")
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    py = venv / "bin" / "python"
    site = Path(_run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    (site / "_project_venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    # without PYTHONPATH: a developer's PYTHONPATH=lib would make pip think tremorlab is installed already
    _run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "--no-index", "-q", str(wheel)],
         env=_env(tmp))
    return venv, wheel


def _env(work: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "TREMORLAB_ROOT", "TREMORLAB_RUN_DIR",
                                                           "TREMORLAB_CHECK_METRICS", "VIRTUAL_ENV")}
    env["TREMORLAB_DATA"] = os.environ.get("TREMORLAB_DATA") or str(ROOT.parent / "shared" / "data")
    env["HOME"] = str(work / "home")  # no user-level kernels or caches from the developer's home
    (work / "home").mkdir(exist_ok=True)
    return env


def test_wheel_ships_the_registry_and_not_the_checkout(wheel_venv):
    import zipfile

    _, wheel = wheel_venv
    names = zipfile.ZipFile(wheel).namelist()
    assert "tremorlab/data_registry.json" in names
    assert not [n for n in names if n.startswith(("notebooks/", "firmware/", "data/", "tests/"))]


def test_wheel_install_imports_itself_not_the_checkout(wheel_venv, tmp_path):
    venv, _ = wheel_venv
    code = ("import tremorlab, tremorlab.paths as p; print(tremorlab.__file__); print(p.ROOT); print(p.CHECKOUT)\n"
            "try:\n    from tremorlab.pen import emulator; emulator.firmware_dir()\n"
            "except p.CheckoutRequired as e:\n    print('CheckoutRequired:', e)\n")
    out = _run([str(venv / "bin" / "python"), "-c", code], cwd=tmp_path, env=_env(tmp_path)).stdout.splitlines()
    assert Path(out[0]).is_relative_to(venv), out[0]
    assert Path(out[1]) == tmp_path.resolve() and out[2] == "None", out
    assert out[3].startswith("CheckoutRequired:") and "firmware/" in out[3], out[3]


def test_wheel_cli_lists_data_and_runs_the_data_chapter(wheel_venv, tmp_path):
    venv, _ = wheel_venv
    exe = str(venv / "bin" / "tremorlab")
    env = _env(tmp_path)
    out = _run([exe, "data", "list"], cwd=tmp_path, env=env).stdout
    assert "uci_spiral_tablet" in out and "location: not found" not in out, out
    r = subprocess.run([exe, "run", "00-data"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert r.returncode == 2 and "no notebooks/ folder" in r.stderr, r.stderr  # a bare folder: no chapters
    (tmp_path / "notebooks").mkdir()
    shutil.copy2(ROOT / "notebooks" / "00-data.ipynb", tmp_path / "notebooks")
    run_dir = tmp_path / "runs" / "00-data"
    _run([exe, "run", "00-data", "--quiet", "--out", str(run_dir)], cwd=tmp_path, env=env, timeout=300)
    assert (run_dir / "metrics.json").is_file() and (run_dir / "00-data.ipynb").is_file()
    assert not (ROOT / "build").exists(), "the wheel build wrote into the checkout"
