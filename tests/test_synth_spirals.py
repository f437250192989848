"""Tests of tremorlab.synth.spirals: geometry worked by hand, grade ordering, raters, cohort."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad

from tremorlab.synth import spirals as sp

T = sp.SpiralTemplate()


def test_centre_line_sits_half_way_between_printed_turns():
    th = np.linspace(0.2, T.channel_theta[1], 50)
    L = sp.line_index(T.centre_line(th), T)
    np.testing.assert_allclose(np.mod(L, 1.0), 0.5, atol=1e-9)


def test_arc_length_closed_form_matches_quadrature():
    th1 = 7.3
    num, _ = quad(lambda t: T.b * np.sqrt((t + np.pi) ** 2 + 1), 0.0, th1)
    assert T.arc_length(np.array(th1)) == pytest.approx(num, rel=1e-9)


def test_following_the_channel_never_crosses():
    th = np.linspace(0, T.channel_theta[1], 5000)
    pts = T.centre_line(th)
    assert sp.count_crossings(pts, np.ones(len(th), bool), T) == 0


def test_a_ray_crosses_each_printed_turn_once():
    # along the ray alpha = 0.3 from the first channel out to radius b(0.3 + 2pi*3 + pi): printed turns at
    # r = b(0.3 + 2 pi m) for m = 1, 2, 3 lie in between -> 3 crossings; the ray is sampled finely.
    a = 0.3
    r = np.linspace(T.b * (a + np.pi), T.b * (a + 6 * np.pi + np.pi), 4000)
    pts = np.column_stack([r * np.cos(a), r * np.sin(a)])
    assert sp.count_crossings(pts, np.ones(len(r), bool), T) == 3
    # with the pen lifted over the middle, only the crossings inked count
    down = np.ones(len(r), bool)
    rm = T.b * (a + 2 * np.pi * 2)
    down[np.abs(r - rm) < 0.5] = False
    assert sp.count_crossings(pts, down, T) == 2


def test_beyond_the_printed_end_there_is_no_line_to_cross():
    # the printed line ends at theta_max = 2 pi * 5; a ray at alpha = 0.3 beyond r = b(0.3 + 2 pi 5) crosses nothing
    a = 0.3
    r = np.linspace(T.b * (a + 2 * np.pi * 5 + 0.5), T.b * (a + 2 * np.pi * 8), 3000)
    pts = np.column_stack([r * np.cos(a), r * np.sin(a)])
    assert sp.count_crossings(pts, np.ones(len(r), bool), T) == 0


def test_true_grade_rounds_severity():
    np.testing.assert_array_equal(sp.true_grade([-0.4, 0.49, 0.51, 2.2, 3.5, 4.49]), [0, 0, 1, 2, 4, 4])


def test_grades_are_ordered_in_the_ground_truth():
    rows = []
    for g in sp.GRADES:
        for k in range(12):
            rng = np.random.default_rng([g, k])
            tr = sp.draw_trace(sp.sample_params(g + rng.uniform(-0.3, 0.3), rng), T, rng)
            rows.append((g, tr.truth["amplitude_mm"], tr.truth["crossings"], tr.truth["rms_deviation_mm"],
                         tr.truth["completion"], tr.truth["frequency_hz"]))
    d = np.array(rows)
    means = np.array([d[d[:, 0] == g].mean(axis=0) for g in sp.GRADES])
    assert np.all(np.diff(means[:, 1]) > 0), means[:, 1]          # tremor amplitude rises with grade
    assert np.all(np.diff(means[:, 2]) >= 0) and means[4, 2] > means[1, 2] + 10, means[:, 2]  # crossings
    assert np.all(np.diff(means[:, 3]) > 0), means[:, 3]          # deviation from the channel
    assert means[0, 2] == 0                                       # grade 0: stays inside the lines
    assert np.all(d[d[:, 0] < 4, 4] == 1.0) and np.all(d[d[:, 0] == 4, 4] < 1.0)  # grade 4 cannot complete
    assert d[:, 5].min() >= 4.0 and d[:, 5].max() <= 12.0


def test_rater_consensus_rule_by_hand():
    rng = np.random.default_rng(0)
    ratings, cons = sp.rate([2.0], rng, rater_sd=0.0, rater_bias=(-0.6, 0.0, 0.6))
    np.testing.assert_array_equal(ratings[0], [1, 2, 3])   # all differ -> the median
    assert cons[0] == 2
    ratings, cons = sp.rate([2.0, 0.1], rng, rater_sd=0.0, rater_bias=(0.0, 0.6, 0.6))
    np.testing.assert_array_equal(ratings, [[2, 3, 3], [0, 1, 1]])  # majority wins
    np.testing.assert_array_equal(cons, [3, 1])


def test_cohort_mirrors_the_paper():
    df = sp.make_cohort(seed=0)
    assert len(df) == sp.PAPER_N_IMAGES and df.subject_id.nunique() == 315
    per_subject = df.groupby("subject_id").setting.nunique()
    assert per_subject.max() == 1                      # a patient draws either at home or in the clinic
    n_home = df.groupby("subject_id").setting.first().eq("photo").sum()
    assert n_home == 63                                 # 8:2 of 315
    groups = df.groupby("subject_id").group.first().value_counts().sort_index().tolist()
    assert groups == list(sp.PAPER_GROUP_COUNTS)
    assert set(df.label) == set(sp.GRADES) and set(df.grade) == set(sp.GRADES)
    agree = (df.label == df.grade).mean()
    assert 0.7 < agree < 0.98                           # labels are noisy but mostly right
    assert len(df.image.unique()) == len(df)


def test_render_is_deterministic_and_settings_differ():
    df = sp.make_cohort(n_patients=20, n_images=40, seed=5)
    row = df.iloc[3]
    a, b = sp.render_row(row, size=96), sp.render_row(row, size=96)
    assert a.shape == (96, 96, 3) and a.dtype == np.uint8
    np.testing.assert_array_equal(a, b)
    photo = row.copy()
    photo["setting"] = "photo" if row["setting"] == "scan" else "scan"
    assert np.abs(sp.render_row(photo, size=96).astype(int) - a).mean() > 2
    with pytest.raises(ValueError, match="setting"):
        sp.render_sheet(sp.draw_trace(sp.sample_params(1.0, np.random.default_rng(0)), rng=0), setting="fax")


def test_ink_and_printed_line_are_where_the_geometry_says():
    rng = np.random.default_rng(1)
    tr = sp.draw_trace(sp.sample_params(0.0, rng), T, rng)
    img, geo = sp.render_sheet(tr, T, "scan", size=224, rng=rng, return_geometry=True)
    cx, cy = geo["centre_px"]
    ppm = geo["px_per_mm"]
    # the start dot (a filled disc on the channel centre) is dark
    dot = T.dots()[0]
    rot = np.deg2rad(geo["rotation_deg"])
    q = dot @ np.array([[np.cos(rot), np.sin(rot)], [-np.sin(rot), np.cos(rot)]])
    x, y = int(round(cx + q[0] * ppm)), int(round(cy - q[1] * ppm))
    assert img[y, x].mean() < 120
    # far outside the spiral there is only paper
    assert img[3:10, 3:10].mean() > 180
