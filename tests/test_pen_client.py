"""PenClient and Recorder against the emulator (the firmware itself, on a pseudo-terminal)."""

from __future__ import annotations

import os
import shutil
import time

import numpy as np
import pytest

from tremorlab.io import RecordingError
from tremorlab.pen import protocol as P
from tremorlab.pen.client import PenClient, PenDisconnected, PenError
from tremorlab.pen.recorder import Recorder, read_pen_recording


@pytest.fixture(scope="module", autouse=True)
def _tools():
    for tool in ("make", "g++"):
        if shutil.which(tool) is None:
            msg = f"{tool} is missing (Debian: apt-get install make g++): the emulator cannot be built"
            if os.environ.get("CI") == "true":
                pytest.fail(msg)
            pytest.skip(msg)
    from tremorlab.pen.emulator import build_firmware

    build_firmware("host")


def emulator(tremor="pd", **kw):
    from tremorlab.pen.emulator import start_emulator

    return start_emulator(tremor, build=False, **kw)


def after_cfg(s: np.ndarray, seq: int) -> np.ndarray:
    return s[s["cfg"] == seq]


def test_stream_10_s_at_1_khz_loses_nothing():
    with emulator("pd") as emu, PenClient(emu.port, clock_zero_ns=emu.clock_zero_ns) as pen:
        assert pen.info["protocol"] == P.PROTOCOL_VERSION and pen.info["sample_rate_hz"] == 1000
        pen.stream(True)
        pen.wait_samples(1, timeout=2)
        t0 = time.monotonic()
        n0 = pen.n_received
        time.sleep(10.0)
        n1, elapsed = pen.n_received, time.monotonic() - t0
        pen.stream(False)
        st = pen.status()
        s, recv = pen.samples(with_recv=True)
    assert pen.decoder.lost == 0 and pen.decoder.bad == 0 and st["frames_dropped"] == 0
    assert np.all(np.diff(s["index"].astype(np.int64)) == 1)           # contiguous sensor samples
    rate = (n1 - n0) / elapsed
    assert 970 < rate < 1030, f"telemetry rate {rate:.1f}/s, expected 1000/s"
    # latency follows the host's scheduling (a clean-clone CI run measured a p99 of 339 ms once, under 250 in
    # two others): it is checked by the benchmark (bench/bench_pen.py), not by a timed unit test
    assert recv.size == s.size


def test_a_stalled_host_delays_telemetry_but_loses_no_sensor_sample():
    # once a second the emulator's host thread stalls 80 ms in the middle of a timer tick: the
    # late ticks are replayed at their own instants, so every tick still finds its samples
    with emulator("pd", extra_args=("--stall-ms", "80")) as emu, PenClient(emu.port) as pen:
        pen.stream(True)
        pen.wait_samples(1, timeout=2)
        time.sleep(3.5)
        pen.stream(False)
        st = pen.status()
        s = pen.samples()
    assert pen.decoder.lost == 0 and st["frames_dropped"] == 0
    dt = np.diff(s["t_us"].astype(np.int64))
    assert s.size > 3000 and np.all(np.abs(dt - 1000) < 300), f"tick spacing {dt.min()}..{dt.max()} us"


def test_every_parameter_change_is_acknowledged_and_visible_in_telemetry():
    with emulator("et") as emu, PenClient(emu.port) as pen:
        pen.stream(True)
        ack = pen.select_algorithm("fxnlms")
        pen.wait_samples(pen.n_received + 50)
        assert set(after_cfg(pen.samples(), ack["cfg"])["algo"]) == {P.ALGORITHMS.index("fxnlms")}
        ack = pen.set_param_ack("max_duty", 0.3)
        assert ack["value"] == pytest.approx(0.3)
        ack = pen.motor(True)
        time.sleep(1.0)
        on = after_cfg(pen.samples(), ack["cfg"])
        assert on.size > 500 and np.all(on["flags"] & P.FLAG_MOTOR_ON) and on["duty"].max() <= 3000
        assert on["duty"].max() > 0
        assert pen.get_param("max_duty") == pytest.approx(0.3)
        with pytest.raises(PenError, match="value out of range"):
            pen.set_param("max_duty", 0.95)                               # above the hard limit
        assert pen.get_param("max_duty") == pytest.approx(0.3)
        with pytest.raises(PenError, match="value out of range"):
            pen.set_param("odr_hz", 1000)                                  # not an ADXL345 rate
        ack = pen.set_param_ack("n_taps", 8)
        ack = pen.motor(False)
        pen.wait_samples(pen.n_received + 50)
        off = after_cfg(pen.samples(), ack["cfg"])
        assert off.size > 0 and not np.any(off["flags"] & P.FLAG_MOTOR_ON) and off["duty"].max() == 0
        st = pen.status()
        assert st["algorithm"] == "fxnlms" and st["streaming"] and not st["motor_on"] and st["fault"] == "none"


