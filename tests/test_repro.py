"""The cross-machine promise: a re-executed chapter's metrics against the committed reference."""

import json

import pytest

from tremorlab import repro, report
from tremorlab.report import comparison


def record(acc=0.5, n=64, verdict="not comparable", ours=0.5, extra=None):
    metrics = {"models": {"etsdnet": {"accuracy": acc, "n_test": n}}, "auc": [0.7, 0.8], "label": "x"}
    metrics.update(extra or {})
    return {"chapter": "toy", "preset": "quick", "metrics": metrics,
            "comparisons": [comparison("accuracy", 88.4, ours, "%", verdict, "phantom")]}


def test_flatten_names_nested_items_lists_and_rows():
    flat = repro.flatten(record())
    assert flat["metrics.models.etsdnet.accuracy"] == 0.5
    assert flat["metrics.auc[1]"] == 0.8
    assert flat["comparisons[accuracy].verdict"] == "not comparable"
    assert flat["comparisons[accuracy].paper"] == 88.4


def test_identical_records_pass_and_float_noise_passes():
    assert repro.compare(record(), record(), []) == []
    assert repro.compare(record(acc=0.5), record(acc=0.5 + 1e-12), []) == []


def test_a_visible_move_without_a_tolerance_fails_naming_everything():
    problems = repro.compare(record(acc=0.5), record(acc=0.47), [], chapter="01-x")
    assert len(problems) == 1
    p = problems[0]
    assert p.startswith("01-x: metrics.models.etsdnet.accuracy") and "0.5" in p and "0.47" in p
    assert "tolerance" in p and "float noise" in p


def test_a_measured_tolerance_admits_its_move_and_no_more():
    tol = [repro.Tolerance("metrics.models.*.accuracy", abs=0.04, measured="seeds 1, 2")]
    assert repro.compare(record(acc=0.5), record(acc=0.46), tol) == []
    (p,) = repro.compare(record(acc=0.5), record(acc=0.45), tol)
    assert "abs 0.04" in p and "seeds 1, 2" in p and "0.45" in p


def test_relative_tolerance():
    tol = [repro.Tolerance("metrics.auc*", rel=0.1)]
    assert repro.compare(record(), record(extra={"auc": [0.75, 0.85]}), tol) == []
    assert len(repro.compare(record(), record(extra={"auc": [0.6, 0.8]}), tol)) == 1


def test_integers_strings_and_verdicts_are_exact():
    assert len(repro.compare(record(n=64), record(n=63), [])) == 1
    assert len(repro.compare(record(), record(extra={"label": "y"}), [])) == 1
    (p,) = repro.compare(record(verdict="not comparable"), record(verdict="by construction"), [])
    assert "verdict" in p and "must be equal" in p


def test_missing_and_new_quantities_fail():
    ref, new = record(), record()
    del new["metrics"]["auc"]
    new["metrics"]["extra"] = 1.0
    problems = repro.compare(ref, new, [])
    assert any("metrics.auc[0]: in the reference" in p for p in problems)
    assert any("metrics.extra: new in the re-executed run" in p for p in problems)


def test_nan_never_matches():
    assert len(repro.compare(record(acc=float("nan")), record(acc=float("nan")), [repro.Tolerance("*", abs=1)])) == 1


def test_first_matching_pattern_wins():
    tols = [repro.Tolerance("metrics.models.etsdnet.*", abs=0.1), repro.Tolerance("metrics.*", abs=0.0)]
    assert repro.tolerance_for("metrics.models.etsdnet.accuracy", tols).abs == 0.1
    assert repro.tolerance_for("metrics.auc[0]", tols).abs == 0.0
    assert repro.tolerance_for("comparisons[x].ours", tols) is repro.DEFAULT


def test_tolerance_file_is_read_and_checked(tmp_path):
    (tmp_path / "toy.toml").write_text('[[quantity]]\npattern = "metrics.auc*"\nabs = 0.02\nmeasured = "kernels"\n')
    (tol,) = repro.load_tolerances("toy", tmp_path)
    assert tol == repro.Tolerance("metrics.auc*", 0.02, 0.0, "kernels")
    (tmp_path / "toy.toml").write_text('[[quantity]]\npattern = "a"\nabsolute = 1\n')
    with pytest.raises(ValueError, match="toy.toml.*absolute"):
        repro.load_tolerances("toy", tmp_path)
    (tmp_path / "toy.toml").write_text('[[quantity]]\npattern = "a"\nabs = -1\n')
    with pytest.raises(ValueError, match=">= 0"):
        repro.load_tolerances("toy", tmp_path)


def test_check_record_skips_missing_reference_and_other_presets(tmp_path):
    repro.check_record(record(acc=0.1), reference=tmp_path / "none.json", tolerances=[])
    ref = tmp_path / "toy.json"
    other = record()
    other["preset"] = "paper"
    ref.write_text(json.dumps(other))
    repro.check_record(record(acc=0.1), reference=ref, tolerances=[])
    ref.write_text(json.dumps(record()))
    with pytest.raises(repro.ReproducibilityError, match=r"(?s)1 quantity of toy left its tolerance.*accuracy: reference 0.5"):
        repro.check_record(record(acc=0.1), reference=ref, tolerances=[])


