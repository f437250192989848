"""A real JupyterLab with the pen panel, driven by headless Chromium (playwright).

Used by ``tests/test_pen_browser.py`` (what a user meets) and ``bench/bench_pen_panel.py`` (refresh
rate in the browser and the kernel's CPU share). :class:`Lab` starts ``jupyter lab`` on
127.0.0.1 with a random token in a temporary folder holding one notebook (the panel cell of the
chapter, a probe cell that prints the kernel's state as JSON, a closing cell), and stops every
process it started: the kernels (through the server's API), the server (its process group),
and any emulator the kernel left running.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic", "--disable-dev-shm-usage"]

PANEL_CELL = 'from tremorlab.pen.panel import PenPanel\npanel = PenPanel(record_dir="recordings")\npanel'
PROBE_CELL = '''import json, os, threading, time
from tremorlab.pen.panel import PenPanel
def probe(params=False):
    p = PenPanel.active
    c = p.client if p is not None else None
    out = {"t": time.monotonic(), "cpu_s": sum(os.times()[:2]), "frames": p.frames if p else None,
           "emulator_pid": p.emulator.pid if p is not None and p.emulator is not None else None,
           "threads": [t.name for t in threading.enumerate()],
           "params": {k: float(v) for k, v in c.params().items()} if (params and c is not None) else None,
           "n_received": c.n_received if c is not None else None, "kernel_pid": os.getpid()}
    print("PROBE " + json.dumps(out))
probe()'''
PROBE_PARAMS_CELL = "probe(params=True)"
CLOSE_CELL = 'PenPanel.active.close("the notebook asked") if PenPanel.active is not None else None'
CELLS = (PANEL_CELL, PROBE_CELL, PROBE_PARAMS_CELL, CLOSE_CELL)

# counts the plot refreshes the browser draws: a change of the 'd' of a curve of the first figure
# is a redraw; changes less than 30 ms apart (both curves, the rescaled axis of one refresh) count once
COUNT_REDRAWS = """async (seconds) => {
  const fig = document.querySelector('.tl-pen-plots .bqplot');
  if (!fig) return {error: 'no figure'};
  const times = [];
  const obs = new MutationObserver(recs => {
    if (!recs.some(r => r.attributeName === 'd' && r.target.classList.contains('line'))) return;
    const now = performance.now();
    if (!times.length || now - times[times.length - 1] > 30) times.push(now);
  });
  obs.observe(fig, {subtree: true, attributes: true, attributeFilter: ['d']});
  await new Promise(r => setTimeout(r, seconds * 1000));
  obs.disconnect();
  return {n: times.length, span_ms: times.length > 1 ? times[times.length - 1] - times[0] : 0};
}"""

# what a 1024 px wide window shows: widgets that stick out of the panel, fields that overlap,
# labels cut short
LAYOUT_CHECK = """() => {
  const panel = document.querySelector('.tl-pen-panel');
  const pr = panel.getBoundingClientRect();
  const problems = [];
  panel.querySelectorAll('button, select, input, .widget-label, .bqplot').forEach(e => {
    const r = e.getBoundingClientRect();
    if (r.width === 0) return;
    if (r.right > pr.right + 1 || r.left < pr.left - 1) problems.push('sticks out: ' + (e.innerText || e.className).slice(0, 40));
  });
  const fields = [...panel.querySelectorAll('[class*="tl-param-"]')].map(e => [e, e.getBoundingClientRect()]);
  for (let i = 0; i < fields.length; i++) for (let j = i + 1; j < fields.length; j++) {
    const a = fields[i][1], b = fields[j][1];
    const w = Math.min(a.right, b.right) - Math.max(a.left, b.left), h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    if (w > 1 && h > 1) problems.push('overlap: ' + fields[i][0].className.match(/tl-param-\\w+/)[0] + ' / ' + fields[j][0].className.match(/tl-param-\\w+/)[0]);
  }
  panel.querySelectorAll('.widget-label').forEach(l => {
    if (l.scrollWidth > l.clientWidth + 1) problems.push('label cut: ' + l.innerText);
  });
  return {problems: problems, width: pr.width};
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_notebook(path: Path, cells=CELLS) -> Path:
    nb = {"nbformat": 4, "nbformat_minor": 5,
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                       "language_info": {"name": "python"}},
          "cells": [{"cell_type": "code", "id": f"c{i}", "metadata": {}, "execution_count": None, "outputs": [],
                     "source": src} for i, src in enumerate(cells)]}
    path.write_text(json.dumps(nb, indent=1))
    return path


