"""Run a chapter through papermill into a run folder with provenance.

``tremorlab run CHAPTER [--preset quick|paper] [-p NAME VALUE ...] [--out DIR]``

* Parameters: the notebook's cell tagged ``parameters`` defines every parameter and its
  default; the defaults are the ``quick`` preset.  ``notebooks/presets/<chapter>.toml`` holds
  the other presets (a ``[paper]`` table of overrides).  An unknown name or a value of the
  wrong type is rejected before anything executes, listing the valid parameters.
* The run folder holds the executed notebook, ``metrics.json`` (written by the chapter through
  :func:`tremorlab.report.save_metrics`) and ``provenance.json`` (parameters, preset, git
  commit and dirty flag, library version, dataset checksums, wall time, Python and package
  versions, machine).
* The run executes in ``<out>.partial-<pid>``.  On success that folder replaces ``<out>``;
  on failure it becomes ``<out>.failed`` with a ``FAILED`` marker and the partial notebook,
  and an earlier good ``<out>`` is left untouched.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import time
import tomllib
from datetime import datetime, timezone
from pathlib import Path

from tremorlab import data, repro
from tremorlab._files import write_json_atomic
from tremorlab._version import __version__
from tremorlab.paths import BUILD, NOTEBOOKS, PACKAGE, ROOT

PRESETS_DIR = NOTEBOOKS / "presets"
RECORDED_DIR = NOTEBOOKS / "recorded"  # metrics and provenance of long runs a chapter displays
PACKAGES = ("numpy", "scipy", "pandas", "scikit-learn", "numba", "torch", "torchvision", "timm", "papermill",
            "matplotlib", "pymoo", "PyWavelets", "ipywidgets", "jupyter-book")


#: Environment variables that change which float kernels a run gets (recorded in provenance).
KERNEL_ENV = ("ATEN_CPU_CAPABILITY", "DNNL_MAX_CPU_ISA", "NUMBA_CPU_NAME", "OPENBLAS_CORETYPE", "MKL_CBWR",
              "OMP_NUM_THREADS", "MKL_NUM_THREADS")


class ParameterError(ValueError):
    """A parameter name or value that the chapter does not accept."""


class RunFailed(RuntimeError):
    """The chapter raised while executing; the partial run folder is named in the message."""


def chapters() -> list[str]:
    """Chapter names: the stems of ``notebooks/*.ipynb``."""
    return sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))


def resolve_chapter(name: str) -> Path:
    """``02-smart-pen-filters``, ``02`` or a path -> the notebook path."""
    p = Path(name)
    if p.suffix == ".ipynb" and p.is_file():
        return p.resolve()
    if not NOTEBOOKS.is_dir():
        raise ParameterError(f"no chapter '{name}': the working tree {ROOT} has no notebooks/ folder. Chapters are the "
                             "notebooks of a tremorlab checkout: run from a folder that holds notebooks/ (or set "
                             "TREMORLAB_ROOT to one), or pass the path of a .ipynb")
    matches = [c for c in chapters() if c == name or c.split("-")[0] == name]
    if len(matches) != 1:
        raise ParameterError(f"unknown chapter '{name}'; chapters: {', '.join(chapters())}")
    return NOTEBOOKS / f"{matches[0]}.ipynb"


def notebook_parameters(nb_path: Path) -> dict[str, object]:
    """Name -> default value of the notebook's ``parameters`` cell (literals only)."""
    nb = json.loads(Path(nb_path).read_text())
    cells = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ParameterError(f"{nb_path}: expected exactly one cell tagged 'parameters', found {len(cells)}")
    src = "".join(cells[0]["source"])
    out = {}
    for node in ast.parse(src).body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            if isinstance(target, ast.Name):
                try:
                    out[target.id] = ast.literal_eval(node.value)
                except ValueError:
                    raise ParameterError(f"{nb_path}: parameter '{target.id}' must have a literal default") from None
    return out


def presets(chapter: str, defaults: dict) -> dict[str, dict]:
    """``{"quick": {}, "paper": {...}, ...}`` for a chapter (overrides of the defaults)."""
    out = {"quick": {}}
    f = PRESETS_DIR / f"{chapter}.toml"
    if f.is_file():
        with open(f, "rb") as fh:
            for name, table in tomllib.load(fh).items():
                out[name] = dict(table)
    for name, table in out.items():
        unknown = sorted(set(table) - set(defaults))
        if unknown:
            raise ParameterError(f"{f}: preset '{name}' sets unknown parameter(s) {unknown}")
    return out


def _describe(defaults: dict) -> str:
    return ", ".join(f"{k} ({type(v).__name__}, default {v!r})" for k, v in defaults.items())


def coerce(name: str, value, default):
    """Convert a value (often a CLI string) to the type of ``default``; raise ParameterError."""
    want = type(default)
    if isinstance(value, str) and want is not str:
        try:
            value = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            if want is bool and value.lower() in ("true", "false"):
                value = value.lower() == "true"
            else:
                raise ParameterError(f"parameter '{name}': expected a {want.__name__}, got {value!r}") from None
    if want is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if default is None or isinstance(value, want) and not (want is int and isinstance(value, bool)):
        return value
    raise ParameterError(f"parameter '{name}': expected a {want.__name__}, got {value!r} ({type(value).__name__})")


def resolve_parameters(nb_path: Path, preset: str, overrides: dict) -> dict:
    """Defaults, then the preset, then the overrides; everything checked before execution."""
    defaults = notebook_parameters(nb_path)
    table = presets(nb_path.stem, defaults)
    if preset not in table:
        raise ParameterError(f"unknown preset '{preset}' for {nb_path.stem}; presets: {', '.join(table)}")
    params = {k: coerce(k, v, defaults[k]) for k, v in table[preset].items()}
    for k, v in overrides.items():
        if k not in defaults:
            raise ParameterError(f"unknown parameter '{k}' for {nb_path.stem}; valid parameters: {_describe(defaults)}")
        params[k] = coerce(k, v, defaults[k])
    if "preset" in defaults:
        params["preset"] = preset
    return params


def git_state() -> dict:
    def git(*args):
        try:
            r = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        except OSError:  # no git on this machine
            return None
        return r.stdout.strip() if r.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain")
    return {"commit": commit, "dirty": bool(status) if status is not None else None}


def package_versions() -> dict:
    from importlib import metadata

    out = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


@contextlib.contextmanager
def _env(**values):
    old = {k: os.environ.get(k) for k in values}
    os.environ.update({k: str(v) for k, v in values.items()})
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run_chapter(chapter: str, preset: str = "quick", parameters: dict | None = None, out: str | os.PathLike | None = None,
                kernel_name: str | None = None, progress: bool = False) -> Path:
    """Execute one chapter; returns the run folder.  See the module docstring."""
    import papermill as pm

    nb_path = resolve_chapter(chapter)
    params = resolve_parameters(nb_path, preset, parameters or {})
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out = Path(out) if out else ROOT / "runs" / f"{nb_path.stem}-{preset}-{stamp}"
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    work = out.with_name(f"{out.name}.partial-{os.getpid()}")
    if work.exists():
        shutil.rmtree(work)
    work.mkdir()
    executed = work / nb_path.name
    prov = {"chapter": nb_path.stem, "preset": preset, "parameters": params, "git": git_state(),
            "tremorlab_version": __version__, "started_utc": stamp, "python": sys.version,
            "platform": platform.platform(), "machine": platform.machine(), "cpu_count": os.cpu_count(),
            "kernel_choice": {k: os.environ[k] for k in KERNEL_ENV if k in os.environ},
            "packages": package_versions()}
    t0 = time.perf_counter()
    error = None
    try:
        with _env(TREMORLAB_RUN_DIR=work):
            pm.execute_notebook(str(nb_path), str(executed), parameters=params, cwd=str(nb_path.parent),
                                kernel_name=kernel_name, progress_bar=progress)
    except Exception as exc:  # papermill raises PapermillExecutionError with the cell traceback
        error = exc
    prov["wall_time_s"] = round(time.perf_counter() - t0, 3)
    used_file = work / "datasets_used.json"
    used = json.loads(used_file.read_text()) if used_file.is_file() else []
    prov["datasets"] = {k: {"registry_sha256": v, "licence": data.get(k).licence} for k, v in data.checksums(used).items()}
    if error is None and not (work / "metrics.json").is_file():
        error = RunFailed(f"{nb_path.stem} finished without writing metrics.json (tremorlab.report.save_metrics)")
    prov["status"] = "failed" if error else "ok"
    if error:
        prov["error"] = f"{type(error).__name__}: {error}"[:4000]
    write_json_atomic(work / "provenance.json", prov)
    if error:
        (work / "FAILED").write_text(prov["error"] + "\n")
        failed = out.with_name(out.name + ".failed")
        if failed.exists():
            shutil.rmtree(failed)
        os.replace(work, failed)
        raise RunFailed(f"{nb_path.stem} failed; partial run in {failed} (previous run in {out} untouched): "
                        f"{prov['error'][:800]}") from error
    if out.exists():
        old = out.with_name(f"{out.name}.old-{os.getpid()}")
        os.replace(out, old)
        os.replace(work, out)
        shutil.rmtree(old)
    else:
        os.replace(work, out)
    return out


# ---- the book: execute the toc's chapters in place, cached -------------------------------------

def toc_notebooks() -> list[Path]:
    """Notebooks listed in ``_toc.yml`` (in order)."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    found = []

    def walk(node):
        if isinstance(node, dict):
            for key in ("root", "file"):
                if key in node and (ROOT / f"{node[key]}.ipynb").is_file():
                    found.append(ROOT / f"{node[key]}.ipynb")
            for v in node.values():
                if isinstance(v, (list, dict)):
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(toc)
    return found


def library_digest() -> str:
    """SHA-256 over every source file of the library (path and bytes)."""
    h = hashlib.sha256()
    for p in sorted(PACKAGE.rglob("*")):
        if p.is_file() and p.suffix in (".py", ".json", ".toml", ".txt", ".csv") and "__pycache__" not in p.parts:
            h.update(str(p.relative_to(PACKAGE.parent)).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def notebook_digest(nb_path: Path) -> str:
    """SHA-256 over the cells' types and sources only (outputs and execution metadata ignored)."""
    nb = json.loads(Path(nb_path).read_text())
    h = hashlib.sha256()
    for c in nb["cells"]:
        h.update(c["cell_type"].encode() + b"\0" + "".join(c["source"]).encode() + b"\1")
    return h.hexdigest()


def cache_key(nb_path: Path) -> str:
    """Key of an executed notebook: its cells, its parameters (defaults and presets), the recorded
    runs it shows (``notebooks/recorded/<chapter>-<preset>/``), the library code and the data
    (registry checksums of every dataset and where it was found)."""
    h = hashlib.sha256()
    h.update(notebook_digest(nb_path).encode())
    preset_file = PRESETS_DIR / f"{nb_path.stem}.toml"
    h.update(preset_file.read_bytes() if preset_file.is_file() else b"")
    for f in sorted(RECORDED_DIR.glob(f"{nb_path.stem}-*/*")):  # recorded runs the chapter displays
        h.update(str(f.relative_to(RECORDED_DIR)).encode() + b"\0" + f.read_bytes())
    h.update(library_digest().encode())
    h.update(data.REGISTRY_FILE.read_bytes())
    for name in sorted(data.registry()):
        try:
            h.update(f"{name}={data.where(name)}".encode())
        except data.DatasetError:
            h.update(f"{name}=missing".encode())
    return h.hexdigest()


