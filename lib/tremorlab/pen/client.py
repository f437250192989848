"""``PenClient``: talk to the pen (or its emulator) over USB serial with pyserial.

A background thread reads the port, decodes frames (:class:`tremorlab.pen.protocol.Decoder`)
and appends telemetry to a ring buffer; commands wait for their reply with a timeout. A
disconnect (unplug, emulator killed) is noticed by the reader within one read timeout (50 ms),
reported to the ``on_disconnect`` callbacks, and makes every later command raise
:class:`PenDisconnected`: nothing waits forever.

    >>> with PenClient("/dev/ttyACM0") as pen:                 # doctest: +SKIP
    ...     pen.select_algorithm("kalman"); pen.stream(True)
    ...     data = pen.samples(2000)                           # the last 2000 samples
"""

from __future__ import annotations

import threading
import time
from typing import Callable

import numpy as np

from tremorlab.pen import protocol as P

TEENSY_VID = 0x16C0


class PenError(RuntimeError):
    """A command failed: no reply in time, or the pen refused it (the message says why)."""


class PenDisconnected(PenError):
    """The serial link is gone (device unplugged, emulator stopped)."""


def list_ports() -> list[dict]:
    """Serial ports that could be a pen: ``[{"device", "description", "teensy"}]``, Teensys first."""
    from serial.tools import list_ports as lp

    out = []
    for p in lp.comports():
        out.append({"device": p.device, "description": p.description or "",
                    "teensy": p.vid == TEENSY_VID})
    return sorted(out, key=lambda d: (not d["teensy"], d["device"]))


