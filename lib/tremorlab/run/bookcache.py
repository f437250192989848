"""The book: execute the toc's chapters in place, each cached under a key of everything it depends on.

The key (:func:`cache_key`) covers the notebook's cells, its presets, the recorded runs it shows,
the library's source and the data; ``tremorlab book execute`` re-runs a chapter only when it
changed, and each executed chapter's ``metrics.json`` becomes its committed reference
(:mod:`tremorlab.repro`).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from tremorlab import data, repro
from tremorlab._files import write_json_atomic
from tremorlab.paths import BUILD, NOTEBOOKS, PACKAGE, ROOT
from tremorlab.run import params
from tremorlab.run.params import resolve_chapter

RECORDED_DIR = NOTEBOOKS / "recorded"  # metrics and provenance of long runs a chapter displays


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
    preset_file = params.PRESETS_DIR / f"{nb_path.stem}.toml"
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