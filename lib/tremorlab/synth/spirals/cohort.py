"""A cohort like the paper's (:func:`make_cohort`: patients, sheets, settings, severities and the
raters' labels) and its images (:func:`render_row`, :func:`render_cohort`).  See
:mod:`tremorlab.synth.spirals`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tremorlab import parallel
from tremorlab.synth.spirals.raters import rate, true_grade
from tremorlab.synth.spirals.rendering import render_sheet
from tremorlab.synth.spirals.template import SpiralTemplate
from tremorlab.synth.spirals.trace import draw_trace, sample_params

__all__ = ["PAPER_GROUP_COUNTS", "PAPER_N_IMAGES", "make_cohort", "render_row", "render_cohort"]

#: Patients per CRST group in the paper's Table 3 (groups 1-4).
PAPER_GROUP_COUNTS = (106, 105, 70, 34)
#: The paper's image totals: 798 scans (clinic) and 199 photos (home), 997 in all.
PAPER_N_IMAGES = 997


def make_cohort(n_patients: int = 315, n_images: int = PAPER_N_IMAGES, home_fraction: float = 0.2,
                group_counts=PAPER_GROUP_COUNTS, seed: int = 0):
    """A cohort table like the paper's: one row per image.

    Patients are dealt to the CRST groups 1-4 in the proportions of ``group_counts`` (Table 3),
    and a fraction ``home_fraction`` of them (8:2) draw at home (``setting="photo"``), the rest
    in the clinic (``"scan"``).  Each has ``n_images // n_patients`` sheets (some one more, to
    make ``n_images``), alternating the hand.  A patient's severity is uniform over their
    group's band (group 1 reaches down to grade-0 sheets), each sheet adds a hand offset and
    day-to-day variation (s.d. 0.3): so all five grades exist, as in the paper's five classes.

    Returns
    -------
    pandas.DataFrame with columns subject_id, image, setting, hand, group, severity, grade
    (true), rater_1..rater_3, label (consensus), seed.
    """
    rng = np.random.default_rng(seed)
    counts = np.asarray(group_counts, float)
    groups = rng.choice(np.arange(1, len(counts) + 1), size=n_patients, p=counts / counts.sum())
    if n_patients == sum(group_counts):
        groups = rng.permutation(np.repeat(np.arange(1, len(counts) + 1), np.asarray(group_counts)))
    n_home = int(round(home_fraction * n_patients))
    home = np.zeros(n_patients, bool)
    home[rng.choice(n_patients, n_home, replace=False)] = True
    per = np.full(n_patients, n_images // n_patients)
    per[rng.choice(n_patients, n_images - per.sum(), replace=False)] += 1
    # band of each group's patient severity: group 1 spans grades 0-1
    lo = {1: -0.2, 2: 1.3, 3: 2.3, 4: 3.3}
    hi = {1: 1.4, 2: 2.4, 3: 3.4, 4: 4.4}
    rows = []
    for p in range(n_patients):
        g = int(groups[p])
        zp = rng.uniform(lo.get(g, g - 0.5), hi.get(g, g + 0.5))
        hand_offset = rng.normal(0.15, 0.2)  # the non-dominant hand draws a little worse
        for k in range(per[p]):
            hand = "right" if k % 2 == 0 else "left"
            z = float(np.clip(zp + (hand_offset if hand == "left" else 0) + rng.normal(0, 0.3), -0.49, 4.49))
            rows.append({"subject_id": f"ET{p + 1:03d}", "image": f"ET{p + 1:03d}_{k + 1}.png",
                         "setting": "photo" if home[p] else "scan", "hand": hand, "group": g, "severity": z})
    df = pd.DataFrame(rows)
    df["grade"] = true_grade(df["severity"].to_numpy())
    ratings, consensus = rate(df["severity"].to_numpy(), rng)
    for k in range(ratings.shape[1]):
        df[f"rater_{k + 1}"] = ratings[:, k]
    df["label"] = consensus
    df["seed"] = seed
    return df


def render_row(row, size: int = 224, template: SpiralTemplate = SpiralTemplate(), return_trace: bool = False):
    """Image of one cohort row, seeded by (``row.seed``, ``row.name``) -- reproducible alone."""
    rng = np.random.default_rng([int(row["seed"]), int(row.name), 7])
    trace = draw_trace(sample_params(row["severity"], rng), template, rng)
    img = render_sheet(trace, template, row["setting"], size=size, rng=rng)
    return (img, trace) if return_trace else img


def render_cohort(df, size: int = 224, template: SpiralTemplate = SpiralTemplate(), chunk: int = 64):
    """Images (n, size, size, 3) uint8 of every row and a table of their ground truth.

    Returns
    -------
    (images, truth) where ``truth`` is a DataFrame indexed like ``df`` with the keys of
    :attr:`Trace.truth` and the drawing parameters.
    """
    # every sheet is drawn from its own row (its seed included): chunks of rows are executor tasks
    chunks = [df.iloc[i:i + chunk] for i in range(0, len(df), chunk)]
    parts = parallel.pmap(_render_rows, chunks, [size] * len(chunks), [template] * len(chunks))
    imgs = np.concatenate([p[0] for p in parts]) if parts else np.empty((0, size, size, 3), np.uint8)
    truth = [t for p in parts for t in p[1]]
    return imgs, pd.DataFrame(truth, index=df.index)


def _render_rows(df, size: int, template: SpiralTemplate):
    imgs = np.empty((len(df), size, size, 3), np.uint8)
    truth = []
    for i, (_, row) in enumerate(df.iterrows()):
        imgs[i], tr = render_row(row, size, template, return_trace=True)
        truth.append({**tr.truth, "speed_mm_s": tr.params.speed_mm_s, "n_gaps": tr.params.n_gaps})
    return imgs, truth
