"""Per-task pen features of chapter 5: counts and names, geometry with known answers, bad input."""

import numpy as np
import pytest

import tremorlab as tl
from tremorlab.features import pen_tasks as pt
from tremorlab.io import PenRecording, RecordingError


def _pen(x, y, rate=200.0, **kw):
    n = len(x)
    kw.setdefault("pressure", np.full(n, 500.0))
    kw.setdefault("azimuth", np.full(n, 200.0))
    kw.setdefault("altitude", np.full(n, 55.0))
    return PenRecording(t=np.arange(n) / rate, x=x, y=y, pen_down=np.ones(n, bool), xy_unit="mm",
                        source="test.pen", **kw)


def test_feature_counts_are_the_papers():
    assert len(pt.SPIRAL_FEATURES) == 41 and len(set(pt.SPIRAL_FEATURES)) == 41
    assert len(pt.LETTER_FEATURES) == 43 and len(set(pt.LETTER_FEATURES)) == 43
    assert pt.feature_names("spiral") == pt.SPIRAL_FEATURES
    assert pt.feature_names("l_small") == pt.feature_names("l_large") == pt.LETTER_FEATURES
    # the paper's list: 8 RMS, 8 ZC, 18 kinematic, pressure/azimuth/altitude mean+std, pattern part
    assert pt.KINEMATIC_FEATURES == (
        "velocity_mean", "velocity_std", "velocity_x_mean", "velocity_x_std", "velocity_y_mean", "velocity_y_std",
        "acceleration_mean", "acceleration_std", "acceleration_x_mean", "acceleration_x_std",
        "acceleration_y_mean", "acceleration_y_std", "jerk_mean", "jerk_std", "jerk_x_mean", "jerk_x_std",
        "jerk_y_mean", "jerk_y_std")
    assert pt.SPIRAL_FEATURES[16:] == pt.KINEMATIC_FEATURES + (
        "pressure_mean", "pressure_std", "azimuth_mean", "azimuth_std", "altitude_mean", "altitude_std",
        "spiral_precision")
    assert pt.LETTER_FEATURES[-3:] == ("alpha_deg", "r2_upper", "r2_lower")
    with pytest.raises(ValueError, match="task"):
        pt.feature_names("circle")


def test_kinematics_of_a_straight_line():
    t = np.arange(400) / 200.0
    rec = _pen(3.0 + 20.0 * t, 1.0 - 10.0 * t)   # constant velocity (20, -10) mm/s
    f = pt.kinematic_features(rec)
    assert f["velocity_mean"] == pytest.approx(np.hypot(20, 10))
    assert f["velocity_x_mean"] == pytest.approx(20.0) and f["velocity_y_mean"] == pytest.approx(-10.0)
    assert f["velocity_std"] == pytest.approx(0.0, abs=1e-9)
    assert f["acceleration_mean"] == pytest.approx(0.0, abs=1e-6) and f["jerk_mean"] == pytest.approx(0.0, abs=1e-3)


def test_circle_has_perfect_precision():
    th = np.linspace(0, 2 * np.pi * 3, 3000, endpoint=False)
    rec = _pen(5 + 30 * np.cos(th), -2 + 30 * np.sin(th))
    beta = pt.spiral_angles(rec)
    np.testing.assert_allclose(beta, 90.0, atol=1e-6)
    assert pt.spiral_precision(rec) == pytest.approx(0.0, abs=1e-6)


def test_archimedean_spiral_angle_is_arctan_theta():
    """For rho = b theta around its origin, the radius-tangent angle is arctan(theta)."""
    th = np.linspace(0.5, 10 * np.pi, 20000)
    rec = _pen(2.0 * th * np.cos(th), 2.0 * th * np.sin(th))
    beta = pt.spiral_angles(rec, center=(0.0, 0.0))
    th_mid = 0.5 * (th[1:] + th[:-1])
    np.testing.assert_allclose(beta, np.degrees(np.arctan(th_mid)), atol=2e-3)
    assert pt.spiral_precision(rec, center=(0.0, 0.0)) == pytest.approx(np.std(np.degrees(np.arctan(th_mid))), abs=1e-3)


def test_tremor_worsens_spiral_precision():
    th = np.linspace(0.5, 10 * np.pi, 4000)
    x, y = 2.0 * th * np.cos(th), 2.0 * th * np.sin(th)
    wobble = 0.5 * np.sin(2 * np.pi * 5 * np.arange(th.size) / 200.0)
    assert pt.spiral_precision(_pen(x + wobble, y)) > 1.4 * pt.spiral_precision(_pen(x, y))


