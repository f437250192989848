"""Chapter 3's study module: patient-level differences, the tuning budget and the closing table's verdicts."""

import numpy as np
import pytest

from tremorlab.studies import phtnet as S

PATHS = list(S.PATHS)


def _errors(n_patients=8, per=5, phtnet=0.001, others=None, seed=0, spread=1e-4):
    """Per-window errors with a known per-patient structure; one large patient-level effect per method."""
    rng = np.random.default_rng(seed)
    groups = np.repeat(np.arange(n_patients), per)
    others = others or {}
    base = {"identity": 0.015, "low-pass (causal)": 0.01, "low-pass (zero-phase)": 0.005,
            "BMFLC": 0.013, "EBMFLC": 0.006, "WAKE": 0.0055, **others}
    errs = {k: v + spread * rng.standard_normal(groups.size) for k, v in base.items()}
    errs["PHTNet (backward)"] = phtnet + spread * rng.standard_normal(groups.size)
    errs["PHTNet (forward)"] = 2 * phtnet + spread * rng.standard_normal(groups.size)
    return errs, groups


def _rows(diffs, spectrum=None, leads=None, r2=0.95, grid=None, network=(2, 32)):
    tuned = {k: {"chosen": {"x": 1}, "tried": [({"x": 1}, 0.1)] * S.TUNING_BUDGET}
             for k in ("low-pass (causal)", "low-pass (zero-phase)", "BMFLC", "EBMFLC", "WAKE")}
    freqs = np.array([3.25, 3.5, 10.0])
    spectrum = spectrum or {"freqs": freqs, "low": -np.ones(3), "high": -0.5 * np.ones(3), "level": 0.99,
                            "n_patients": 8, "above_hz": 3.0, "share_below": 1.0}
    grid = grid or {"layers": [1, 2], "windows_s": [2.0, 4.0], "hidden": 16, "epochs": 2, "best_layers": 2,
                    "best_window_s": 2.0}
    return {r["quantity"]: r for r in S.comparisons(
        differences=diffs, n_windows=40, size_note="2 x 32", tuned=tuned, phtnet_epochs=6,
        uci={"phtnet": 0.009, "identity": 0.014, "best_other": ("WAKE", 0.015), "n_subjects": 5},
        table2={"forward": 0.002, "backward": 0.001, "forward, last sample": 0.002, "backward, first sample": 0.001},
        spectrum=spectrum, leads_ms=leads or {0.5: 1.0, 1.0: 2.0}, healthy_r2=r2, grid=grid, network=network)}


def test_differences_are_per_patient_and_bonferroni_corrected():
    errs, groups = _errors()
    d = S.patient_differences(errs, groups)
    assert d["n_patients"] == 8 and d["family"] == 10
    assert d["level"] == pytest.approx(1 - 0.05 / 10)
    assert set(d["paths"]["backward"]) == {"identity", "low-pass (zero-phase)", "BMFLC", "EBMFLC", "WAKE"}
    assert set(d["paths"]["forward"]) == {"identity", "low-pass (causal)", "BMFLC", "EBMFLC", "WAKE"}
    # the mean difference is the mean over patients of the per-patient means
    per = {k: np.array([v[groups == g].mean() for g in range(8)]) for k, v in errs.items()}
    assert d["paths"]["backward"]["BMFLC"]["mean"] == pytest.approx(np.mean(per["BMFLC"] - per["PHTNet (backward)"]))
    # replicating windows within patients does not narrow a patient-level interval
    e2 = {k: np.repeat(v, 3) for k, v in errs.items()}
    d2 = S.patient_differences(e2, np.repeat(groups, 3))
    w = lambda dd: dd["paths"]["forward"]["WAKE"]["high"] - dd["paths"]["forward"]["WAKE"]["low"]
    assert w(d2) == pytest.approx(w(d))


def test_clear_gains_are_reproduced_and_small_ones_a_tie():
    rows = _rows(S.patient_differences(*_errors()))
    for label in ("offline (backward)", "causal (forward)"):
        assert rows[f"PHTNet {label} error below BMFLC, EBMFLC and WAKE (test patients)"]["verdict"] == "reproduced"
    # WAKE as good as PHTNet (backward) give or take noise: a tie; worse on EBMFLC: not reproduced
    errs, groups = _errors(phtnet=0.001, others={"WAKE": 0.001}, spread=2e-3)
    rows = _rows(S.patient_differences(errs, groups))
    assert rows["PHTNet offline (backward) error below BMFLC, EBMFLC and WAKE (test patients)"]["verdict"] == "tie"
    errs, groups = _errors(others={"EBMFLC": 0.0001, "low-pass (zero-phase)": 0.0002})
    rows = _rows(S.patient_differences(errs, groups))
    assert rows["PHTNet offline (backward) error below BMFLC, EBMFLC and WAKE (test patients)"]["verdict"] == "not reproduced"
    base = rows["PHTNet offline (backward) error below the baselines: the input returned, a plain low-pass"]
    assert base["verdict"] == "not reproduced" and "Bonferroni" not in base["quantity"]
    assert "every interval over patients" in base["why"]


