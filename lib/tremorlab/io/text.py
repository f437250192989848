"""Strict parsing of numeric text tables, with errors that name file, line and field."""

from __future__ import annotations

import os
import re

import numpy as np

from tremorlab.io.types import RecordingError


def read_text(path: str | os.PathLike) -> str:
    """The whole text of a file; a missing, undecodable or empty file is a :class:`RecordingError`."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise RecordingError(path, "<file>", "an existing file", "no such file")
    with open(path, "r", encoding="utf-8", errors="strict") as fh:
        try:
            text = fh.read()
        except UnicodeDecodeError as exc:
            raise RecordingError(path, "<file>", "UTF-8 text", f"undecodable byte at offset {exc.start}") from None
    if not text.strip():
        raise RecordingError(path, "<file>", "at least one data line", "an empty file")
    return text


def data_line_numbers(text: str, first_line: int = 1) -> np.ndarray:
    """1-based file line number of each non-blank line (row ``i`` of a parsed table is on line ``[i]``)."""
    return np.array([first_line + k for k, r in enumerate(text.splitlines()) if r.strip()], dtype=np.int64)


def parse_table(path: str, text: str, columns: tuple[str, ...], sep: str | None,
                first_line: int = 1, integer: bool = False) -> np.ndarray:
    """Parse the lines of ``text`` into an (n, len(columns)) float array.

    Blank lines are skipped.  Every other line must split (on ``sep``, or on whitespace when
    ``sep`` is None) into exactly ``len(columns)`` finite numeric fields.  The first offending
    line raises :class:`RecordingError` with its 1-based number (``first_line`` is the number of
    the first line of ``text`` in the file) and the column name.

    Valid tables take a fast path (pandas' C parser); anything it rejects or turns into NaN is
    parsed again field by field to find and name the culprit.
    """
    import io

    import pandas as pd

    arr = None
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep if sep is not None else r"\s+", header=None,
                         names=list(range(len(columns))), dtype=np.float64, skip_blank_lines=True, engine="c")
        arr = df.to_numpy()
        if arr.shape[0] == 0 or not np.isfinite(arr).all():
            arr = None
    except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError):
        arr = None
    if arr is None:
        arr = _parse_table_slow(path, text.splitlines(), columns, sep, first_line)
    if integer:
        frac = arr != np.round(arr)
        if frac.any():
            i, j = (int(v) for v in np.argwhere(frac)[0])
            raise RecordingError(path, columns[j], "an integer", arr[i, j], line=int(data_line_numbers(text, first_line)[i]))
    return arr


def _parse_table_slow(path: str, lines: list[str], columns: tuple[str, ...], sep: str | None, first_line: int) -> np.ndarray:
    splitter = re.compile(r"\s+") if sep is None else None
    rows, numbers = [], []
    for k, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            continue
        fields = splitter.split(line) if splitter else [f.strip() for f in line.split(sep)]
        if len(fields) != len(columns):
            raise RecordingError(path, "<row>", f"{len(columns)} fields ({', '.join(columns)})",
                                 f"{len(fields)} fields", line=first_line + k)
        values = []
        for name, f in zip(columns, fields):
            try:
                v = float(f)
            except ValueError:
                raise RecordingError(path, name, "a number", f, line=first_line + k) from None
            if not np.isfinite(v):
                raise RecordingError(path, name, "a finite number", f, line=first_line + k)
            values.append(v)
        rows.append(values)
    if not rows:
        raise RecordingError(path, "<file>", "at least one data line", "no data lines")
    return np.array(rows, dtype=np.float64)


def monotonic_time(path: str, t_ms: np.ndarray, repair: bool, line_of=None) -> tuple[np.ndarray, int]:
    """Check a millisecond time-stamp column; optionally repair repeated or backward steps.

    With ``repair=False`` the first repeated or backward step raises :class:`RecordingError`
    naming its line (``line_of(i)`` gives the file line of sample ``i``).  With ``repair=True`` every step that is not positive is taken as a reset
    of the logger's clock: it is replaced by the median positive step and every later time
    stamp is shifted by the same amount.  No sample is dropped and the order of the samples
    is kept; the returned count says how many steps were repaired.

    Returns
    -------
    t_ms : ndarray
        The (possibly repaired) strictly increasing time stamps.
    n_repaired : int
    """
    t_ms = np.asarray(t_ms, dtype=np.float64)
    step = np.diff(t_ms)
    bad = step <= 0
    if not bad.any():
        return t_ms, 0
    if not repair:
        i = int(np.flatnonzero(bad)[0]) + 1
        line = int(line_of(i)) if line_of is not None else None
        what = "repeats" if step[i - 1] == 0 else "goes backwards"
        raise RecordingError(path, "timestamp", "strictly increasing time stamps (pass repair_time=True "
                             "to treat repeated or backward steps as clock resets)",
                             f"time {what}: {t_ms[i - 1]:g} -> {t_ms[i]:g} ms", line=line)
    if not (~bad).any():
        raise RecordingError(path, "timestamp", "at least one increasing step to repair the others from", "none")
    step = np.where(bad, np.median(step[~bad]), step)
    return np.concatenate([[t_ms[0]], t_ms[0] + np.cumsum(step)]), int(bad.sum())