def test_save_metrics_checks_when_asked(tmp_path, monkeypatch):
    monkeypatch.setattr(repro, "REFERENCE_DIR", tmp_path / "ref")
    monkeypatch.setattr(repro, "TOLERANCE_DIR", tmp_path / "tol")
    monkeypatch.setenv("TREMORLAB_RUN_DIR", str(tmp_path / "run"))
    (tmp_path / "run").mkdir()
    ref = record()
    repro.write_reference("toy", _write(tmp_path / "m.json", ref))
    args = ("toy", "quick", ref["metrics"], ref["comparisons"])
    monkeypatch.delenv(repro.CHECK_ENV, raising=False)
    report.save_metrics("toy", "quick", {**ref["metrics"], "label": "moved"}, ref["comparisons"])  # not asked
    monkeypatch.setenv(repro.CHECK_ENV, "1")
    report.save_metrics(*args)
    with pytest.raises(repro.ReproducibilityError, match="metrics.label: reference 'x', re-executed 'moved'"):
        report.save_metrics("toy", "quick", {**ref["metrics"], "label": "moved"}, ref["comparisons"])


def _write(path, data):
    path.write_text(json.dumps(data))
    return path


def test_proposed_tolerances_admit_the_measured_runs_and_reject_a_larger_move(tmp_path):
    ref = record(acc=0.50, ours=50.0)
    runs = {"aten-default": record(acc=0.46, ours=46.0), "seed-1": record(acc=0.53, ours=53.0)}
    moves = repro.spread(ref, runs)
    assert moves["metrics.models.etsdnet.accuracy"]["move"] == pytest.approx(0.04)
    assert moves["metrics.models.etsdnet.accuracy"]["run"] == "aten-default"
    assert set(moves) == {"metrics.models.etsdnet.accuracy", "comparisons[accuracy].ours"}
    (tmp_path / "toy.toml").write_text(repro.propose_tolerances(moves, factor=1.5))
    tols = repro.load_tolerances("toy", tmp_path)
    assert repro.tolerance_for("comparisons[accuracy].ours", tols).abs == pytest.approx(6.0)
    for r in runs.values():
        assert repro.compare(ref, r, tols) == []
    assert len(repro.compare(ref, record(acc=0.40, ours=50.0), tols)) == 1


def test_round_up_keeps_two_digits():
    assert repro._round_up(0.0123) == pytest.approx(0.013)
    assert repro._round_up(4.01) == pytest.approx(4.1)
    assert repro._round_up(0) == 0.0


def test_a_group_shares_the_largest_move_of_its_members(tmp_path):
    ref = record(extra={"cases": {"1": {"acc": 0.8}, "2": {"acc": 0.9}}})
    moved = record(extra={"cases": {"1": {"acc": 0.78}, "2": {"acc": 0.9}}})
    moves = repro.spread(ref, {"portable": moved})
    (tmp_path / "toy.toml").write_text(repro.propose_tolerances(moves, groups=["metrics.cases.*.acc"], factor=1.0))
    tols = repro.load_tolerances("toy", tmp_path)
    assert len(tols) == 1 and tols[0].abs == pytest.approx(0.02)
    # another machine moves the other case by less than the largest move: inside
    assert repro.compare(ref, record(extra={"cases": {"1": {"acc": 0.8}, "2": {"acc": 0.915}}}), tols) == []


def test_ignored_quantities_must_exist_but_are_not_compared(tmp_path):
    tols = [repro.Tolerance("metrics.timing_s", ignore=True, measured="wall clock")]
    ref, new = record(extra={"timing_s": 1.0}), record(extra={"timing_s": 9.0})
    assert repro.compare(ref, new, tols) == []
    del new["metrics"]["timing_s"]
    assert len(repro.compare(ref, new, tols)) == 1
    (tmp_path / "toy.toml").write_text('[[quantity]]\npattern = "metrics.t*"\nignore = true\n')
    with pytest.raises(ValueError, match="needs a reason"):
        repro.load_tolerances("toy", tmp_path)


def test_changes_lists_verdicts_and_texts_that_differ_between_runs(tmp_path):
    ref = record(extra={"choice": "2x32"})
    same = record(extra={"choice": "2x32"})
    other = record(extra={"choice": "1x16"})
    other["comparisons"][0]["verdict"] = "tie"
    changed = repro.changes(ref, {"seed-100": same, "seed-200": other})
    assert set(changed) == {"metrics.choice", "comparisons[accuracy].verdict"}
    assert changed["metrics.choice"] == {"reference": "2x32", "seed-200": "1x16"}
    text = repro.propose_tolerances({}, changed=changed)
    assert "comparisons[accuracy].verdict" in text and "'tie'" in text
    (tmp_path / "toy.toml").write_text(text)
    assert repro.load_tolerances("toy", tmp_path) == []  # listed as comments only
    # a numeric move is a spread, not a change
    assert repro.changes(ref, {"x": record(acc=0.5, extra={"choice": "2x32"})}) == {}


