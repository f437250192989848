"""The verdict rules on constructed cases whose verdict is known by hand, and the row contract."""

import pytest

from tremorlab import report, verdicts as V


@pytest.mark.parametrize("low,high,sign,word", [
    (-0.2, -0.05, -1, "reproduced"), (-0.2, 0.05, -1, "tie"), (0.05, 0.2, -1, "not reproduced"),
    (0.05, 0.2, 1, "reproduced"), (0.0, 0.2, 1, "tie"), (-0.3, -0.1, 1, "not reproduced")])
def test_difference(low, high, sign, word):
    v = V.difference(low, high, sign, what="A minus B", units="subjects")
    assert v.word == word
    assert "A minus B" in v.rule and "subjects" in v.rule and f"[{low:.4g}, {high:.4g}]" in v.rule


def test_difference_refuses_nonsense():
    with pytest.raises(ValueError, match="claimed_sign"):
        V.difference(-1, 1, 0)
    with pytest.raises(ValueError, match="low <= high"):
        V.difference(1, -1, 1)
    with pytest.raises(ValueError, match="finite"):
        V.difference(float("nan"), 1, 1)


@pytest.mark.parametrize("ours,paper,kw,word", [
    (143.5, 142, dict(abs_tol=2), "reproduced"), (144.5, 142, dict(abs_tol=2), "not reproduced"),
    (140.0, 142, dict(abs_tol=2), "reproduced"),  # the edge belongs to the tolerance
    (2.26, 2.20, dict(rel_tol=0.02), "not reproduced"),  # 0.06 > 2 % of 2.20 = 0.044
    (2.23, 2.20, dict(rel_tol=0.02), "reproduced"), (-36.0, -37.0, dict(rel_tol=0.05), "reproduced")])
def test_within(ours, paper, kw, word):
    v = V.within(ours, paper, unit="Hz", **kw)
    assert v.word == word and "reproduced if |ours - paper| <=" in v.rule


def test_within_needs_one_tolerance():
    with pytest.raises(ValueError, match="exactly one"):
        V.within(1, 1)
    with pytest.raises(ValueError, match="exactly one"):
        V.within(1, 1, abs_tol=1, rel_tol=0.1)
    with pytest.raises(ValueError, match=">= 0"):
        V.within(1, 1, abs_tol=-1)


@pytest.mark.parametrize("low,high,paper,word", [
    (0.80, 0.88, 0.84, "reproduced"), (0.80, 0.83, 0.84, "not reproduced"), (0.84, 0.9, 0.84, "reproduced")])
def test_holds(low, high, paper, word):
    v = V.holds(low, high, paper, units="segments")
    assert v.word == word and "over segments" in v.rule


def test_all_differences_is_a_ranking():
    assert V.all_differences({"B": (0.1, 0.3), "C": (0.2, 0.5)}, +1).word == "reproduced"
    assert V.all_differences({"B": (0.1, 0.3), "C": (-0.2, 0.5)}, +1).word == "tie"
    # one comparator clearly better than the claimed winner: the ranking is refuted
    assert V.all_differences({"B": (0.1, 0.3), "C": (-0.2, 0.5), "D": (-0.4, -0.1)}, +1).word == "not reproduced"
    with pytest.raises(ValueError):
        V.all_differences({}, 1)


def test_bonferroni_and_holm_by_hand():
    assert V.bonferroni_level(0.95, 4) == pytest.approx(0.9875)
    # Holm on (0.01, 0.04, 0.03): sorted 0.01*3=0.03, 0.03*2=0.06, max(0.06, 0.04*1)=0.06
    assert V.holm({"a": 0.01, "b": 0.04, "c": 0.03}) == pytest.approx({"a": 0.03, "b": 0.06, "c": 0.06})
    assert V.holm({"a": 0.9, "b": 0.8}) == pytest.approx({"a": 1.0, "b": 1.0})
    with pytest.raises(ValueError):
        V.holm({"a": 1.5})


def test_a_row_takes_its_verdict_from_a_rule_and_states_it():
    row = report.comparison("rate", 142, 143.5, "Hz", V.within(143.5, 142, abs_tol=2, unit="Hz"), "from the stamps")
    assert row["verdict"] == "reproduced"
    assert row["why"].startswith("from the stamps. Rule: reproduced if |ours - paper| <= 2 Hz")


@pytest.mark.parametrize("word", ["reproduced", "not reproduced", "tie"])
def test_a_typed_ruled_word_is_refused(word):
    with pytest.raises(report.MetricsError, match="must come from a rule"):
        report.comparison("q", 1, 1, "", word, "because")


def test_judgments_need_a_reason():
    assert report.comparison("q", 1, 1, "", "not comparable", "other cohort")["verdict"] == "not comparable"
    assert report.comparison("q", 1, 1, "", V.by_construction("built to the count"), "")["why"] == "built to the count"
    with pytest.raises(report.MetricsError, match="must say why"):
        report.comparison("q", 1, 1, "", "by construction", " ")
    with pytest.raises(ValueError, match="rule or reason"):
        V.not_comparable("")


def test_tally():
    assert V.tally(["tie", "tie", "reproduced"]) == {"reproduced": 1, "not reproduced": 0, "tie": 2,
                                                     "by construction": 0, "not comparable": 0}


