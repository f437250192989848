"""Record the pen's telemetry to disk as it arrives, and read recordings back.

Format (text, UTF-8, one file per session; ``.tpen.csv``)::

    # tremorlab pen recording v1
    # meta: {"port": ..., "firmware": ..., "started": ..., ...}          (one JSON line)
    # units: acc in counts (256 per g, ADXL345 full resolution); x, e, y in g; duty in 1/10000
    index,t_us,ax,ay,az,x,e,y,duty,algo,flags,cfg,recv_ns
    0,1000,-3,1,256,0.0012,-0.0008,0.0,0,7,1,1,123456789
    ...

One line per telemetry sample, written as batches arrive and flushed to the operating system
(and ``fsync``-ed) at least once a second by a background thread, so a crash or an unplugged
cable loses at most the last second. Only whole lines are ever appended after a flush, so an
interrupted file stays readable: :func:`read_pen_recording` drops an incomplete last line and
says so in ``meta["truncated_tail"]``.
"""

from __future__ import annotations

import io
import json
import os
import threading
import time
from pathlib import Path

import numpy as np

from tremorlab.io.types import MotionRecording, RecordingError
from tremorlab.pen.protocol import ALGORITHMS, COUNTS_PER_G

MAGIC = "# tremorlab pen recording v1"
COLUMNS = ("index", "t_us", "ax", "ay", "az", "x", "e", "y", "duty", "algo", "flags", "cfg", "recv_ns")
_FMT = "%d,%d,%d,%d,%d,%.7g,%.7g,%.7g,%d,%d,%d,%d,%d"


