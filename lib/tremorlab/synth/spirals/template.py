"""The printed CRST drawing-A guide and the ink's ground truth against it (millimetres).

:class:`SpiralTemplate` is the printed Archimedean line and its channel; :func:`line_index` and
:func:`count_crossings` measure a pen path against it.  See :mod:`tremorlab.synth.spirals`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["SpiralTemplate", "line_index", "count_crossings"]


@dataclass(frozen=True)
class SpiralTemplate:
    """Geometry of the printed CRST drawing-A guide (millimetres).

    Parameters
    ----------
    pitch_mm : float
        Distance between neighbouring turns of the printed line, :math:`2\\pi b`.
    turns : float
        Turns of the printed line, from the centre outwards.
    line_width_mm, dot_radius_mm : float
        Printed line width and radius of the start / end dots.
    field_mm : float
        Side of the square region of the sheet that the image shows, centred on the spiral.
    """

    pitch_mm: float = 10.0
    turns: float = 5.0
    line_width_mm: float = 1.0
    dot_radius_mm: float = 1.6
    field_mm: float = 130.0

    @property
    def b(self) -> float:
        """Spiral constant :math:`b = p / 2\\pi` (mm per radian)."""
        return self.pitch_mm / (2 * np.pi)

    @property
    def theta_max(self) -> float:
        """Last angle of the printed line, :math:`2\\pi \\cdot` turns."""
        return 2 * np.pi * self.turns

    @property
    def channel_theta(self) -> tuple[float, float]:
        """Angle range of the channel centre line (both bounding turns printed)."""
        return 0.0, self.theta_max - 2 * np.pi

    def guide(self, step_mm: float = 0.5) -> np.ndarray:
        """Points (n, 2) of the printed line :math:`r = b\\theta`, about ``step_mm`` apart."""
        th = _even_angles(self.b, 0.0, self.theta_max, step_mm)
        r = self.b * th
        return np.column_stack([r * np.cos(th), r * np.sin(th)])

    def centre_line(self, theta: np.ndarray) -> np.ndarray:
        """Channel centre :math:`r = b(\\theta + \\pi)` at angles ``theta`` -> (n, 2)."""
        r = self.b * (np.asarray(theta) + np.pi)
        return np.column_stack([r * np.cos(theta), r * np.sin(theta)])

    def dots(self) -> np.ndarray:
        """Centres (2, 2) of the start dot (inner channel end) and the end dot (outer)."""
        return self.centre_line(np.array(self.channel_theta))

    def arc_length(self, theta: np.ndarray) -> np.ndarray:
        """Arc length of the channel centre line from its start to ``theta`` (closed form).

        For :math:`r = b\\varphi`, :math:`L(\\varphi) = \\tfrac b2[\\varphi\\sqrt{1+\\varphi^2}
        + \\operatorname{asinh}\\varphi]`; here :math:`\\varphi = \\theta + \\pi`.
        """
        return (_spiral_length(self.b, np.asarray(theta) + np.pi)
                - _spiral_length(self.b, self.channel_theta[0] + np.pi))


def _spiral_length(b: float, phi):
    """Arc length of :math:`r = b\\varphi` from 0 to ``phi``: :math:`\\tfrac b2[\\varphi\\sqrt{1+\\varphi^2} + \\operatorname{asinh}\\varphi]`."""
    phi = np.asarray(phi, float)
    return 0.5 * b * (phi * np.sqrt(1 + phi ** 2) + np.arcsinh(phi))


def _even_angles(b: float, t0: float, t1: float, step_mm: float) -> np.ndarray:
    """Angles from t0 to t1 of :math:`r = b\\theta` whose points are ``step_mm`` apart along the curve."""
    grid = np.linspace(t0, t1, 20000)
    length = _spiral_length(b, grid)
    n = max(int(np.ceil((length[-1] - length[0]) / step_mm)), 1) + 1
    return np.interp(np.linspace(length[0], length[-1], n), length, grid)


def line_index(points: np.ndarray, template: SpiralTemplate) -> np.ndarray:
    """Continuous index of the printed turn at each point: :math:`L = (r/b - \\alpha) / 2\\pi`.

    :math:`\\alpha \\in [0, 2\\pi)` is the polar angle.  The printed line lies on integer
    :math:`L`; the channel centre between turns ``k`` and ``k+1`` has :math:`L = k + 0.5`.  So
    :math:`(L - \\lfloor L\\rfloor - 0.5)\\,p` is the signed distance across the channel from its
    centre (mm, positive outwards), exact along rays from the centre.
    """
    p = np.asarray(points, dtype=float)
    r = np.hypot(p[:, 0], p[:, 1])
    alpha = np.mod(np.arctan2(p[:, 1], p[:, 0]), 2 * np.pi)
    return (r / template.b - alpha) / (2 * np.pi)


def count_crossings(points: np.ndarray, pen_down: np.ndarray, template: SpiralTemplate) -> int:
    """Number of times the inked path crosses the printed line (ground truth).

    For each pair of consecutive pen-down samples the turn index :math:`L` (:func:`line_index`)
    of both is taken at the first sample's polar angle :math:`\\alpha_1` (the second angle is
    :math:`\\alpha_1` plus the wrapped angle step), so that passing the polar axis is not
    mistaken for a crossing.  Every integer passed is one crossing of a printed turn, counted
    only where that turn is printed (:math:`0 \\le \\alpha_1 + 2\\pi m \\le 2\\pi \\cdot` turns).
    """
    p = np.asarray(points, dtype=float)
    down = np.asarray(pen_down, bool)
    r = np.hypot(p[:, 0], p[:, 1])
    alpha = np.mod(np.arctan2(p[:, 1], p[:, 0]), 2 * np.pi)
    a1 = alpha[:-1]
    step = np.angle(np.exp(1j * (alpha[1:] - a1)))
    l1 = np.floor((r[:-1] / template.b - a1) / (2 * np.pi))
    l2 = np.floor((r[1:] / template.b - a1 - step) / (2 * np.pi))
    turn = np.maximum(l1, l2)
    printed = (turn >= 0) & (a1 + 2 * np.pi * turn <= template.theta_max)
    both = down[1:] & down[:-1]
    return int(np.sum(np.abs(l2 - l1)[both & printed]))
