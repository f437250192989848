"""The live pen session as an ipywidgets panel.

    from tremorlab.pen.panel import PenPanel
    PenPanel()                # pick a port (or "emulator"), press connect

Controls: port picker with the emulator as a choice (and its tremor kind), connect /
disconnect, algorithm, the filter's parameters with the loop's stability bound beside the step
sizes, telemetry, motor, record / stop with the file name shown, and a status line that says
what happened or what went wrong in words. Every button says what pressing it will do.

What the panel guarantees:

* **Values are checked before they are sent**, against the pen's own table
  (:func:`tremorlab.pen.protocol.check_param`, the rules of the firmware's ``Params::valid``):
  a value the pen would refuse is not sent, the status line says why, and the field shows the
  pen's value again. A step size beyond the loop's stability bound
  (:mod:`tremorlab.pen.stability`) is sent only after **apply anyway**.
* **The panel follows the pen**: after every command, and on (re)connecting, it reads every
  parameter and the pen's status back and sets the fields and buttons from them. Numbers are
  shown as the shortest decimal of the float32 the pen stores (0.05, not 0.05000000074505806).
* **Stale plots are marked**: when telemetry stops, the link is lost or the panel reconnects,
  a line above the plots says the plots are stale and since when, and the curves are greyed.
* **One panel owns the pen per kernel**: creating a panel closes the previous one (its
  drawing thread stops, the motor goes off, the link closes and its emulator stops).
* Recording needs telemetry (else it is refused, with the reason); a recording without a
  sample leaves no file; disconnecting or losing the link closes the recording and the message
  names the file and its number of samples.

The plots are `bqplot <https://github.com/bqplot/bqplot>`_ figures: the kernel sends a few
hundred decimated points per curve (block means of the 1 kHz telemetry) and the browser draws
them, so a refresh costs the kernel milliseconds (a matplotlib PNG of the same plots costs
hundreds). A background thread refreshes them ``refresh_hz`` times a second while new telemetry
arrives; it only assigns widget traits (never ``with out:``). The figures are created when the
first telemetry arrives, so a panel that never connected holds core widgets only (its saved
state renders in the static book).
"""

from __future__ import annotations

import atexit
import io
import threading
import time
from collections import deque
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from tremorlab import dsp
from tremorlab.pen import protocol as P
from tremorlab.pen.client import PenClient, PenDisconnected, list_ports
from tremorlab.pen.emulator import start_emulator
from tremorlab.pen.recorder import Recorder
from tremorlab.pen.stability import step_size_bounds
from tremorlab.pen.tremor_sources import TREMOR_CHOICES

EMULATOR = "emulator"
#: parameters shown in the panel
PANEL_PARAMS = ("step_size", "step_size_2", "forgetting_factor", "process_noise", "measurement_noise", "n_taps",
                "max_duty", "soft_start_s")
#: points per curve sent to the browser (block means of the telemetry)
PLOT_POINTS = 400
OK, WARN, ERROR = "#1b5e20", "#8a5a00", "#b00020"
#: seconds without new telemetry, while it is on, after which the plots are marked stale
STALE_AFTER_S = 0.6
#: a second press of connect within this many seconds of connecting is ignored (a double click)
DOUBLE_PRESS_S = 0.6


def render_plots(s: np.ndarray, rate_hz: float = 1000.0, title: str = "", width_in: float = 10.0) -> bytes:
    """PNG of the four live plots for the telemetry samples ``s`` (also used by the notebook)."""
    import matplotlib

    matplotlib.use("agg", force=False)
    from matplotlib.figure import Figure

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


def _esc(text: str) -> str:
    import html

    return html.escape(str(text), quote=False)


