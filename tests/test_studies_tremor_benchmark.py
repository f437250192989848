"""Chapter 6's closing table and claims on constructed results whose verdicts are known by hand."""

from tremorlab.studies import tremor_benchmark as S


def stats(tim_rho=(0.836, 0.766, 0.875), tim_auc=(0.958, 0.923, 0.983), wild_rho=(0.333, 0.244, 0.407),
          wild_auc=(0.706, 0.653, 0.755)):
    return {"tim_tremor": {"band power": {"rho": tim_rho, "auc": tim_auc}, "BMFLC": {"rho": (0.9, 0.8, 0.95)}},
            "imu_wild": {"band power": {"rho": wild_rho, "auc": wild_auc}, "BMFLC": {"rho": (0.2, 0.1, 0.3)}}}


SEV = {"tim_tremor": {"rho": (0.855, 0.8, 0.9)}, "imu_wild": {"rho": (0.43, 0.4, 0.46)}}


def test_intervals_that_hold_the_issues_figures_reproduce():
    rows = S.comparisons(stats(), SEV, "quick")
    assert [r["verdict"] for r in rows] == ["reproduced"] * 4 + ["not comparable"]
    assert all("issue #19" in r["why"] and "over segments" in r["why"] and "not a paper" in r["why"] for r in rows[:4])
    assert rows[0]["paper"] == 0.84 and rows[0]["ours"] == 0.836
    assert "seeded subset" in rows[0]["why"]
    assert "model CV rho 0.855 / 0.430" == rows[4]["ours"]


def test_an_interval_that_misses_the_figure_does_not():
    rows = S.comparisons(stats(tim_auc=(0.93, 0.90, 0.96), wild_rho=(0.40, 0.32, 0.46)), SEV, "paper")
    words = {r["quantity"]: r["verdict"] for r in rows}
    assert words["AUC tremor vs none, band power, TIM-Tremor"] == "not reproduced"        # 0.97 > 0.96
    assert words["Spearman rho, 3-12 Hz band power vs severity, IMU-Wild"] == "not reproduced"  # 0.31 < 0.32
    assert words["Spearman rho, 3-12 Hz band power vs severity, TIM-Tremor"] == "reproduced"
    assert "every window" in rows[0]["why"]


def test_beats_band_power_needs_both_metrics_disjoint_and_above():
    def v(model, bp, disjoint):
        return {"model": model, "band_power": bp, "disjoint": disjoint}
    versus = {"tim_tremor:rho": v((0.88, 0.85, 0.90), (0.84, 0.80, 0.87), False),   # overlapping
              "tim_tremor:auc": v((0.99, 0.98, 0.99), (0.95, 0.92, 0.97), True),
              "imu_wild:rho": v((0.50, 0.47, 0.53), (0.31, 0.28, 0.34), True),
              "imu_wild:auc": v((0.82, 0.81, 0.84), (0.69, 0.66, 0.71), True)}
    assert S.beats_band_power(versus, ["tim_tremor", "imu_wild"]) == {"tim_tremor": False, "imu_wild": True}
    # disjoint but below: no
    versus["imu_wild:auc"] = v((0.60, 0.58, 0.62), (0.69, 0.66, 0.71), True)
    assert S.beats_band_power(versus, ["imu_wild"]) == {"imu_wild": False}


def test_best_single_estimator():
    assert S.best_single_estimator(stats(), ["band power", "BMFLC"]) == {"tim_tremor": "BMFLC", "imu_wild": "band power"}


def test_the_figures_are_cited_as_the_issues():
    assert all("issue #19" in S.PAPER[k].source for k in ("tim_tremor_rho", "tim_tremor_auc", "imu_wild_rho", "imu_wild_auc"))
