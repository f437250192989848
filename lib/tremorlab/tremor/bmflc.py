"""BMFLC: band-limited multiple Fourier linear combiner (fixed tremor band).

Veluvolu, Tan, Latt, Shee & Ang (2007), "Bandlimited multiple Fourier linear combiner for
real-time tremor compensation", IEEE EMBC; the comparator of Shahtalebi et al. (2020), Sec.
"Results" (Table 3, Fig. 6, 9).  The tremor in a fixed band ``[f_1, f_m]`` is modelled as

.. math::

    \\hat y_k = \\sum_{r=1}^{m} a_{r,k} \\sin(2\\pi f_r t_k) + b_{r,k} \\cos(2\\pi f_r t_k),
    \\qquad f_r = f_1 + (r-1)\\,\\Delta f,

with the weights adapted by LMS, ``w_{k+1} = w_k + step_size x_k (s_k - w_k^T x_k)`` (the paper
writes ``2 mu`` for ``step_size``; ``step_size`` means the same in :mod:`tremorlab.adaptive`).  The tremor
estimate is the a-priori ``\\hat y_k`` and the voluntary estimate the remainder
``s_k - \\hat y_k``.

Defaults and their sources: band 3-14 Hz (the pathological-tremor range stated by Shahtalebi
et al. 2020, Introduction); spacing 0.2 Hz and ``step_size = 0.002`` (``mu = 0.001``) are ours.
Veluvolu et al. used 0.1 Hz and ``mu = 0.01`` on the narrower 6-14 Hz physiological band of a
signal without a large voluntary part; on 3-14 Hz that would give 111 frequencies and
``step_size m > 2`` (LMS divergence).  With 0.2 Hz (56 frequencies) we picked ``mu`` from
{0.01, 0.005, 0.003, 0.001} on 40 phantom mixtures (seeds outside the chapter's atlas) by the
voluntary MSE: 0.001 won;
larger steps let the combiner chase the voluntary motion and its offset.
"""

from __future__ import annotations

import numpy as np

from tremorlab.tremor._fourier import StreamingSeparator, check_rate, frequency_grid, lms_fourier


class BMFLC(StreamingSeparator):
    """Band-limited multiple Fourier linear combiner.

    Parameters
    ----------
    sampling_rate_hz : float
    band_hz : (float, float)
        Fixed tremor band ``[f_1, f_m]``.
    spacing_hz : float
        Frequency spacing ``Delta f``.
    step_size : float
        LMS step size (``2 mu`` in the paper's notation); must satisfy ``0 < step_size m < 2`` (checked).

    Attributes
    ----------
    freqs_ : ndarray (m,)
    weights_ : ndarray (2m,)
        Current weights, sines first then cosines (``weights_[r]`` multiplies
        ``sin(2 pi f_r t)``, ``weights_[m + r]`` multiplies ``cos(2 pi f_r t)``).
    n_seen_ : int
        Samples processed since the last :meth:`reset`.

    Notes
    -----
    Streaming use: :meth:`update` one sample at a time; :meth:`run` processes a whole array
    and continues from the current state.  Both call the same compiled recursion, so
    ``run(x)`` equals ``[update(v) for v in x]`` exactly.
    """

    def __init__(self, sampling_rate_hz: float = 100.0, band_hz: tuple[float, float] = (3.0, 14.0),
                 spacing_hz: float = 0.2, step_size: float = 0.002):
        self.sampling_rate_hz = check_rate(sampling_rate_hz)
        self.band_hz = (float(band_hz[0]), float(band_hz[1]))
        self.spacing_hz = float(spacing_hz)
        self.step_size = float(step_size)
        self.freqs_ = frequency_grid(self.band_hz[0], self.band_hz[1], self.spacing_hz, self.sampling_rate_hz)
        m = self.freqs_.size
        if not 0 < self.step_size * m < 2:
            raise ValueError(f"step_size={self.step_size} with {m} frequencies gives step_size m = "
                             f"{self.step_size * m:.3g}; LMS needs 0 < step_size m < 2 (use step_size < {2 / m:.3g})")
        self._omegas = 2 * np.pi * self.freqs_
        self._groups = np.zeros(2 * m, dtype=np.int64)   # every weight is tremor
        self.reset()

    @property
    def rho(self) -> float:
        return 1.0

    def reset(self) -> "BMFLC":
        self.weights_ = np.zeros(2 * self.freqs_.size)
        self.n_seen_ = 0
        return self

    def _step(self, s: np.ndarray):
        Y, _ = lms_fourier(s, self.n_seen_, 1.0 / self.sampling_rate_hz, self._omegas, self.step_size,
                           self.rho, self.weights_, self._groups, 1)
        self.n_seen_ += s.size
        tremor = Y[:, 0]
        return s - tremor, tremor

    def sine_cosine_weights(self) -> tuple[np.ndarray, np.ndarray]:
        """``(a, b)``: the sine and cosine weight of every frequency in ``freqs_``."""
        m = self.freqs_.size
        return self.weights_[:m].copy(), self.weights_[m:].copy()
