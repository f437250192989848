"""Tests of tremorlab.vision.realpd and the by-person intervals of tremorlab.vision.evaluate."""

from __future__ import annotations

import numpy as np
import pytest

from tremorlab.io import ImageItem
from tremorlab.vision import evaluate, realpd


def test_person_ids_keep_the_class_letter_and_group_repetitions():
    items = [ImageItem("a/V01HE01.png", "healthy", "V01", "testing"), ImageItem("b/V01HE02.png", "healthy", "V01", "training"),
             ImageItem("c/V01PE01.png", "parkinson", "V01", "testing")]
    ids = realpd.person_ids(items)
    assert ids[0] == ids[1] != ids[2]              # one person across the source's folders; V01 healthy != V01 PD
    with pytest.raises(ValueError, match="no subject"):
        realpd.person_ids([ImageItem("x.png", "healthy", None, None)])


def test_real_kaggle_names_give_28_people():
    import tremorlab as tl

    items = tl.io.list_kaggle_spirals(tl.data.where("kaggle_spiral_drawings"))
    ids = realpd.person_ids(items)
    lab = np.array([it.label for it in items])
    assert len(items) == 102 and len(set(ids)) == 28
    assert len(set(ids[lab == "healthy"])) == 13 and len(set(ids[lab == "parkinson"])) == 15


def test_cross_validation_never_shares_a_person(monkeypatch):
    seen = []

    def fake_fit(x, y, *a):
        seen.append(set(x[:, 0, 0, 0].tolist()))
        return None

    monkeypatch.setattr(realpd, "_fit", fake_fit)
    monkeypatch.setattr(realpd, "_proba", lambda model, x: np.full(len(x), 0.5))
    persons = np.repeat(np.arange(12), 3)
    y = (persons % 2).astype(int)
    x = np.zeros((36, 4, 4, 3), np.uint8)
    x[:, 0, 0, 0] = persons                        # the person is written into the pixels
    out = realpd.cross_validate(x, y, persons, n_splits=4)
    assert np.all(out["fold"] >= 0) and np.all(out["proba"] == 0.5)
    for k, train_people in enumerate(seen):
        test_people = set(persons[out["fold"] == k].tolist())
        assert not train_people & test_people and train_people | test_people == set(range(12))


def test_person_report_known_answers():
    persons = np.repeat(np.arange(10), 2)
    y = (persons >= 5).astype(int)
    rep = realpd.person_report(y, y.astype(float), persons, n_boot=200)
    assert rep["accuracy"] == (100.0, 100.0, 100.0) and rep["auc"] == (1.0, 1.0, 1.0)
    assert rep["n_people"] == {"healthy": 5, "pd": 5} and rep["n_images"] == 20
    # a tiny set: resamples with one class are skipped, never NaN
    rep = realpd.person_report(np.array([0, 1, 0, 1]), np.array([0.2, 0.8, 0.6, 0.4]), np.array([0, 1, 2, 3]), n_boot=200)
    assert np.isfinite(rep["auc"]).all() and rep["auc"][0] == 0.75


def test_paired_difference_and_group_mean():
    groups = np.repeat(np.arange(8), 4)
    a = np.ones(32, bool)
    assert evaluate.paired_difference_ci(a, a, groups, n_boot=100) == (0.0, 0.0, 0.0)
    assert evaluate.paired_difference_ci(a, ~a, groups, n_boot=100) == (100.0, 100.0, 100.0)
    b = np.zeros((32, 2), bool)
    b[:, 0] = True                                  # two seeds: 100 % and 0 % -> mean 50 %
    e, lo, hi = evaluate.paired_difference_ci(a, b, groups, n_boot=100)
    assert (e, lo, hi) == (50.0, 50.0, 50.0)
    v = groups.astype(float)
    e, lo, hi = evaluate.group_mean_ci(v, groups, n_boot=300)
    assert e == pytest.approx(3.5) and lo < 3.5 < hi
    with pytest.raises(ValueError):
        evaluate.binary_auc([1, 1], [0.2, 0.3])
