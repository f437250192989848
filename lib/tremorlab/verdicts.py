"""The rules that turn a measurement and a paper's number into a verdict word.

A chapter's closing table (:func:`tremorlab.report.comparison`) takes its verdict from one of these
rules, never from a word typed in a notebook: ``comparison`` refuses a bare ``"reproduced"``,
``"not reproduced"`` or ``"tie"``.  Each rule returns a :class:`Verdict`, the word together with the
rule that produced it, and the rule is written into the row's explanation so that a reader sees the
tolerance the verdict was judged with.

The words (:data:`WORDS`):

``reproduced``
    an independent measurement agreed with the paper within the tolerance stated in the row;
``not reproduced``
    it disagreed beyond that tolerance;
``tie``
    the paper claims a difference (a ranking, a gain) and our interval at the level of the
    independent units cannot tell its sign;
``by construction``
    we built it to match (a phantom sized to the paper's cohort, a feature list written from the
    paper's list): agreement is no test;
``not comparable``
    another cohort, data or protocol: the two numbers do not measure the same thing.

The last two are judgments, not rules, and are given with :func:`by_construction` and
:func:`not_comparable`, each with its reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

REPRODUCED, NOT_REPRODUCED, TIE = "reproduced", "not reproduced", "tie"
BY_CONSTRUCTION, NOT_COMPARABLE = "by construction", "not comparable"
WORDS = (REPRODUCED, NOT_REPRODUCED, TIE, BY_CONSTRUCTION, NOT_COMPARABLE)
#: the words only a rule may give
RULED = (REPRODUCED, NOT_REPRODUCED, TIE)


@dataclass(frozen=True)
class Verdict:
    """A verdict word and the rule (in words, with its numbers) that gave it."""

    word: str
    rule: str

    def __post_init__(self):
        if self.word not in WORDS:
            raise ValueError(f"verdict word must be one of {WORDS}, got {self.word!r}")
        if not self.rule.strip():
            raise ValueError("a verdict needs its rule or reason")

    def __str__(self) -> str:
        return self.word


def _finite(name: str, *values: float) -> None:
    for v in values:
        if v is None or not math.isfinite(float(v)):
            raise ValueError(f"{name}: needs finite numbers, got {values!r}")


def _g(x: float) -> str:
    return f"{float(x):.4g}"


def within(ours: float, paper: float, *, abs_tol: float | None = None, rel_tol: float | None = None,
           unit: str = "", source: str = "paper") -> Verdict:
    """``reproduced`` if ``|ours - paper| <= tolerance``, else ``not reproduced``.

    The tolerance is ``abs_tol`` (in the quantity's unit) or ``rel_tol`` (a fraction of ``|paper|``);
    give exactly one.  Use it for a number measured independently of the paper (a rate worked out
    from time stamps, a parameter count of a network built from the paper's description).
    ``source`` names where the reference number comes from when it is not a paper.
    """
    if (abs_tol is None) == (rel_tol is None):
        raise ValueError("give exactly one of abs_tol and rel_tol")
    _finite("within", ours, paper)
    tol = float(abs_tol) if abs_tol is not None else float(rel_tol) * abs(float(paper))
    if not tol >= 0:
        raise ValueError(f"a tolerance must be >= 0, got {tol}")
    u = f" {unit}" if unit else ""
    stated = f"{_g(tol)}{u}" if abs_tol is not None else f"{_g(100 * rel_tol)} % of the {source}'s value ({_g(tol)}{u})"
    word = REPRODUCED if abs(float(ours) - float(paper)) <= tol else NOT_REPRODUCED
    return Verdict(word, f"reproduced if |ours - {source}| <= {stated}; |{_g(ours)} - {_g(paper)}| = "
                         f"{_g(abs(float(ours) - float(paper)))}{u}")


def holds(low: float, high: float, paper: float, *, level: str = "95 %", units: str = "",
          source: str = "paper") -> Verdict:
    """``reproduced`` if the paper's value lies in our interval ``[low, high]``, else ``not reproduced``.

    ``units`` names what the interval resampled (``"patients"``, ``"segments"``): an interval must
    be at the level of the independent units, and the row says which.
    """
    _finite("holds", low, high, paper)
    if low > high:
        raise ValueError(f"holds: an interval needs low <= high, got [{low}, {high}]")
    over = f" over {units}" if units else ""
    word = REPRODUCED if low <= paper <= high else NOT_REPRODUCED
    return Verdict(word, f"reproduced if the {source}'s {_g(paper)} lies in our {level} interval{over} "
                         f"[{_g(low)}, {_g(high)}]")


def _seed_signs(per_seed) -> tuple[bool, str]:
    """Whether every seed's estimate has one strict sign, and the estimates in words."""
    values = [float(v) for v in per_seed]
    if not values:
        raise ValueError("per_seed needs at least one seed's estimate")
    _finite("per_seed", *values)
    agree = all(v > 0 for v in values) or all(v < 0 for v in values)
    return agree, ", ".join(_g(v) for v in values)


def difference(low: float, high: float, claimed_sign: int, *, what: str = "the difference",
               units: str = "", per_seed=None) -> Verdict:
    """The verdict on a claimed difference from its interval ``[low, high]``.

    ``claimed_sign`` is +1 if the paper claims the difference is positive, -1 if negative.  An
    interval that contains 0 cannot tell: ``tie``.  Entirely on the claimed side: ``reproduced``;
    entirely on the other side: ``not reproduced``.

    For a trained method give ``per_seed``, the difference of each training seed alone (the
    interval should then include the seed variance, :func:`tremorlab.learn.metrics.seed_bootstrap`):
    a difference whose sign changes between seeds is a ``tie`` whatever the interval says, since
    another seed (or another CPU) would give the other sign.
    """
    if claimed_sign not in (1, -1):
        raise ValueError(f"claimed_sign must be +1 or -1, got {claimed_sign!r}")
    _finite("difference", low, high)
    if low > high:
        raise ValueError(f"an interval needs finite low <= high, got [{low}, {high}]")
    side = "> 0" if claimed_sign > 0 else "< 0"
    over = f" over {units}" if units else ""
    rule = (f"the paper claims {what} {side}; our interval{over} [{_g(low)}, {_g(high)}]: reproduced if it "
            f"lies entirely {side}, a tie if it holds 0")
    if per_seed is not None:
        agree, listed = _seed_signs(per_seed)
        rule += f" or if the sign differs between training seeds (per seed: {listed})"
        if not agree:
            return Verdict(TIE, rule)
    if low <= 0.0 <= high:
        return Verdict(TIE, rule)
    return Verdict(REPRODUCED if (low > 0) == (claimed_sign > 0) else NOT_REPRODUCED, rule)


def all_differences(intervals: dict[str, tuple[float, float]], claimed_sign: int, *,
                    what: str = "each difference", units: str = "", show: int | None = None,
                    per_seed: dict | None = None) -> Verdict:
    """A claim over several differences at once (a ranking: "A is above B, C and D").

    ``reproduced`` if every interval lies on the claimed side, ``not reproduced`` if any lies
    entirely on the other side, else ``tie``.  The intervals should already be corrected for the
    number of comparisons where the claim is a family of tests (:func:`bonferroni_level`).
    For a long family (a spectrum's frequencies) give ``show``: the rule then counts the intervals
    on each side and names only the ``show`` least clear ones (reaching furthest to the other side).
    ``per_seed`` (name -> each training seed's difference) makes a difference whose sign changes
    between seeds a tie, as in :func:`difference`.
    """
    word, side, over, listed, words = _several(intervals, claimed_sign, units, refuted_by="any", per_seed=per_seed)
    if show is not None:
        reach = {k: (-lo if claimed_sign > 0 else hi) for k, (lo, hi) in intervals.items()}
        worst = sorted(intervals, key=lambda k: reach[k], reverse=True)[:max(0, int(show))]
        listed = (f"{words.count(REPRODUCED)} lie {side}, {words.count(TIE)} hold 0, "
                  f"{words.count(NOT_REPRODUCED)} on the other side; least clear: "
                  + "; ".join(f"{k} [{_g(intervals[k][0])}, {_g(intervals[k][1])}]" for k in worst))
        return Verdict(word, f"the paper claims {what} {side}; reproduced only if every one of the {len(intervals)} "
                             f"intervals{over} lies {side}, not reproduced if one lies on the other side, else a tie: "
                             f"{listed}")
    return Verdict(word, f"the paper claims {what} {side}; reproduced only if every interval{over} lies {side}, "
                         f"not reproduced if one lies on the other side, else a tie: {listed}")


def _several(intervals: dict[str, tuple[float, float]], claimed_sign: int, units: str, refuted_by: str,
             per_seed: dict | None = None):
    """The word over several intervals (all on the claimed side, refuted by ``any``/``all`` on the other),
    the side, the units, the listed intervals and each interval's own word."""
    if not intervals:
        raise ValueError("a verdict over several differences needs at least one interval")
    if per_seed is not None and set(per_seed) != set(intervals):
        raise ValueError(f"per_seed must name the same differences as the intervals: {sorted(per_seed)} vs "
                         f"{sorted(intervals)}")
    words = [difference(lo, hi, claimed_sign, per_seed=None if per_seed is None else per_seed[k]).word
             for k, (lo, hi) in intervals.items()]
    against = [w == NOT_REPRODUCED for w in words]
    if any(against) if refuted_by == "any" else all(against):
        word = NOT_REPRODUCED
    elif all(w == REPRODUCED for w in words):
        word = REPRODUCED
    else:
        word = TIE
    side = "> 0" if claimed_sign > 0 else "< 0"
    listed = "; ".join(f"{k} [{_g(lo)}, {_g(hi)}]" for k, (lo, hi) in intervals.items())
    if per_seed is not None:
        listed += "; a sign that changes between training seeds counts as holding 0 (per seed: " + "; ".join(
            f"{k} {_seed_signs(per_seed[k])[1]}" for k in intervals) + ")"
    return word, side, f" over {units}" if units else "", listed, words


def bonferroni_level(level: float, m: int) -> float:
    """The per-comparison confidence level that keeps the family-wise level ``level`` over ``m`` tests."""
    if not 0 < level < 1 or int(m) < 1:
        raise ValueError(f"bonferroni_level needs 0 < level < 1 and m >= 1, got {level}, {m}")
    return 1.0 - (1.0 - level) / int(m)


def holm(p_values: dict[str, float]) -> dict[str, float]:
    """Holm's step-down adjusted p-values (family-wise error), in the input's order."""
    items = list(p_values.items())
    for k, p in items:
        if not 0.0 <= float(p) <= 1.0:
            raise ValueError(f"holm: p-value of {k!r} must lie in [0, 1], got {p}")
    order = sorted(range(len(items)), key=lambda i: items[i][1])
    m, running, out = len(items), 0.0, {}
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * float(items[i][1])))
        out[items[i][0]] = running
    return {k: out[k] for k, _ in items}