def _run_folder(tmp_path, name, seed, verdict, extra_rows=()):
    """A finished run folder: metrics.json with a judged row and a judgment, provenance.json."""
    from tremorlab import verdicts
    folder = tmp_path / name
    folder.mkdir()
    word_to_interval = {"reproduced": (0.1, 0.3), "tie": (-0.1, 0.3), "not reproduced": (-0.3, -0.1)}
    lo, hi = word_to_interval[verdict]
    rows = [comparison("PHTNet lowest", "lowest", 0.2, "MSE", verdicts.difference(lo, hi, +1), "phantom"),
            comparison("network size", "4 x 400", "2 x 32", "", "not comparable", "small network"), *extra_rows]
    (folder / "metrics.json").write_text(json.dumps({"chapter": "toy", "preset": "quick", "metrics": {}, "comparisons": rows}))
    (folder / "provenance.json").write_text(json.dumps({"parameters": {"seed": seed}, "kernel_choice": {"NUMBA_CPU_NAME": "generic"},
                                                        "git": {"commit": "abc", "dirty": False}, "wall_time_s": 12.0}))
    return folder


def test_verdict_record_judges_each_claim_over_the_draws(tmp_path):
    runs = {"seed 0": _run_folder(tmp_path, "a", 0, "tie"), "seed 100": _run_folder(tmp_path, "b", 100, "reproduced")}
    path = repro.write_verdict_record(tmp_path / "rec", runs, command="by hand", machine="test")
    rec = repro.load_verdict_record(tmp_path / "rec")
    assert rec["path"] == str(path) and [d["seed"] for d in rec["draws"]] == [0, 100]
    assert rec["draws"][1]["kernels"] == "NUMBA_CPU_NAME=generic" and rec["provenance"]["commit"] == "abc"
    # a run that alone reproduces the claim gets the verdict over the draws: they disagree, so a tie
    this = json.loads((runs["seed 100"] / "metrics.json").read_text())["comparisons"]
    judged = repro.judge_over_draws(this, rec)
    assert [r["verdict"] for r in judged] == ["tie", "not comparable"]
    assert "This run alone: reproduced" in judged[0]["why"] and "seed 0 tie" in judged[0]["why"]
    assert judged[1] == this[1]                      # a row no draw could test is left as it is
    # draws that agree keep the word, whatever this run says alone
    agree = {"seed 100": runs["seed 100"], "seed 200": _run_folder(tmp_path, "c", 200, "reproduced")}
    repro.write_verdict_record(tmp_path / "rec2", agree, command="by hand")
    alone_tie = json.loads((runs["seed 0"] / "metrics.json").read_text())["comparisons"]
    assert repro.judge_over_draws(alone_tie, repro.load_verdict_record(tmp_path / "rec2"))[0]["verdict"] == "reproduced"
    # a run whose table was judged over an earlier record contributes its own verdicts, kept in metrics
    judged_run = _run_folder(tmp_path, "d", 300, "reproduced")
    rec = json.loads((judged_run / "metrics.json").read_text())
    rec["metrics"][repro.VERDICTS_ALONE] = {"PHTNet lowest": "not reproduced", "network size": "not comparable"}
    (judged_run / "metrics.json").write_text(json.dumps(rec))
    repro.write_verdict_record(tmp_path / "rec3", {"seed 300": judged_run}, command="")
    assert repro.load_verdict_record(tmp_path / "rec3")["draws"][0]["verdicts"]["PHTNet lowest"] == "not reproduced"


def test_verdict_record_errors_name_the_file_and_the_row(tmp_path):
    from tremorlab import verdicts
    with pytest.raises(FileNotFoundError, match="verdicts.json"):
        repro.load_verdict_record(tmp_path / "nowhere")
    with pytest.raises(ValueError, match="at least one run"):
        repro.write_verdict_record(tmp_path / "r", {}, command="")
    repro.write_verdict_record(tmp_path / "rec", {"seed 0": _run_folder(tmp_path, "a", 0, "tie")}, command="")
    newer = [comparison("a new claim", 1, 1, "", verdicts.difference(0.1, 0.2, +1), "phantom")]
    with pytest.raises(ValueError, match="a new claim.*record its draws again"):
        repro.judge_over_draws(newer, repro.load_verdict_record(tmp_path / "rec"))
    other = _run_folder(tmp_path, "b", 1, "tie")
    rec = json.loads((other / "metrics.json").read_text())
    (other / "metrics.json").write_text(json.dumps({**rec, "preset": "paper"}))
    with pytest.raises(ValueError, match="several chapters or presets"):
        repro.write_verdict_record(tmp_path / "r2", {"a": tmp_path / "a", "b": other}, command="")