def test_killed_emulator_is_reported_within_1_s_and_the_recording_survives(tmp_path):
    path = tmp_path / "session.tpen.csv"
    emu = emulator("pd")
    try:
        pen = PenClient(emu.port)
        events = []
        pen.on_disconnect(lambda why: events.append(time.monotonic()))
        rec = Recorder(path, client=pen, meta={"tremor": "pd", "emulated": True})
        pen.stream(True)
        pen.wait_samples(2500, timeout=6)
        t_kill = time.monotonic()
        emu.kill()
        deadline = t_kill + 1.0
        while not events and time.monotonic() < deadline + 1.0:
            time.sleep(0.01)
        assert events and events[0] - t_kill <= 1.0, "disconnect not reported within 1 s"
        t0 = time.monotonic()
        with pytest.raises(PenDisconnected):
            pen.status()
        assert time.monotonic() - t0 < 0.5
        received = pen.n_received
        pen.close()
    finally:
        emu.stop()
    rec.close()
    r = read_pen_recording(path)
    assert r.meta["lost_samples"] == 0 and not r.meta["truncated_tail"]
    assert r.n_samples == received                                      # every received sample is on disk
    assert r.meta["tremor"] == "pd" and r.acc.shape == (received, 3)
    assert np.allclose(r.acc[:, 2].mean(), 1.0, atol=0.05)              # gravity on z
    assert 0.9 < r.sampling_rate_hz / 1000 < 1.1


def test_sensor_failure_switches_the_motor_off():
    with emulator("pd", extra_args=("--sensor-fail-after", "1.5")) as emu, PenClient(emu.port) as pen:
        pen.stream(True)
        pen.motor(True)
        assert pen.status()["motor_on"]
        time.sleep(2.0)
        st = pen.status()
        assert st["fault"] == "sensor not answering" and not st["motor_on"]
        with pytest.raises(PenError, match="fault state"):
            pen.motor(True)
        s = pen.samples()
        assert np.all(s["duty"][-5:] == 0) or s.size == 0 or s["index"][-1] < 1600


def test_parameters_persist_in_eeprom(tmp_path):
    eeprom = tmp_path / "eeprom.bin"
    with emulator("none", eeprom=eeprom) as emu, PenClient(emu.port) as pen:
        assert pen.get_param("step_size_2") == pytest.approx(P.PARAM_BY_NAME["step_size_2"].default)
        pen.set_param("step_size_2", 0.125)
        pen.save_params()
    with emulator("none", eeprom=eeprom) as emu, PenClient(emu.port) as pen:
        assert pen.get_param("step_size_2") == pytest.approx(0.125)
        pen.defaults()
        assert pen.get_param("step_size_2") == pytest.approx(P.PARAM_BY_NAME["step_size_2"].default)


def test_open_a_missing_port_is_a_clear_error():
    with pytest.raises(PenError, match="cannot open pen port '/dev/no-such-pen'"):
        PenClient("/dev/no-such-pen")


def _fake_samples(n, start=0):
    s = np.zeros(n, P.SAMPLE_DTYPE)
    s["index"] = np.arange(start, start + n)
    s["t_us"] = 1000 * (s["index"] + 1)
    s["acc"][:, 2] = 256
    s["e"] = np.sin(s["index"] / 10.0)
    return s


def test_recorder_file_stays_readable_when_cut(tmp_path):
    path = tmp_path / "cut.tpen.csv"
    with Recorder(path, meta={"subject": "S1"}) as rec:
        rec.append(_fake_samples(100), np.arange(100))
    text = path.read_text()
    path.write_text(text[: len(text) - 7])                              # cut inside the last line
    r = read_pen_recording(path)
    assert r.n_samples == 99 and r.meta["truncated_tail"] and r.subject == "S1"
    assert np.allclose(r.meta["e"], np.sin(np.arange(99) / 10.0), atol=1e-6)
    lines = text.splitlines()
    lines[10] = "1,2,3"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(RecordingError, match="line 11.*13 comma-separated fields"):
        read_pen_recording(path)
    with pytest.raises(FileExistsError):
        Recorder(path)


def test_the_pen_refuses_what_check_param_refuses():
    """One table for pen and panel: for values at, inside and beyond every limit, the emulated
    firmware accepts a value exactly when ``protocol.check_param`` does."""
    cases = []
    for p in P.PARAMS:
        span = p.hi - p.lo
        for v in (p.lo, p.hi, p.lo - 0.01 * span - 1e-3, p.hi + 0.01 * span + 1e-3, p.default, p.lo + 0.5 * span):
            cases.append((p.name, v))
        if p.integer:
            cases.append((p.name, p.lo + 0.5))
    cases += [("odr_hz", 1000.0), ("odr_hz", 800.0), ("odr_hz", 3200.0), ("range_g", 3.0), ("range_g", 8.0),
              ("sample_rate_hz", 500.0)]
    with emulator("none") as emu, PenClient(emu.port) as pen:
        current = pen.params()
        for name, v in cases:
            refused = P.check_param(name, v, current)
            try:
                pen.set_param(name, v)
                accepted = True
            except PenError as exc:
                assert "value out of range" in str(exc)
                accepted = False
            assert accepted == (refused is None), (name, v, refused)
            pen.defaults()