def test_the_rule_names_the_source_of_the_reference_number():
    assert "the issue's 0.84 lies in" in V.holds(0.8, 0.9, 0.84, source="issue").rule
    assert "|ours - README|" in V.within(1.0, 1.0, abs_tol=0.1, source="README").rule
    assert "the paper's 0.84" in V.holds(0.8, 0.9, 0.84).rule


@pytest.mark.parametrize("intervals, word", [
    ({"a": (-2, -1), "b": (-3, -0.5)}, "reproduced"),
    ({"a": (1, 2), "b": (0.5, 3)}, "not reproduced"),
    ({"a": (-2, -1), "b": (0.5, 3)}, "tie"),        # the sign depends on the setting
    ({"a": (-2, -1), "b": (-0.5, 0.5)}, "tie"),     # one setting cannot tell
])
def test_across_settings(intervals, word):
    v = V.across_settings(intervals, -1, what="RLS minus Kalman", setting="q")
    assert v.word == word and "q" in v.rule and "a [" in v.rule
    with pytest.raises(ValueError):
        V.across_settings({}, -1)


def test_all_differences_summarised_has_the_same_word_and_a_short_rule():
    import numpy as np

    rng = np.random.default_rng(3)
    for _ in range(200):
        lows = rng.normal(-1, 1, size=40)
        iv = {f"{i} Hz": (lo, lo + rng.uniform(0, 2)) for i, lo in enumerate(lows)}
        for sign in (1, -1):
            assert V.all_differences(iv, sign, show=3).word == V.all_differences(iv, sign).word
    iv = {"3 Hz": (-0.5, 0.1), "4 Hz": (-2.0, -1.0), "5 Hz": (-3.0, -0.2)}
    v = V.all_differences(iv, -1, what="output - input", units="patients", show=2)
    assert v.word == "tie"
    assert "2 lie < 0, 1 hold 0, 0 on the other side" in v.rule
    assert "least clear: 3 Hz [-0.5, 0.1]; 5 Hz [-3, -0.2]" in v.rule and "4 Hz" not in v.rule.split("least clear")[1]
    assert V.all_differences({"a": (-2, -1)}, -1, show=3).word == "reproduced"
    assert V.all_differences({"a": (-2, -1), "b": (0.5, 1)}, -1, show=3).word == "not reproduced"


@pytest.mark.parametrize("low,high,per_seed,word", [
    (0.05, 0.2, [0.1, 0.15, 0.02], "reproduced"),    # every seed on the claimed side
    (0.05, 0.2, [0.1, 0.15, -0.02], "tie"),          # one seed of the other sign: a tie whatever the interval
    (-0.3, -0.1, [-0.2, 0.01], "tie"),
    (-0.3, -0.1, [-0.2, -0.1], "not reproduced"),
    (-0.1, 0.2, [0.1, 0.2], "tie"),                  # the interval holds 0
    (0.05, 0.2, [0.1, 0.0], "tie")])                 # a seed at exactly 0 has no sign
def test_difference_with_seeds(low, high, per_seed, word):
    v = V.difference(low, high, +1, what="A minus B", units="patients and seeds", per_seed=per_seed)
    assert v.word == word
    assert "per seed: " in v.rule and f"{per_seed[0]:.4g}" in v.rule


def test_all_differences_with_seeds():
    iv = {"B": (1.0, 3.0), "C": (0.5, 2.0)}
    assert V.all_differences(iv, +1, per_seed={"B": [2, 2.5], "C": [1, 1.5]}).word == "reproduced"
    v = V.all_differences(iv, +1, per_seed={"B": [2, 2.5], "C": [1, -0.5]})
    assert v.word == "tie" and "C 1, -0.5" in v.rule
    with pytest.raises(ValueError, match="same differences"):
        V.all_differences(iv, +1, per_seed={"B": [2, 2.5]})
    with pytest.raises(ValueError, match="finite"):
        V.difference(0.1, 0.2, 1, per_seed=[float("nan")])
    # without seeds the rule text is what it was
    assert "per seed" not in V.all_differences(iv, +1).rule


@pytest.mark.parametrize("words,word", [
    (["reproduced"] * 4, "reproduced"),
    (["not reproduced"] * 3, "not reproduced"),
    (["tie", "tie"], "tie"),
    (["reproduced", "tie", "reproduced"], "tie"),             # one draw could not tell: not a finding
    (["reproduced", "not reproduced"], "tie"),                # the draws contradict each other
    (["not reproduced", "tie"], "tie"),
    (["not comparable"] * 2, "not comparable"),               # no draw tests it: the judgment stays
    (["by construction"], "by construction"),
])
def test_over_draws_a_finding_must_hold_in_every_draw(words, word):
    v = V.over_draws({f"seed {100 * i}": w for i, w in enumerate(words)}, what="PHTNet lowest")
    assert v.word == word
    assert "seed 0" in v.rule and f"seed {100 * (len(words) - 1)}" in v.rule
    if word in V.RULED:
        assert "PHTNet lowest" in v.rule and f"{len(words)} independent draws" in v.rule


def test_over_draws_refuses_nonsense():
    with pytest.raises(ValueError, match="at least one draw"):
        V.over_draws({})
    with pytest.raises(ValueError, match="unknown verdict"):
        V.over_draws({"a": "maybe"})
    with pytest.raises(ValueError, match="mixed"):
        V.over_draws({"a": "not comparable", "b": "tie"})
