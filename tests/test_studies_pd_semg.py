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
    g = study.selection_gain(c1, c2, IS_PD, n_boot=300)
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
    g = study.selection_gain(c1, c2, IS_PD, n_boot=500)
    assert g["low"] < 0 < g["high"]
    row = next(r for r in _rows(gain=g) if r["quantity"].startswith("Gini selection"))
    assert row["verdict"] == "tie"


def test_selection_gain_clear_negative_is_not_reproduced_and_counts_reversed_pairs():
    n = GROUPS.size
    c1 = _correct(np.full(n, 0.9), np.full(n, 0.7), n)
    c2 = {c: v[IS_PD] for c, v in c1.items()}
    c2[4] = c2[4] + 0.3                          # objective 2, case 4 gains: one pair not reversed
    g = study.selection_gain(c1, c2, IS_PD, n_boot=300)
    assert g["reversed"] == 5
    assert g["gain"] == pytest.approx(100 * (5 * -0.2 + 0.1) / 6)
    assert g["high"] < 0
    row = next(r for r in _rows(gain=g) if r["quantity"].startswith("Gini selection"))
    assert row["verdict"] == "not reproduced"


def test_selection_gain_needs_objective_two_on_its_subjects():
    n = GROUPS.size
    c1 = _correct(np.full(n, 0.5), np.full(n, 0.6), n)
    with pytest.raises(ValueError):
        study.selection_gain(c1, c1, IS_PD)   # objective 2 given all subjects


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
    g = study.selection_gain(c1, {c: v[IS_PD] for c, v in c1.items()}, IS_PD, n_boot=50)
    rows = {r["quantity"]: r for r in _rows(g)}
    assert rows["features per spiral task (dataset A)"]["verdict"] == "by construction"
    assert rows["features per 'l' task (datasets B, C)"]["verdict"] == "by construction"
    std_row = rows["largest std of accuracy over repetitions"]
    assert std_row["verdict"] == "not comparable" and "test-set sizes" in std_row["why"]
    assert all(r["verdict"] in ("by construction", "not comparable", "reproduced") for r in rows.values())
    assert study.PAPER["acc_obj1_case6"].value == 96.85 and study.CHAPTER == "05-pd-semg-tablet"


# --------------------------------------------------------------------------- training seeds

def test_training_seeds_are_strided_and_need_one():
    assert study.training_seeds(500, 3) == [500, 500 + study.SEED_STRIDE, 500 + 2 * study.SEED_STRIDE]
    with pytest.raises(ValueError):
        study.training_seeds(0, 0)


def test_selection_gain_whose_sign_changes_between_seeds_is_a_tie():
    n = GROUPS.size
    # seed 1: every subject gains 30 points; seed 2: every subject loses 10; the interval over
    # subjects alone would exclude 0 for each seed
    full = np.full((n, 2), 0.5)
    sel = full + np.array([0.3, -0.1])[None, :]
    c1 = {c: (full if c <= 3 else sel).copy() for c in range(1, 7)}
    c2 = {c: v[IS_PD] for c, v in c1.items()}
    g = study.selection_gain(c1, c2, IS_PD, n_boot=300)
    assert g["per_seed"] == pytest.approx([30.0, -10.0]) and g["gain"] == pytest.approx(10.0)
    assert g["n_seeds"] == 2 and g["low"] <= -10.0 + 1e-9 and g["high"] >= 30.0 - 1e-9
    row = next(r for r in _rows(gain=g) if r["quantity"].startswith("Gini selection"))
    assert row["verdict"] == "tie" and "per seed" in row["why"]


def test_selection_gain_agreeing_seeds_keep_a_clear_gain():
    n = GROUPS.size
    full = np.full((n, 3), 0.5)
    sel = full + np.array([0.2, 0.3, 0.25])[None, :]
    c1 = {c: (full if c <= 3 else sel).copy() for c in range(1, 7)}
    g = study.selection_gain(c1, {c: v[IS_PD] for c, v in c1.items()}, IS_PD, n_boot=300)
    assert g["gain"] == pytest.approx(25.0) and 20.0 - 1e-9 <= g["low"] <= g["high"] <= 30.0 + 1e-9
    row = next(r for r in _rows(gain=g) if r["quantity"].startswith("Gini selection"))
    assert row["verdict"] == "reproduced"


