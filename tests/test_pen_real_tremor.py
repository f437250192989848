"""The emulator's real tremor source (chapter 6): a rated patient segment replayed as the pen's tremor."""

import shutil

import numpy as np
import pytest

from tremorlab.pen import emulator as E


def _have_data():
    from tremorlab import data

    try:
        data.where("tremor_severity_imu")
    except data.DatasetError:
        pytest.skip("tremor_severity_imu not available")


@pytest.mark.parametrize("spec", ["real:tim", "real:other:3", "real:tim_tremor:x", "real:tim_tremor", "pdx",
                                  "real:imu_wild:3:4"])
def test_bad_tremor_sources_are_refused_with_the_expectation(spec):
    with pytest.raises(ValueError, match="real:<subset>:<segment>"):
        E.check_tremor(spec)


def test_cli_refuses_a_bad_real_source(capsys):
    from tremorlab import cli

    with pytest.raises(SystemExit):
        cli.main(["pen", "loop", "--tremor", "real:nowhere:1"])
    assert "real:<subset>:<segment>" in capsys.readouterr().err


def test_real_segment_becomes_the_emulator_signal_in_g():
    _have_data()
    from tremorlab import data
    from tremorlab.io import severity as sev

    acc = E.real_tremor_signal("real:tim_tremor:1", rate_hz=3200.0)
    x, _ = sev.read_severity_segment(data.where("tremor_severity_imu") / "Tim-Tremor" / "1-X.npy",
                                     data.where("tremor_severity_imu") / "Tim-Tremor" / "1-Y.npy", "g")
    assert acc.shape == (x.shape[0] * 128 * 64, 3)
    # same signal in g: the 50-Hz rebuilt segment equals every 64th sample of the up-sampled one
    # (the polyphase filter passes the original samples to within its 1e-3 pass-band ripple)
    np.testing.assert_allclose(acc[::64], sev.rebuild_segment(x) / sev.STANDARD_GRAVITY, rtol=2e-3, atol=1e-4)
    assert np.allclose(E.tremor_signal("real:tim_tremor:1"), acc)
    with pytest.raises(ValueError, match="no segment"):
        E.real_tremor_signal("real:tim_tremor:99999")
    with pytest.raises(ValueError, match="multiple of 50"):
        E.real_tremor_signal("real:tim_tremor:1", rate_hz=75.0)


def test_emulated_loop_runs_on_a_real_segment():
    _have_data()
    if shutil.which("make") is None or shutil.which("g++") is None:
        pytest.skip("building the emulator needs make and g++")
    samples, segments = E.emulated_session(["nlms"], "real:tim_tremor:1", seconds_off=2.0, seconds_per_algorithm=4.0)
    assert set(segments) == {"motor off", "nlms"}
    stats = E.segment_stats(samples, segments, 1000.0, (3.0, 12.0), last_s=1.0)
    assert np.isfinite(stats["nlms"]["attenuation (dB)"])