class Recorder:
    """Append telemetry to ``path`` (refuses to overwrite an existing file).

    Parameters
    ----------
    path : str or PathLike
    client : PenClient, optional
        Attach at once: every received batch is recorded; a disconnect flushes and closes.
    meta : dict, optional
        Written to the header (port, firmware, tremor kind, ...).
    flush_interval_s : float
        Longest time between flushes (default 0.5 s).
    """

    def __init__(self, path, client=None, meta: dict | None = None, flush_interval_s: float = 0.5):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = open(self.path, "x", encoding="utf-8", newline="\n")
        head = dict(meta or {})
        head.setdefault("started", time.strftime("%Y-%m-%dT%H:%M:%S"))
        self._fh.write(f"{MAGIC}\n# meta: {json.dumps(head, sort_keys=True)}\n"
                       "# units: acc in counts (256 per g, ADXL345 full resolution); x, e, y in g; duty in 1/10000\n"
                       + ",".join(COLUMNS) + "\n")
        self._lock = threading.Lock()
        self._pending: list[str] = []
        self.n_samples = 0
        self.closed = False
        self._client = None
        self._interval = float(flush_interval_s)
        self._stop = threading.Event()
        self._flusher = threading.Thread(target=self._flush_loop, name="pen-recorder", daemon=True)
        self._flusher.start()
        self.flush()
        if client is not None:
            self.attach(client)

    def attach(self, client) -> None:
        self._client = client
        client.add_listener(self.append)
        client.on_disconnect(lambda why: self.close())

    def append(self, samples: np.ndarray, recv_ns: np.ndarray) -> None:
        """Queue a batch (called from the client's reader thread)."""
        if self.closed or samples.size == 0:
            return
        cols = np.column_stack([samples["index"], samples["t_us"], samples["acc"][:, 0], samples["acc"][:, 1],
                                samples["acc"][:, 2], samples["x"], samples["e"], samples["y"], samples["duty"],
                                samples["algo"], samples["flags"], samples["cfg"], recv_ns]).astype(object)
        buf = io.StringIO()
        np.savetxt(buf, cols, fmt=_FMT)
        with self._lock:
            self._pending.append(buf.getvalue())
            self.n_samples += samples.size

    def flush(self) -> None:
        """Write the queued lines, flush and fsync."""
        with self._lock:
            if self._fh.closed:
                return
            if self._pending:
                self._fh.write("".join(self._pending))
                self._pending.clear()
            self._fh.flush()
            os.fsync(self._fh.fileno())

    def _flush_loop(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.flush()
            except (OSError, ValueError):
                return

    def close(self) -> Path:
        """Flush, close and detach; returns the path. Safe to call twice."""
        if self.closed:
            return self.path
        self.closed = True
        self._stop.set()
        if self._client is not None:
            self._client.remove_listener(self.append)
        self.flush()
        with self._lock:
            self._fh.close()
        return self.path

    stop = close

    def __enter__(self) -> "Recorder":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def read_pen_recording(path) -> MotionRecording:
    """Load a recording written by :class:`Recorder` as a :class:`~tremorlab.io.MotionRecording`.

    ``acc`` is in g; ``t`` in seconds from the pen's clock (``t_us``, unwrapped). ``meta`` holds
    the header, every other column (``x``, ``e``, ``y`` in g, ``duty`` as a fraction, ``algo``
    names, ``flags``, ``cfg``, ``index``, ``recv_ns``), ``lost_samples`` (gaps in ``index``) and
    ``truncated_tail`` (an incomplete last line was dropped).
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise RecordingError(path, "<file>", "an existing pen recording", "no such file")
    with open(path, encoding="utf-8", errors="strict") as fh:
        text = fh.read()
    lines = text.split("\n")
    if not lines or lines[0] != MAGIC:
        raise RecordingError(path, "<header>", f"first line {MAGIC!r}", lines[0][:60] if lines else "", line=1)
    meta: dict = {}
    k = 1
    while k < len(lines) and lines[k].startswith("#"):
        if lines[k].startswith("# meta: "):
            try:
                meta.update(json.loads(lines[k][8:]))
            except json.JSONDecodeError as exc:
                raise RecordingError(path, "meta", "a JSON object", str(exc), line=k + 1) from None
        k += 1
    if k >= len(lines) or lines[k] != ",".join(COLUMNS):
        raise RecordingError(path, "<columns>", ",".join(COLUMNS), lines[k] if k < len(lines) else "end of file", line=k + 1)
    body = lines[k + 1:]
    truncated = False
    if body and body[-1] == "":
        body = body[:-1]  # the file ends with a newline: complete
    elif body:
        body, truncated = body[:-1], True  # no newline at the end: the last line may be cut
    if not body:
        raise RecordingError(path, "<data>", "at least two samples", "none")
    try:
        arr = np.loadtxt(body, delimiter=",", dtype=np.float64, ndmin=2)
    except ValueError:
        for j, line in enumerate(body):
            parts = line.split(",")
            if len(parts) != len(COLUMNS):
                raise RecordingError(path, "<row>", f"{len(COLUMNS)} comma-separated fields", f"{len(parts)} fields",
                                     line=k + 2 + j) from None
            for name, v in zip(COLUMNS, parts):
                try:
                    float(v)
                except ValueError:
                    raise RecordingError(path, name, "a number", v, line=k + 2 + j) from None
        raise
    if arr.shape[1] != len(COLUMNS):
        raise RecordingError(path, "<row>", f"{len(COLUMNS)} fields", f"{arr.shape[1]}", line=k + 2)
    c = {name: arr[:, i] for i, name in enumerate(COLUMNS)}
    t_us = c["t_us"].astype(np.int64)
    wraps = np.concatenate([[0], np.cumsum(np.diff(t_us) < -(1 << 31))])
    t = (t_us + wraps * (1 << 32)) / 1e6
    acc = np.column_stack([c["ax"], c["ay"], c["az"]]) / COUNTS_PER_G
    idx = c["index"].astype(np.int64)
    meta.update({
        "format": "tremorlab pen recording v1", "truncated_tail": truncated,
        "lost_samples": int(np.clip(np.diff(idx) - 1, 0, None).sum()),
        "index": idx, "x": c["x"], "e": c["e"], "y": c["y"], "duty": c["duty"] / 10000.0,
        "algo": np.array([ALGORITHMS[int(a)] if 0 <= a < len(ALGORITHMS) else str(int(a)) for a in c["algo"]]),
        "flags": c["flags"].astype(np.int64), "cfg": c["cfg"].astype(np.int64), "recv_ns": c["recv_ns"].astype(np.int64),
    })
    return MotionRecording(t=t, acc=acc, acc_unit="g", source=path, subject=meta.get("subject"), meta=meta)
