"""The firmware in the loop: build ``firmware/src/main.cpp`` against the host HAL and run it.

The emulator is the pen's own firmware (sketch, controller, filters, protocol, EEPROM
handling) compiled for Linux with ``firmware/host``: a simulated ADXL345 answers the I2C
register reads (device id, range, output data rate, FIFO in stream mode, full resolution,
quantisation, noise growing with the data rate) with a tremor signal plus 1 g of gravity on z;
a simulated motor turns the PWM duty into acceleration on the x axis (dead time, first-order
lag, no static component) that the accelerometer sees, which closes the loop through the
secondary path; the USB serial port is a pseudo-terminal whose name the emulator prints.

The tremor comes from :func:`tremorlab.synth.tremor.tremor_phantom` (``pd``, ``et``,
``physiological``) or :func:`tremorlab.synth.shaking_table.shaking_table`
(``shaking-table-constant``, ``shaking-table-variable``), or is a real patient's segment of the
rated tremor data (``real:<subset>:<segment>``, e.g. ``real:tim_tremor:12``; chapter 6,
:func:`real_tremor_signal`), sampled at 3200 Hz and written to a small binary file
(:func:`write_tremor_file`) that the emulator loops over.

    >>> with start_emulator("pd") as emu:                        # doctest: +SKIP
    ...     pen = PenClient(emu.port, clock_zero_ns=emu.clock_zero_ns)

The same program also runs on a *virtual clock* (:func:`run_virtual`): simulated time jumps from
one timer tick to the next, commands come from a timed script and the pen's output goes to a
file, so a session is exactly reproducible and a minute of pen time takes about a second.
:func:`emulated_session` runs the notebook's session (motor off, then each algorithm) that way,
and :func:`segment_stats` measures how much tremor each segment left (``tremorlab pen loop``).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import struct
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from tremorlab import data, dsp, paths
from tremorlab._files import atomic_write
from tremorlab.io import severity as sev
from tremorlab.pen import protocol as P
from tremorlab.synth.shaking_table import shaking_table
from tremorlab.pen.tremor_sources import REAL_PREFIX, TREMOR_CHOICES
from tremorlab.synth.tremor import tremor_phantom

TREMOR_RATE_HZ = 3200.0


def parse_real_tremor(spec: str) -> tuple[str, int]:
    """``(subset, segment)`` of a ``real:<subset>:<segment>`` tremor source, or a ValueError."""
    parts = str(spec).split(":")
    if len(parts) != 3 or parts[0] + ":" != REAL_PREFIX or parts[1] not in sev.SUBSETS or not parts[2].isdigit():
        raise ValueError(f"tremor: expected one of {TREMOR_CHOICES} or 'real:<subset>:<segment>' with subset in "
                         f"{sorted(sev.SUBSETS)} and a segment number (e.g. 'real:tim_tremor:12'), got {spec!r}")
    return parts[1], int(parts[2])


def check_tremor(kind: str) -> str:
    """``kind`` if it names a tremor source (a phantom kind or ``real:...``), else a ValueError."""
    if isinstance(kind, str) and kind.startswith(REAL_PREFIX):
        parse_real_tremor(kind)
        return kind
    if kind not in TREMOR_CHOICES:
        raise ValueError(f"tremor: expected one of {TREMOR_CHOICES} or 'real:<subset>:<segment>', got {kind!r}")
    return kind


def real_tremor_signal(spec: str, rate_hz: float = TREMOR_RATE_HZ) -> np.ndarray:
    """A real patient's segment as the pen's tremor (g, shape (n, 3), no gravity).

    The segment's windows are read (in m/s^2), joined into one continuous signal
    (:func:`tremorlab.io.severity.rebuild_segment`), converted to g and up-sampled from 50 Hz to
    ``rate_hz`` (polyphase; ``rate_hz`` must be an integer multiple of 50 Hz).  Its recorded
    amplitude is kept (``amplitude_g`` does not apply); the emulator loops over it.
    """
    from scipy.signal import resample_poly

    subset, seg = parse_real_tremor(spec)
    factor = float(rate_hz) / sev.RATE_HZ
    if factor != int(factor) or factor < 1:
        raise ValueError(f"rate_hz must be an integer multiple of {sev.RATE_HZ} Hz, got {rate_hz}")
    folder = data.where("tremor_severity_imu") / sev.SUBSETS[subset][0]
    x_path = folder / f"{seg}-X.npy"
    if not x_path.is_file():
        raise ValueError(f"tremor {spec!r}: no segment {seg} in {folder}")
    x, _ = sev.read_severity_segment(x_path, folder / f"{seg}-Y.npy", sev.SUBSETS[subset][1])
    acc = sev.rebuild_segment(x) / sev.STANDARD_GRAVITY
    return resample_poly(acc, int(factor), 1, axis=0)


class FirmwareBuildError(RuntimeError):
    """The host build of the firmware failed (the message holds the compiler's last lines)."""


def firmware_dir() -> Path:
    """``firmware/`` of the source checkout (the emulator is built from it; a wheel does not ship it)."""
    return paths.checkout_folder("firmware", "the pen emulator (the firmware built for the host)")


def emulator_exe() -> Path:
    """The host build of the firmware (``firmware/build/host/tremorpen-emu``; it may not be built yet)."""
    return firmware_dir() / "build" / "host" / "tremorpen-emu"


def build_firmware(target: str = "host", quiet: bool = True) -> Path:
    """``make -C firmware TARGET`` (incremental); returns the build folder.

    Builds from several processes at once (parallel test workers, two notebooks) take turns on a
    lock file in the build folder, so that two ``make`` runs never write the same object files.
    Raises :class:`FirmwareBuildError` when ``make`` or the compiler is missing or the build fails.
    """
    if shutil.which("make") is None:
        raise FirmwareBuildError("building the firmware needs 'make' (Debian: apt-get install make g++)")
    tool = "g++" if target == "host" else "arm-none-eabi-g++"
    if shutil.which(tool) is None:
        pkg = "g++" if target == "host" else "gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib"
        raise FirmwareBuildError(f"building the firmware ({target}) needs {tool} (Debian: apt-get install {pkg})")
    jobs = str(min(2, os.cpu_count() or 1))
    firmware = firmware_dir()
    (firmware / "build").mkdir(exist_ok=True)
    with open(firmware / "build" / ".make.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        r = subprocess.run(["make", "-C", str(firmware), "-j", jobs, target], capture_output=True, text=True)
    if r.returncode != 0:
        tail = "\n".join((r.stdout + r.stderr).splitlines()[-25:])
        raise FirmwareBuildError(f"make -C firmware {target} failed:\n{tail}")
    return firmware / "build"


def tremor_signal(kind: str = "pd", duration_s: float = 60.0, rate_hz: float = TREMOR_RATE_HZ, seed: int = 0,
                  amplitude_g: float = 0.05) -> np.ndarray:
    """The acceleration (g, shape (n, 3), no gravity) the emulated pen feels."""
    if isinstance(kind, str) and kind.startswith(REAL_PREFIX):
        return real_tremor_signal(kind, rate_hz)
    n = int(round(duration_s * rate_hz))
    if kind == "none":
        return np.zeros((n, 3))
    if kind in ("pd", "et", "physiological"):
        ph = tremor_phantom(kind=kind, duration_s=duration_s, rate_hz=rate_hz, seed=seed, n_axes=3,
                            amplitude=amplitude_g, voluntary_amplitude=0.2 * amplitude_g, noise_std=0.0)
        return np.asarray(ph.signal, float)[:n]
    if kind in ("shaking-table-constant", "shaking-table-variable"):
        trial = shaking_table(mode=kind.rsplit("-", 1)[1], n_samples=n, rate_hz=rate_hz, seed=seed,
                              radius_mm=1.0, noise_std_g=0.0, lsb_g=0.0)
        out = np.zeros((n, 3))
        out[:, :2] = trial.acc_true
        return out
    raise ValueError(f"tremor: expected one of {TREMOR_CHOICES}, got {kind!r}")


def write_tremor_file(path: str | os.PathLike, acc_g: np.ndarray, rate_hz: float) -> Path:
    """Write the emulator's tremor file: ``b"TPTR"``, u32 version 1, f32 rate, u32 n, u32 3,
    then n x 3 float32 (g), little-endian. Written atomically."""
    acc = np.ascontiguousarray(acc_g, dtype="<f4")
    if acc.ndim != 2 or acc.shape[1] != 3 or acc.shape[0] < 2 or not np.isfinite(acc).all():
        raise ValueError(f"tremor file: expected a finite (n >= 2, 3) array in g, got shape {acc.shape}")
    path = Path(path)
    with atomic_write(path, "wb") as fh:
        fh.write(b"TPTR" + struct.pack("<IfII", 1, float(rate_hz), acc.shape[0], 3))
        fh.write(acc.tobytes())
    return path


class Emulator:
    """A running emulator process. ``port`` is its pseudo-terminal, ``clock_zero_ns`` the
    ``time.monotonic_ns()`` of its ``micros() == 0``. Use as a context manager, or :meth:`stop`."""

    def __init__(self, tremor: str = "pd", seed: int = 0, amplitude_g: float = 0.05, duration_s: float = 60.0,
                 eeprom: str | os.PathLike | None = None, extra_args: tuple[str, ...] = (), build: bool = True):
        check_tremor(tremor)
        self.tremor, self.seed = tremor, seed
        if build:
            build_firmware("host")
        exe = emulator_exe()
        if not exe.exists():
            raise FirmwareBuildError(f"{exe} is missing; run make -C firmware host")
        self._tmp = tempfile.TemporaryDirectory(prefix="tremorpen-")
        tremor_path = write_tremor_file(Path(self._tmp.name) / "tremor.bin",
                                        tremor_signal(tremor, duration_s, TREMOR_RATE_HZ, seed, amplitude_g),
                                        TREMOR_RATE_HZ)
        self.eeprom = Path(eeprom) if eeprom else Path(self._tmp.name) / "eeprom.bin"
        cmd = [str(exe), "--tremor", str(tremor_path), "--eeprom", str(self.eeprom), "--seed", str(seed),
               *extra_args]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self._first_line(10.0)
        try:
            info = json.loads(line)
        except json.JSONDecodeError:
            err = self.proc.stderr.read() if self.proc.poll() is not None else ""
            self.stop()
            raise RuntimeError(f"the emulator did not start: {line!r} {err}") from None
        self.port: str = info["port"]
        self.pid: int = info["pid"]
        self.clock_zero_ns: int = int(info["clock_zero_ns"])

    def _first_line(self, timeout: float) -> str:
        box: list[str] = []
        t = threading.Thread(target=lambda: box.append(self.proc.stdout.readline()), daemon=True)
        t.start()
        t.join(timeout)
        if not box:
            self.kill()
            raise RuntimeError(f"the emulator printed nothing within {timeout:g} s")
        return box[0]

    @property
    def running(self) -> bool:
        return self.proc.poll() is None

    def stop(self, timeout: float = 2.0) -> None:
        """Terminate (SIGTERM, then SIGKILL after ``timeout``)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._cleanup()

    def kill(self) -> None:
        """Kill at once (SIGKILL), as a crash or an unplugged cable would."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._cleanup()

    def _cleanup(self) -> None:
        for s in (self.proc.stdout, self.proc.stderr):
            if s and not s.closed:
                s.close()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> "Emulator":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def run_virtual(commands: list[tuple[float, bytes]], seconds: float, tremor: str = "pd", seed: int = 0,
                amplitude_g: float = 0.05, extra_args: tuple[str, ...] = (), build: bool = True,
                timeout_s: float = 120.0) -> bytes:
    """Run the firmware in the loop on a *virtual clock* and return every byte it sent.

    The same program as :class:`Emulator` (the sketch, its core and the simulated ADXL345 and
    motor), started with ``--virtual-clock``: simulated time jumps from one timer tick to the
    next and code takes no time, so ``seconds`` of pen time take a fraction of that on the host
    and the same arguments always give the same bytes (no scheduler jitter). ``commands`` are
    ``(t_s, frame)`` pairs (``frame`` from :func:`tremorlab.pen.protocol.encode_frame`) that
    reach the pen's serial port when its clock reaches ``t_s``.

    Raises :class:`FirmwareBuildError` when the build fails and ``RuntimeError`` when the
    emulator exits with an error.
    """
    check_tremor(tremor)
    if build:
        build_firmware("host")
    exe = emulator_exe()
    if not exe.exists():
        raise FirmwareBuildError(f"{exe} is missing; run make -C firmware host")
    commands = sorted(commands, key=lambda c: c[0])
    with tempfile.TemporaryDirectory(prefix="tremorpen-virtual-") as tmp:
        tmp = Path(tmp)
        tremor_path = write_tremor_file(tmp / "tremor.bin",
                                        tremor_signal(tremor, seconds + 1.0, TREMOR_RATE_HZ, seed, amplitude_g),
                                        TREMOR_RATE_HZ)
        (tmp / "commands.txt").write_text("".join(f"{t:.6f} {frame.hex()}\n" for t, frame in commands))
        cmd = [str(exe), "--virtual-clock", "--tremor", str(tremor_path), "--eeprom", str(tmp / "eeprom.bin"),
               "--seed", str(seed), "--commands", str(tmp / "commands.txt"), "--serial-out", str(tmp / "serial.bin"),
               "--exit-after", f"{seconds:.6f}", *extra_args]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s)
        if r.returncode != 0:
            raise RuntimeError(f"the emulator failed (exit {r.returncode}): {r.stderr.strip()}")
        return (tmp / "serial.bin").read_bytes()


def emulated_session(algorithms, tremor: str = "pd", seconds_off: float = 3.0, seconds_per_algorithm: float = 5.0,
                     seed: int = 0, amplitude_g: float = 0.05, params: dict | None = None,
                     build: bool = True) -> tuple[np.ndarray, dict[str, int]]:
    """The notebook's session (motor off, then each algorithm with the motor on) on the virtual clock.

    At ``t = 0.01 s`` the given ``params`` are set, telemetry is switched on and the motor off;
    at ``seconds_off + i * seconds_per_algorithm`` the motor goes off, ``algorithms[i]`` is
    selected (from zero weights) and the motor goes on again.

    Returns
    -------
    samples : ndarray of :data:`tremorlab.pen.protocol.SAMPLE_DTYPE`
        Every telemetry sample.
    segments : dict
        Segment name (``"motor off"`` or the algorithm) -> ``cfg``: the sequence number of the
        command that started it, so ``samples[samples["cfg"] == cfg]`` is that segment.
    """
    seq = iter(range(1, 0x10000))
    commands: list[tuple[float, bytes]] = []

    def at(t, msg_type, payload=b""):
        s = next(seq)
        commands.append((t, P.encode_frame(msg_type, s, payload)))
        return s

    for name, value in (params or {}).items():
        at(0.01, P.SET_PARAM, P.set_param_payload(name, value))
    at(0.01, P.STREAM, b"\x01")
    segments = {"motor off": at(0.01, P.MOTOR, b"\x00")}
    for i, name in enumerate(algorithms):
        t = seconds_off + i * seconds_per_algorithm
        at(t, P.MOTOR, b"\x00")
        at(t, P.SELECT_ALGO, bytes([P.algorithm_id(name)]))
        segments[name] = at(t, P.MOTOR, b"\x01")
    seconds = seconds_off + len(algorithms) * seconds_per_algorithm
    out = run_virtual(commands, seconds, tremor=tremor, seed=seed, amplitude_g=amplitude_g, build=build)
    dec = P.Decoder()
    frames = dec.feed(out)
    acks = [P.parse_ack(f.payload) for f in frames if f.type == P.ACK]
    refused = [a for a in acks if a["status"] != 0]
    if refused or len(acks) != len(commands):
        raise RuntimeError(f"the emulated pen refused or missed commands: {len(acks)} of {len(commands)} acknowledged, "
                           f"refused: {refused}")
    return P.samples_from_payloads([f.payload for f in frames if f.type == P.SAMPLE]), segments


def segment_stats(samples: np.ndarray, segments: dict[str, int], rate_hz: float, band: tuple[float, float],
                  last_s: float = 2.0) -> dict[str, dict[str, float]]:
    """Per segment, over its last ``last_s`` seconds: how much tremor is left at the sensor.

    For the residual ``e`` of each segment: its power in ``band`` (Welch PSD, 1024-sample
    segments, integrated over the band; g^2), its mean square ``10 log10 mean(e^2)`` (dB re
    1 g^2), the mean motor duty (%), the dominant frequency of the reference ``x`` in 2-15 Hz,
    and the *attenuation*: ``10 log10(P_band(e) / P_band(e_off))`` with ``e_off`` the
    ``"motor off"`` segment (negative: less tremor than without the motor).
    """
    n = int(round(last_s * rate_hz))
    rows = {}
    for name, cfg in segments.items():
        seg = samples[samples["cfg"] == cfg][-n:]
        if seg.size < n:
            raise ValueError(f"segment {name!r}: expected at least {n} samples, got {seg.size}")
        e, x = seg["e"].astype(float), seg["x"].astype(float)
        f, pe = dsp.psd(e, rate_hz, nperseg=1024)
        fx, px = dsp.psd(x, rate_hz, nperseg=1024)
        rows[name] = {"band power (g^2)": float(dsp.band_power(f, pe, band)),
                      "MSE (dB)": float(10 * np.log10(np.mean(e * e))),
                      "mean duty (%)": float(seg["duty"].mean() / 100),
                      "dominant (Hz)": float(dsp.dominant_frequency(fx, px, (2.0, 15.0)))}
    if "motor off" in rows:
        ref = rows["motor off"]["band power (g^2)"]
        for r in rows.values():
            r["attenuation (dB)"] = float(10 * np.log10(r["band power (g^2)"] / ref))
    return rows


def start_emulator(tremor: str = "pd", seed: int = 0, **kwargs) -> Emulator:
    """Build (if needed) and start the emulator; see :class:`Emulator`."""
    return Emulator(tremor=tremor, seed=seed, **kwargs)


def wait_forever(emu: Emulator) -> int:  # pragma: no cover - interactive
    try:
        while emu.running:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        emu.stop()
    return 0
