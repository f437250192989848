"""The panel driven from Python (no browser): controls send the right commands, the panel reads
the pen's state back after each, values the pen would refuse are refused before sending, a step
beyond the stability bound waits for confirmation, a lost pen is reported with the recording it
saved, and a new panel closes the previous one. The same, in a real JupyterLab: test_pen_browser.py."""

from __future__ import annotations

import os
import shutil
import threading
import time

import numpy as np
import pytest

from tremorlab.pen import protocol as P


def _need_tools():
    if shutil.which("g++") is None or shutil.which("make") is None:
        msg = "g++/make missing (Debian: apt-get install make g++): the emulator cannot be built"
        if os.environ.get("CI") == "true":
            pytest.fail(msg)
        pytest.skip(msg)


@pytest.fixture()
def panel(tmp_path):
    _need_tools()
    from tremorlab.pen.panel import EMULATOR, PenPanel

    p = PenPanel(record_dir=tmp_path, tremor="pd", refresh_hz=10)
    assert p.port.value == EMULATOR
    p.connect_button.value = True                         # what a click does
    assert p.client is not None, p.status.value
    yield p
    p.close()


def _wait(cond, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not cond() and time.monotonic() < deadline:
        time.sleep(0.02)
    return cond()


def test_controls_send_commands_and_the_panel_follows_the_pen(panel, tmp_path):
    assert "connected: emulated pen" in panel.status.value
    assert panel.connect_button.description == "disconnect"          # says what a press will do
    assert panel.stream_button.description == "start telemetry" and panel.motor_button.description == "switch motor on"
    assert not panel.algorithm.disabled and panel.port.disabled
    panel.algorithm.value = "rls"
    assert panel.client.status()["algorithm"] == "rls" and "algorithm: rls" in panel.status.value
    panel.params["forgetting_factor"].value = 0.995
    assert panel.client.get_param("forgetting_factor") == pytest.approx(0.995)
    assert "forgetting_factor = 0.995" in panel.status.value
    assert panel.params["forgetting_factor"].value == 0.995                # float32 read back, shown readable
    assert all(repr(w.value) == repr(P.readable(w.value)) for w in panel.params.values())
    panel.stream_button.value = True
    assert panel.stream_button.description == "stop telemetry"
    panel.motor_button.value = True
    assert panel.client.status()["motor_on"] and "motor on" in panel.status.value
    assert panel.motor_button.description == "switch motor off"
    panel.record_button.value = True
    assert panel.record_file.value.startswith(str(tmp_path)) and "recording to" in panel.status.value
    assert panel.record_button.description == "stop recording"
    panel.client.wait_samples(600, timeout=5)
    assert _wait(lambda: panel.frames >= 3), "the background thread did not refresh the plots"
    line = panel._figs["time"][1][0]
    assert np.asarray(line.y).shape[0] == 2 and 50 < np.asarray(line.x).size <= 400   # decimated for the browser
    assert "live" in panel.plot_state.value and "dB" in panel.readout.value
    panel.record_button.value = False
    assert "recording saved" in panel.status.value and panel.record_button.description == "record"
    from tremorlab.pen.recorder import read_pen_recording

    rec = read_pen_recording(panel.record_file.value)
    assert rec.n_samples > 100 and rec.meta["emulated"] is True and set(rec.meta["algo"]) == {"rls"}
    panel.stream_button.value = False
    assert "stale plots" in panel.plot_state.value and "telemetry switched off" in panel.plot_state.value


@pytest.mark.parametrize("name, value, words", [
    ("step_size", -0.1, "between 1e-06 and 10"),
    ("step_size_2", 5.0, "between 1e-06 and 1.99"),
    ("n_taps", 2.5, "whole number"),
    ("max_duty", 0.95, "between 0 and 0.9"),
])
def test_a_value_the_pen_would_refuse_is_not_sent(panel, name, value, words):
    before = panel.client.get_param(name)
    sent = []
    real = panel.client.set_param
    panel.client.set_param = lambda *a: sent.append(a) or real(*a)
    panel.params[name].value = value
    assert not sent, "the value was sent"
    assert "refused" in panel.status.value and words in panel.status.value
    assert panel.params[name].value == P.readable(before)                 # the field shows the pen's value again
    assert panel.client.get_param(name) == before


def test_a_step_beyond_the_stability_bound_waits_for_confirmation(panel):
    panel.algorithm.value = "fxnlms"
    bound = panel._bound["step_size_2"]
    assert 0.01 < bound < 1.0 and f"step_size_2 &lt; {bound:.3g}" in panel.bound_label.value
    panel.params["step_size_2"].value = 0.9
    assert panel.confirm_box.layout.display is None and "apply anyway" in panel.status.value
    assert panel.client.get_param("step_size_2") == pytest.approx(0.01)   # not sent yet
    panel.cancel_button.click()
    assert panel.params["step_size_2"].value == 0.01 and panel.confirm_box.layout.display == "none"
    panel.params["step_size_2"].value = 0.9
    panel.confirm_button.click()
    assert panel.client.get_param("step_size_2") == pytest.approx(0.9)
    assert "beyond it" in panel.bound_label.value


def test_recording_needs_telemetry(panel, tmp_path):
    panel.record_button.value = True
    assert panel.record_button.value is False and "telemetry is off" in panel.status.value
    assert list(tmp_path.iterdir()) == []


def test_losing_the_pen_is_shown_with_the_recording_and_reconnecting_reads_the_new_state(panel):
    panel.stream_button.value = True
    panel.motor_button.value = True
    panel.record_button.value = True
    path = panel.record_file.value
    panel.client.wait_samples(1500, timeout=5)
    assert _wait(lambda: panel.frames >= 1)
    panel.emulator.kill()
    assert _wait(lambda: "link lost" in panel.status.value, 2.0), panel.status.value
    assert "recording saved: " + path in panel.status.value and "samples" in panel.status.value
    assert panel.connect_button.value is False and panel.connect_button.description == "connect"
    assert panel.algorithm.disabled and "stale plots" in panel.plot_state.value
    panel.connect_button.value = True                                    # a new emulator: motor and telemetry off
    assert panel.client is not None and "connected" in panel.status.value
    assert panel.stream_button.value is False and panel.motor_button.value is False
    assert panel.stream_button.description == "start telemetry"
    assert "previous connection" in panel.plot_state.value
    panel.stream_button.value = True                                     # one press
    assert panel.client.status()["streaming"]
    assert _wait(lambda: "live" in panel.plot_state.value, 3.0)


def test_a_new_panel_closes_the_previous_one(panel, tmp_path):
    from tremorlab.pen.panel import PenPanel

    emu, thread = panel.emulator, panel._thread
    panel.stream_button.value = True
    panel.motor_button.value = True
    newer = PenPanel(record_dir=tmp_path)
    try:
        assert not emu.running and panel.client is None and not thread.is_alive()
        assert "closed" in panel.status.value and PenPanel.active is newer
        assert [t.name for t in threading.enumerate()].count("pen-panel") == 1
    finally:
        newer.close()
