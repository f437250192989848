"""The live panel in a real JupyterLab: how often the browser redraws the plots, and what the kernel pays.

One session in headless Chromium (the harness of ``tests/pen_lab.py``): the chapter's panel
cell, connect to the emulator, Fx-NLMS, telemetry (1 kHz) and motor on; then for
``SECONDS`` each:

* **ours**: the panel's bqplot figures, fed by its drawing thread (``refresh_hz`` 12.5, block
  means of the telemetry, a few hundred points per curve): redraws per second counted in the
  browser (changes of the curves' SVG paths), refreshes sent per second and the kernel's CPU
  time per wall-clock second (``os.times`` of the kernel process: every thread, the serial
  reader and the recorder (recording) included; the emulator is another process and is not
  counted).
* **peer**: what the panel did before, and what a user would write with matplotlib alone: the
  same four plots as a PNG (``render_plots``) assigned to an ``Image`` widget in a loop as fast
  as it goes, with the panel's own drawing thread stopped (the reader and the recorder still run).

Targets (issue 18): ours redraws at least 10 times a second with the kernel under a third of a
core. On a host whose CPUs are shared (``steal`` in ``/proc/stat``, recorded), a missed target
under more than 2 % steal is a skip that names the figures.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_pen import _cpu_jiffies as _steal  # noqa: E402  (the host's steal, as the latency bench reads it)

SECONDS = 6.0
STEAL_LIMIT_PCT = 2.0

PEER_CELL = '''import threading, time
import ipywidgets as W
from IPython.display import display
from tremorlab.pen.panel import PenPanel, render_plots
_pp = PenPanel.active
_pp._stop.set(); _pp._thread.join()          # the panel's own drawing thread stops
peer_img = W.Image(format="png", layout=W.Layout(width="100%"))
peer_img.add_class("tl-peer")
peer_stop, peer_n = threading.Event(), [0]
def _peer():
    while not peer_stop.is_set():
        peer_img.value = render_plots(_pp.client.samples(4000), 1000.0)
        peer_n[0] += 1
display(peer_img)
threading.Thread(target=_peer, daemon=True).start()'''
PEER_PROBE = 'print("PROBE " + json.dumps({"t": time.monotonic(), "cpu_s": sum(os.times()[:2]), "frames": peer_n[0], "kernel_pid": os.getpid()}))'
PEER_STOP = "peer_stop.set()"

COUNT_IMAGE_CHANGES = """async (seconds) => {
  const img = document.querySelector('.tl-peer img, img.tl-peer');
  if (!img) return {error: 'no image'};
  const times = [];
  const obs = new MutationObserver(() => times.push(performance.now()));
  obs.observe(img, {attributes: true, attributeFilter: ['src']});
  await new Promise(r => setTimeout(r, seconds * 1000));
  obs.disconnect();
  return {n: times.length, span_ms: times.length > 1 ? times[times.length - 1] - times[0] : 0};
}"""




def _per_s(n: int, span_ms: float) -> float:
    return (n - 1) / (span_ms / 1000.0) if n > 1 and span_ms > 0 else 0.0


def _session(tmp: Path) -> dict:
    from playwright.sync_api import sync_playwright

    from pen_lab import CELLS, Lab, open_lab_notebook, write_notebook
    from tremorlab.pen.emulator import build_firmware

    build_firmware("host")
    write_notebook(tmp / "pen.ipynb", (*CELLS, PEER_CELL, PEER_PROBE, PEER_STOP))
    out = {}
    with Lab(tmp) as lab, sync_playwright() as p:
        browser, page, nb = open_lab_notebook(p, lab, "pen.ipynb")
        try:
            nb.run(0)
            nb.panel.wait_for(timeout=60_000)
            nb.button("connect").click()
            nb.wait_text("tl-pen-status", r"connected: emulated pen", 30)
            nb.panel.locator(".tl-pen-algorithm select").select_option("fxnlms")
            nb.wait_text("tl-pen-status", r"algorithm: fxnlms")
            nb.button("start telemetry").click()
            nb.wait_text("tl-pen-plot-state", r"live", 15)
            nb.button("switch motor on").click()
            nb.wait_text("tl-pen-status", r"motor on")
            nb.button("record").click()                            # the recorder runs in the kernel too
            nb.wait_text("tl-pen-status", r"recording to ")
            time.sleep(2.0)
            k0 = nb.probe()
            red = nb.redraws(SECONDS)
            k1 = nb.probe()
            dt = k1["t"] - k0["t"]
            out["ours"] = {"browser_redraws_per_s": _per_s(red["n"], red["span_ms"]),
                           "kernel_refreshes_per_s": (k1["frames"] - k0["frames"]) / dt,
                           "kernel_cpu_share": (k1["cpu_s"] - k0["cpu_s"]) / dt}
            nb.run(4)                                              # the peer starts
            page.wait_for_selector(".tl-peer", state="attached", timeout=30_000)
            time.sleep(2.0)
            q0 = nb.probe(5)
            red = page.evaluate(COUNT_IMAGE_CHANGES, SECONDS)
            q1 = nb.probe(5)
            dt = q1["t"] - q0["t"]
            out["peer_matplotlib_png"] = {"browser_redraws_per_s": _per_s(red.get("n", 0), red.get("span_ms", 0)),
                                          "kernel_refreshes_per_s": (q1["frames"] - q0["frames"]) / dt,
                                          "kernel_cpu_share": (q1["cpu_s"] - q0["cpu_s"]) / dt}
            nb.run(6)
            nb.run(3)
            time.sleep(1.0)
        finally:
            browser.close()
    return out


@pytest.mark.benchmark(group="pen-panel")
def test_panel_refresh_and_kernel_cpu_in_jupyterlab(benchmark, tmp_path):
    from pen_lab import CHROMIUM

    if CHROMIUM is None or shutil.which("g++") is None:
        pytest.skip("needs Chromium (apt-get install chromium) and g++ (the emulator)")
    s0, t0 = _steal()
    res = benchmark.pedantic(_session, args=(tmp_path,), rounds=1, iterations=1)
    s1, t1 = _steal()
    steal = 100.0 * (s1 - s0) / (t1 - t0) if t1 > t0 else 0.0
    benchmark.extra_info["host_steal_pct"] = round(steal, 2)
    for who, r in res.items():
        for k, v in r.items():
            benchmark.extra_info[f"{who}.{k}"] = round(v, 3)
    print("\n" + "\n".join(f"{who}: {', '.join(f'{k} {v:.3g}' for k, v in r.items())}" for who, r in res.items())
          + f"\nhost steal {steal:.1f} %")
    ours = res["ours"]
    ok = ours["browser_redraws_per_s"] >= 10.0 and ours["kernel_cpu_share"] < 1 / 3
    if not ok and steal > STEAL_LIMIT_PCT:
        pytest.skip(f"targets missed under {steal:.1f} % host steal: {ours}")
    assert ours["browser_redraws_per_s"] >= 10.0, ours
    assert ours["kernel_cpu_share"] < 1 / 3, ours