def test_protocol_gap_over_seeds_says_when_the_sign_differs():
    gap = study.protocol_gap({1: {1: [80.0, 80.0]}, 2: {1: [70.0, 70.0]}},
                             {1: {1: [75.0, 85.0]}, 2: {1: [72.0, 74.0]}})
    assert gap[1]["direction"] == "differs between seeds" and gap[1]["per_seed"] == [-5.0, 5.0]
    assert gap[2]["direction"] == "higher" and gap[2]["nested_minus_paper"] == pytest.approx(3.0)


def test_setup_shift_over_seeds():
    before = [np.array([["HC", "HC"]] * 2), np.array([["HC", "HC"]] * 2)]
    after = [np.array([["PD", "HC"]] * 2), np.array([["PD", "PD"]] * 2)]
    s = study.setup_shift(before, after, np.array([True, True]), "PD", n_boot=200)
    assert s["per_seed"] == pytest.approx([50.0, 100.0]) and s["change"] == pytest.approx(75.0)
    assert s["per_subject"] == [100.0, 50.0] and s["rose"] == 2 and s["n_seeds"] == 2
    assert s["votes_before"] == 0 and s["votes_after"] == 1          # subject 2: PD in 2 of 4 predictions
    assert 0.0 <= s["low"] <= s["change"] <= s["high"] <= 100.0       # one subject in one seed: no change


class _Paper:
    def __init__(self, evaluation):
        self.predictions = None
        self.evaluation = evaluation
        self.protocol = "paper"
        self.selected = ["f"]
        self.topologies = ["2 tansig"]


def _evaluation(pred, test, y):
    from tremorlab.learn.repeated import RepeatedEvaluation, binary_metrics
    m = binary_metrics(y, pred, test, "b")
    return RepeatedEvaluation("2 tansig", labels=("a", "b"), predictions=np.asarray(pred),
                              test_mask=np.asarray(test), **m)


def test_subject_correct_counts_only_the_repetitions_that_test_a_subject():
    y = np.array(["a", "b", "b"])
    pred = np.array([["a", "a", "b"], ["b", "b", "b"]])
    test = np.array([[True, True, False], [True, False, False]])
    ev = _evaluation(pred, test, y)
    got = ev.subject_correct(y)
    assert got[0] == 0.5 and got[1] == 0.0 and np.isnan(got[2])
    both = study.subject_correct([_Paper(ev), _Nested(pred)], y)
    assert both.shape == (3, 2) and both[:, 1].tolist() == [0.5, 0.5, 1.0]


def test_pooled_summary_pools_the_repetitions_of_every_seed():
    y = np.array(["a", "b"])
    e1 = _evaluation(np.array([["a", "b"], ["a", "b"]]), np.ones((2, 2), bool), y)    # accuracy 1, 1
    e2 = _evaluation(np.array([["b", "a"], ["a", "a"]]), np.ones((2, 2), bool), y)    # accuracy 0, 0.5
    s = study.pooled_summary([_Paper(e1), _Paper(e2)])
    assert s["accuracy_mean"] == pytest.approx(0.625) and s["accuracy_per_seed"] == pytest.approx([1.0, 0.25])
    assert s["n_seeds"] == 2 and s["n_repeats"] == 2 and s["topologies"] == [["2 tansig"], ["2 tansig"]]
    assert s["selected"] == ["f", "f"]
    acc = study.accuracy_interval(np.array([[1.0, 0.0], [1.0, 0.5]]), n_boot=200)
    assert acc["estimate"] == pytest.approx(62.5) and acc["per_seed"] == pytest.approx([100.0, 25.0])
    assert acc["low"] <= acc["estimate"] <= acc["high"]