def by_construction(reason: str) -> Verdict:
    """We built it to match the paper: agreement is no test (``reason`` says what was built)."""
    return Verdict(BY_CONSTRUCTION, reason)


def not_comparable(reason: str) -> Verdict:
    """The two numbers measure different things (``reason``: which cohort, data or protocol differs)."""
    return Verdict(NOT_COMPARABLE, reason)


def tally(words: Iterable[str]) -> dict[str, int]:
    """How many rows got each verdict word, in the order of :data:`WORDS`."""
    words = list(words)
    return {w: words.count(w) for w in WORDS}


def across_settings(intervals: dict[str, tuple[float, float]], claimed_sign: int, *, what: str = "the difference",
                    setting: str = "the unpublished setting", units: str = "", per_seed: dict | None = None) -> Verdict:
    """A claimed difference whose value depends on a setting the paper does not publish.

    ``intervals`` maps each value of the setting we tried (a Kalman filter's process noise, say)
    to the interval of the difference at that value.  The paper's claim was made at one value we
    do not know, so one contrary value does not refute it (unlike :func:`all_differences`):
    ``reproduced`` if every interval lies on the claimed side, ``not reproduced`` if every one lies
    on the other side, otherwise ``tie`` (the sign depends on the setting, or the uncertainty
    cannot tell).  Correct the intervals for the number of values (:func:`bonferroni_level`).
    """
    word, side, over, listed, _ = _several(intervals, claimed_sign, units, refuted_by="all", per_seed=per_seed)
    return Verdict(word, f"the paper claims {what} {side} at a value of {setting} it does not publish; reproduced "
                         f"only if our interval{over} lies {side} at every value tried, not reproduced if it lies on "
                         f"the other side at every value, else a tie: {listed}")


