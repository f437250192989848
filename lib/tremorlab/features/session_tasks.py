"""Tasks inside one handwriting session: the lines of the Drotár & Dobeš template.

A session file of {cite:p}`drotar2020dysgraphia` holds every task of the session with no marker
between them.  Plotting the sessions shows the layout: eight lines written from the top of the
sheet down, one task per line (:data:`DROTAR_LINES`), pen-up gaps between lines of 0.5-5 s and
the pen out of the tablet's range (no samples) between some of them.  So a task is a line, and
:func:`segment_lines` finds the lines from the pen-down strokes alone:

* going through the strokes in time order, a stroke joins the existing line whose running mean
  height is nearest, if it lies within ``line_gap_mm`` of it (accents and dots added later join
  their line); otherwise it opens a new line;
* lines are numbered from the top of the sheet (largest y first: y points up);
* a pen-up sample belongs to the line of the next pen-down stroke (the movement towards it),
  trailing pen-up samples to the last line.

:func:`select_writing` cuts a recording down to a named part of the session
(:data:`WRITING_CHOICES`).
"""

from __future__ import annotations

import numpy as np

__all__ = ["DROTAR_LINES", "WRITING_CHOICES", "segment_lines", "select_writing"]

#: The eight lines of the template, top to bottom, as read from the plotted sessions (the
#: letter ``l`` twice, the syllable ``le`` twice, the word ``leto``, the pseudo-word ``lamoken``,
#: the word ``hračkárstvo`` and the sentence ``V lete bude teplo a sucho``).
DROTAR_LINES = ("l", "l", "le", "le", "leto", "lamoken", "hračkárstvo", "sentence")

#: Named parts of a session: 0-based line numbers (None = the whole session).
WRITING_CHOICES = {
    "session": None,
    "words": (4, 5, 6, 7),      # leto, lamoken, hračkárstvo and the sentence: written words, the nearest to a text copy
    "sentence": (7,),
    "letters": (0, 1, 2, 3),    # l and le
}


def segment_lines(rec, line_gap_mm: float = 9.0) -> tuple[np.ndarray, int]:
    """Line number (0 = top) of every sample of ``rec`` and the number of lines found.

    ``line_gap_mm`` is half the template's line pitch (about 18.5 mm in this set); ``rec`` must
    be in mm (the reader converts).  Returns ``(line_of_sample, n_lines)``.
    """
    down = np.asarray(rec.pen_down, bool)
    if not down.any():
        raise ValueError(f"{rec.source}: no pen-down sample, no line to find")
    starts = np.flatnonzero(down & ~np.r_[False, down[:-1]])
    stops = np.flatnonzero(down & ~np.r_[down[1:], False]) + 1
    ymean = np.add.reduceat(np.where(down, rec.y, 0.0), starts)[: starts.size]
    # reduceat sums to the next start; pen-up samples contribute 0, so divide by the pen-down count
    npts = np.add.reduceat(down.astype(float), starts)[: starts.size]
    ymean = ymean / npts
    centres: list[float] = []
    weights: list[float] = []
    stroke_line = np.empty(starts.size, int)
    for k, (yk, wk) in enumerate(zip(ymean, npts)):
        if centres:
            d = np.abs(np.asarray(centres) - yk)
            j = int(np.argmin(d))
            if d[j] <= line_gap_mm:
                centres[j] = (centres[j] * weights[j] + yk * wk) / (weights[j] + wk)
                weights[j] += wk
                stroke_line[k] = j
                continue
        centres.append(float(yk))
        weights.append(float(wk))
        stroke_line[k] = len(centres) - 1
    order = np.argsort(-np.asarray(centres), kind="stable")      # top of the sheet first
    rank = np.empty(len(centres), int)
    rank[order] = np.arange(len(centres))
    stroke_line = rank[stroke_line]
    # every sample: the line of the stroke it belongs to, or of the next stroke (pen up)
    nxt = np.searchsorted(starts, np.arange(down.size), side="right") - 1      # stroke started at or before
    line = np.empty(down.size, int)
    in_stroke = (nxt >= 0) & (np.arange(down.size) < stops[np.clip(nxt, 0, None)])
    following = np.clip(nxt + 1, 0, starts.size - 1)
    line[:] = stroke_line[following]
    line[in_stroke] = stroke_line[nxt[in_stroke]]
    tail = np.arange(down.size) >= stops[-1]
    line[tail] = stroke_line[-1]
    return line, len(centres)


def select_writing(rec, choice: str = "session", line_gap_mm: float = 9.0, expected_lines: int = 8):
    """The part of the session named by ``choice`` (a key of :data:`WRITING_CHOICES`).

    Raises ``ValueError`` naming the file when a part other than ``"session"`` is asked for and
    the session does not hold ``expected_lines`` lines (the line numbers would not mean the
    same tasks).
    """
    if choice not in WRITING_CHOICES:
        raise ValueError(f"writing must be one of {list(WRITING_CHOICES)}, got {choice!r}")
    lines = WRITING_CHOICES[choice]
    if lines is None:
        return rec
    line, n = segment_lines(rec, line_gap_mm)
    if n != expected_lines:
        raise ValueError(f"{rec.source}: {n} lines of writing found, expected {expected_lines} "
                         f"(the template's tasks); use writing='session' for this file")
    keep = np.isin(line, lines)
    out = rec.select(keep)
    out.meta = dict(rec.meta, writing=choice)
    return out
