"""Chapter 5's study module: its experiments and closing rows on constructed results whose answer is known."""

import numpy as np
import pytest

from tremorlab.studies import pd_semg as study

GROUPS = np.array(["healthy"] * 4 + ["mild"] * 3 + ["moderate"] * 3)
IS_PD = GROUPS != "healthy"


class _Nested:
    def __init__(self, predictions):
        self.predictions = np.asarray(predictions)


def _correct(value_full, value_sel, n):
    """Per-subject shares correct: cases 1-3 at ``value_full``, 4-6 at ``value_sel`` (arrays of length n)."""
    return {c: np.broadcast_to(np.asarray(value_full if c <= 3 else value_sel, dtype=float), (n,)).copy()
            for c in range(1, 7)}


def test_per_subject_correct_and_vote():
    y = np.array(["a", "b", "b"])
    pred = np.array([["a", "b", "a"], ["a", "a", "a"], ["b", "b", "a"], ["a", "b", "b"]])
    assert study.per_subject_correct(_Nested(pred), y).tolist() == [0.75, 0.75, 0.25]
    assert study.majority_vote(pred).tolist() == ["a", "b", "a"]
    acc, lo, hi = study.vote_accuracy(y, study.majority_vote(pred), n_boot=200)
    assert acc == pytest.approx(2 / 3) and lo <= acc <= hi


def test_selection_gain_clear_positive_is_reproduced():
    rng = np.random.default_rng(0)
    n = GROUPS.size
    full = rng.uniform(0.4, 0.6, n)
    c1 = _correct(full, full + 0.3, n)          # every subject gains 30 points
    c2 = {c: v[IS_PD] for c, v in c1.items()}
    g = study.selection_gain(c1, c2, GROUPS, IS_PD, n_boot=300)
    assert g["gain"] == pytest.approx(30.0) and g["reversed"] == 0
    assert g["low"] == pytest.approx(30.0) and g["high"] == pytest.approx(30.0)
    rows = _rows(gain=g)
    row = next(r for r in rows if r["quantity"].startswith("Gini selection"))
    assert row["verdict"] == "reproduced"


def test_selection_gain_that_cancels_over_subjects_is_a_tie():
    n = GROUPS.size
    # half the subjects of each group gain 40 points, the other half lose 40: mean 0, wide interval
    d = np.array([0.4, -0.4, 0.4, -0.4, 0.4, -0.4, 0.4, 0.4, -0.4, 0.4])
    d = d - d.mean()
    c1 = _correct(np.full(n, 0.5), 0.5 + d, n)
    c2 = {c: v[IS_PD] for c, v in c1.items()}
    g = study.selection_gain(c1, c2, GROUPS, IS_PD, n_boot=500)
    assert g["low"] < 0 < g["high"]
    row = next(r for r in _rows(gain=g) if r["quantity"].startswith("Gini selection"))
    assert row["verdict"] == "tie"


def test_selection_gain_clear_negative_is_not_reproduced_and_counts_reversed_pairs():
    n = GROUPS.size
    c1 = _correct(np.full(n, 0.9), np.full(n, 0.7), n)
    c2 = {c: v[IS_PD] for c, v in c1.items()}
    c2[4] = c2[4] + 0.3                          # objective 2, case 4 gains: one pair not reversed
    g = study.selection_gain(c1, c2, GROUPS, IS_PD, n_boot=300)
    assert g["reversed"] == 5
    assert g["gain"] == pytest.approx(100 * (5 * -0.2 + 0.1) / 6)
    assert g["high"] < 0
    row = next(r for r in _rows(gain=g) if r["quantity"].startswith("Gini selection"))
    assert row["verdict"] == "not reproduced"


def test_selection_gain_needs_objective_two_on_its_subjects():
    n = GROUPS.size
    c1 = _correct(np.full(n, 0.5), np.full(n, 0.6), n)
    with pytest.raises(ValueError):
        study.selection_gain(c1, c1, GROUPS, IS_PD)   # objective 2 given all subjects


def test_protocol_gap_direction_follows_the_numbers():
    gap = study.protocol_gap({1: {1: 80.0, 2: 90.0}, 2: {1: 60.0, 2: 70.0}},
                             {1: {1: 70.0, 2: 85.0}, 2: {1: 75.0, 2: 65.0}})
    assert gap[1]["direction"] == "lower" and gap[1]["nested_minus_paper"] == pytest.approx(-7.5)
    assert gap[2]["direction"] == "higher" and gap[2]["cases_nested_higher"] == 1
    with pytest.raises(ValueError, match="different cases"):
        study.protocol_gap({1: {1: 80.0}}, {1: {2: 80.0}})


def test_setup_shift_counts_and_interval():
    y_pos = "PD"
    before = np.array([["HC", "HC", "PD", "HC"]] * 4)          # 4 repetitions, 4 subjects
    after = np.array([["PD", "HC", "PD", "HC"], ["PD", "PD", "PD", "HC"], ["PD", "PD", "PD", "HC"],
                      ["PD", "PD", "PD", "HC"]])
    moved = np.array([True, True, True, False])
    s = study.setup_shift(before, after, moved, y_pos, n_boot=300)
    assert s["n"] == 3 and s["rose"] == 2 and s["same"] == 1 and s["fell"] == 0
    assert s["per_subject"] == [100.0, 75.0, 0.0]
    assert s["change"] == pytest.approx(175 / 3)
    assert s["votes_before"] == 1 and s["votes_after"] == 3
    assert 0.0 <= s["low"] <= s["change"] <= s["high"] <= 100.0


def _rows(gain):
    gap = study.protocol_gap({1: {1: 80.0}, 2: {1: 70.0}}, {1: {1: 75.0}, 2: {1: 72.0}})
    shift = study.setup_shift(np.array([["HC"]]), np.array([["PD"]]), np.array([True]), "PD", n_boot=10)
    return study.comparisons(n_spiral=41, n_letters=43, acc_obj1_case6=81.0, acc_obj2_case4=73.0,
                             all_acc=[60.0, 90.0], max_std=0.31, gain=gain, paper_gain=5.6, nested_obj1_case6=76.0,
                             gap=gap, uci_acc=92.5, shift=shift, n_repeats=30, preset="quick")


def test_rows_words_that_are_judgments():
    n = GROUPS.size
    c1 = _correct(np.full(n, 0.5), np.full(n, 0.6), n)
    g = study.selection_gain(c1, {c: v[IS_PD] for c, v in c1.items()}, GROUPS, IS_PD, n_boot=50)
    rows = {r["quantity"]: r for r in _rows(g)}
    assert rows["features per spiral task (dataset A)"]["verdict"] == "by construction"
    assert rows["features per 'l' task (datasets B, C)"]["verdict"] == "by construction"
    std_row = rows["largest std of accuracy over repetitions"]
    assert std_row["verdict"] == "not comparable" and "test-set sizes" in std_row["why"]
    assert all(r["verdict"] in ("by construction", "not comparable", "reproduced") for r in rows.values())
    assert study.PAPER["acc_obj1_case6"].value == 96.85 and study.CHAPTER == "05-pd-semg-tablet"