class PenClient:
    """Connection to one pen.

    Parameters
    ----------
    port : str
        Device name (``/dev/ttyACM0``, ``COM3``, the emulator's pseudo-terminal) or a pyserial
        URL (``socket://host:port``, ``loop://``).
    timeout : float
        Seconds to wait for the reply to a command.
    buffer_size : int
        Capacity of the telemetry ring buffer, in samples.
    handshake : bool
        Exchange HELLO on connect and check the protocol version (``info`` holds the reply).
    clock_zero_ns : int, optional
        ``time.monotonic_ns()`` at the pen's ``micros() == 0`` (the emulator prints it); with it
        :meth:`latencies_ms` gives the sensor-to-buffer latency of every sample.

    Attributes
    ----------
    info : dict
        The pen's HELLO reply (protocol, firmware version, sample rate, name).
    decoder : Decoder
        Frame counters: ``good``, ``bad`` (CRC/framing errors), ``lost`` (sequence gaps).
    """

    def __init__(self, port: str, *, timeout: float = 1.0, buffer_size: int = 120_000, handshake: bool = True,
                 clock_zero_ns: int | None = None, baudrate: int = 115200):
        import serial

        self.port = port
        self.timeout = float(timeout)
        self.clock_zero_ns = clock_zero_ns
        try:
            self._ser = serial.serial_for_url(port, baudrate=baudrate, timeout=0.05, write_timeout=self.timeout)
        except (serial.SerialException, OSError, ValueError) as exc:
            raise PenError(f"cannot open pen port {port!r}: {exc}") from None
        try:
            self._ser.reset_input_buffer()
        except Exception:  # noqa: BLE001 - not every URL handler supports it
            pass
        self.decoder = P.Decoder()
        self._lock = threading.Lock()        # ring buffer
        self._cmd_lock = threading.Lock()    # one command at a time
        self._reply_cv = threading.Condition()
        self._replies: list[P.Frame] = []
        self._tx_seq = 0
        self._cap = int(buffer_size)
        self._ring = np.zeros(self._cap, P.SAMPLE_DTYPE)
        self._ring_recv = np.zeros(self._cap, np.int64)
        self._count = 0
        self._listeners: list[Callable[[np.ndarray, np.ndarray], None]] = []
        self._disconnect_cbs: list[Callable[[str], None]] = []
        self.disconnected: str | None = None
        self.disconnected_at: float | None = None
        self.logs: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._reader, name=f"pen-reader {port}", daemon=True)
        self._thread.start()
        self.info: dict = {}
        if handshake:
            try:
                self.info = self.hello()
            except Exception:
                self.close()
                raise

    # ---- reader thread -----------------------------------------------------------------
    def _reader(self) -> None:
        import serial

        ser = self._ser
        while not self._stop.is_set():
            try:
                data = ser.read(max(1, ser.in_waiting))
            except (serial.SerialException, OSError, TypeError, AttributeError) as exc:
                if not self._stop.is_set():
                    self._mark_disconnected(f"serial link lost: {exc}")
                return
            if not data:
                continue
            recv_ns = time.monotonic_ns()
            frames = self.decoder.feed(data)
            if not frames:
                continue
            payloads = [f.payload for f in frames if f.type == P.SAMPLE]
            if payloads:
                self._store(P.samples_from_payloads(payloads), recv_ns)
            others = [f for f in frames if f.type != P.SAMPLE]
            for f in others:
                if f.type == P.LOG:
                    self.logs.append(f.payload[1:].decode("ascii", "replace"))
            if others:
                with self._reply_cv:
                    self._replies.extend(f for f in others if f.type != P.LOG)
                    self._reply_cv.notify_all()

    def _store(self, s: np.ndarray, recv_ns: int) -> None:
        recv = np.full(s.size, recv_ns, np.int64)
        with self._lock:
            n = s.size
            if n >= self._cap:
                s, recv, n = s[-self._cap:], recv[-self._cap:], self._cap
            i = self._count % self._cap
            first = min(n, self._cap - i)
            self._ring[i:i + first] = s[:first]
            self._ring_recv[i:i + first] = recv[:first]
            if first < n:
                self._ring[:n - first] = s[first:]
                self._ring_recv[:n - first] = recv[first:]
            self._count += n
        for cb in list(self._listeners):
            cb(s, recv)

    def _mark_disconnected(self, why: str) -> None:
        if self.disconnected is None:
            self.disconnected = why
            self.disconnected_at = time.monotonic()
            with self._reply_cv:
                self._reply_cv.notify_all()
            for cb in list(self._disconnect_cbs):
                cb(why)

    # ---- listeners -----------------------------------------------------------------------
    def add_listener(self, fn: Callable[[np.ndarray, np.ndarray], None]) -> None:
        """Call ``fn(samples, recv_ns)`` from the reader thread for every batch of telemetry."""
        self._listeners.append(fn)

    def remove_listener(self, fn) -> None:
        if fn in self._listeners:
            self._listeners.remove(fn)

    def on_disconnect(self, fn: Callable[[str], None]) -> None:
        """Call ``fn(reason)`` once when the link is lost."""
        self._disconnect_cbs.append(fn)

    # ---- commands ------------------------------------------------------------------------
    def _request(self, msg_type: int, payload: bytes, accept: Callable[[P.Frame, int], bool], what: str) -> P.Frame:
        if self.disconnected:
            raise PenDisconnected(f"{what}: the pen is disconnected ({self.disconnected})")
        with self._cmd_lock:
            seq = self._tx_seq
            self._tx_seq = (self._tx_seq + 1) & 0xFFFF
            with self._reply_cv:
                self._replies.clear()
            try:
                self._ser.write(P.encode_frame(msg_type, seq, payload))
            except Exception as exc:  # noqa: BLE001 - any write failure means the link is unusable
                self._mark_disconnected(f"write failed: {exc}")
                raise PenDisconnected(f"{what}: write failed ({exc})") from None
            deadline = time.monotonic() + self.timeout
            with self._reply_cv:
                while True:
                    for i, f in enumerate(self._replies):
                        if accept(f, seq):
                            del self._replies[i]
                            return f
                    if self.disconnected:
                        raise PenDisconnected(f"{what}: the pen disconnected ({self.disconnected})")
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise PenError(f"{what}: no reply from the pen within {self.timeout:g} s")
                    self._reply_cv.wait(left)

    def _command(self, msg_type: int, payload: bytes, what: str) -> dict:
        f = self._request(msg_type, payload, lambda f, seq: f.type == P.ACK and P.parse_ack(f.payload)["seq"] == seq,
                          what)
        ack = P.parse_ack(f.payload)
        if ack["status"] != 0:
            raise PenError(f"{what}: the pen refused: {ack['status_text']} (value {ack['value']:g})")
        ack["cfg"] = ack["seq"]
        return ack

    def hello(self) -> dict:
        """Version handshake; raises :class:`PenError` on a protocol mismatch."""
        f = self._request(P.HELLO, bytes([P.PROTOCOL_VERSION]),
                          lambda f, seq: f.type == P.HELLO_ACK or (f.type == P.ACK and P.parse_ack(f.payload)["seq"] == seq),
                          "hello")
        if f.type == P.ACK:
            ack = P.parse_ack(f.payload)
            raise PenError(f"hello: {ack['status_text']}: the pen speaks protocol {ack['value']:g}, "
                           f"this client {P.PROTOCOL_VERSION}; update the firmware or tremorlab")
        info = P.parse_hello_ack(f.payload)
        if info["protocol"] != P.PROTOCOL_VERSION:
            raise PenError(f"hello: the pen speaks protocol {info['protocol']}, this client {P.PROTOCOL_VERSION}")
        return info

    def select_algorithm(self, name: str | int) -> dict:
        """Select the filter (``off``, ``lms``, ``nlms``, ``fxlms``, ``fxnlms``, ``fxlms_nlms``, ``rls``, ``kalman``)."""
        return self._command(P.SELECT_ALGO, bytes([P.algorithm_id(name)]), f"select algorithm {name}")

    def set_param(self, name: str | int, value: float) -> float:
        """Set a parameter; returns the value the pen applied (see :data:`protocol.PARAMS`)."""
        p = P.param_id(name)
        return self._command(P.SET_PARAM, P.set_param_payload(p.id, value), f"set {p.name}={value:g}")["value"]

    def set_param_ack(self, name: str | int, value: float) -> dict:
        """:meth:`set_param`, returning the whole acknowledgement (``cfg`` = command sequence number)."""
        p = P.param_id(name)
        return self._command(P.SET_PARAM, P.set_param_payload(p.id, value), f"set {p.name}={value:g}")

    def get_param(self, name: str | int) -> float:
        p = P.param_id(name)
        f = self._request(P.GET_PARAM, bytes([p.id]),
                          lambda f, seq: (f.type == P.PARAM and f.payload[0] == p.id) or
                          (f.type == P.ACK and P.parse_ack(f.payload)["seq"] == seq), f"get {p.name}")
        if f.type == P.ACK:
            raise PenError(f"get {p.name}: {P.parse_ack(f.payload)['status_text']}")
        return float(np.frombuffer(f.payload[1:5], "<f4")[0])

    def params(self) -> dict[str, float]:
        """Every parameter's current value."""
        return {p.name: self.get_param(p.id) for p in P.PARAMS}

    def motor(self, on: bool) -> dict:
        """Switch the motor on (soft start) or off."""
        return self._command(P.MOTOR, bytes([1 if on else 0]), f"motor {'on' if on else 'off'}")

    def stream(self, on: bool) -> dict:
        """Start or stop telemetry."""
        return self._command(P.STREAM, bytes([1 if on else 0]), f"stream {'on' if on else 'off'}")

    def status(self) -> dict:
        f = self._request(P.GET_STATUS, b"", lambda f, seq: f.type == P.STATUS, "status")
        return P.parse_status(f.payload)

    def save_params(self) -> dict:
        """Store the current parameters in the pen's EEPROM."""
        return self._command(P.SAVE, b"", "save parameters")

    def reset_filter(self) -> dict:
        return self._command(P.RESET_FILTER, b"", "reset filter")

    def defaults(self) -> dict:
        """Factory parameters (not saved until :meth:`save_params`)."""
        return self._command(P.DEFAULTS, b"", "restore defaults")

    # ---- data --------------------------------------------------------------------------------
    @property
    def n_received(self) -> int:
        """Telemetry samples received since connecting."""
        return self._count

    def samples(self, last: int | None = None, with_recv: bool = False):
        """Copy of the newest ``last`` samples in the ring buffer (all when None), oldest first."""
        with self._lock:
            n = min(self._count, self._cap)
            if last is not None:
                n = min(n, int(last))
            end = self._count % self._cap
            idx = (np.arange(end - n, end)) % self._cap
            s = self._ring[idx].copy()
            r = self._ring_recv[idx].copy()
        return (s, r) if with_recv else s

    def wait_samples(self, n: int, timeout: float = 5.0) -> int:
        """Wait until ``n`` samples in total have arrived; returns the count. Raises on disconnect."""
        deadline = time.monotonic() + timeout
        while self._count < n:
            if self.disconnected:
                raise PenDisconnected(f"waiting for samples: {self.disconnected}")
            if time.monotonic() > deadline:
                raise PenError(f"waiting for samples: {self._count} of {n} after {timeout:g} s")
            time.sleep(0.005)
        return self._count

    def latencies_ms(self, samples: np.ndarray, recv_ns: np.ndarray) -> np.ndarray:
        """Sensor-to-buffer latency of each sample (needs ``clock_zero_ns``)."""
        if self.clock_zero_ns is None:
            raise PenError("latency needs clock_zero_ns (the emulator prints it; a real pen has no shared clock)")
        sent_ns = self.clock_zero_ns + samples["t_us"].astype(np.int64) * 1000
        return (recv_ns - sent_ns) / 1e6

    # ---- lifetime ------------------------------------------------------------------------------
    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout=1.0)
        try:
            self._ser.close()
        except Exception:  # noqa: BLE001
            pass

    def __enter__(self) -> "PenClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
