"""Chapter-5 phantoms: the Myo-like sEMG phantom and the 32-writer PD cohort."""

import numpy as np
import pytest

import tremorlab as tl
from tremorlab.features.emg import rms
from tremorlab.synth.emg import EXTENSOR_CHANNELS, FLEXOR_CHANNELS, emg_phantom
from tremorlab.features.pen_tasks import feature_matrix
from tremorlab.synth.pd_cohort import GROUPS, TASK_NAMES, draw_trial, make_cohort


def test_emg_phantom_is_myo_like_and_deterministic():
    a = emg_phantom(duration_s=5.0, seed=3, effort=0.3)
    b = emg_phantom(duration_s=5.0, seed=3, effort=0.3)
    rec = a.recording
    assert rec.channels.shape == (1000, 8) and rec.sampling_rate_hz == pytest.approx(200.0)
    assert np.array_equal(rec.channels, np.round(rec.channels))
    assert rec.channels.min() >= -128 and rec.channels.max() <= 127
    assert np.array_equal(rec.channels, b.recording.channels)
    assert not np.array_equal(rec.channels, emg_phantom(duration_s=5.0, seed=4, effort=0.3).recording.channels)


def test_emg_rms_matches_the_ground_truth():
    ph = emg_phantom(duration_s=60.0, seed=1, effort=0.4, cocontraction=0.5, full_scale=50.0)
    assert ph.params["clipped_fraction"] == 0.0
    # rounding adds 1/12 count^2 of variance
    expected = np.sqrt(ph.expected_rms ** 2 + 1 / 12)
    np.testing.assert_allclose(rms(ph.recording.channels), expected, rtol=0.05)


def test_cocontraction_raises_the_quiet_antagonists():
    base = emg_phantom(duration_s=20.0, seed=2, effort=0.3, pattern_phase=0.0)
    co = emg_phantom(duration_s=20.0, seed=2, effort=0.3, cocontraction=1.0, pattern_phase=0.0)
    quiet = 4   # the channel opposite the strongest one (pattern phase 0 -> channel 1 strongest)
    assert rms(co.recording.channels)[quiet] > 3 * rms(base.recording.channels)[quiet]


def test_tremor_bursts_alternate_at_the_tremor_frequency():
    from tremorlab.synth.tremor import tremor_phantom

    tr = tremor_phantom("pd", duration_s=30.0, rate_hz=200.0, seed=5, n_axes=1, frequency_hz=5.0, noise_std=0.0)
    ph = emg_phantom(duration_s=30.0, seed=5, effort=0.05, tremor_drive=tr.tremor[:, 0], tremor_gain=1.0)
    x = ph.recording.channels
    flex = np.abs(x[:, list(FLEXOR_CHANNELS)]).mean(axis=1)
    ext = np.abs(x[:, list(EXTENSOR_CHANNELS)]).mean(axis=1)
    f, p = tl.dsp.psd(flex - flex.mean(), 200.0, nperseg=1024)
    assert tl.dsp.dominant_frequency(f, p, (2.0, 20.0)) == pytest.approx(5.0, abs=0.3)
    # agonist and antagonist burst in anti-phase: their smoothed envelopes are negatively correlated
    k = np.ones(9) / 9
    r = np.corrcoef(np.convolve(flex, k, "same"), np.convolve(ext, k, "same"))[0, 1]
    assert r < -0.3


def test_emg_phantom_bad_arguments():
    with pytest.raises(ValueError, match="effort"):
        emg_phantom(effort=-1.0)
    with pytest.raises(ValueError, match="tremor_drive"):
        emg_phantom(duration_s=1.0, tremor_drive=np.ones(10), tremor_gain=1.0)


@pytest.fixture(scope="module")
def small_cohort():
    return make_cohort(n_healthy=3, n_mild=3, n_moderate=3, n_repetitions=2, seed=11)


def test_cohort_make_up():
    c = make_cohort(n_healthy=11, n_mild=12, n_moderate=9, n_repetitions=4, seed=0, tasks=("l_small",))
    groups = [s.group for s in c.subjects]
    assert [groups.count(g) for g in GROUPS] == [11, 12, 9]
    assert len({s.subject_id for s in c.subjects}) == 32
    assert len(c.trials) == 32 * 4 and len(c.kept_trials()) == 32 * 3   # first repetition discarded
    sev = {g: [s.severity for s in c.subjects if s.group == g] for g in GROUPS}
    assert max(sev["healthy"]) == 0 and 0.2 <= min(sev["mild"]) and max(sev["mild"]) <= 0.5 <= min(sev["moderate"])


def test_cohort_is_deterministic(small_cohort):
    again = make_cohort(n_healthy=3, n_mild=3, n_moderate=3, n_repetitions=2, seed=11)
    a, b = small_cohort.trials[7], again.trials[7]
    assert np.array_equal(a.pen.x, b.pen.x) and np.array_equal(a.emg.channels, b.emg.channels)


def test_spiral_has_five_anticlockwise_turns(small_cohort):
    trial = small_cohort.kept_trials("spiral")[0]
    ang = np.unwrap(np.arctan2(trial.pen.y, trial.pen.x))
    assert (ang[-1] - ang[0]) / (2 * np.pi) == pytest.approx(5.0, abs=0.1)   # positive: anticlockwise


def test_letters_have_eight_loops_of_the_right_height(small_cohort):
    from tremorlab.features.pen_tasks import letter_peaks

    for task, h in (("l_small", 25.0), ("l_large", 50.0)):
        trial = [t for t in small_cohort.kept_trials(task) if t.group == "healthy"][0]
        up, low = letter_peaks(trial.pen)
        assert up.shape[0] == 8
        assert np.median(up[:, 1]) - np.median(low[:, 1]) == pytest.approx(h, rel=0.3)


def test_severity_grades_the_signs():
    """Micrographia, bradykinesia, tremor and co-contraction grow from healthy to moderate."""
    c = make_cohort(n_healthy=6, n_mild=0, n_moderate=6, n_repetitions=2, seed=5, tasks=("l_large",))
    X, names, ids, groups = feature_matrix(c, "l_large")
    col = {n: X[:, names.index(n)] for n in names}
    h, m = groups == "healthy", groups == "moderate"
    assert col["alpha_deg"][m].mean() > 2 * col["alpha_deg"][h].mean()          # micrographia
    assert col["velocity_mean"][m].mean() < 0.8 * col["velocity_mean"][h].mean()  # bradykinesia
    assert col["azimuth_std"][m].mean() > col["azimuth_std"][h].mean()            # tremor in the tilt
    emg = np.mean([col[f"emg_rms_ch{j}"] for j in range(1, 9)], axis=0)
    assert emg[m].mean() > emg[h].mean()                                            # co-contraction + bursts


def test_feature_matrix_shape(small_cohort):
    for task, d in (("spiral", 41), ("l_small", 43)):
        X, names, ids, groups = feature_matrix(small_cohort, task)
        assert X.shape == (9, d) and len(names) == d and np.isfinite(X).all()


def test_bad_task_and_repetitions(small_cohort):
    with pytest.raises(ValueError, match="task"):
        draw_trial(small_cohort.subjects[0], "circle", 1)
    with pytest.raises(ValueError, match="n_repetitions"):
        make_cohort(n_repetitions=1)
    assert TASK_NAMES == ("spiral", "l_small", "l_large")
