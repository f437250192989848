"""Layout geometry of a handwritten page: words and lines, spacing, density, baseline and size.

The static features of the dysgraphia study {cite:p}`asselborn2018dysgraphia` that look at where
the ink lies rather than how it moves (used by :mod:`tremorlab.features.handwriting`):

:func:`segment_words`         pen-down stretches grouped into words and lines
:func:`space_between_words`   mean and standard deviation of the gaps between words of one line
:func:`handwriting_density`   pen-down points per occupied cell of a square grid
:func:`moment_of_handwriting` mean |y step| between barycentres of consecutive bins of a line
:func:`handwriting_size`      mean bounding-box area of the bins of a line

The bins of a line are the blocks of :func:`tremorlab.features.kinematics.block_labels` with the
lines as stretches.  Units: ``xy_unit`` of the recording.
"""

from __future__ import annotations

import numpy as np

from tremorlab.features import kinematics as kin

__all__ = ["segment_words", "space_between_words", "handwriting_density", "moment_of_handwriting",
           "handwriting_size"]


def segment_words(x: np.ndarray, y: np.ndarray, ids: np.ndarray, gap_factor: float = 0.25,
                  line_factor: float = 1.5, return_factor: float = 10.0) -> dict:
    """Group pen-down stretches into words and lines.

    Scale ``h`` = median height of the stretches.  Going through the stretches in time order, a
    stretch starts a **new line** when its mean y differs from the line's by more than
    ``line_factor * h`` or it starts more than ``return_factor * h`` left of the current word;
    otherwise a **new word** when it starts more than ``gap_factor * h`` to the right of the
    current word's right edge (the gap is recorded as a space); otherwise it belongs to the
    current word (a dotted i, a crossed t, a lift inside a word).

    Returns
    -------
    dict with ``spaces`` (gaps between words of one line, xy units), ``line_of_stretch``,
    ``word_of_stretch``, ``n_words``, ``n_lines``.
    """
    ids = np.asarray(ids)
    if ids.size == 0:
        return {"spaces": np.zeros(0), "line_of_stretch": np.zeros(0, int), "word_of_stretch": np.zeros(0, int),
                "n_words": 0, "n_lines": 0}
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    xmin, xmax = np.minimum.reduceat(x, starts), np.maximum.reduceat(x, starts)
    ymin, ymax = np.minimum.reduceat(y, starts), np.maximum.reduceat(y, starts)
    ymean = np.add.reduceat(y, starts) / np.diff(np.r_[starts, ids.size])
    x0 = x[starts]
    h = float(np.median(ymax - ymin)) or 1.0
    k = starts.size
    line = np.zeros(k, int)
    word = np.zeros(k, int)
    spaces = []
    wl, wr, ly = xmin[0], xmax[0], ymean[0]
    li = wi = 0
    for s in range(1, k):  # one pass over strokes (hundreds), not samples
        if abs(ymean[s] - ly) > line_factor * h or x0[s] < wl - return_factor * h:
            li += 1
            wi += 1
            wl, wr, ly = xmin[s], xmax[s], ymean[s]
        elif xmin[s] > wr + gap_factor * h:
            spaces.append(xmin[s] - wr)
            wi += 1
            wl, wr = xmin[s], xmax[s]
            ly = 0.8 * ly + 0.2 * ymean[s]
        else:
            wl, wr = min(wl, xmin[s]), max(wr, xmax[s])
        line[s], word[s] = li, wi
    return {"spaces": np.asarray(spaces), "line_of_stretch": line, "word_of_stretch": word,
            "n_words": wi + 1, "n_lines": li + 1}


def space_between_words(spaces: np.ndarray) -> tuple[float, float, str | None]:
    """Mean and standard deviation of the spaces between words (xy units); NaN with a reason when
    no space was found (a drawing, or a single word)."""
    if spaces.size == 0:
        return np.nan, np.nan, "no space between words found (a single word, or not text)"
    return float(spaces.mean()), float(spaces.std()), None


def handwriting_density(x: np.ndarray, y: np.ndarray, cell: float) -> float:
    """Mean number of pen-down points per occupied cell of a square grid of side ``cell``
    covering the trace (the paper: 300-pixel cells)."""
    gx = np.floor((x - x.min()) / cell).astype(np.int64)
    gy = np.floor((y - y.min()) / cell).astype(np.int64)
    _, counts = np.unique(gx * (gy.max() + 1) + gy, return_counts=True)
    return float(counts.mean())


def moment_of_handwriting(x: np.ndarray, y: np.ndarray, line_of_point: np.ndarray, n: int = 300) -> tuple[float, str | None]:
    """Mean absolute y distance between barycentres of consecutive bins of ``n`` points of one line
    (a proxy of the BHK item "non-straight lines").

    The bins are the blocks of :func:`tremorlab.features.kinematics.block_average` with the lines
    as stretches: ``n`` consecutive pen-down points counted from the start of the line, a line's
    incomplete last bin dropped."""
    cy, bin_line = kin.block_average(y, n, line_of_point)
    if cy.size == 0:
        return np.nan, f"no line holds {n} pen-down points"
    same = bin_line[1:] == bin_line[:-1]
    if not same.any():
        return np.nan, f"no line holds two bins of {n} points"
    return float(np.abs(np.diff(cy))[same].mean()), None


def handwriting_size(x: np.ndarray, y: np.ndarray, line_of_point: np.ndarray, n: int = 300) -> tuple[float, str | None]:
    """Mean area of the bounding boxes of bins of ``n`` consecutive points of one line (the bins of
    :func:`moment_of_handwriting`)."""
    lab, _ = kin.block_labels(line_of_point, n)
    keep = lab >= 0
    if not keep.any():
        return np.nan, f"no line holds {n} pen-down points"
    L, X, Y = lab[keep], x[keep], y[keep]
    st = np.flatnonzero(np.r_[True, L[1:] != L[:-1]])
    area = (np.maximum.reduceat(X, st) - np.minimum.reduceat(X, st)) * (np.maximum.reduceat(Y, st) - np.minimum.reduceat(Y, st))
    return float(area.mean()), None