def _zigzag(points, per_segment=50):
    """Piecewise-linear trace through the vertices, sampled densely (vertices included)."""
    pts = np.asarray(points, dtype=float)
    segs = [np.linspace(pts[k], pts[k + 1], per_segment, endpoint=False) for k in range(len(pts) - 1)]
    xy = np.vstack(segs + [pts[-1:]])
    return xy[:, 0], xy[:, 1]


def test_letter_size_by_hand():
    # upper peaks (0,10),(2,12),(4,11),(6,13); lower peaks (1,0),(3,0),(5,0),(7,0); ends at (-1,0),(8,0)
    pts = [(-1, -2), (0, 10), (1, 0), (2, 12), (3, 0), (4, 11), (5, 0), (6, 13), (7, 0), (8, 5)]
    x, y = _zigzag(pts)
    f = pt.letter_size(_pen(x, y))
    # by hand: x mean 3, y mean 11.5, Sxy = 8, Sxx = 20 -> slope 0.4; SST = 5, SSR = 0.4^2 * 20 = 3.2 -> R^2 0.64
    assert f["r2_upper"] == pytest.approx(0.64)
    assert f["r2_lower"] == pytest.approx(1.0)          # all lower peaks at 0: exact fit (SST = 0)
    assert f["alpha_deg"] == pytest.approx(np.degrees(np.arctan(0.4)))


def test_letter_alpha_between_two_known_lines():
    m_up, m_low = -0.05, 0.02
    xs = np.arange(16, dtype=float) * 10
    pts = [(x, (50 + m_up * x) if k % 2 == 0 else (m_low * x)) for k, x in enumerate(xs)]
    x, y = _zigzag([(xs[0] - 5, 20.0)] + pts + [(xs[-1] + 5, 20.0)])
    f = pt.letter_size(_pen(x, y))
    assert f["alpha_deg"] == pytest.approx(np.degrees(abs(np.arctan(m_up) - np.arctan(m_low))), abs=1e-9)
    assert f["r2_upper"] == pytest.approx(1.0) and f["r2_lower"] == pytest.approx(1.0)


def test_task_too_short_for_letter_peaks():
    x, y = _zigzag([(0, 0), (1, 10), (2, 0), (3, 10), (4, 0)])   # two letters
    with pytest.raises(RecordingError, match=r"test\.pen.*at least 3 upper and 3 lower peaks.*2 upper"):
        pt.letter_size(_pen(x, y))


def test_missing_pressure_or_tilt():
    th = np.linspace(0, 20, 500)
    x, y = th * np.cos(th), th * np.sin(th)
    with pytest.raises(RecordingError, match=r"field 'azimuth'.*missing"):
        pt.pen_features(_pen(x, y, azimuth=None), "spiral")
    with pytest.raises(RecordingError, match=r"field 'pressure'.*missing"):
        pt.pen_features(_pen(x, y, pressure=None), "spiral")
    f = pt.pen_features(_pen(x, y, azimuth=None, altitude=None), "spiral", groups=("kinematics", "pressure"))
    assert "azimuth_mean" not in f and f["pressure_mean"] == 500.0 and "spiral_precision" in f


def test_task_features_on_a_phantom_trial():
    from tremorlab.synth.pd_cohort import make_cohort

    c = make_cohort(n_healthy=1, n_mild=0, n_moderate=0, n_repetitions=2, seed=3)
    for task in ("spiral", "l_small"):
        trial = c.kept_trials(task)[0]
        f = pt.task_features(trial.pen, trial.emg, task)
        assert tuple(f) == pt.feature_names(task) and np.isfinite(list(f.values())).all()


def test_real_svc_spiral_and_letters():
    root = tl.data.where("pahaw_bdalab_svc_sample")
    spiral = tl.io.read_svc(root / "PD-male" / "00009_w.cz.fnusa.1_1.svc", repair_time=True)
    f = pt.pen_features(spiral, "spiral")
    assert len(f) == 25 and np.isfinite(list(f.values())).all() and 0 < f["spiral_precision"] < 90
    letters = tl.io.read_svc(root / "HC-male" / "00027_w.cz.fnusa.10_1.svc", repair_time=True)
    g = pt.letter_size(letters)
    assert 0 <= g["alpha_deg"] < 45 and 0 <= g["r2_lower"] <= 1
