"""The panel driven from Python (no browser): controls send the right commands, observers
update the status line, errors are shown in words, a lost pen is reported."""

from __future__ import annotations

import os
import shutil
import time

import pytest

from tremorlab.pen import protocol as P


@pytest.fixture()
def panel(tmp_path):
    if shutil.which("g++") is None or shutil.which("make") is None:
        msg = "g++/make missing (Debian: apt-get install make g++): the emulator cannot be built"
        if os.environ.get("CI") == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    from tremorlab.pen.panel import EMULATOR, PenPanel

    p = PenPanel(record_dir=tmp_path, tremor="pd", refresh_hz=5)
    assert p.port.value == EMULATOR
    p.connect_button.value = True                         # what a click does
    assert p.client is not None, p.status.value
    yield p
    p.close()


def test_controls_send_commands_and_status_follows(panel, tmp_path):
    assert "connected: emulated pen" in panel.status.value
    assert not panel.algorithm.disabled and panel.port.disabled
    panel.algorithm.value = "rls"
    assert panel.client.status()["algorithm"] == "rls" and "algorithm: rls" in panel.status.value
    panel.params["forgetting_factor"].value = 0.995
    assert panel.client.get_param("forgetting_factor") == pytest.approx(0.995)
    assert "forgetting_factor = 0.995" in panel.status.value
    panel.stream_button.value = True
    panel.motor_button.value = True
    assert panel.client.status()["motor_on"] and "motor on" in panel.status.value
    panel.record_button.value = True
    assert panel.record_file.value.startswith(str(tmp_path)) and "recording to" in panel.status.value
    panel.client.wait_samples(600, timeout=5)
    deadline = time.monotonic() + 5
    while len(bytes(panel.plot.value)) == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert bytes(panel.plot.value)[:4] == b"\x89PNG"      # the background thread drew the plots
    assert panel.plot.layout.display is None              # and the picture is shown once it has one
    panel.record_button.value = False
    assert "recorded" in panel.status.value
    from tremorlab.pen.recorder import read_pen_recording

    rec = read_pen_recording(panel.record_file.value)
    assert rec.n_samples > 100 and rec.meta["emulated"] is True and set(rec.meta["algo"]) == {"rls"}


def test_a_refused_value_is_reported_in_words_and_restored(panel):
    w = panel.params["max_duty"]
    w.max = 1.0                                           # let the widget accept what the pen refuses
    w.value = 0.95
    assert "value out of range" in panel.status.value
    assert w.value == pytest.approx(P.PARAM_BY_NAME["max_duty"].default)


def test_losing_the_pen_is_shown(panel):
    panel.emulator.kill()
    deadline = time.monotonic() + 2
    while "disconnected" not in panel.status.value and time.monotonic() < deadline:
        time.sleep(0.02)
    assert "disconnected" in panel.status.value and panel.connect_button.value is False
    assert panel.algorithm.disabled
