"""Band-limited Gaussian noise of the phantoms: three named kinds, one implementation each.

The phantoms need slow random processes (drift, amplitude modulation, hesitation, pressure and
tilt wander) and band-limited shakiness.  Three different filters are in use; they are not
interchangeable (their spectra, scaling and start-up differ), so each is a named kind here and
every phantom calls the one it was built with:

``"brick_wall"`` -- :func:`brick_wall`
    Ideal low-pass in the frequency domain: white Gaussian Fourier coefficients on the bins
    :math:`0 < f \\le f_c` of a record twice as long as ``n``, inverse real FFT, first ``n``
    samples, zero mean, scaled to :math:`\\max|x| = 1`.  The doubled record has no power above
    :math:`f_c` (nor at DC); the returned half is not periodic.  Used by the tremor phantom
    (:mod:`tremorlab.synth.tremor`: frequency drift, amplitude modulation), the Parkinson's
    pen cohort (:mod:`tremorlab.synth.pd_cohort`: time warp, pressure, tilt) and the EMG
    phantom (:mod:`tremorlab.synth.emg`: slow activation changes).
``"ar1"`` -- :func:`ar1`
    First-order (Ornstein-Uhlenbeck, AR(1)) low-pass started at rest,
    :math:`x_k = a\\,x_{k-1} + \\sqrt{1 - a^2}\\,w_k`, :math:`a = e^{-2\\pi f_c / f_s}`: lag-1
    autocorrelation :math:`a`, stationary variance 1, power :math:`\\propto 1/(1 - 2a\\cos\\omega
    + a^2)` (a 6 dB/octave roll-off above :math:`f_c`, no cut).  Used by the CRST spiral phantom
    (:mod:`tremorlab.synth.spirals`: drawing hesitation, drift across the channel, amplitude
    modulation, pen pressure).
``"butterworth"`` -- :func:`butterworth`
    White Gaussian noise through a second-order Butterworth filter run forwards and backwards
    (zero phase, power response :math:`|H(f)|^4`), low-pass when the band starts at 0 Hz and
    band-pass otherwise; the upper edge is capped at 0.45 :math:`f_s`; 200 samples are dropped
    at each end (filter transients); scaled to unit standard deviation.  Used by the
    handwriting phantom (:mod:`tremorlab.synth.handwriting`: shakiness, pressure and tilt).

Each function draws from ``rng`` exactly as the phantom's own copy did before they were gathered
here (same draws, same order), so the phantoms are unchanged.  ``tests/test_synth_noise.py``
checks each kind's spectrum against its definition.
"""

from __future__ import annotations

import numpy as np
from scipy import signal as sps

__all__ = ["KINDS", "brick_wall", "ar1", "butterworth"]


def brick_wall(rng: np.random.Generator, n: int, rate_hz: float, cutoff_hz: float) -> np.ndarray:
    """Band-limited Gaussian noise scaled to ``max|x| = 1`` (the ``"brick_wall"`` kind).

    White Gaussian Fourier coefficients on the bins ``0 < f <= cutoff_hz`` of a record twice
    as long as ``n`` (so the output is not periodic over the returned span), inverse real FFT,
    first ``n`` samples, zero mean, divided by the largest magnitude. At least one bin is
    always used, so a cutoff below the record's resolution gives one slow cycle.
    """
    m = 2 * max(int(n), 1)
    nbins = m // 2 + 1
    df = rate_hz / m
    k_hi = int(np.clip(np.floor(cutoff_hz / df), 1, nbins - 1))
    coef = np.zeros(nbins, dtype=complex)
    coef[1:k_hi + 1] = rng.standard_normal(k_hi) + 1j * rng.standard_normal(k_hi)
    x = np.fft.irfft(coef, n=m)[:n]
    x = x - x.mean()
    peak = np.max(np.abs(x)) if n > 0 else 0.0
    return x / peak if peak > 0 else x


def ar1(rng: np.random.Generator, n: int, rate_hz: float, cutoff_hz: float) -> np.ndarray:
    """First-order (OU / AR(1)) low-passed noise of unit stationary variance (the ``"ar1"`` kind).

    :math:`x_k = a\\,x_{k-1} + \\sqrt{1 - a^2}\\,w_k` with :math:`a = e^{-2\\pi f_c/f_s}`,
    :math:`w_k` white standard normal (``n`` draws), :math:`x_{-1} = 0` (the process starts at
    rest, so its variance reaches 1 after a few :math:`1/(1-a)` samples).
    """
    a = np.exp(-2 * np.pi * cutoff_hz / rate_hz)
    return sps.lfilter([np.sqrt(1 - a * a)], [1, -a], rng.standard_normal(n))


def butterworth(rng: np.random.Generator, n: int, rate_hz: float, band: tuple[float, float]) -> np.ndarray:
    """Unit-variance Gaussian noise band-limited to ``band`` Hz, zero-phase Butterworth (``"butterworth"`` kind).

    Order 2, run forwards and backwards (``sosfiltfilt``) over ``n + 400`` white draws, of which
    the first and last 200 are dropped; low-pass at ``band[1]`` when ``band[0] <= 0``, band-pass
    otherwise; ``band[1]`` is capped at ``0.45 * rate_hz``.
    """
    lo, hi = band
    hi = min(hi, 0.45 * rate_hz)
    if lo <= 0:
        sos = sps.butter(2, hi, btype="lowpass", fs=rate_hz, output="sos")
    else:
        sos = sps.butter(2, [lo, hi], btype="bandpass", fs=rate_hz, output="sos")
    x = sps.sosfiltfilt(sos, rng.normal(size=n + 400))[200:-200]
    return x / (x.std() + 1e-12)


#: The kinds by name: ``KINDS[kind](rng, n, rate_hz, cutoff_or_band)``.
KINDS = {"brick_wall": brick_wall, "ar1": ar1, "butterworth": butterworth}
