"""CRST drawing-A phantom: spiral sheets drawn by simulated essential-tremor patients.

The Fahn-Tolosa-Marin Clinical Rating Scale for Tremor (CRST) asks the patient to draw a
pen line along a printed Archimedean spiral, from a dot at its centre to a dot at its outer
end, without crossing the printed line (Peng et al. 2025, Table 1).  The studies' graded
sheets are private, so this module makes sheets whose answer is known:

* :class:`SpiralTemplate` (:mod:`.template`) -- the printed guide.  One Archimedean line
  :math:`r = b\\,\\theta`, :math:`b = p / 2\\pi` (``pitch_mm`` = :math:`p`), drawn over
  ``turns`` turns; the patient draws in the channel between two neighbouring turns, whose
  centre line is :math:`r = b(\\theta + \\pi)`.
* :func:`draw_trace` (:mod:`.trace`) -- the patient's pen path in millimetres.  The pen
  moves along the channel centre at a drawing speed :math:`v(t)`; to that path are added a slow
  mean-reverting drift across the channel (an Ornstein-Uhlenbeck process) and the tremor,
  an oscillation along a fixed hand axis with frequency 4-12 Hz, random phase diffusion
  (irregularity) and slow amplitude modulation:

  .. math:: \\mathbf{x}(t) = \\mathbf{c}(s(t)) + d(t)\\,\\mathbf{n}(s(t))
            + A(t)\\,[\\sin\\phi(t)\\,\\mathbf{u} + e\\,\\cos\\phi(t)\\,\\mathbf{u}_\\perp],
     \\qquad \\phi(t) = 2\\pi f t + \\sigma_\\phi W(t).

  Every parameter follows a latent severity :math:`z \\in [-0.5, 4.5]` whose rounding is the
  true CRST grade: the tremor amplitude grows geometrically with :math:`z`, the drawing
  slows, the frequency falls, gaps and hesitations become more frequent, and a grade-4
  patient stops before the outer dot (cannot complete the task).
* :func:`line_index` / :func:`count_crossings` (:mod:`.template`) -- the ground truth: how
  often the ink crosses the printed line, and how far it strays from the channel centre.
* :func:`render_sheet` (:mod:`.rendering`) -- the image: paper, printed line and dots, ink
  whose width and tone follow the pen pressure with small gaps, then one of the two
  acquisition settings of the paper: a 300-dpi flatbed ``"scan"`` (clinic) or a smartphone
  ``"photo"`` (home: perspective, uneven lighting, colour cast, blur, noise, strong JPEG).
* :func:`make_cohort` / :func:`render_cohort` (:mod:`.cohort`) and :func:`rate`
  (:mod:`.raters`) -- a cohort like the paper's (315 patients, about 3 images each, 8:2
  clinic/home, grade mix of its Table 3 plus grade-0 sheets) with three simulated raters and a
  consensus rule, so the labels carry rater noise.

The slow random processes of the trace are the ``"ar1"`` kind of :mod:`tremorlab.synth.noise`.

Everything is seeded: the same ``seed`` and row give the same sheet.  Units are millimetres
in the sheet frame (x right, y up, origin at the spiral centre) and pixels in images.

References
----------
Peng Y. et al. (2025) A deep learning approach to remotely assessing essential tremor with
handwritten images. Scientific Reports (Methods, Tables 1 and 3).
"""

from tremorlab.synth.spirals.cohort import PAPER_GROUP_COUNTS, PAPER_N_IMAGES, make_cohort, render_cohort, render_row
from tremorlab.synth.spirals.raters import GRADES, rate, true_grade
from tremorlab.synth.spirals.rendering import SETTINGS, render_sheet
from tremorlab.synth.spirals.template import SpiralTemplate, count_crossings, line_index
from tremorlab.synth.spirals.trace import AMP_NODES, INK_WEIGHTS, INKS, Trace, TremorParams, draw_trace, sample_params

__all__ = ["GRADES", "SETTINGS", "PAPER_GROUP_COUNTS", "PAPER_N_IMAGES", "INKS", "AMP_NODES", "INK_WEIGHTS",
           "SpiralTemplate", "line_index", "count_crossings", "TremorParams", "true_grade", "sample_params", "Trace",
           "draw_trace", "render_sheet", "rate", "make_cohort", "render_row", "render_cohort"]
