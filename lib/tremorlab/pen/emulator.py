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
(``shaking-table-constant``, ``shaking-table-variable``), sampled at 3200 Hz and written to a
small binary file (:func:`write_tremor_file`) that the emulator loops over.

    >>> with start_emulator("pd") as emu:                        # doctest: +SKIP
    ...     pen = PenClient(emu.port, clock_zero_ns=emu.clock_zero_ns)
"""

from __future__ import annotations

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

ROOT = Path(__file__).resolve().parents[3]
FIRMWARE = ROOT / "firmware"
BUILD = FIRMWARE / "build"
EMULATOR_EXE = BUILD / "host" / "tremorpen-emu"
TREMOR_CHOICES = ("pd", "et", "physiological", "shaking-table-constant", "shaking-table-variable", "none")
TREMOR_RATE_HZ = 3200.0


class FirmwareBuildError(RuntimeError):
    """The host build of the firmware failed (the message holds the compiler's last lines)."""


def build_firmware(target: str = "host", quiet: bool = True) -> Path:
    """``make -C firmware TARGET`` (incremental); returns the build folder.

    Raises :class:`FirmwareBuildError` when ``make`` or the compiler is missing or the build fails.
    """
    if shutil.which("make") is None:
        raise FirmwareBuildError("building the firmware needs 'make' (Debian: apt-get install make g++)")
    tool = "g++" if target == "host" else "arm-none-eabi-g++"
    if shutil.which(tool) is None:
        pkg = "g++" if target == "host" else "gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib"
        raise FirmwareBuildError(f"building the firmware ({target}) needs {tool} (Debian: apt-get install {pkg})")
    jobs = str(min(2, os.cpu_count() or 1))
    r = subprocess.run(["make", "-C", str(FIRMWARE), "-j", jobs, target], capture_output=True, text=True)
    if r.returncode != 0:
        tail = "\n".join((r.stdout + r.stderr).splitlines()[-25:])
        raise FirmwareBuildError(f"make -C firmware {target} failed:\n{tail}")
    return BUILD


def tremor_signal(kind: str = "pd", duration_s: float = 60.0, rate_hz: float = TREMOR_RATE_HZ, seed: int = 0,
                  amplitude_g: float = 0.05) -> np.ndarray:
    """The acceleration (g, shape (n, 3), no gravity) the emulated pen feels."""
    n = int(round(duration_s * rate_hz))
    if kind == "none":
        return np.zeros((n, 3))
    if kind in ("pd", "et", "physiological"):
        from tremorlab.synth.tremor import tremor_phantom

        ph = tremor_phantom(kind=kind, duration_s=duration_s, rate_hz=rate_hz, seed=seed, n_axes=3,
                            amplitude=amplitude_g, voluntary_amplitude=0.2 * amplitude_g, noise_std=0.0)
        return np.asarray(ph.signal, float)[:n]
    if kind in ("shaking-table-constant", "shaking-table-variable"):
        from tremorlab.synth.shaking_table import shaking_table

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
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as fh:
        fh.write(b"TPTR" + struct.pack("<IfII", 1, float(rate_hz), acc.shape[0], 3))
        fh.write(acc.tobytes())
    os.replace(tmp, path)
    return path


class Emulator:
    """A running emulator process. ``port`` is its pseudo-terminal, ``clock_zero_ns`` the
    ``time.monotonic_ns()`` of its ``micros() == 0``. Use as a context manager, or :meth:`stop`."""

    def __init__(self, tremor: str = "pd", seed: int = 0, amplitude_g: float = 0.05, duration_s: float = 60.0,
                 eeprom: str | os.PathLike | None = None, extra_args: tuple[str, ...] = (), build: bool = True):
        if tremor not in TREMOR_CHOICES:
            raise ValueError(f"tremor: expected one of {TREMOR_CHOICES}, got {tremor!r}")
        self.tremor, self.seed = tremor, seed
        if build:
            build_firmware("host")
        if not EMULATOR_EXE.exists():
            raise FirmwareBuildError(f"{EMULATOR_EXE} is missing; run make -C firmware host")
        self._tmp = tempfile.TemporaryDirectory(prefix="tremorpen-")
        tremor_path = write_tremor_file(Path(self._tmp.name) / "tremor.bin",
                                        tremor_signal(tremor, duration_s, TREMOR_RATE_HZ, seed, amplitude_g),
                                        TREMOR_RATE_HZ)
        self.eeprom = Path(eeprom) if eeprom else Path(self._tmp.name) / "eeprom.bin"
        cmd = [str(EMULATOR_EXE), "--tremor", str(tremor_path), "--eeprom", str(self.eeprom), "--seed", str(seed),
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
