"""environment.yml names the same packages and pins as pyproject.toml; the package imports lazily and fast."""

import re
import subprocess
import sys
import tomllib

import yaml

from tremorlab.run import ROOT

# conda-forge spells a few packages differently from PyPI
CONDA_NAMES = {"pywavelets": "pywavelets"}


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_pins() -> dict[str, str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = meta["dependencies"] + [r for extra in meta["optional-dependencies"].values() for r in extra]
    pins = {}
    for r in reqs:
        name, version = r.split("==")
        pins[norm(name)] = version
    return pins


def environment_pins() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for r in dep["pip"]:
                if "==" in r:
                    name, version = r.split("==")
                    pins[norm(name)] = version
        elif "=" in dep and not dep.startswith(("python=", "pip")):
            name, version = dep.split("=")
            pins[norm(name)] = version
    return pins


def test_every_pyproject_dependency_is_pinned_exactly():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for r in meta["dependencies"] + [r for extra in meta["optional-dependencies"].values() for r in extra]:
        assert re.fullmatch(r"[A-Za-z0-9_.\-]+==[0-9][^,;<>=]*", r), f"not an exact pin: {r}"


def test_environment_yml_matches_pyproject():
    py, env = pyproject_pins(), environment_pins()
    assert set(py) == set(env), f"only in pyproject: {sorted(set(py) - set(env))}; only in environment.yml: {sorted(set(env) - set(py))}"
    diff = {k: (py[k], env[k]) for k in py if py[k] != env[k]}
    assert not diff, f"different pins (pyproject, environment.yml): {diff}"


def test_lock_file_agrees_with_the_pins():
    lock = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if "==" in line:
            name, version = line.split("==")
            lock[norm(name)] = version.strip()
    for name, version in pyproject_pins().items():
        assert lock.get(name) == version, f"{name}: pyproject {version}, requirements.lock {lock.get(name)}"


def test_import_does_not_load_heavy_modules():
    """`import tremorlab` stays cheap (its time is measured in bench/bench_io.py): no torch, numba, matplotlib."""
    code = ("import sys; import tremorlab, tremorlab.io, tremorlab.data, tremorlab.report, tremorlab.dsp; "
            "print(*[m in sys.modules for m in ('torch', 'numba', 'matplotlib', 'timm')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False"] * 4, dict(zip(("torch", "numba", "matplotlib", "timm"), out))
