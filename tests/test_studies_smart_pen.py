"""tremorlab.studies.smart_pen: the closing table's verdicts on constructed results known by hand."""

import numpy as np
import pytest

from tremorlab.adaptive import montecarlo as mc
from tremorlab.studies import smart_pen as sp


def summary(steady, iterations):
    return {"steady_db": steady, "steady_db_ci": [steady - 1, steady + 1], "iterations": iterations,
            "iterations_ci": [iterations - 2, iterations + 2]}


def inputs(by_q, table_gap=0.7, ratio=(1.0, 0.98, 1.02)):
    summ = {a: summary(-30.0, 2000.0) for a in sp.NAMES}
    summ["rls"], summ["kalman"] = summary(-46.2, 142.0), summary(-46.1, 141.0)
    best = {"fxlms": {"step_size": 6e-3, "steady_db": -30.8}, "fxnlms": {"step_size": 1e-2, "steady_db": -44.6},
            "fxlms_nlms": {"lms_step_size": 5e-3, "nlms_step_size": 1e-2, "steady_db": -44.0}}
    fair = {"rls": {"iterations": 127}, "kalman": {"iterations": 127}}
    table = {"constant": summary(-39.3, 26.0), "variable": summary(-39.3 + table_gap, 130.0)}
    q_sens = {"n_subjects": 8, "per_q_level": 0.99, "rls_subject_iqr_db": [-47.5, -43.8],
              "by_q": {k: {"mean": (lo + hi) / 2, "ci": [lo, hi], "n_lower": 8} for k, (lo, hi) in by_q.items()},
              "ours": {"q": 1e-5, "mean": -0.08, "ci": [-0.1, -0.06], "n_lower": 8}}
    return summ, best, fair, table, q_sens, ratio, 30


def rows(**kw):
    return {r["quantity"]: r for r in sp.comparisons(*inputs(**kw))}


LOWEST = "algorithm with the lowest steady-state MSE"


@pytest.mark.parametrize("by_q, word", [
    ({"1e-05": (-0.1, -0.06), "0.1": (-2.9, -2.7)}, "reproduced"),       # RLS lower at every q
    ({"1e-09": (-0.004, 0.004), "1e-05": (-0.1, -0.06)}, "tie"),         # undecided at a small q
    ({"1e-09": (0.01, 0.02), "1e-05": (-0.1, -0.06)}, "tie"),            # the sign depends on q
    ({"1e-09": (0.01, 0.02), "1e-05": (0.05, 0.1)}, "not reproduced"),   # Kalman lower at every q
])
def test_lowest_mse_is_judged_over_the_unpublished_process_noise(by_q, word):
    r = rows(by_q=by_q)[LOWEST]
    assert r["verdict"] == word
    assert "subjects" in r["why"] and "q=1e-05 [" in r["why"]


def test_the_why_follows_the_numbers():
    a = rows(by_q={"1e-05": (-0.1, -0.06)}, table_gap=0.7)
    b = rows(by_q={"1e-05": (-0.1, -0.06)}, table_gap=-1.5)
    gap = "shaking table, variable minus constant speed MSE"
    assert "loses 0.70 dB" in a[gap]["why"] and "gains 1.50 dB" in b[gap]["why"]
    assert a[gap]["verdict"] == b[gap]["verdict"] == "not reproduced"
    assert "12 times the paper's" in a["Fx-LMS step size from the grid"]["why"]
    assert "26 iterations" in a["shaking table, constant speed: iterations to steady state"]["why"]


def test_table_gap_within_tolerance_is_reproduced():
    assert rows(by_q={"1e-05": (-0.1, -0.06)}, table_gap=10.0)[
        "shaking table, variable minus constant speed MSE"]["verdict"] == "reproduced"


@pytest.mark.parametrize("ratio, word", [((1.0, 0.98, 1.02), "not reproduced"), ((7.5, 6.0, 9.0), "reproduced")])
def test_speedup_row(ratio, word):
    assert rows(by_q={"1e-05": (-0.1, -0.06)}, ratio=ratio)["iterations to converge, RLS / Kalman"]["verdict"] == word


def test_paper_numbers_are_cited():
    assert sp.PAPER["kalman_speedup"].value == 8.0 and "Fig. 4" in sp.PAPER["kalman_speedup"].source
    assert sp.PAPER["table_constant_db"].value == -37.0 and sp.PAPER["table_variable_db"].value == -26.0


def test_noise_floor_is_the_noise_over_the_disturbance():
    setup = mc.Setup(noise_std=0.1, primary_path=np.array([1.0]))
    x = np.random.default_rng(0).standard_normal((2, 4000))
    x /= x.std(axis=1, keepdims=True)
    tail_power = np.mean(x[:, 3000:] ** 2)  # d = x here; the floor is over the last quarter
    assert sp.noise_floor_db(x, setup) == pytest.approx(10 * np.log10(0.01 / (tail_power + 0.01)), abs=1e-9)


def test_the_pen_sessions_rows_are_judgments_with_the_papers_numbers():
    virtual = {"shaking-table-constant": {"kalman": {"MSE (dB)": -43.24, "attenuation (dB)": -20.0},
                                          "motor off": {"MSE (dB)": -20.0, "attenuation (dB)": 0.0}}}
    rows = sp.session_comparisons(virtual, floor_db=-46.3, seconds_virtual=20, frames_lost=3)
    assert [r["verdict"] for r in rows] == ["not comparable"] * 3
    assert rows[0]["paper"] == -37.0 and rows[0]["ours"] == -43.2 and "lowers the tremor band by 20.0 dB" in rows[0]["why"]
    assert rows[1]["paper"] == -26.0 and rows[1]["ours"] is None and "not run" in rows[1]["why"]
    assert rows[2]["ours"] == 3
