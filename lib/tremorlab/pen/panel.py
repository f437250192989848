"""The live pen session as an ipywidgets panel.

    from tremorlab.pen.panel import PenPanel
    panel = PenPanel()        # then pick a port (or "emulator"), Connect
    panel                     # displays in JupyterLab

Controls: port picker with the emulator as a choice (and its tremor kind), connect /
disconnect, algorithm, the filter's parameters, motor on/off, telemetry on/off, record start /
stop with the file name shown, and a status line that says what went wrong in words. The
plots (raw against filtered acceleration, spectrum with the dominant tremor frequency, MSE in
dB, motor duty) are drawn with matplotlib into a PNG ``Image`` widget by a background thread a
few times a second; nothing from that thread writes through ``with out:`` (widgets are
updated by assigning their values, which ipywidgets sends to the browser).
"""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

import numpy as np

from tremorlab.pen import protocol as P

EMULATOR = "emulator"
#: parameters shown in the panel (name, widget kind)
PANEL_PARAMS = ("step_size", "step_size_2", "forgetting_factor", "process_noise", "measurement_noise", "n_taps",
                "max_duty", "soft_start_s")


def render_plots(s: np.ndarray, rate_hz: float = 1000.0, title: str = "", width_in: float = 10.0) -> bytes:
    """PNG of the four live plots for the telemetry samples ``s`` (also used by the notebook)."""
    import matplotlib

    matplotlib.use("agg", force=False)
    from matplotlib.figure import Figure

    from tremorlab import dsp

    fig = Figure(figsize=(width_in, 5.2), dpi=80)
    axs = fig.subplots(2, 2)
    if s.size < 64:
        for ax in axs.flat:
            ax.text(0.5, 0.5, "waiting for telemetry", ha="center", va="center", transform=ax.transAxes)
    else:
        t = (s["t_us"].astype(np.int64) - int(s["t_us"][0])) / 1e6
        x, e = s["x"].astype(float), s["e"].astype(float)
        ax = axs[0, 0]
        ax.plot(t, x, lw=0.8, label="tremor (reference x)")
        ax.plot(t, e, lw=0.8, label="residual at the sensor (e)")
        ax.set(xlabel="time (s)", ylabel="acceleration (g)", title="raw vs filtered")
        ax.legend(loc="upper right", fontsize=7)
        ax = axs[0, 1]
        nper = int(min(1024, s.size))
        f, px = dsp.psd(x, rate_hz, nperseg=nper)
        _, pe = dsp.psd(e, rate_hz, nperseg=nper)
        fd = dsp.dominant_frequency(f, px, band=(2.0, 15.0))
        ax.semilogy(f, px + 1e-12, lw=0.8, label="x")
        ax.semilogy(f, pe + 1e-12, lw=0.8, label="e")
        ax.axvline(fd, color="k", ls=":", lw=0.8)
        ax.set(xlim=(0, 20), xlabel="frequency (Hz)", ylabel="PSD (g$^2$/Hz)", title=f"spectrum: dominant {fd:.2f} Hz")
        ax.legend(loc="upper right", fontsize=7)
        ax = axs[1, 0]
        win = max(1, int(rate_hz // 10))
        m = (e[: e.size // win * win] ** 2).reshape(-1, win).mean(axis=1)
        ax.plot(t[: m.size * win: win], 10 * np.log10(m + 1e-15), lw=0.8)
        ax.set(xlabel="time (s)", ylabel="MSE (dB)", title="MSE of the residual (100 ms windows)")
        ax = axs[1, 1]
        ax.plot(t, s["duty"] / 100.0, lw=0.8)
        ax.set(xlabel="time (s)", ylabel="duty (%)", ylim=(0, 100), title="motor PWM duty")
    if title:
        fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


class PenPanel:
    """The session panel. ``widget`` is the ipywidgets container (the panel displays itself).

    Parameters
    ----------
    refresh_hz : float
        Plot refresh rate (default 4 per second).
    window_s : float
        Seconds of telemetry in the plots.
    record_dir : str or Path
        Folder for recordings (file names ``pen-YYYYmmdd-HHMMSS.tpen.csv``).
    tremor : str
        Tremor of the emulator when "emulator" is chosen.
    """

    def __init__(self, refresh_hz: float = 4.0, window_s: float = 4.0, record_dir: str | Path = "recordings",
                 tremor: str = "pd", start_thread: bool = True):
        import ipywidgets as W

        from tremorlab.pen.client import list_ports
        from tremorlab.pen.emulator import TREMOR_CHOICES

        self.client = None
        self.emulator = None
        self.recorder = None
        self.refresh_hz, self.window_s = float(refresh_hz), float(window_s)
        self.record_dir = Path(record_dir)
        try:
            ports = [p["device"] for p in list_ports()]
        except Exception:  # noqa: BLE001 - no serial support on this machine: the emulator remains
            ports = []
        self.port = W.Dropdown(options=[EMULATOR, *ports], value=EMULATOR, description="port")
        self.tremor = W.Dropdown(options=[c for c in TREMOR_CHOICES], value=tremor, description="emulated tremor")
        self.connect_button = W.ToggleButton(value=False, description="connect", icon="plug")
        self.algorithm = W.Dropdown(options=list(P.ALGORITHMS), value="kalman", description="algorithm", disabled=True)
        self.params = {}
        for name in PANEL_PARAMS:
            p = P.PARAM_BY_NAME[name]
            cls = W.BoundedIntText if p.integer else W.BoundedFloatText
            w = cls(value=p.default, min=p.lo, max=p.hi, description=name, disabled=True,
                    tooltip=p.doc, style={"description_width": "initial"})
            w.observe(self._on_param, names="value")
            self.params[name] = w
        self.motor_button = W.ToggleButton(value=False, description="motor", icon="bolt", disabled=True)
        self.stream_button = W.ToggleButton(value=False, description="telemetry", icon="line-chart", disabled=True)
        self.record_button = W.ToggleButton(value=False, description="record", icon="circle", disabled=True)
        self.record_file = W.Text(value="", description="file", disabled=True, layout=W.Layout(width="60%"))
        self.status = W.HTML(value="<b>not connected</b>")
        # hidden until the first telemetry arrives (an empty image shows as a broken picture)
        self.plot = W.Image(format="png", layout=W.Layout(width="100%", display="none"))
        self.connect_button.observe(self._on_connect, names="value")
        self.algorithm.observe(self._on_algorithm, names="value")
        self.motor_button.observe(self._on_motor, names="value")
        self.stream_button.observe(self._on_stream, names="value")
        self.record_button.observe(self._on_record, names="value")
        self.widget = W.VBox([
            W.HBox([self.port, self.tremor, self.connect_button]),
            W.HBox([self.algorithm, self.motor_button, self.stream_button]),
            W.GridBox(list(self.params.values()), layout=W.Layout(grid_template_columns="repeat(3, 33%)")),
            W.HBox([self.record_button, self.record_file]),
            self.status, self.plot])
        self._busy = False  # set while the panel itself updates controls (no commands then)
        self._stop = threading.Event()
        self._thread = None
        if start_thread:
            self._thread = threading.Thread(target=self._refresh_loop, name="pen-panel", daemon=True)
            self._thread.start()

    # ---- display ---------------------------------------------------------------------------
    def _repr_mimebundle_(self, **kw):
        return self.widget._repr_mimebundle_(**kw)

    def say(self, text: str, error: bool = False) -> None:
        colour = "#b00020" if error else "#1b5e20"
        self.status.value = f"<span style='color:{colour}'>{text}</span>"

    def _controls(self, enabled: bool) -> None:
        for w in (self.algorithm, self.motor_button, self.stream_button, self.record_button, *self.params.values()):
            w.disabled = not enabled
        self.port.disabled = self.tremor.disabled = enabled

    # ---- observers -------------------------------------------------------------------------
    def _guard(self, what: str, fn):
        if self._busy:
            return None
        if self.client is None:
            self.say(f"{what}: not connected", error=True)
            return None
        try:
            return fn()
        except Exception as exc:  # noqa: BLE001 - shown to the user in words
            self.say(f"{what}: {exc}", error=True)
            return None

    def _on_connect(self, change) -> None:
        if self._busy:
            return
        if change["new"]:
            self.connect()
        else:
            self.disconnect()

    def connect(self) -> None:
        from tremorlab.pen.client import PenClient

        try:
            if self.port.value == EMULATOR:
                from tremorlab.pen.emulator import start_emulator

                self.say(f"starting the emulator ({self.tremor.value} tremor)...")
                self.emulator = start_emulator(self.tremor.value)
                self.client = PenClient(self.emulator.port, clock_zero_ns=self.emulator.clock_zero_ns)
                where = f"emulated pen on {self.emulator.port}"
            else:
                self.client = PenClient(self.port.value)
                where = self.port.value
        except Exception as exc:  # noqa: BLE001
            self._cleanup()
            self._set(self.connect_button, False)
            self.say(f"connect failed: {exc}", error=True)
            return
        self.client.on_disconnect(self._on_lost)
        values = self.client.params()
        self._busy = True
        try:
            for name, w in self.params.items():
                w.value = int(values[name]) if isinstance(w.value, int) else float(values[name])
            self.algorithm.value = self.client.status()["algorithm"]
            self.connect_button.value = True
        finally:
            self._busy = False
        self._controls(True)
        info = self.client.info
        self.say(f"connected: {where}, firmware {info['firmware']}, protocol {info['protocol']}, "
                 f"{info['sample_rate_hz']} Hz")

    def _on_lost(self, why: str) -> None:
        self.say(f"disconnected: {why}", error=True)
        self._set(self.connect_button, False)
        self._controls(False)
        if self.recorder is not None:
            self.recorder.close()
            self._set(self.record_button, False)

    def disconnect(self) -> None:
        self._cleanup()
        self._controls(False)
        self._set(self.connect_button, False)
        for b in (self.motor_button, self.stream_button, self.record_button):
            self._set(b, False)
        self.say("not connected")

    def _cleanup(self) -> None:
        if self.recorder is not None:
            self.recorder.close()
        if self.client is not None:
            try:
                if not self.client.disconnected:
                    self.client.motor(False)
            except Exception:  # noqa: BLE001
                pass
            self.client.close()
        if self.emulator is not None:
            self.emulator.stop()
        self.client = self.emulator = None

    def _set(self, widget, value) -> None:
        self._busy = True
        try:
            widget.value = value
        finally:
            self._busy = False

    def _on_algorithm(self, change) -> None:
        if self._guard("algorithm", lambda: self.client.select_algorithm(change["new"])) is not None:
            self.say(f"algorithm: {change['new']}")

    def _on_param(self, change) -> None:
        name = change["owner"].description
        applied = self._guard(f"{name}", lambda: self.client.set_param(name, change["new"]))
        if applied is not None:
            self.say(f"{name} = {applied:g}")
        elif not self._busy and self.client is not None:
            self._set(change["owner"], change["old"])  # the pen refused: show its value again

    def _on_motor(self, change) -> None:
        if self._guard("motor", lambda: self.client.motor(change["new"])) is None and not self._busy:
            self._set(self.motor_button, False)
        elif not self._busy:
            self.say(f"motor {'on (soft start)' if change['new'] else 'off'}")

    def _on_stream(self, change) -> None:
        if self._guard("telemetry", lambda: self.client.stream(change["new"])) is not None:
            self.say(f"telemetry {'on' if change['new'] else 'off'}")

    def _on_record(self, change) -> None:
        if self._busy:
            return
        if change["new"]:
            def start():
                from tremorlab.pen.recorder import Recorder

                path = self.record_dir / time.strftime("pen-%Y%m%d-%H%M%S.tpen.csv")
                meta = {"port": self.client.port, "firmware": self.client.info.get("firmware"),
                        "emulated": self.emulator is not None,
                        "tremor": self.tremor.value if self.emulator is not None else None}
                self.recorder = Recorder(path, client=self.client, meta=meta)
                return path
            path = self._guard("record", start)
            if path is None:
                self._set(self.record_button, False)
            else:
                self.record_file.value = str(path)
                self.say(f"recording to {path}")
        elif self.recorder is not None:
            path = self.recorder.close()
            self.say(f"recorded {self.recorder.n_samples} samples to {path}")
            self.recorder = None

    # ---- plots -----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Redraw the plots from the newest telemetry (called by the background thread)."""
        c = self.client
        if c is None or c.n_received == 0:
            return
        rate = float(c.info.get("sample_rate_hz", 1000) or 1000)
        s = c.samples(int(self.window_s * rate))
        png = render_plots(s, rate)
        self.plot.layout.display = None
        self.plot.value = png

    def _refresh_loop(self) -> None:
        period = 1.0 / self.refresh_hz
        while not self._stop.wait(period):
            try:
                if self.stream_button.value:
                    self.refresh()
            except Exception as exc:  # noqa: BLE001 - keep the panel alive, say why
                self.say(f"plot: {exc}", error=True)

    def close(self) -> None:
        self._stop.set()
        self.disconnect()