def execute_book(force: bool = False, log=print, only: list[str] | None = None) -> list[str]:
    """Execute every toc notebook whose cache key changed (in place, atomically); returns those run.

    ``only``: chapter names or numbers (``["05"]``) to consider; the others are left as they are.
    Each executed chapter's ``metrics.json`` becomes its committed reference (:mod:`tremorlab.repro`).
    """
    import papermill as pm

    cache_file = BUILD / ".cache" / "executed.json"
    cache = json.loads(cache_file.read_text()) if cache_file.is_file() else {}
    ran = []
    wanted = {resolve_chapter(c).stem for c in only} if only else None
    for nb in toc_notebooks():
        if wanted is not None and nb.stem not in wanted:
            continue
        key = cache_key(nb)
        rel = str(nb.relative_to(ROOT))
        if not force and cache.get(rel) == key:
            log(f"cached   {rel}")
            continue
        log(f"execute  {rel}")
        t0 = time.perf_counter()
        tmp = nb.with_name(f".{nb.stem}.executing.ipynb")
        try:
            pm.execute_notebook(str(nb), str(tmp), cwd=str(nb.parent), progress_bar=False)
            os.replace(tmp, nb)
            metrics = BUILD / "metrics" / f"{nb.stem}.json"
            if metrics.is_file():  # the reference a re-execution elsewhere is compared with
                repro.write_reference(nb.stem, metrics)
        finally:
            if tmp.exists():
                tmp.unlink()
        log(f"         {time.perf_counter() - t0:.1f} s")
        cache[rel] = key
        write_json_atomic(cache_file, cache)
        ran.append(rel)
    return ran
