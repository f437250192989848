"""EBMFLC: extended BMFLC, which models the whole motion band and adapts the tremor band.

Atashzar, Shahbazi, Samotus, Tavakoli, Jog & Patel (2016), "Characterization of upper-limb
pathological tremors: application to design of an augmented haptic rehabilitation system",
IEEE J. Sel. Topics Signal Process. 10(5); the comparator of Shahtalebi et al. (2020).
Two changes to the BMFLC:

1. *Harmonic model enrichment*: the Fourier combiner covers the whole motion band
   ``[0, f_max]`` (voluntary and tremor), so the LMS error is no longer the voluntary motion but
   the model residual; the voluntary and tremor estimates are read out by *truncating* the
   weight vector to their bands (modelling and band selection are decoupled).
2. *Windowed memory*: ``w_{k+1} = rho w_k + step_size x_k e_k`` (``step_size = 2 mu`` of the
   paper) with ``rho = alpha^(1/delta)``,
   ``delta = T_p / Delta T``: over a memory window of ``T_p`` seconds old information decays
   to the fraction ``alpha``.

The tremor band adapts: at every sample the largest weight magnitude ``a_r^2 + b_r^2`` above
the voluntary band marks the tremor peak, and the tremor estimate is the combination of the
components within ``+- tremor_half_width_hz`` of it.  The voluntary estimate is the combination
of the components in ``[0, voluntary_max_hz]`` (the DC term included: ``f = 0`` gives a
constant cosine regressor).

Defaults (ours, stated): ``f_max = 20 Hz`` and ``Delta f = 0.2 Hz`` (101 frequencies),
``voluntary_max_hz = 2.8`` (voluntary motion up to 3 Hz as in Shahtalebi et al. 2020; the
last grid point below 3 Hz), ``step_size = 0.016`` (``mu = 0.008``, ``step_size m = 1.6 < 2``),
``T_p = 2 s`` and ``alpha = 0.5``, picked from ``mu`` in {0.008, 0.004} x ``alpha`` in
{0.05, 0.5, 0.9} on 40 phantom mixtures (seeds outside
the chapter's atlas) by the voluntary MSE.
"""

from __future__ import annotations

import numpy as np

from tremorlab.tremor._fourier import StreamingSeparator, check_rate, frequency_grid, lms_fourier_adaptive_band


class EBMFLC(StreamingSeparator):
    """Extended band-limited multiple Fourier linear combiner.

    Parameters
    ----------
    sampling_rate_hz : float
    max_hz : float
        Top of the modelled band ``[0, max_hz]``.
    spacing_hz : float
    step_size : float
        LMS step size (``2 mu`` in the paper's notation; ``0 < step_size m < 2``, checked).
    memory_s, memory_gain : float
        ``T_p`` and ``alpha`` of the windowed memory; ``rho = alpha ** (1 / (T_p f_s))``.
    voluntary_max_hz : float
        Top of the voluntary band.
    tremor_half_width_hz : float
        Half width of the adaptive tremor band around the peak.

    Attributes
    ----------
    freqs_, weights_ (sines first, then cosines), n_seen_, peak_hz_ (last tremor peak).
    """

    def __init__(self, sampling_rate_hz: float = 100.0, max_hz: float = 20.0, spacing_hz: float = 0.2,
                 step_size: float = 0.016, memory_s: float = 2.0, memory_gain: float = 0.5,
                 voluntary_max_hz: float = 2.8, tremor_half_width_hz: float = 2.0):
        self.sampling_rate_hz = check_rate(sampling_rate_hz)
        self.max_hz = float(max_hz)
        self.spacing_hz = float(spacing_hz)
        self.step_size = float(step_size)
        self.memory_s = float(memory_s)
        self.memory_gain = float(memory_gain)
        self.voluntary_max_hz = float(voluntary_max_hz)
        self.tremor_half_width_hz = float(tremor_half_width_hz)
        self.freqs_ = frequency_grid(0.0, self.max_hz, self.spacing_hz, self.sampling_rate_hz)
        m = self.freqs_.size
        if not 0 < self.step_size * m < 2:
            raise ValueError(f"step_size={self.step_size} with {m} frequencies gives step_size m = "
                             f"{self.step_size * m:.3g}; LMS needs 0 < step_size m < 2")
        if not 0 < self.memory_gain <= 1 or self.memory_s <= 0:
            raise ValueError(f"memory_gain must be in (0, 1] and memory_s > 0, got {self.memory_gain}, {self.memory_s}")
        if not 0 < self.voluntary_max_hz < self.max_hz:
            raise ValueError(f"voluntary_max_hz must lie in (0, max_hz={self.max_hz}), got {self.voluntary_max_hz}")
        self.rho = float(self.memory_gain ** (1.0 / (self.memory_s * self.sampling_rate_hz)))
        self._omegas = 2 * np.pi * self.freqs_
        self._vol_hi = int(np.sum(self.freqs_ <= self.voluntary_max_hz + 1e-9))
        self._search = (self._vol_hi, m)
        self._half = int(round(self.tremor_half_width_hz / self.spacing_hz))
        self.reset()

    def reset(self) -> "EBMFLC":
        self.weights_ = np.zeros(2 * self.freqs_.size)
        self.n_seen_ = 0
        self.peak_hz_ = float("nan")
        return self

    def _step(self, s: np.ndarray):
        v, tr, p = lms_fourier_adaptive_band(s, self.n_seen_, 1.0 / self.sampling_rate_hz, self._omegas,
                                             self.step_size, self.rho, self.weights_, self._vol_hi,
                                             self._search[0], self._search[1], self._half)
        self.n_seen_ += s.size
        self.peak_hz_ = float(self.freqs_[p[-1]])
        self.last_peaks_hz_ = self.freqs_[p]
        return v, tr

    def sine_cosine_weights(self) -> tuple[np.ndarray, np.ndarray]:
        m = self.freqs_.size
        return self.weights_[:m].copy(), self.weights_[m:].copy()
