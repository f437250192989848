"""The names of the emulated pen's tremor sources (:mod:`tremorlab.pen.emulator` makes the signals).

A module of constants only: ``tremorlab pen`` builds its parser from them at the command's start-up,
without importing the emulator (which imports SciPy through the synthetic tremors and the readers).
"""

from __future__ import annotations

#: The phantom sources (:func:`tremorlab.synth.tremor.tremor_phantom`,
#: :func:`tremorlab.synth.shaking_table.shaking_table`) and ``none``.
TREMOR_CHOICES = ("pd", "et", "physiological", "shaking-table-constant", "shaking-table-variable", "none")
#: A real tremor source: ``real:<subset>:<segment>`` (subset ``tim_tremor`` or ``imu_wild``).
REAL_PREFIX = "real:"
