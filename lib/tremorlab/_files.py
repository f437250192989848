"""Atomic file writing: a result is either complete under its name or not there at all."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "w"):
    """Open a temporary file beside ``path``; on success rename it to ``path``, on error delete it.

    >>> with atomic_write("out.json") as fh:   # doctest: +SKIP
    ...     fh.write("{}")
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.part-")
    try:
        with os.fdopen(fd, mode) as fh:
            yield fh
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_json_atomic(path: str | os.PathLike, data) -> Path:
    """Write JSON to ``path`` through a temporary file in the same folder and a rename."""
    with atomic_write(path) as fh:
        json.dump(data, fh, indent=1, allow_nan=False)
        fh.write("\n")
    return Path(path)
