"""Reader of the Drotár & Dobeš (2020) children's handwriting set {cite:p}`drotar2020dysgraphia`.

Layout (a user's own folder may follow it too)::

    FOLDER/labels.xlsx                                  (any name: pass it; the public one is data2_SciRep_pub.xlsx)
    FOLDER/userNNNNN/sessionNNNNN/uNNNNNsNNNNN_hwNNNNN.svc  one session per child (several files allowed)

* :func:`detect_svc_layout` reads the column order of a ``.svc`` table from the values (time =
  the column of increasing millisecond stamps, pen status = the 0/1 column, azimuth / altitude /
  pressure by their ranges, x = the position along which successive strokes advance).  The BDALab PaHaW files are ``y x t ...``; these are ``x y t ...``.
* :func:`read_session_svc` reads one session file with that layout; time stamps that go
  backwards or repeat (child 32) are repaired as clock resets (:func:`tremorlab.io.text.monotonic_time`)
  and counted in ``meta['time_steps_repaired']``.  Positions are converted to millimetres with
  the tablet's 0.005 mm per count (Wacom Intuos Pro: 5080 lines per inch; our assumption, the
  set does not state it), azimuth / altitude from tenths of a degree to degrees.
* :func:`read_label_sheet` reads the untidy label sheet: ``diag`` ``DYSGR`` / ``"0"`` / ``0``,
  stray spaces in ``sex`` and ``hand``, ages as numbers or text, IDs as text or numbers,
  empty rows and columns.  Anything else is a :class:`RecordingError` naming the cell.
* :func:`load_cohort` joins both: the children with a readable session and a label, plus a
  report of children listed without files (not fatal), files without a label, and empty files
  skipped (child 135's first file).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tremorlab._files import atomic_write
from tremorlab.io.text import data_line_numbers, monotonic_time, parse_table, read_text
from tremorlab.io.types import PenRecording, RecordingError

__all__ = ["COUNTS_PER_MM", "detect_svc_layout", "read_session_svc", "read_label_sheet", "Child", "Cohort",
           "load_cohort", "write_session_svc"]

#: Tablet counts per millimetre (0.005 mm per count; assumption, see the module docstring).
COUNTS_PER_MM = 200.0
_ROLES = ("x", "y", "timestamp", "pen_status", "azimuth", "altitude", "pressure")


def detect_svc_layout(arr: np.ndarray, source: str = "<array>") -> tuple[str, ...]:
    """The role of each of the 7 columns of a ``.svc`` table, read from the values.

    Rules (each must hold, otherwise a :class:`RecordingError` names what failed):

    * **timestamp**: the column whose steps are positive for >= 99 % of the samples and whose
      median step lies between 1 and 50 ms;
    * **pen_status**: the column holding only 0 and 1 (both present);
    * **pressure**: >= 0, zero on >= 90 % of the pen-up samples, positive on most pen-down ones;
    * of the four columns left, the two with the smallest pen-down span are the angles (they must
      lie within 0-3600 tenths of a degree), the two others the positions;
    * **azimuth** and **altitude**: altitude
      is the one within 0-900, or, when both are, the one with the higher median (a pen is held
      far from flat);
    * the remaining two are positions: **x** is the one along which successive pen-down strokes
      move most (median absolute step between stroke starts: writing advances along the line,
      while y changes only at a new line), **y** the other.  (The extent of the page does not
      tell them apart: a session of eight lines is about as tall as it is wide.)
    """
    a = np.asarray(arr)
    if a.ndim != 2 or a.shape[1] != 7:
        raise RecordingError(source, "<columns>", "7 columns (x, y, time, pen status, azimuth, altitude, pressure in "
                             "some order)", f"shape {a.shape}")
    if a.shape[0] < 3:
        raise RecordingError(source, "<rows>", "at least 3 samples to read the column layout", a.shape[0])
    free = set(range(7))
    steps = np.diff(a, axis=0)
    med = np.median(steps, axis=0)
    t_cand = [j for j in free if (steps[:, j] > 0).mean() >= 0.99 and 1 <= med[j] <= 50]
    if len(t_cand) != 1:
        raise RecordingError(source, "timestamp", "exactly one column of increasing millisecond stamps", t_cand)
    jt = t_cand[0]
    free.discard(jt)
    p_cand = [j for j in free if np.isin(a[:, j], (0, 1)).all() and np.unique(a[:, j]).size == 2]
    if len(p_cand) != 1:
        raise RecordingError(source, "pen_status", "exactly one 0/1 column with both values", p_cand)
    jp = p_cand[0]
    free.discard(jp)
    up = a[:, jp] == 0
    down = ~up
    lo, hi = a.min(axis=0), a.max(axis=0)
    pr_cand = [j for j in free if lo[j] >= 0 and (not up.any() or (a[up, j] == 0).mean() >= 0.9)
               and (a[down, j] > 0).mean() > 0.5]
    if len(pr_cand) != 1:
        raise RecordingError(source, "pressure", "exactly one column >= 0 that is zero with the pen up", pr_cand)
    jpr = pr_cand[0]
    free.discard(jpr)
    rest = sorted(free)                         # 2 positions + 2 angles: positions span the most
    span = np.ptp(a[down][:, rest], axis=0)
    ang = [rest[i] for i in np.argsort(span)[:2]]
    bad = [j for j in ang if lo[j] < 0 or hi[j] > 3600]
    if bad:
        raise RecordingError(source, "azimuth/altitude", "two columns within 0-3600 (tenths of a degree) besides "
                             "the two positions", f"column {bad[0] + 1} spans {lo[bad[0]]:g}..{hi[bad[0]]:g}")
    small = [j for j in ang if hi[j] <= 900]
    if not small:
        raise RecordingError(source, "altitude", "a column within 0-900 (tenths of a degree)", "none")
    if len(small) == 1:
        jal = small[0]
    else:                       # both within 0-900: the pen's altitude is the higher of the two
        jal = max(ang, key=lambda j: np.median(a[:, j]))
    jaz = ang[0] if ang[1] == jal else ang[1]
    free.difference_update(ang)
    j1, j2 = sorted(free)
    pen = a[:, jp].astype(bool)
    starts = np.flatnonzero(pen & ~np.r_[False, pen[:-1]])
    if starts.size < 3:
        raise RecordingError(source, "pen_status", "at least 3 pen-down strokes to tell x from y", starts.size)
    step = np.median(np.abs(np.diff(a[starts][:, [j1, j2]], axis=0)), axis=0)
    jx, jy = (j1, j2) if step[0] >= step[1] else (j2, j1)
    roles = [""] * 7
    for name, j in zip(_ROLES, (jx, jy, jt, jp, jaz, jal, jpr)):
        roles[j] = name
    return tuple(roles)


def read_session_svc(path: str | os.PathLike, layout: tuple[str, ...] | str = "auto",
                     repair_time: bool = True) -> PenRecording:
    """Read one session ``.svc`` file (line 1: sample count; then 7 integers per sample).

    ``layout`` is ``"auto"`` (:func:`detect_svc_layout`) or the 7 column roles.  An empty file
    (count 0, no samples, like child 135's first file) raises a :class:`RecordingError` whose
    field is ``"sample count"`` and whose ``got`` is 0, so a cohort loader can skip it.
    Returns a :class:`PenRecording` in mm and degrees, ``subject`` = the child's ID (``'00135'``).
    """
    path = os.fspath(path)
    raw = read_text(path)              # missing, undecodable or blank file: a RecordingError naming it
    head, _, body = raw.partition("\n")
    if not re.fullmatch(r"\d+", head.strip()):
        raise RecordingError(path, "sample count", "a non-negative integer on line 1", head.strip()[:40], line=1)
    count = int(head.strip())
    if count == 0 or not body.strip():
        raise RecordingError(path, "sample count", "a session with samples", 0 if not body.strip() else count, line=1)
    cols = _ROLES if layout == "auto" else tuple(layout)
    arr = parse_table(path, body, cols, sep=None, first_line=2, integer=True)
    if count != arr.shape[0]:
        raise RecordingError(path, "sample count", f"{arr.shape[0]} (the number of data lines)", count, line=1)
    roles = detect_svc_layout(arr, path) if layout == "auto" else cols
    if sorted(roles) != sorted(_ROLES):
        raise RecordingError(path, "<columns>", f"the roles {_ROLES}", roles)
    col = {r: arr[:, j] for j, r in enumerate(roles)}
    t_ms, repaired = monotonic_time(path, col["timestamp"], repair_time, lambda i: data_line_numbers(body, 2)[i])
    m = re.match(r"u(?P<child>\d+)s(?P<session>\d+)_hw(?P<file>\d+)\.svc$", Path(path).name)
    child = m.group("child") if m else Path(path).stem
    return PenRecording(t=(t_ms - t_ms[0]) / 1000.0, x=col["x"] / COUNTS_PER_MM, y=col["y"] / COUNTS_PER_MM,
                        pressure=col["pressure"], pen_down=col["pen_status"] == 1, azimuth=col["azimuth"] / 10.0,
                        altitude=col["altitude"] / 10.0, xy_unit="mm", source=path, subject=child,
                        meta={"layout": roles, "time_steps_repaired": repaired, "content": "text",
                              "n_samples": int(arr.shape[0])},
                        require_contact=True)


def write_session_svc(path: str | os.PathLike, rec: PenRecording) -> None:
    """Write a recording in this set's layout (``x y t pen azimuth altitude pressure``, integers).

    The inverse of :func:`read_session_svc` up to rounding: for tests and for users who convert
    their own recordings.
    """
    t_ms = np.round(rec.t * 1000.0).astype(np.int64) + 1_000_000
    cols = [np.round(rec.x * COUNTS_PER_MM), np.round(rec.y * COUNTS_PER_MM), t_ms, rec.pen_down.astype(int),
            np.round(rec.azimuth * 10.0), np.round(rec.altitude * 10.0), np.round(rec.pressure)]
    arr = np.stack(cols, 1).astype(np.int64)
    lines = "\n".join(" ".join(map(str, r)) + " " for r in arr)
    with atomic_write(path) as fh:
        fh.write(f"{arr.shape[0]}\n{lines}\n")


# ---------------------------------------------------------------------------------------------
# label sheet

_DIAG = {"DYSGR": 1, "0": 0}


def _cell(ws_title: str, row: int, col: str) -> str:
    return f"sheet {ws_title!r}, row {row}, column {col!r}"


def read_label_sheet(path: str | os.PathLike, require_diag: bool = True) -> "pandas.DataFrame":  # noqa: F821
    """Read the label sheet (``.xlsx``, first sheet; or ``.csv``) into a tidy table.

    Columns ``ID``, ``diag``, ``sex``, ``hand``, ``age`` (names matched case-insensitively, stray
    spaces ignored).  Rows that are empty in every column are dropped.  Returns a DataFrame
    indexed by the 5-digit child ID with ``label`` (1 = dysgraphic: ``diag`` ``DYSGR``; 0: ``diag``
    ``0``, as number or text), ``sex`` (``M``/``F``), ``hand`` (``R``/``L``), ``age`` (int) and
    ``row`` (sheet row).  Any other value raises :class:`RecordingError` naming sheet, row and column.
    With ``require_diag=False`` (children to classify) an empty ``diag`` gives ``label`` -1.
    """
    import pandas as pd

    path = os.fspath(path)
    if not os.path.isfile(path):
        raise RecordingError(path, "<file>", "an existing label sheet (.xlsx or .csv)", "no such file")
    if path.lower().endswith(".csv"):
        df = pd.read_csv(path, dtype=object, keep_default_na=False)
        title = "csv"
        rows = [tuple(None if (v is None or str(v).strip() == "") else v for v in r) for r in df.itertuples(index=False)]
        header = list(df.columns)
    else:
        try:
            import openpyxl
        except ImportError as exc:  # pragma: no cover - pinned dependency
            raise ImportError("reading .xlsx label sheets needs openpyxl (pinned in pyproject.toml)") from exc
        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException ...
            raise RecordingError(path, "<file>", "an Excel .xlsx workbook", f"{type(exc).__name__}: {exc}") from None
        ws = wb.worksheets[0]
        title = ws.title
        it = ws.iter_rows(values_only=True)
        header = list(next(it, ()))
        rows = list(it)
        wb.close()
    names = {str(h).strip().lower(): j for j, h in enumerate(header) if h is not None and str(h).strip()}
    need = ("id", "diag", "sex", "hand", "age")
    missing = [n for n in need if n not in names]
    if missing:
        raise RecordingError(path, "<header>", f"columns {', '.join(need)} (any case)",
                             f"missing {missing}; header {[h for h in header if h is not None]}", line=1)
    out = []
    seen = {}
    for k, r in enumerate(rows, start=2):
        vals = {n: (r[names[n]] if names[n] < len(r) else None) for n in need}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in vals.values()):
            continue
        where = lambda c: f"{path} ({_cell(title, k, c)})"  # noqa: E731
        if not require_diag and (vals["diag"] is None or (isinstance(vals["diag"], str) and not vals["diag"].strip())):
            vals["diag"] = "?"
        for n, v in vals.items():
            if v is None or (isinstance(v, str) and not v.strip()):
                raise RecordingError(where(n), n, "a value (the row has other values)", "an empty cell", line=k)
        cid = str(vals["id"]).strip()
        if isinstance(vals["id"], float) and vals["id"].is_integer():
            cid = str(int(vals["id"]))
        if not re.fullmatch(r"\d{1,5}", cid):
            raise RecordingError(where("ID"), "ID", "a child number of up to 5 digits", vals["id"], line=k)
        cid = cid.zfill(5)
        if cid in seen:
            raise RecordingError(where("ID"), "ID", "each child once", f"{cid} also on row {seen[cid]}", line=k)
        seen[cid] = k
        d = vals["diag"]
        dkey = str(int(d)) if isinstance(d, (int, float)) and not isinstance(d, bool) and float(d).is_integer() else str(d).strip().upper()
        if dkey == "?" and not require_diag:
            label = -1
        elif dkey not in _DIAG:
            raise RecordingError(where("diag"), "diag", "'DYSGR' (dysgraphia) or 0 (typical), as text or number",
                                 d, line=k)
        else:
            label = _DIAG[dkey]
        sex = str(vals["sex"]).strip().upper()
        if sex not in ("M", "F"):
            raise RecordingError(where("sex"), "sex", "'M' or 'F' (spaces ignored)", vals["sex"], line=k)
        hand = str(vals["hand"]).strip().upper()
        if hand not in ("R", "L"):
            raise RecordingError(where("hand"), "hand", "'R' or 'L' (spaces ignored)", vals["hand"], line=k)
        try:
            age_f = float(str(vals["age"]).strip())
        except ValueError:
            raise RecordingError(where("age"), "age", "an age in years (number or text)", vals["age"], line=k) from None
        if not (age_f.is_integer() and 3 <= age_f <= 25):
            raise RecordingError(where("age"), "age", "a whole number of years within 3-25", vals["age"], line=k)
        out.append({"child": cid, "label": label, "sex": sex, "hand": hand, "age": int(age_f), "row": k})
    if not out:
        raise RecordingError(path, "<rows>", "at least one labelled child", "none")
    return pd.DataFrame(out).set_index("child")


# ---------------------------------------------------------------------------------------------
# cohort


@dataclass
class Child:
    """One labelled child with a readable session."""

    child: str
    label: int
    age: int
    sex: str
    hand: str
    recording: PenRecording


@dataclass
class Cohort:
    """Children with data and labels, and what could not be used (with reasons)."""

    children: list[Child]
    listed_without_files: list[str] = field(default_factory=list)
    files_without_label: list[str] = field(default_factory=list)
    skipped_files: dict[str, str] = field(default_factory=dict)
    labels: object = None

    @property
    def y(self) -> np.ndarray:
        return np.array([c.label for c in self.children])

    def table(self):
        import pandas as pd

        return pd.DataFrame([{"child": c.child, "label": c.label, "age": c.age, "sex": c.sex, "hand": c.hand,
                              "duration_s": round(c.recording.duration_s, 1),
                              "time_steps_repaired": c.recording.meta.get("time_steps_repaired", 0)}
                             for c in self.children]).set_index("child")

    def report(self) -> str:
        n1, n0 = int((self.y == 1).sum()), int((self.y == 0).sum())
        extra = f", {len(self.children) - n1 - n0} without a diagnosis" if n1 + n0 < len(self.children) else ""
        lines = [f"{len(self.children)} children with a session and a label ({n1} dysgraphic, {n0} typical{extra})"]
        if self.listed_without_files:
            lines.append(f"{len(self.listed_without_files)} listed in the label sheet without a session file "
                         f"(not used): {', '.join(self.listed_without_files[:8])}{' ...' if len(self.listed_without_files) > 8 else ''}")
        if self.files_without_label:
            lines.append(f"{len(self.files_without_label)} session folders without a label (not used): "
                         f"{', '.join(self.files_without_label)}")
        for f, why in self.skipped_files.items():
            lines.append(f"skipped {f}: {why}")
        return "\n".join(lines)


def load_cohort(folder: str | os.PathLike, labels: str | os.PathLike | None = None, limit: int | None = None,
                pattern: str = "user*/session*/*.svc", require_diag: bool = True) -> Cohort:
    """Read every child's session under ``folder`` and join it with the label sheet.

    ``labels`` defaults to the only ``.xlsx`` (or ``labels.csv``) in ``folder``.  Per child the
    non-empty ``.svc`` files are read; an empty file is skipped and reported; when several files
    hold samples, the longest is used (reported).  ``limit`` keeps the first ``limit`` labelled
    children in ID order, stratified by label (for quick runs): half of them of each label.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise RecordingError(str(folder), "<folder>", "a folder of userNNNNN/sessionNNNNN/*.svc files", "no such folder")
    if labels is None:
        cands = sorted(folder.glob("*.xlsx")) or sorted(folder.glob("labels.csv"))
        if len(cands) != 1:
            raise RecordingError(str(folder), "<label sheet>", "exactly one .xlsx (or labels.csv) in the folder, or pass labels=",
                                 [c.name for c in cands] or "none")
        labels = cands[0]
    lab = read_label_sheet(labels, require_diag=require_diag)
    files: dict[str, list[Path]] = {}
    for p in sorted(folder.glob(pattern)):
        m = re.match(r"u(\d+)s\d+_hw\d+\.svc$", p.name)
        cid = (m.group(1) if m else p.parent.parent.name.removeprefix("user")).zfill(5)
        files.setdefault(cid, []).append(p)
    if not files:
        raise RecordingError(str(folder), "<files>", f"session files matching {pattern}", "none")
    coh = Cohort(children=[], labels=lab)
    coh.listed_without_files = sorted(set(lab.index) - set(files))
    coh.files_without_label = sorted(set(files) - set(lab.index))
    ids = sorted(set(files) & set(lab.index))
    if limit is not None:
        pos = [c for c in ids if lab.loc[c, "label"] == 1][: (limit + 1) // 2]
        neg = [c for c in ids if lab.loc[c, "label"] == 0][: limit // 2]
        ids = sorted(pos + neg)
    for cid in ids:
        recs = []
        for p in files[cid]:
            try:
                recs.append(read_session_svc(p))
            except RecordingError as exc:
                if exc.field == "sample count" and str(exc.got) == "0":
                    coh.skipped_files[p.name] = "empty file (sample count 0)"
                    continue
                raise
        if not recs:
            coh.skipped_files[f"child {cid}"] = "no file with samples: child not used"
            continue
        if len(recs) > 1:
            coh.skipped_files[f"child {cid}"] = f"{len(recs)} files with samples; the longest is used"
        rec = max(recs, key=lambda r: r.n_samples)
        row = lab.loc[cid]
        rec.meta.update({"label": int(row["label"]), "age": int(row["age"])})
        coh.children.append(Child(cid, int(row["label"]), int(row["age"]), row["sex"], row["hand"], rec))
    return coh