def test_spectral_rule_every_frequency():
    errs, groups = _errors()
    d = S.patient_differences(errs, groups)
    assert _rows(d)["Spectral magnitude above 3 Hz lower in the output (Fig. 7)"]["verdict"] == "reproduced"
    sp = {"freqs": np.array([3.25, 3.5]), "low": np.array([-1.0, -0.2]), "high": np.array([-0.5, 0.1]),
          "level": 0.99, "n_patients": 8, "above_hz": 3.0, "share_below": 0.5}
    row = _rows(d, spectrum=sp)["Spectral magnitude above 3 Hz lower in the output (Fig. 7)"]
    assert row["verdict"] == "tie" and "1 lie < 0, 1 hold 0" in row["why"]
    sp = {**sp, "low": np.array([-1.0, 0.1]), "high": np.array([-0.5, 0.3])}
    assert _rows(d, spectrum=sp)["Spectral magnitude above 3 Hz lower in the output (Fig. 7)"]["verdict"] == "not reproduced"


def test_spectral_reduction_on_known_spectra():
    rate, n = 100.0, 400
    t = np.arange(n) / rate
    rng = np.random.default_rng(1)
    groups = np.repeat(np.arange(12), 20)
    x = np.array([0.5 + 0.2 * np.sin(2 * np.pi * 0.5 * t) + 0.05 * (1 + g / 10) * np.sin(2 * np.pi * 5 * t)
                  + 0.02 * rng.standard_normal(n) for g in groups])
    y = np.array([0.5 + 0.2 * np.sin(2 * np.pi * 0.5 * t) + 0.001 * rng.standard_normal(n) for _ in groups])
    sp = S.spectral_reduction(x, y, groups, rate)
    assert sp["n_patients"] == 12 and np.all(sp["freqs"] > 3.0) and sp["share_below"] > 0.9
    assert sp["high"][sp["freqs"] == 5.0][0] < 0   # the tremor removed: clearly lower there
    assert sp["level"] == pytest.approx(1 - 0.05 / sp["freqs"].size)
    sp_same = S.spectral_reduction(x, x, groups, rate)
    assert sp_same["share_below"] == 0.0


def test_other_rows():
    d = S.patient_differences(*_errors())
    rows = _rows(d, leads={0.5: -0.7, 1.0: 2.0}, r2=0.737)
    assert rows["Forward output leads a pure sinusoid (Fig. 8)"]["verdict"] == "not reproduced"
    assert rows["Healthy signals pass unchanged (Fig. 11)"]["verdict"] == "not reproduced"
    assert rows["Best depth of the layer grid (Fig. 3)"]["verdict"] == "not comparable"
    assert rows["Network size"]["verdict"] == "not comparable"
    rows = _rows(d, r2=0.95, grid={"layers": [1, 2, 3, 4, 5], "windows_s": [1.0, 2.0, 3.0, 4.0, 5.0], "hidden": 400,
                                   "epochs": 10, "best_layers": 3, "best_window_s": 5.0}, network=(4, 400))
    assert rows["Healthy signals pass unchanged (Fig. 11)"]["verdict"] == "reproduced"
    assert rows["Best depth of the layer grid (Fig. 3)"]["verdict"] == "not reproduced"
    assert rows["Best window length of the window grid (Fig. 4)"]["verdict"] == "reproduced"
    assert rows["Network size"]["verdict"] == "by construction"


def test_every_comparator_gets_the_same_budget_and_the_tuning_picks_the_lowest():
    assert all(len(g) == S.TUNING_BUDGET for g in S.COMPARATOR_GRIDS.values())
    rate, n, run_in = 100.0, 300, 100
    t = np.arange(n + run_in + 1) / rate
    rng = np.random.default_rng(2)
    truth = np.array([0.5 + 0.2 * np.sin(2 * np.pi * f * t) for f in rng.uniform(0.2, 1.0, 4)])
    win = {"input": truth + 0.05 * np.sin(2 * np.pi * 6 * t), "truth": truth, "group": np.arange(4)}
    tuned = S.tune(win, run_in, rate, grids={"low-pass": S.COMPARATOR_GRIDS["low-pass"]})
    for key, t_ in tuned.items():
        assert len(t_["tried"]) == S.TUNING_BUDGET
        assert t_["chosen"] == min(t_["tried"], key=lambda s: s[1])[0]
    with pytest.raises(ValueError, match="budget"):
        S.tune(win, run_in, rate, grids={"low-pass": S.COMPARATOR_GRIDS["low-pass"][:3]})


def test_uci_split_proportions():
    sp = S.split_uci(np.arange(25), seed=0)
    assert [len(sp[k]) for k in ("train", "validation", "test")] == [15, 5, 5]
    assert sorted(np.concatenate(list(sp.values())).tolist()) == list(range(25))