def over_draws(words: dict[str, str], *, what: str = "the claim") -> Verdict:
    """One verdict for a claim judged in several independent draws of the same run.

    ``words`` maps each draw (another seed: other training seeds, another data draw; or other float
    kernels) to the verdict word the claim got in that draw.  A finding must survive another draw,
    as a difference must keep its sign from one training seed to the next (``per_seed`` above): the
    claim is ``reproduced`` only if every draw reproduced it, ``not reproduced`` only if every draw
    refuted it, and a ``tie`` if the draws disagree (or every draw was a tie).  A claim no draw
    could test (``not comparable`` or ``by construction`` in every draw) keeps that word.  Raises
    ValueError without draws, for an unknown word, or for a judgment mixed with ruled words.
    """
    if not words:
        raise ValueError(f"{what}: over_draws needs the verdict of at least one draw")
    unknown = {k: w for k, w in words.items() if w not in WORDS}
    if unknown:
        raise ValueError(f"{what}: unknown verdict word(s) {unknown}; expected one of {WORDS}")
    kinds = set(words.values())
    listed = ", ".join(f"{k} {w}" for k, w in words.items())
    n = len(words)
    if not kinds <= set(RULED):
        if len(kinds) > 1:
            raise ValueError(f"{what}: a judgment ({' / '.join(sorted(kinds - set(RULED)))}) mixed with other "
                             f"verdicts between draws ({listed}); a claim is either testable in every draw or in none")
        word = kinds.pop()
        return Verdict(word, f"{word} in every one of the {n} recorded draws ({listed})")
    word = kinds.pop() if len(kinds) == 1 else TIE
    counts = ", ".join(f"{w} in {c}" for w, c in tally(words.values()).items() if c)
    return Verdict(word, f"{what} judged in each of {n} independent draws of the run ({counts}: {listed}); "
                         f"reproduced only if every draw reproduced it, not reproduced only if every draw refuted it, "
                         f"else a tie (the verdict depends on the draw)")