class Lab:
    """``with Lab(tmp) as lab:`` a JupyterLab server on 127.0.0.1 serving ``tmp`` (token in ``lab.url``)."""

    def __init__(self, workdir: Path, start_timeout: float = 90.0):
        self.workdir = Path(workdir)
        self.port, self.token = free_port(), secrets.token_hex(16)
        self.base = f"http://127.0.0.1:{self.port}"
        self.start_timeout = start_timeout
        self.proc: subprocess.Popen | None = None
        self.emulator_pids: set[int] = set()
        self.kernel_pids: set[int] = set()

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}?token={self.token}"

    def __enter__(self) -> "Lab":
        settings = self.workdir / ".lab-settings"
        (settings / "@jupyterlab" / "apputils-extension").mkdir(parents=True, exist_ok=True)
        # no news or update pop-ups over the notebook
        (settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings").write_text(
            json.dumps({"fetchNews": "false", "checkForUpdates": False}))
        env = dict(os.environ, PYTHONPATH=str(ROOT / "lib") + os.pathsep + os.environ.get("PYTHONPATH", ""),
                   JUPYTERLAB_SETTINGS_DIR=str(settings), JUPYTERLAB_WORKSPACES_DIR=str(self.workdir / ".lab-ws"),
                   JUPYTER_RUNTIME_DIR=str(self.workdir / ".lab-runtime"), PYDEVD_DISABLE_FILE_VALIDATION="1")
        self.log = open(self.workdir / "jupyterlab.log", "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
             f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
             f"--ServerApp.root_dir={self.workdir}", "--LabApp.news_url=", "--ServerApp.open_browser=False",
             "--LabApp.extension_manager=readonly", *(["--allow-root"] if os.geteuid() == 0 else [])],
            cwd=self.workdir, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + self.start_timeout
        while True:
            try:
                with urllib.request.urlopen(self.url("api/status"), timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.__exit__(None, None, None)
                raise RuntimeError(f"JupyterLab did not start: {self.log_tail()}")
            time.sleep(0.3)

    def log_tail(self, n: int = 3000) -> str:
        try:
            return (self.workdir / "jupyterlab.log").read_text()[-n:]
        except OSError:
            return ""

    def _api(self, method: str, path: str):
        req = urllib.request.Request(self.url(path), method=method)
        with urllib.request.urlopen(req, timeout=10) as r:
            body = r.read()
        return json.loads(body) if body else None

    def __exit__(self, *exc) -> None:
        if self.proc is None:
            return
        try:
            for k in self._api("GET", "api/kernels") or []:
                self._api("DELETE", f"api/kernels/{k['id']}")
        except Exception:  # noqa: BLE001 - the server may be gone already
            pass
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        for pid in self.emulator_pids | self.kernel_pids:  # whatever the kernel left behind
            kill_if_alive(pid)
        self.log.close()
        self.proc = None


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is not running
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except OSError:
        return False


def kill_if_alive(pid: int) -> None:
    if alive(pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


class Notebook:
    """The open notebook in the page: run cells, read their probe output, find the panel."""

    def __init__(self, page, lab: Lab):
        self.page, self.lab = page, lab
        self.panel = page.locator(".tl-pen-panel")
        self.errors: list[str] = []

    def cell(self, i: int):
        return self.page.locator(".jp-Notebook .jp-Cell").nth(i)

    def run(self, i: int) -> None:
        cell = self.cell(i)
        cell.locator(".jp-InputArea-editor").click()
        self.page.keyboard.press("Shift+Enter")

    def probe(self, i: int = 1, timeout: float = 30.0) -> dict:
        out = self.cell(i).locator(".jp-OutputArea-output")
        before = out.first.inner_text() if out.count() else ""
        self.run(i)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if out.count():
                text = out.first.inner_text()
                if text != before and "PROBE " in text:
                    data = json.loads(text.split("PROBE ", 1)[1].strip().splitlines()[0])
                    if data.get("emulator_pid"):
                        self.lab.emulator_pids.add(int(data["emulator_pid"]))
                    self.lab.kernel_pids.add(int(data["kernel_pid"]))
                    return data
                if "Traceback" in text or "Error" in text.split("\n", 1)[0]:
                    raise RuntimeError(f"probe cell failed: {text[:2000]}")
            time.sleep(0.1)
        raise TimeoutError(f"no probe output within {timeout:g} s")

    def button(self, text: str):
        return self.panel.locator(f"button:text-is('{text}')")

    def text(self, cls: str) -> str:
        return self.panel.locator(f".{cls}").first.inner_text()

    def wait_text(self, cls: str, pattern: str, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.text(cls)
            if re.search(pattern, text):
                return text
            time.sleep(0.05)
        raise AssertionError(f"{cls}: expected /{pattern}/ within {timeout:g} s, got {text!r}")

    def field(self, name: str):
        return self.panel.locator(f".tl-param-{name} input")

    def type_value(self, name: str, value: str) -> None:
        f = self.field(name)
        f.fill(value)
        f.press("Enter")

    def residual_db(self) -> float:
        return float(re.search(r"(-?\d+(?:\.\d+)?) dB", self.panel.locator(".tl-residual").inner_text()).group(1))

    def redraws(self, seconds: float) -> dict:
        return self.page.evaluate(COUNT_REDRAWS, seconds)


def open_lab_notebook(p, lab: Lab, name: str, width: int = 1024, height: int = 900):
    """Launch Chromium, open ``name`` in JupyterLab; returns (browser, page, Notebook)."""
    browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(30_000)
    nb = Notebook(page, lab)
    # what the page reports as broken: widget errors in the console, uncaught exceptions
    page.on("console", lambda m: nb.errors.append(m.text[:300]) if m.type == "error" else None)
    page.on("pageerror", lambda e: nb.errors.append(f"uncaught: {str(e)[:300]}"))
    page.goto(lab.url(f"lab/tree/{name}"), wait_until="domcontentloaded", timeout=90_000)
    page.wait_for_selector(".jp-Notebook .jp-Cell .jp-InputArea-editor", timeout=90_000)
    # the kernel is up when the status bar says so (a cell run before that is dropped)
    page.wait_for_function("() => /\\| Idle/.test(document.querySelector('.jp-StatusBar-Widget, #jp-main-statusbar')"
                           "?.innerText || '')", timeout=90_000)
    return browser, page, nb
