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

The package's parts: :mod:`~tremorlab.run.params` (parameters and presets),
:mod:`~tremorlab.run.provenance` (git, packages, kernel choice) and
:mod:`~tremorlab.run.bookcache` (the book's cached execution); their names are importable from
``tremorlab.run`` as before.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from tremorlab import data
from tremorlab._files import write_json_atomic
from tremorlab._version import __version__
from tremorlab.paths import ROOT
from tremorlab.run import bookcache, params, provenance
from tremorlab.run.bookcache import (BOOK_SOURCE, EXECUTED, RECORDED_DIR, assemble_source, cache_key, execute_book,
                                     library_digest, notebook_digest, toc_notebooks)
from tremorlab.run.params import (PRESETS_DIR, ParameterError, chapters, coerce, notebook_parameters, presets,
                                  resolve_chapter, resolve_parameters)
from tremorlab.run.provenance import KERNEL_ENV, PACKAGES, git_state, package_versions


class RunFailed(RuntimeError):
    """The chapter raised while executing; the partial run folder is named in the message."""


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
    values = resolve_parameters(nb_path, preset, parameters or {})
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out = Path(out) if out else ROOT / "runs" / f"{nb_path.stem}-{preset}-{stamp}"
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    work = out.with_name(f"{out.name}.partial-{os.getpid()}")
    if work.exists():
        shutil.rmtree(work)
    work.mkdir()
    executed = work / nb_path.name
    prov = {"chapter": nb_path.stem, "preset": preset, "parameters": values, "git": git_state(),
            "tremorlab_version": __version__, "started_utc": stamp, "python": sys.version,
            "platform": platform.platform(), "machine": platform.machine(), "cpu_count": os.cpu_count(),
            "kernel_choice": {k: os.environ[k] for k in KERNEL_ENV if k in os.environ},
            "packages": package_versions()}
    t0 = time.perf_counter()
    error = None
    try:
        with _env(TREMORLAB_RUN_DIR=work):
            pm.execute_notebook(str(nb_path), str(executed), parameters=values, cwd=str(nb_path.parent),
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


__all__ = ["BOOK_SOURCE", "EXECUTED", "assemble_source", "KERNEL_ENV", "PACKAGES", "PRESETS_DIR", "RECORDED_DIR", "ROOT", "ParameterError", "RunFailed", "bookcache",
           "cache_key", "chapters", "coerce", "execute_book", "git_state", "library_digest", "notebook_digest",
           "notebook_parameters", "package_versions", "params", "presets", "provenance", "resolve_chapter",
           "resolve_parameters", "run_chapter", "toc_notebooks"]
