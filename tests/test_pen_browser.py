"""The pen panel as a user meets it: a real JupyterLab in headless Chromium, the emulator behind it.

One session, in order: run the chapter's panel cell, connect to the emulator, choose Fx-NLMS,
start telemetry (the plots must redraw several times a second in the browser), switch the motor
on (the residual must fall), type the bad values of issue 18 (refused with the reason, the field
shows the pen's value), a step beyond the stability bound (asks first), record (the file is read
back), record with telemetry off (refused, no file), kill the emulator (link lost, the message
names the saved recording, plots marked stale, buttons follow), reconnect (the panel shows the new
pen's state, telemetry starts with one press), re-run the panel cell while connected (the old
emulator and drawing thread stop), the layout at 1024 px. A still picture of the live panel is
saved to ``_build/pen-panel-jupyterlab.png`` (the book's picture is a copy of it).

Bounded: every wait has a timeout, the test a 300 s limit; every process it starts (server,
kernel, emulators, browser) is stopped. Without Chromium it is skipped with the reason, except
under CI (``CI=true``), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import signal
import time

import pytest

from pen_lab import CHROMIUM, LAYOUT_CHECK, Lab, alive, open_lab_notebook, write_notebook

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _need(tmp_path):
    missing = [m for m, ok in (("Chromium (Debian: apt-get install chromium)", CHROMIUM),
                               ("g++/make (Debian: apt-get install make g++)", shutil.which("g++") and shutil.which("make")))
               if not ok]
    if missing:
        msg = "browser test skipped: " + " and ".join(missing) + " missing"
        if os.environ.get("CI"):
            pytest.fail(msg + "; CI must install them (.ci/run does)")
        pytest.skip(msg)


@pytest.mark.timeout(300)
def test_the_panel_in_jupyterlab(tmp_path):
    _need(tmp_path)
    from playwright.sync_api import sync_playwright

    from tremorlab.pen.emulator import build_firmware
    from tremorlab.pen.recorder import read_pen_recording
    from tremorlab.run import ROOT

    build_firmware("host")
    write_notebook(tmp_path / "pen.ipynb")
    with Lab(tmp_path) as lab, sync_playwright() as p:
        browser, page, nb = open_lab_notebook(p, lab, "pen.ipynb", width=1024)
        try:
            nb.run(0)
            nb.panel.wait_for(timeout=60_000)
            assert nb.button("connect").count() == 1
            # connect: the label then says what the next press does
            nb.button("connect").click()
            nb.wait_text("tl-pen-status", r"connected: emulated pen", 30)
            assert nb.button("disconnect").count() == 1 and nb.button("start telemetry").count() == 1
            nb.panel.locator(".tl-pen-algorithm select").select_option("fxnlms")
            nb.wait_text("tl-pen-status", r"algorithm: fxnlms")
            nb.wait_text("tl-pen-bound", r"stable if step_size_2 < [0-9.]+ \(fxnlms")
            # recording with telemetry off is refused, and leaves no file
            nb.button("record").click()
            nb.wait_text("tl-pen-status", r"record refused: telemetry is off")
            assert not list((tmp_path / "recordings").glob("*.tpen.csv"))
            # telemetry: the plots appear and the browser redraws them several times a second
            nb.button("start telemetry").click()
            nb.wait_text("tl-pen-plot-state", r"live", 15)
            page.wait_for_selector(".tl-pen-plots .bqplot path.line", state="attached", timeout=15_000)
            time.sleep(2.0)
            r_off = nb.residual_db()
            nb.button("switch motor on").click()
            nb.wait_text("tl-pen-status", r"motor on")
            assert nb.button("switch motor off").count() == 1
            time.sleep(1.0)
            k0 = nb.probe()
            red = nb.redraws(5.0)
            k1 = nb.probe()
            rate = (red["n"] - 1) / (red["span_ms"] / 1000) if red["n"] > 1 else 0.0
            cpu = (k1["cpu_s"] - k0["cpu_s"]) / (k1["t"] - k0["t"])
            sent = (k1["frames"] - k0["frames"]) / (k1["t"] - k0["t"])
            print(f"browser redraws {rate:.1f}/s, kernel sent {sent:.1f}/s, kernel CPU {100 * cpu:.0f} % of a core")
            assert rate >= 5.0, f"the plots redraw {rate:.1f} times a second in the browser"
            time.sleep(1.0)
            r_on = nb.residual_db()
            assert r_on < r_off - 3.0, f"residual {r_off} dB with the motor off, {r_on} dB with Fx-NLMS"
            # the still picture of the live panel (a tall window, so that the whole panel is in view)
            page.set_viewport_size({"width": 1024, "height": 2400})
            nb.cell(0).scroll_into_view_if_needed()
            time.sleep(1.0)
            (ROOT / "_build").mkdir(exist_ok=True)
            nb.panel.screenshot(path=str(ROOT / "_build" / "pen-panel-jupyterlab.png"))
            page.set_viewport_size({"width": 1024, "height": 900})
            # the layout holds at 1024 px
            layout = page.evaluate(LAYOUT_CHECK)
            assert not layout["problems"], layout
            # the bad values of the issue: refused with the reason, the field back at the pen's value
            for name, typed, words, pen_value in (("step_size", "-0.1", "between 1e-06 and 10", "0.05"),
                                                  ("step_size_2", "5", "between 1e-06 and 1.99", "0.01"),
                                                  ("n_taps", "2.5", "whole number", "4")):
                nb.type_value(name, typed)
                nb.wait_text("tl-pen-status", r"refused, not sent: .*" + words)
                deadline = time.monotonic() + 5
                while nb.field(name).input_value() != pen_value and time.monotonic() < deadline:
                    time.sleep(0.05)
                assert nb.field(name).input_value() == pen_value, (name, nb.field(name).input_value())
            # beyond the stability bound: asks first; cancel keeps the pen's value
            nb.type_value("step_size_2", "1.5")
            nb.wait_text("tl-pen-status", r"beyond the stability bound")
            nb.panel.locator("button:text-is('cancel')").click()
            nb.wait_text("tl-pen-status", r"cancelled; the pen keeps 0.01")
            pen = nb.probe(2)["params"]
            assert pen["step_size"] == pytest.approx(0.05) and pen["step_size_2"] == pytest.approx(0.01)
            assert pen["n_taps"] == 4
            # record, stop: the message names the file, which reads back
            nb.button("record").click()
            nb.wait_text("tl-pen-status", r"recording to ")
            assert nb.button("stop recording").count() == 1
            time.sleep(1.5)
            nb.button("stop recording").click()
            msg = nb.wait_text("tl-pen-status", r"recording saved: .*\.tpen\.csv \(\d+ samples\)")
            first = [f for f in (tmp_path / "recordings").glob("*.tpen.csv")]
            assert len(first) == 1 and first[0].name in msg
            assert read_pen_recording(first[0]).n_samples > 500
            # record again, then kill the emulator: link lost, the recording is named, plots stale
            nb.button("record").click()
            nb.wait_text("tl-pen-status", r"recording to ")
            time.sleep(1.0)
            pid = nb.probe()["emulator_pid"]
            t_kill = time.monotonic()
            os.kill(pid, signal.SIGKILL)
            msg = nb.wait_text("tl-pen-status", r"link lost: .*recording saved: .*\(\d+ samples\)", 5)
            assert time.monotonic() - t_kill < 3.0
            nb.wait_text("tl-pen-plot-state", r"stale plots: the link was lost")
            assert nb.button("connect").count() == 1 and nb.button("start telemetry").count() == 1
            second = [f for f in (tmp_path / "recordings").glob("*.tpen.csv") if f not in first]
            assert len(second) == 1 and second[0].name in msg and read_pen_recording(second[0]).n_samples > 200
            # reconnect: a new emulated pen, telemetry and motor off, as the buttons say
            nb.button("connect").click()
            nb.wait_text("tl-pen-status", r"connected: emulated pen.*telemetry off, motor off", 30)
            assert nb.button("start telemetry").count() == 1 and nb.button("switch motor on").count() == 1
            nb.wait_text("tl-pen-plot-state", r"stale plots: these plots are from the previous connection")
            nb.button("start telemetry").click()                       # one press
            nb.wait_text("tl-pen-plot-state", r"live", 10)
            # re-running the panel cell while connected closes the previous panel
            old = nb.probe()
            assert old["threads"].count("pen-panel") == 1 and alive(old["emulator_pid"])
            nb.run(0)
            page.wait_for_selector(".tl-pen-panel button:text-is('connect')", timeout=30_000)
            time.sleep(0.5)
            new = nb.probe()
            assert not alive(old["emulator_pid"]), "the previous panel's emulator is still running"
            assert new["threads"].count("pen-panel") == 1 and new["emulator_pid"] is None
            nb.run(3)
            widget_errors = [e for e in nb.errors if "widget" in e.lower() or "setting state" in e.lower()
                             or e.startswith("uncaught")]
            assert not widget_errors, widget_errors[:5]
            print(f"REPORT redraws_per_s={rate:.2f} sent_per_s={sent:.2f} kernel_cpu_share={cpu:.3f} residual_off_db={r_off} "
                  f"residual_on_db={r_on}")
        finally:
            browser.close()
    for pid in lab.emulator_pids | lab.kernel_pids:
        assert not alive(pid), f"process {pid} still running after the test"
