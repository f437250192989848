"""Reader of the rated tremor windows (tremorlab.io.severity): units, rebuilt segments, bad input."""

import numpy as np
import pytest

from tremorlab.io import RecordingError
from tremorlab.io import severity as sev


def _write(folder, n, x, y):
    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder / f"{n}-X.npy", x)
    np.save(folder / f"{n}-Y.npy", y)


def _windows_of(signal, T=128):
    w = signal.reshape(-1, T, signal.shape[1])
    return (w - w.mean(axis=1, keepdims=True)).astype(np.float32)


def test_units_converted_and_segments_kept_together(tmp_path):
    rng = np.random.default_rng(0)
    x1 = rng.normal(size=(3, 128, 3)).astype(np.float32)
    x2 = rng.normal(size=(2, 128, 3)).astype(np.float32)
    _write(tmp_path / "Tim-Tremor", 1, x1, np.array([2, 2, 2]))
    _write(tmp_path / "Tim-Tremor", 7, x2, np.array([0, 0]))
    _write(tmp_path / "IMU-Wild", 3, x2, np.array([1, 1], dtype=np.int32))
    tim = sev.read_severity_dataset("tim_tremor", tmp_path)
    wild = sev.read_severity_dataset("imu_wild", tmp_path)
    # TIM-Tremor is stored in g: times 9.80665; IMU-Wild in m/s^2: unchanged
    np.testing.assert_allclose(tim.x[:3], x1.astype(float) * 9.80665)
    np.testing.assert_allclose(wild.x, x2.astype(float))
    assert tim.segment.tolist() == [1, 1, 1, 7, 7] and tim.position.tolist() == [0, 1, 2, 0, 1]
    assert tim.severity.tolist() == [2, 2, 2, 0, 0]
    sub = tim.select_segments([7])
    assert sub.n_windows == 2 and set(sub.segment) == {7}
    one = sev.read_severity_dataset("tim_tremor", tmp_path, max_segments=1, seed=3)
    assert one.segments.size == 1 and one.n_windows in (2, 3)


def test_rebuild_segment_restores_a_continuous_signal():
    # a smooth 3-axis signal cut into mean-removed windows comes back up to one constant per axis
    t = np.arange(5 * 128) / 50.0
    s = np.column_stack([np.sin(2 * np.pi * 0.3 * t) * 3, np.cos(2 * np.pi * 0.2 * t) + t / 10,
                         0.5 * np.sin(2 * np.pi * 5 * t)])
    rebuilt = sev.rebuild_segment(_windows_of(s).astype(float))
    err = rebuilt - (s - s.mean(axis=0))
    assert np.max(np.abs(err[:, :2] - err[:, :2].mean(axis=0))) < 0.02   # smooth axes: exact up to dt^3
    assert np.max(np.abs(err[:, 2] - err[:, 2].mean())) < 0.5               # 5 Hz tremor axis: small drift
    # the stored windows themselves jump at the boundaries
    stored = _windows_of(s).reshape(-1, 3)
    b = np.arange(127, 4 * 128, 128)                      # the sample before each boundary
    assert np.min(np.abs(stored[b + 1, 1] - stored[b, 1])) > 10 * np.max(np.abs(rebuilt[b + 1, 1] - rebuilt[b, 1]))


def test_quantisation_step_finds_the_lsb():
    lsb = 9.80665 / 1024
    x = np.random.default_rng(1).integers(-300, 300, size=500) * lsb
    assert sev.quantisation_step(x - x.mean()) == pytest.approx(lsb, rel=1e-9)
    with pytest.raises(ValueError):
        sev.quantisation_step(np.ones(10))


@pytest.mark.parametrize("x, y, field", [
    (np.zeros((2, 100, 3), np.float32), np.array([0, 0]), "X"),             # wrong window length
    (np.zeros((2, 128, 3), np.float32), np.array([0, 0, 0]), "Y"),          # label count
    (np.zeros((2, 128, 3), np.float32), np.array([0, 4]), "Y"),             # severity outside 0-3
    (np.full((1, 128, 3), np.nan, np.float32), np.array([0]), "X"),         # non-finite
    (np.zeros((1, 128, 3), np.int16), np.array([0]), "X"),                  # integer samples
    (np.zeros((1, 128, 3), np.float32), np.array([0.5]), "Y"),              # fractional severity
])
def test_bad_input_names_file_and_field(tmp_path, x, y, field):
    _write(tmp_path, 1, x, y)
    with pytest.raises(RecordingError) as err:
        sev.read_severity_segment(tmp_path / "1-X.npy", tmp_path / "1-Y.npy")
    assert f"field '{field}'" in str(err.value) and "1-" in str(err.value)


def test_missing_label_file_and_folder(tmp_path):
    (tmp_path / "IMU-Wild").mkdir()
    np.save(tmp_path / "IMU-Wild" / "5-X.npy", np.zeros((1, 128, 3), np.float32))
    with pytest.raises(RecordingError, match="5-Y.npy"):
        sev.read_severity_dataset("imu_wild", tmp_path)
    with pytest.raises(RecordingError, match="Tim-Tremor"):
        sev.read_severity_dataset("tim_tremor", tmp_path)
    with pytest.raises(ValueError, match="subset"):
        sev.read_severity_dataset("other", tmp_path)
    with pytest.raises(ValueError, match="unit"):
        sev.read_severity_segment(tmp_path / "IMU-Wild" / "5-X.npy", tmp_path / "x", unit="mg")


def test_real_data_units_when_present():
    """On the shared data: IMU-Wild steps are g/1024-type LSBs in m/s^2 (skipped without the data)."""
    from tremorlab import data

    try:
        root = data.where("tremor_severity_imu")
    except data.DatasetError:
        pytest.skip("tremor_severity_imu not available")
    x, y = sev.read_severity_segment(root / "IMU-Wild" / "1-X.npy", root / "IMU-Wild" / "1-Y.npy")
    step = sev.quantisation_step(x[0, :, 0])
    assert 9.80665 / step == pytest.approx(1024, rel=1e-5)
    assert y.min() >= 0 and y.max() <= 3
