"""The CRST grade scale and the simulated raters: :func:`true_grade` of a latent severity and
:func:`rate` (three neurologists and their consensus).  See :mod:`tremorlab.synth.spirals`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["GRADES", "true_grade", "rate"]

GRADES = (0, 1, 2, 3, 4)


def true_grade(severity) -> np.ndarray:
    """CRST grade of a latent severity: :math:`\\mathrm{clip}(\\mathrm{round}(z), 0, 4)`."""
    return np.clip(np.floor(np.asarray(severity, float) + 0.5), 0, 4).astype(int)


def rate(severity, rng, n_raters: int = 3, rater_sd: float = 0.3, rater_bias=(-0.1, 0.0, 0.1)):
    """Grades of ``n_raters`` simulated neurologists and their consensus.

    Rater ``k`` perceives :math:`z + \\beta_k + \\varepsilon`, :math:`\\varepsilon \\sim
    N(0, \\sigma^2)` and grades :math:`\\mathrm{clip}(\\mathrm{round}(\\cdot), 0, 4)`.
    Consensus (the paper: discrepancies discussed until agreement): the majority grade when two
    or more raters agree, otherwise the median of the three (the middle opinion wins the
    discussion).

    Returns
    -------
    (ratings (n, n_raters) int, consensus (n,) int)
    """
    z = np.atleast_1d(np.asarray(severity, float))
    bias = np.resize(np.asarray(rater_bias, float), n_raters)
    perceived = z[:, None] + bias[None, :] + rng.normal(0, rater_sd, (z.size, n_raters))
    ratings = true_grade(perceived)
    consensus = np.empty(z.size, int)
    for i, row in enumerate(ratings):
        vals, counts = np.unique(row, return_counts=True)
        consensus[i] = vals[np.argmax(counts)] if counts.max() >= 2 else int(np.median(row))
    return ratings, consensus
