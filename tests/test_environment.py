"""pyproject.toml declares compatible ranges; requirements.lock and environment.yml pin versions inside them."""

import re
import subprocess
import sys
import tomllib

import yaml
from packaging.requirements import Requirement
from packaging.version import Version

from tremorlab.run import ROOT


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirements() -> list[Requirement]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(r) for r in meta["dependencies"] + [r for extra in meta["optional-dependencies"].values()
                                                            for r in extra]]


def lock_pins() -> dict[str, str]:
    lock = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if "==" in line:
            name, version = line.split("==")
            lock[norm(name)] = version.strip()
    return lock


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


def test_every_dependency_is_a_compatible_range():
    """A lower bound (the locked version or older), and an upper bound except for calendar versions."""
    for req in requirements():
        ops = {s.operator: Version(s.version) for s in req.specifier}
        assert ">=" in ops and set(ops) <= {">=", "<"}, f"{req}: expected '>=LOW,<HIGH'"
        assert "<" in ops or ops[">="].major >= 2000, f"{req}: no upper bound"


def test_lock_pins_every_declared_package_inside_its_range():
    lock = lock_pins()
    for req in requirements():
        version = lock.get(norm(req.name))
        assert version is not None, f"{req.name} is declared but not in requirements.lock"
        assert req.specifier.contains(version, prereleases=True), f"requirements.lock {req.name}=={version} not in {req}"


def test_environment_yml_pins_the_declared_packages_as_the_lock_does():
    declared, env, lock = {norm(r.name) for r in requirements()}, environment_pins(), lock_pins()
    assert declared == set(env), (f"only in pyproject: {sorted(declared - set(env))}; "
                                  f"only in environment.yml: {sorted(set(env) - declared)}")
    diff = {k: (env[k], lock.get(k)) for k in env if env[k] != lock.get(k)}
    assert not diff, f"different pins (environment.yml, requirements.lock): {diff}"


def test_seaborn_is_declared_only_where_it_is_used():
    """Dropped from the dependencies because nothing imported it; declare it again with its first use."""
    sources = [*(ROOT / "lib").rglob("*.py"), *(ROOT / "notebooks").glob("*.ipynb")]
    used = any(re.search(r"\b(import|from)\s+seaborn\b", p.read_text()) for p in sources)
    assert ("seaborn" in {norm(r.name) for r in requirements()}) == used


def test_import_does_not_load_heavy_modules():
    """`import tremorlab` stays cheap (its time is measured in bench/bench_io.py): no torch, numba, matplotlib."""
    code = ("import sys; import tremorlab, tremorlab.io, tremorlab.data, tremorlab.report, tremorlab.dsp; "
            "print(*[m in sys.modules for m in ('torch', 'numba', 'matplotlib', 'timm')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False"] * 4, dict(zip(("torch", "numba", "matplotlib", "timm"), out))


def test_package_attributes_load_their_submodules_lazily():
    """`lazy_loader.attach`: `import tremorlab` loads no subpackage and stays well under 1 s; `dir()` lists them all,
    and attribute access imports each on first use (the subpackages that attach theirs too)."""
    code = ("import pkgutil, sys, time; t = time.perf_counter(); import tremorlab as tl; dt = time.perf_counter() - t\n"
            "loaded = sorted(m for m in sys.modules if m.startswith('tremorlab.') and m != 'tremorlab._version')\n"
            "public = sorted(m.name for m in pkgutil.iter_modules(tl.__path__) if not m.name.startswith('_') and m.name != 'cli')\n"
            "assert dt < 1.0, dt\nassert loaded == [], loaded\nassert sorted(dir(tl)) == public, (dir(tl), public)\n"
            "for pkg in ('synth', 'features', 'learn'):\n"
            "    sub = getattr(tl, pkg)\n"
            "    names = sorted(m.name for m in pkgutil.iter_modules(sub.__path__))\n"
            "    assert sorted(dir(sub)) == names and getattr(sub, names[0]).__name__ == f'tremorlab.{pkg}.{names[0]}'\n"
            "print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]
