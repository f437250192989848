"""The book: execute the toc's chapters, each cached under a key of everything it depends on.

The key (:func:`cache_key`) covers the notebook's cells, its presets, the recorded runs it shows,
the library's source and the data; a chapter is re-run only when it changed.  Two ways:

* ``tremorlab book execute`` (``make book``) writes the executed chapters into the build folder
  (:data:`EXECUTED`) and leaves the checkout as it found it: a reader's build never rewrites the
  committed notebooks or the references the tests compare against.  :func:`assemble_source` then
  lays out the book's source with those executed copies (:data:`BOOK_SOURCE`) for jupyter-book.
* ``tremorlab book record`` executes the chapters in place: the committed notebooks get this run's
  outputs and each chapter's ``metrics.json`` becomes its committed reference
  (:mod:`tremorlab.repro`).  It is the command for a maintainer who means to change them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from pathlib import Path

from tremorlab import data, repro
from tremorlab._files import write_json_atomic
from tremorlab.paths import BUILD, NOTEBOOKS, PACKAGE, ROOT
from tremorlab.run import params
from tremorlab.run.params import resolve_chapter

RECORDED_DIR = NOTEBOOKS / "recorded"  # metrics and provenance of long runs a chapter displays
EXECUTED = BUILD / "executed"  # ``book execute``: the executed chapters, by their path under the root
BOOK_SOURCE = BUILD / "book-source"  # the book's source with the executed chapters, built by jupyter-book
#: what the book's source holds besides the notebooks (``_config.yml`` names its extension folder in book/)
SOURCE_FILES = ("_config.yml", "_toc.yml", "book")


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


def execute_book(force: bool = False, log=print, only: list[str] | None = None, record: bool = False) -> list[str]:
    """Execute every toc notebook whose cache key changed (atomically); returns those run.

    ``record=False`` (``tremorlab book execute``): the executed notebook goes to :data:`EXECUTED`
    and nothing under version control changes.  ``record=True`` (``tremorlab book record``): it
    replaces the committed notebook and its ``metrics.json`` becomes the committed reference.
    ``only``: chapter names or numbers (``["05"]``) to consider; the others are left as they are.
    """
    import papermill as pm

    cache_file = BUILD / ".cache" / ("recorded.json" if record else "executed.json")
    cache = json.loads(cache_file.read_text()) if cache_file.is_file() else {}
    ran = []
    wanted = {resolve_chapter(c).stem for c in only} if only else None
    for nb in toc_notebooks():
        if wanted is not None and nb.stem not in wanted:
            continue
        key = cache_key(nb)
        rel = str(nb.relative_to(ROOT))
        target = nb if record else EXECUTED / rel
        if not force and cache.get(rel) == key and target.is_file():
            log(f"cached   {rel}")
            continue
        log(f"{'record ' if record else 'execute'}  {rel}")
        t0 = time.perf_counter()
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{nb.stem}.executing.ipynb")
        metrics = BUILD / "metrics" / f"{nb.stem}.json"
        if metrics.is_file():
            metrics.unlink()  # so that a chapter that wrote none cannot pass an older one off as its own
        try:
            pm.execute_notebook(str(nb), str(tmp), cwd=str(nb.parent), progress_bar=False)
            os.replace(tmp, target)
            if record and metrics.is_file():  # the reference a re-execution elsewhere is compared with
                repro.write_reference(nb.stem, metrics)
        finally:
            if tmp.exists():
                tmp.unlink()
        log(f"         {time.perf_counter() - t0:.1f} s")
        cache[rel] = key
        write_json_atomic(cache_file, cache)
        ran.append(rel)
    return ran


def assemble_source(log=print) -> Path:
    """Lay out the book's source in :data:`BOOK_SOURCE`: the root's ``_config.yml``, ``_toc.yml`` and
    ``book/``, and every toc notebook as executed by :func:`execute_book` (the committed one where
    this checkout has not executed it).  Returns the folder, for ``jupyter-book build``."""
    if BOOK_SOURCE.exists():
        shutil.rmtree(BOOK_SOURCE)
    BOOK_SOURCE.mkdir(parents=True)
    for name in SOURCE_FILES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, BOOK_SOURCE / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.is_file():
            shutil.copy2(src, BOOK_SOURCE / name)
    widgets = ROOT / "_widgets"
    if widgets.is_dir():  # html_static_path of _config.yml: the offline widget manager
        shutil.copytree(widgets, BOOK_SOURCE / "_widgets")
    for nb in toc_notebooks():
        rel = nb.relative_to(ROOT)
        executed = EXECUTED / rel
        (BOOK_SOURCE / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(executed if executed.is_file() else nb, BOOK_SOURCE / rel)
        if not executed.is_file():
            log(f"committed outputs: {rel} (not executed here)")
    return BOOK_SOURCE