class PenPanel:
    """The session panel. ``widget`` is the ipywidgets container (the panel displays itself).

    Parameters
    ----------
    refresh_hz : float
        Plot refreshes per second while new telemetry arrives (default 12.5).
    window_s : float
        Seconds of telemetry in the plots.
    record_dir : str or Path
        Folder for recordings (file names ``pen-YYYYmmdd-HHMMSS.tpen.csv``).
    tremor : str
        Tremor of the emulator when "emulator" is chosen.
    start_thread : bool
        Start the background thread that refreshes the plots (tests may call :meth:`refresh`).

    Attributes
    ----------
    pen_params, pen_status : dict
        The pen's parameters and status as last read back (after every command).
    frames : int
        Plot refreshes sent so far; ``frame_rate()`` is their rate over the last 2 s.
    """

    #: the panel that owns the pen in this kernel (a new panel closes the previous one)
    active: "PenPanel | None" = None

    def __init__(self, refresh_hz: float = 12.5, window_s: float = 4.0, record_dir: str | Path = "recordings",
                 tremor: str = "pd", start_thread: bool = True):
        import ipywidgets as W

        previous = PenPanel.active
        if previous is not None and previous is not self:
            previous.close("a newer panel was created in this kernel; it owns the pen now")
        PenPanel.active = self

        self.client = None
        self.emulator = None
        self.recorder = None
        self.refresh_hz, self.window_s = float(refresh_hz), float(window_s)
        self.record_dir = Path(record_dir)
        self.pen_params: dict[str, float] = {}
        self.pen_status: dict = {}
        self.frames = 0
        self.closed = False
        self._frame_t: deque = deque(maxlen=64)
        self._busy = 0
        self._ui = threading.RLock()
        self._plot_lock = threading.RLock()  # a refresh's push and the stale marking do not interleave
        self._pending: tuple[str, float] | None = None
        self._connected_at = 0.0
        self._last_n = 0
        self._last_new = 0.0
        self._stale: str | None = None
        self._stale_epoch = 0
        self._figs = None
        self._bound: dict = {}
        self._last_wall: float | None = None
        self.residual_db: float | None = None
        try:
            ports = [p["device"] for p in list_ports()]
        except Exception:  # noqa: BLE001 - no serial support on this machine: the emulator remains
            ports = []
        dw = {"description_width": "10.5em"}
        self.port = W.Dropdown(options=[EMULATOR, *ports], value=EMULATOR, description="port", style=dw,
                               layout=W.Layout(width="20em"))
        self.tremor = W.Dropdown(options=list(TREMOR_CHOICES), value=tremor, description="emulated tremor", style=dw,
                                 layout=W.Layout(width="22em"))
        self.connect_button = W.ToggleButton(value=False, description="connect", icon="plug",
                                             tooltip="connect to the pen on the chosen port", layout=W.Layout(width="9em"))
        self.algorithm = W.Dropdown(options=list(P.ALGORITHMS), value="kalman", description="algorithm", disabled=True,
                                    style=dw, layout=W.Layout(width="20em"))
        self.stream_button = W.ToggleButton(value=False, description="start telemetry", icon="line-chart",
                                            disabled=True, layout=W.Layout(width="11em"))
        self.motor_button = W.ToggleButton(value=False, description="switch motor on", icon="bolt", disabled=True,
                                           layout=W.Layout(width="11em"))
        self.params = {}
        self._param_of = {}
        for name in PANEL_PARAMS:
            p = P.PARAM_BY_NAME[name]
            # FloatText for every parameter: no clamping in the browser (a value outside the
            # limits must reach the check and be refused, not be replaced by the limit) and
            # "2.5" stays 2.5 (an IntText would read 25)
            w = W.FloatText(value=P.readable(p.default), description=name, disabled=True,
                            tooltip=f"{p.doc}; the pen accepts {P.readable(p.lo):g} ... {P.readable(p.hi):g}"
                            + (", whole numbers" if p.integer else ""),
                            style=dw, layout=W.Layout(width="auto", min_width="0"))
            w.observe(self._on_param, names="value")
            self.params[name] = w
            self._param_of[id(w)] = name
        self.bound_label = W.HTML(value="", layout=W.Layout(width="auto"))
        self.confirm_text = W.HTML(value="")
        self.confirm_button = W.Button(description="apply anyway", button_style="warning", icon="check",
                                       layout=W.Layout(width="10em"))
        self.cancel_button = W.Button(description="cancel", icon="times", layout=W.Layout(width="8em"))
        self.confirm_button.on_click(lambda _b: self._confirm(True))
        self.cancel_button.on_click(lambda _b: self._confirm(False))
        self.confirm_box = W.HBox([self.confirm_text, self.confirm_button, self.cancel_button],
                                  layout=W.Layout(display="none", flex_flow="row wrap", align_items="center"))
        self.record_button = W.ToggleButton(value=False, description="record", icon="circle", disabled=True,
                                            layout=W.Layout(width="11em"))
        self.record_file = W.Text(value="", description="file", disabled=True, style={"description_width": "3em"},
                                  layout=W.Layout(flex="1 1 auto", width="auto", min_width="10em"))
        self.status = W.HTML(value="<b>not connected</b>: choose a port (or the emulator) and press connect")
        self.readout = W.HTML(value="")
        self.plot_state = W.HTML(value="")
        self.plots = W.Box([W.HTML("<i>the plots appear with the first telemetry: connect, then start telemetry</i>")],
                           layout=W.Layout(width="100%"))
        self.connect_button.observe(self._on_connect, names="value")
        self.algorithm.observe(self._on_algorithm, names="value")
        self.motor_button.observe(self._on_motor, names="value")
        self.stream_button.observe(self._on_stream, names="value")
        self.record_button.observe(self._on_record, names="value")
        row = dict(flex_flow="row wrap", align_items="center", width="100%")
        self.widget = W.VBox([
            W.HBox([self.port, self.tremor, self.connect_button], layout=W.Layout(**row)),
            W.HBox([self.algorithm, self.stream_button, self.motor_button], layout=W.Layout(**row)),
            W.GridBox(list(self.params.values()),
                      layout=W.Layout(grid_template_columns="repeat(auto-fill, minmax(18em, 1fr))",
                                      grid_gap="2px 12px", width="100%")),
            self.bound_label, self.confirm_box,
            W.HBox([self.record_button, self.record_file], layout=W.Layout(**row)),
            self.status, self.readout, self.plot_state, self.plots],
            layout=W.Layout(width="100%", max_width="100%", overflow="hidden"))
        self.widget.add_class("tl-pen-panel")
        for cls, w in (("status", self.status), ("readout", self.readout), ("plot-state", self.plot_state),
                       ("bound", self.bound_label), ("confirm", self.confirm_box), ("algorithm", self.algorithm),
                       ("record-file", self.record_file)):
            w.add_class(f"tl-pen-{cls}")
        for name, w in self.params.items():
            w.add_class(f"tl-param-{name}")
        self._stop = threading.Event()
        self._thread = None
        if start_thread:
            self._thread = threading.Thread(target=self._refresh_loop, name="pen-panel", daemon=True)
            self._thread.start()

    # ---- display ---------------------------------------------------------------------------
    def _repr_mimebundle_(self, **kw):
        return self.widget._repr_mimebundle_(**kw)

    def say(self, text: str, error: bool = False, warn: bool = False) -> None:
        colour = ERROR if error else WARN if warn else OK
        self.status.value = f"<span style='color:{colour}'>{_esc(text)}</span>"

    @contextmanager
    def _quiet(self):
        """The panel itself sets controls (from the pen's state): observers send nothing."""
        self._busy += 1
        try:
            yield
        finally:
            self._busy -= 1

    def _set(self, widget, value) -> None:
        with self._quiet():
            widget.value = value

    def _labels(self) -> None:
        """Each button says what pressing it will do."""
        c = self.connect_button
        c.description, c.icon = ("disconnect", "unlink") if c.value else ("connect", "plug")
        c.tooltip = "close the link to the pen (the motor goes off)" if c.value else "connect to the pen on the chosen port"
        self.stream_button.description = "stop telemetry" if self.stream_button.value else "start telemetry"
        self.motor_button.description = "switch motor off" if self.motor_button.value else "switch motor on"
        r = self.record_button
        r.description, r.icon = ("stop recording", "stop") if r.value else ("record", "circle")

    def _controls(self, enabled: bool) -> None:
        for w in (self.algorithm, self.motor_button, self.stream_button, self.record_button, *self.params.values()):
            w.disabled = not enabled
        self.port.disabled = self.tremor.disabled = enabled
        if not enabled:
            self.confirm_box.layout.display = "none"
            self._pending = None

    # ---- the pen's state -------------------------------------------------------------------
    def sync(self) -> None:
        """Read every parameter and the status back from the pen and show them."""
        c = self.client
        if c is None:
            return
        values = {k: P.readable(v) for k, v in c.params().items()}
        st = c.status()
        self.pen_params, self.pen_status = values, st
        with self._quiet():
            for name, w in self.params.items():
                w.value = values[name]
            self.algorithm.value = st["algorithm"]
            self.stream_button.value = bool(st["streaming"])
            self.motor_button.value = bool(st["motor_on"])
        self._labels()
        self._update_bound()

    def _update_bound(self) -> None:
        if not self.pen_params:
            self.bound_label.value = ""
            return
        x = None
        c = self.client
        if c is not None and c.n_received >= 256:
            x = c.samples(int(self.window_s * self._rate()))["x"].astype(float)
        b = step_size_bounds(self.pen_status.get("algorithm", self.algorithm.value), self.pen_params, x)
        self._bound = b
        over = [n for n in ("step_size", "step_size_2") if b[n] is not None and self.pen_params[n] > b[n]]
        colour = ERROR if over else "#444"
        extra = f" <b>now beyond it: {', '.join(over)}</b>" if over else ""
        self.bound_label.value = (f"<span style='color:{colour}'>loop stability: {_esc(b['text'])}{extra}</span>")

    def _rate(self) -> float:
        c = self.client
        return float((c.info.get("sample_rate_hz") if c is not None else 0) or 1000)

    # ---- observers -------------------------------------------------------------------------
    def _command(self, what: str, fn) -> bool:
        """Run a command; on success read the pen's state back. False (and the reason shown) on failure."""
        if self.client is None:
            self.say(f"{what}: not connected", error=True)
            return False
        try:
            fn()
        except Exception as exc:  # noqa: BLE001 - shown to the user in words
            self.say(f"{what}: {exc}", error=True)
            if not isinstance(exc, PenDisconnected):
                try:
                    self.sync()  # the pen's values back in the fields
                except Exception:  # noqa: BLE001
                    pass
            return False
        self.sync()
        return True

    def _on_connect(self, change) -> None:
        if self._busy:
            return
        with self._ui:
            if change["new"]:
                self.connect()
            elif time.monotonic() - self._connected_at < DOUBLE_PRESS_S:
                self._set(self.connect_button, True)  # a double click: the second press is not a request
                self._labels()
                self.say("still connected: a second press right after connecting was ignored (press disconnect again)",
                         warn=True)
            else:
                self.disconnect()

    def connect(self) -> None:
        """Connect to the chosen port (or start the emulator), then read the pen's state."""
        if self.client is not None:
            return
        self.connect_button.disabled = True
        try:
            if self.port.value == EMULATOR:
                self.say(f"starting the emulator ({self.tremor.value} tremor)...")
                self.emulator = start_emulator(self.tremor.value)
                self.client = PenClient(self.emulator.port, clock_zero_ns=self.emulator.clock_zero_ns)
                where = f"emulated pen on {self.emulator.port}"
            else:
                self.say(f"connecting to {self.port.value}...")
                self.client = PenClient(self.port.value)
                where = self.port.value
            self.client.on_disconnect(self._on_lost)
            self.sync()
        except Exception as exc:  # noqa: BLE001
            self._release()
            self._set(self.connect_button, False)
            self._labels()
            self.say(f"connect failed: {exc}", error=True)
            return
        finally:
            self.connect_button.disabled = False
        self._set(self.connect_button, True)
        self._connected_at = time.monotonic()
        self._last_n = 0
        self._controls(True)
        self._labels()
        if self._figs is not None:
            self._mark_stale("these plots are from the previous connection; start telemetry for new ones")
        info = self.client.info
        st = self.pen_status
        self.say(f"connected: {where}, firmware {info['firmware']}, protocol {info['protocol']}, "
                 f"{info['sample_rate_hz']} Hz; algorithm {st['algorithm']}, telemetry "
                 f"{'on' if st['streaming'] else 'off'}, motor {'on' if st['motor_on'] else 'off'}"
                 + (f", fault: {st['fault']}" if st["fault"] != "none" else ""))

    def _close_recording(self) -> str:
        """Close the recording, if any; the words that say what was saved."""
        r, self.recorder = self.recorder, None
        if r is None:
            return ""
        path = r.close()
        self._set(self.record_button, False)
        self._labels()
        if r.n_samples == 0:
            try:
                path.unlink()
            except OSError:
                pass
            return "; the recording got no samples, so no file was kept"
        return f"; recording saved: {path} ({r.n_samples} samples)"

    def _on_lost(self, why: str) -> None:
        """The link is gone (called from the client's reader thread)."""
        saved = self._close_recording()
        self._mark_stale(f"the link was lost at {time.strftime('%H:%M:%S')}")
        with self._quiet():
            for b in (self.connect_button, self.stream_button, self.motor_button, self.record_button):
                b.value = False
        self._labels()
        self._controls(False)
        self._release()
        self.say(f"link lost: {why}{saved}. Press connect to connect again.", error=True)

    def disconnect(self, quiet: bool = False) -> None:
        """Motor off, close the link (and stop the emulator); the recording is closed and named."""
        was = self.client is not None
        saved = self._close_recording()
        self._release()
        with self._quiet():
            for b in (self.connect_button, self.stream_button, self.motor_button, self.record_button):
                b.value = False
        self._labels()
        self._controls(False)
        if was:
            self._mark_stale(f"disconnected at {time.strftime('%H:%M:%S')}")
        if not quiet:
            self.say(f"disconnected (motor off){saved}" if was else f"not connected{saved}")

    def _release(self) -> None:
        c, e = self.client, self.emulator
        self.client = self.emulator = None
        if c is not None:
            try:
                if not c.disconnected:
                    c.motor(False)
            except Exception:  # noqa: BLE001
                pass
            c.close()
        if e is not None:
            e.stop()

    def _on_algorithm(self, change) -> None:
        if self._busy:
            return
        with self._ui:
            if self._command("algorithm", lambda: self.client.select_algorithm(change["new"])):
                b = self._bound
                over = [f"{n} = {self.pen_params[n]:g} (bound {b[n]:.3g})" for n in ("step_size", "step_size_2")
                        if b.get(n) is not None and self.pen_params[n] > b[n]]
                if over:
                    self.say(f"algorithm: {change['new']} (filter restarted); beyond its stability bound: "
                             f"{', '.join(over)}", warn=True)
                else:
                    self.say(f"algorithm: {change['new']} (filter restarted from zero weights)")

    def _on_param(self, change) -> None:
        if self._busy:
            return
        name = self._param_of[id(change["owner"])]
        with self._ui:
            self.set_value(name, change["new"])

    def set_value(self, name: str, value, confirmed: bool = False) -> bool:
        """What typing ``value`` into the field ``name`` does: check, confirm, send, read back."""
        w = self.params[name]
        self.confirm_box.layout.display = "none"
        self._pending = None
        if self.client is None:
            self.say(f"{name}: not connected", error=True)
            return False
        pen_value = self.pen_params.get(name, P.PARAM_BY_NAME[name].default)
        reason = P.check_param(name, value, self.pen_params or None)
        if reason is not None:
            self._set(w, pen_value)
            self.say(f"refused, not sent: {reason}; {name} stays {pen_value:g}", error=True)
            return False
        b = self._bound.get(name)
        if b is not None and float(value) > b and not confirmed:
            self._pending = (name, float(value))
            self.confirm_text.value = (f"<span style='color:{WARN}'><b>{name} = {P.readable(value):g}</b> is beyond "
                                       f"the loop's stability bound {b:.3g} for {_esc(self.pen_status.get('algorithm'))}: "
                                       f"the motor may shake the pen instead of calming it.</span>")
            self.confirm_box.layout.display = None
            self.say(f"{name} = {P.readable(value):g} not sent yet: it is beyond the stability bound {b:.3g}; "
                     "press 'apply anyway' to send it or 'cancel' to keep the pen's value", warn=True)
            return False
        if self._command(name, lambda: self.client.set_param(name, float(value))):
            self.say(f"{name} = {self.pen_params[name]:g} (read back from the pen)"
                     + (" - beyond the stability bound, as confirmed" if confirmed else ""), warn=confirmed)
            return True
        return False

    def _confirm(self, apply: bool) -> None:
        with self._ui:
            pending, self._pending = self._pending, None
            self.confirm_box.layout.display = "none"
            if pending is None:
                return
            name, value = pending
            if apply:
                self.set_value(name, value, confirmed=True)
            else:
                self._set(self.params[name], self.pen_params.get(name, P.PARAM_BY_NAME[name].default))
                self.say(f"{name}: cancelled; the pen keeps {self.pen_params.get(name):g}")

    def _on_motor(self, change) -> None:
        if self._busy:
            return
        with self._ui:
            if self._command("motor", lambda: self.client.motor(change["new"])):
                on = self.pen_status.get("motor_on")
                self.say("motor on (soft start)" if on else "motor off")
            else:
                self._labels()

    def _on_stream(self, change) -> None:
        if self._busy:
            return
        with self._ui:
            if self._command("telemetry", lambda: self.client.stream(change["new"])):
                on = self.pen_status.get("streaming")
                if not on and self._figs is not None:
                    self._mark_stale(f"telemetry switched off at {time.strftime('%H:%M:%S')}")
                note = ("; the recording continues but gets no samples until telemetry is on again"
                        if not on and self.recorder is not None else "")
                self.say(f"telemetry {'on' if on else 'off'}{note}")
            else:
                self._labels()

    def _on_record(self, change) -> None:
        if self._busy:
            return
        with self._ui:
            if change["new"]:
                self.start_recording()
            else:
                saved = self._close_recording()
                self.say(f"recording stopped{saved}")
            self._labels()

    def start_recording(self) -> Path | None:
        if self.client is None:
            self._set(self.record_button, False)
            self.say("record: not connected", error=True)
            return None
        if not self.pen_status.get("streaming"):
            self._set(self.record_button, False)
            self.say("record refused: telemetry is off, so there is nothing to record; press 'start telemetry' first",
                     error=True)
            return None
        stem = time.strftime("pen-%Y%m%d-%H%M%S")
        path, k = self.record_dir / f"{stem}.tpen.csv", 1
        while path.exists():
            k += 1
            path = self.record_dir / f"{stem}-{k}.tpen.csv"
        meta = {"port": self.client.port, "firmware": self.client.info.get("firmware"),
                "emulated": self.emulator is not None,
                "tremor": self.tremor.value if self.emulator is not None else None}
        try:
            self.recorder = Recorder(path, client=self.client, meta=meta)
        except Exception as exc:  # noqa: BLE001
            self._set(self.record_button, False)
            self.say(f"record: {exc}", error=True)
            return None
        self._set(self.record_button, True)
        self.record_file.value = str(path)
        self.say(f"recording to {path}")
        return path

    # ---- plots -----------------------------------------------------------------------------
    def _make_figures(self) -> None:
        import bqplot as bq
        import ipywidgets as W

        def fig(title, xlabel, ylabel, n_lines, colors, labels, xlim=None, ylim=None, extra=(), ticks=".3~r"):
            xs = bq.LinearScale(**({"min": xlim[0], "max": xlim[1], "allow_padding": False} if xlim else {}))
            ys = bq.LinearScale(**({"min": ylim[0], "max": ylim[1], "allow_padding": False} if ylim else {}))
            line = bq.Lines(x=np.zeros(2), y=np.zeros((n_lines, 2)) if n_lines > 1 else np.zeros(2),
                            scales={"x": xs, "y": ys}, colors=colors, labels=labels, stroke_width=1.3,
                            display_legend=False)  # the title names the colours (a legend hides data)
            marks = [line]
            for kind in extra:
                marks.append(bq.Lines(x=np.zeros(2), y=np.zeros(2), scales={"x": xs, "y": ys}, colors=["#555"],
                                      line_style=kind, stroke_width=1))
            f = bq.Figure(marks=marks, title=title, animation_duration=0,
                          axes=[bq.Axis(scale=xs, label=xlabel, num_ticks=5),
                                bq.Axis(scale=ys, side="left", label=ylabel, num_ticks=5, label_offset="52px",
                                        tick_format=ticks)],  # bqplot's default format fails on some ranges
                          fig_margin={"top": 34, "bottom": 42, "left": 74, "right": 14},
                          layout=W.Layout(width="auto", height="250px", min_width="0"))
            return f, marks

        w = self.window_s
        self._figs = {
            "time": fig("reference x (blue), residual e (red)", "time (s)", "acceleration (mg)", 2, ["#1f77b4", "#d62728"],
                        ["tremor (reference x)", "residual at the sensor (e)"], xlim=(-w, 0)),
            "psd": fig("spectrum of x (blue) and e (red)", "frequency (Hz)", "PSD (dB re 1 g²/Hz)", 2, ["#1f77b4", "#d62728"], ["x", "e"],
                       xlim=(0, 20), extra=("dashed",)),
            "mse": fig("residual mean square (100 ms windows)", "time (s)", "MSE (dB re 1 g²)", 1, ["#d62728"],
                       [], xlim=(-w, 0)),
            "duty": fig("motor PWM duty", "time (s)", "duty (%)", 1, ["#2ca02c"], [], xlim=(-w, 0), ylim=(0, 100), ticks=".0f"),
        }
        self._titles = {k: v[0].title for k, v in self._figs.items()}
        grid = W.GridBox([f for f, _ in self._figs.values()],
                         layout=W.Layout(grid_template_columns="repeat(auto-fill, minmax(360px, 1fr))",
                                         width="100%", grid_gap="0px 6px"))
        grid.add_class("tl-pen-plots")
        self.plots.children = [grid]

    def _mark_stale(self, why: str) -> None:
        with self._plot_lock:
            self._mark_stale_locked(why)

    def _mark_stale_locked(self, why: str) -> None:
        self._stale = why
        self._stale_epoch += 1
        self.plot_state.value = (f"<span style='color:{WARN}'><b>stale plots</b>: {_esc(why)}"
                                 + (f"; last telemetry at {time.strftime('%H:%M:%S', time.localtime(self._last_wall))}"
                                    if getattr(self, "_last_wall", None) else "") + "</span>")
        for k, (f, marks) in (self._figs or {}).items():
            f.title = f"STALE - {self._titles[k]}"
            for m in marks:
                m.opacities = [0.3]

    def _mark_live(self) -> None:
        self._stale = None
        for k, (f, marks) in (self._figs or {}).items():
            f.title = self._titles[k]
            for m in marks:
                m.opacities = [1.0]

    def frame_rate(self) -> float:
        """Plot refreshes per second over the last 2 s."""
        now = time.monotonic()
        t = [x for x in self._frame_t if now - x <= 2.0]
        return (len(t) - 1) / (t[-1] - t[0]) if len(t) >= 3 and t[-1] > t[0] else 0.0

    def refresh(self) -> bool:
        """Send the newest telemetry to the plots; False when there was nothing new."""
        c = self.client
        now = time.monotonic()
        if c is None:
            return False
        n = c.n_received
        if n == self._last_n:
            if (self.pen_status.get("streaming") and self._stale is None and self._figs is not None
                    and now - self._last_new > STALE_AFTER_S):
                self._mark_stale(f"no telemetry for {now - self._last_new:.1f} s")
            return False
        self._last_n, self._last_new, self._last_wall = n, now, time.time()
        epoch = self._stale_epoch
        rate = self._rate()
        s = c.samples(int(self.window_s * rate))
        if s.size < 64:
            return False
        if self._figs is None:
            self._make_figures()
        t = (s["t_us"].astype(np.int64) - int(s["t_us"][-1])) / 1e6
        x, e = s["x"].astype(float), s["e"].astype(float)
        duty = s["duty"] / 100.0
        dec = max(1, -(-s.size // PLOT_POINTS))
        k0 = s.size - s.size // dec * dec

        def block(a):
            return a[k0:].reshape(-1, dec).mean(axis=1)

        tb = block(t)
        nper = int(min(2048, s.size))
        f, px = dsp.psd(x, rate, nperseg=nper)
        _, pe = dsp.psd(e, rate, nperseg=nper)
        keep = f <= 20.0
        fd = dsp.dominant_frequency(f, px, band=(2.0, 15.0))
        win = max(1, int(rate // 10))
        m = (e[e.size % win:] ** 2).reshape(-1, win).mean(axis=1)
        tm = t[e.size % win:][win - 1::win]
        psd_x, psd_e = 10 * np.log10(px[keep] + 1e-15), 10 * np.log10(pe[keep] + 1e-15)
        lo, hi = float(min(psd_x.min(), psd_e.min())), float(max(psd_x.max(), psd_e.max()))
        figs = self._figs
        with self._plot_lock:
            if self.client is not c or c.disconnected or self._stale_epoch != epoch:
                return False  # the link was lost or closed, or the plots were marked stale meanwhile
            if self._stale is not None:
                self._mark_live()
            with figs["time"][1][0].hold_sync():
                figs["time"][1][0].x, figs["time"][1][0].y = tb, 1000.0 * np.vstack([block(x), block(e)])
            with figs["psd"][1][0].hold_sync():
                figs["psd"][1][0].x, figs["psd"][1][0].y = f[keep], np.vstack([psd_x, psd_e])
            with figs["psd"][1][1].hold_sync():
                figs["psd"][1][1].x, figs["psd"][1][1].y = np.array([fd, fd]), np.array([lo, hi])
            figs["psd"][0].title = ("STALE - " if self._stale else "") + f"spectrum of x (blue) and e (red): dominant {fd:.2f} Hz"
            self._titles["psd"] = f"spectrum of x (blue) and e (red): dominant {fd:.2f} Hz"
            with figs["mse"][1][0].hold_sync():
                figs["mse"][1][0].x, figs["mse"][1][0].y = tm, 10 * np.log10(m + 1e-15)
            with figs["duty"][1][0].hold_sync():
                figs["duty"][1][0].x, figs["duty"][1][0].y = tb, block(duty)
            last = e[-int(min(e.size, rate)):]
            self.frames += 1
            self._frame_t.append(now)
            self.residual_db = float(10 * np.log10(np.mean(last * last) + 1e-15))
            self.plot_state.value = f"<span style='color:{OK}'>live</span>"
            self.readout.value = (f"residual e over the last second: <b class='tl-residual'>{self.residual_db:.1f} dB</b> "
                                  f"re 1 g² &middot; dominant {fd:.2f} Hz &middot; duty {duty[-int(min(duty.size, rate)):].mean():.0f} % "
                                  f"&middot; {n} samples received &middot; plots {self.frame_rate():.1f}/s")
        if self.frames % 25 == 1:
            self._update_bound()
        return True

    def _refresh_loop(self) -> None:
        period = 1.0 / self.refresh_hz
        nxt = time.monotonic()
        while not self._stop.is_set():
            nxt += period
            delay = nxt - time.monotonic()
            if delay < 0:  # fell behind: carry on from now rather than burst
                nxt, delay = time.monotonic(), 0.0
            if self._stop.wait(delay):
                break
            try:
                self.refresh()
            except Exception as exc:  # noqa: BLE001 - keep the panel alive, say why
                if self.client is not None:
                    self.say(f"plot: {exc}", error=True)

    def close(self, why: str = "closed") -> None:
        """Stop the drawing thread, switch the motor off, close the link and stop the emulator."""
        if self.closed:
            return
        self.closed = True
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2.0)
        saved = self._close_recording()
        self.disconnect(quiet=True)
        for w in (self.port, self.tremor, self.connect_button):
            w.disabled = True
        self.say(f"this panel is closed: {why}{saved}", warn=True)
        if PenPanel.active is self:
            PenPanel.active = None


@atexit.register
def _close_active() -> None:  # the kernel exits: motor off, emulator stopped
    if PenPanel.active is not None:
        PenPanel.active.close("the Python process is exiting")
