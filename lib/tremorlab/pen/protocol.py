"""The pen's wire protocol (the same as ``firmware/lib/tremorpen/tp_protocol.h``).

Framing
-------
A frame on the wire is ``0x00 COBS(body) 0x00`` with::

    body = type:u8  seq:u16le  payload[0..64]  crc32:u32le

``crc32`` is CRC-32/ISO-HDLC (``zlib.crc32``) of type, seq and payload. Consistent overhead
byte stuffing (COBS; Cheshire & Baker 1999) removes every zero byte from the body, so ``0x00``
only ever delimits frames: a receiver that starts mid-stream or loses bytes resynchronises at
the next ``0x00``, and every damaged stretch between two delimiters costs exactly one *bad
frame*. Each direction numbers its frames with its own 16-bit counter; the receiver counts
*lost* frames from the gaps (a bad frame is also a lost one). The C++ and Python codecs are
checked against the same byte vectors (``firmware/tests/protocol_vectors.txt``).

Messages
--------
Host to pen: HELLO (version handshake), SET_PARAM, GET_PARAM, SELECT_ALGO, MOTOR, STREAM,
GET_STATUS, SAVE (parameters to EEPROM), RESET_FILTER, DEFAULTS. Pen to host: HELLO_ACK,
ACK (status and applied value of a command), PARAM, STATUS, SAMPLE (telemetry, one per sensor
sample, :data:`SAMPLE_DTYPE`), LOG.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from tremorlab.adaptive import registry

PROTOCOL_VERSION = 1
#: Version of the parameter table and its EEPROM image (``tp::PARAMS_VERSION``); an image of
#: another version is ignored by the firmware, which then starts from the defaults.
PARAMS_VERSION = 2
PAYLOAD_MAX = 64
BODY_MAX = 1 + 2 + PAYLOAD_MAX + 4
FRAME_MAX = BODY_MAX + BODY_MAX // 254 + 1 + 2

# message types
HELLO, SET_PARAM, GET_PARAM, SELECT_ALGO, MOTOR, STREAM, GET_STATUS, SAVE, RESET_FILTER, DEFAULTS = range(1, 11)
HELLO_ACK, ACK, PARAM, STATUS, SAMPLE, LOG = 0x81, 0x82, 0x83, 0x87, 0x90, 0xE0

ACK_STATUS = {0: "ok", 1: "unknown parameter", 2: "value out of range", 3: "unknown command",
              4: "protocol version mismatch", 5: "wrong payload length", 6: "refused: the pen is in a fault state",
              7: "EEPROM write failed"}

#: Algorithm names by firmware id (``tp::Algorithm``), from the filters' registry (id 0: "off").
ALGORITHMS = registry.firmware_table()

#: Sample flags (``tp::SampleFlags``).
FLAG_STREAMING, FLAG_MOTOR_ON, FLAG_FAULT, FLAG_SOFT_START, FLAG_SATURATED, FLAG_OVERRUN = (1, 2, 4, 8, 16, 32)
FAULTS = {0: "none", 1: "sensor not answering", 2: "sensor stalled (no new samples)", 3: "filter diverged"}

#: Counts per g of the ADXL345 at full resolution (every range).
COUNTS_PER_G = 256.0


@dataclass(frozen=True)
class Param:
    """One firmware parameter (``tp::PARAM_INFO``): id, name, default, range, integer-valued."""

    id: int
    name: str
    default: float
    lo: float
    hi: float
    integer: bool = False
    doc: str = ""


#: The parameter table, in firmware id order (a test checks it against tp_params.cpp).
PARAMS: tuple[Param, ...] = tuple(Param(i, *row) for i, row in enumerate([
    ("step_size", 0.05, 1e-6, 10.0, False, "mu: LMS / Fx-LMS step, the unnormalised part of Fx-LMS/NLMS"),
    ("step_size_2", 0.01, 1e-6, 1.99, False, "mu_2: NLMS / Fx-NLMS step, the normalised part of Fx-LMS/NLMS"),
    ("regularization", 1e-6, 1e-12, 1.0, False, "eps added to the input energy (NLMS family)"),
    ("forgetting_factor", 0.999, 0.9, 1.0, False, "lambda (RLS)"),
    ("init_covariance", 100.0, 1e-3, 1e6, False, "P(0) = value * I (RLS, Kalman)"),
    ("process_noise", 1e-4, 0.0, 1.0, False, "q: Q = q I (Kalman)"),
    ("measurement_noise", 1e-3, 1e-9, 10.0, False, "r (Kalman)"),
    ("n_taps", 4.0, 1.0, 16.0, True, "adaptive filter length L"),
    ("max_duty", 0.8, 0.0, 0.9, False, "upper limit of the motor PWM duty (hard limit 0.9)"),
    ("duty_bias", 0.4, 0.0, 0.9, False, "duty at zero command"),
    ("motor_gain", 2.0, 0.0, 100.0, False, "duty per g of commanded motor acceleration"),
    ("soft_start_s", 0.5, 0.0, 10.0, False, "seconds over which the duty limit ramps up after motor on"),
    ("axis", 0.0, 0.0, 2.0, True, "control axis: 0 = x, 1 = y, 2 = z"),
    ("hp_cutoff_hz", 1.0, 0.05, 20.0, False, "cut-off of the DC blocker on the control axis"),
    ("sample_rate_hz", 1000.0, 100.0, 1000.0, True, "control-loop rate (hardware timer)"),
    ("odr_hz", 1600.0, 100.0, 3200.0, True, "ADXL345 output data rate: 100, 200, 400, 800, 1600 or 3200"),
    ("range_g", 2.0, 2.0, 16.0, True, "ADXL345 range: 2, 4, 8 or 16 g"),
    ("sec_delay", 2.0, 1.0, 8.0, True, "secondary-path estimate: samples from a command to its first effect"),
    ("sec_tau_ms", 5.0, 0.1, 100.0, False, "secondary-path estimate: motor time constant, ms"),
    ("sec_gain", 1.0, 0.0, 10.0, False, "secondary-path estimate: static gain"),
    ("sec_hp_hz", 1.0, 0.0, 20.0, False, "secondary-path estimate: the motor's high-pass corner, Hz (0: none)"),
]))
PARAM_BY_NAME = {p.name: p for p in PARAMS}

#: One telemetry sample as it is on the wire (32 bytes, little-endian, packed).
SAMPLE_DTYPE = np.dtype([("index", "<u4"), ("t_us", "<u4"), ("acc", "<i2", (3,)), ("x", "<f4"), ("e", "<f4"),
                         ("y", "<f4"), ("duty", "<u2"), ("algo", "u1"), ("flags", "u1"), ("cfg", "<u2")])
assert SAMPLE_DTYPE.itemsize == 32

STATUS_STRUCT = struct.Struct("<BBBBIIIIIff")  # algo flags fault reserved samples sent dropped overruns rx_bad mse_db cpu_us


class Frame(NamedTuple):
    type: int
    seq: int
    payload: bytes


def cobs_encode(data: bytes) -> bytes:
    """COBS-encode ``data`` (no delimiter); blocks of 254 non-zero bytes get the code 0xFF."""
    out = bytearray()
    for part in bytes(data).split(b"\x00"):
        while len(part) >= 254:
            out.append(0xFF)
            out += part[:254]
            part = part[254:]
        out.append(len(part) + 1)
        out += part
    # a block of exactly 254 at the very end still needs its (empty) successor, as in C++
    return bytes(out)


def cobs_decode(chunk: bytes) -> bytes | None:
    """Decode one COBS chunk (no zeros inside); ``None`` when it is not valid COBS."""
    out = bytearray()
    i, n = 0, len(chunk)
    while i < n:
        code = chunk[i]
        j = i + code
        if code == 0 or j > n:
            return None
        out += chunk[i + 1:j]
        if code != 0xFF and j < n:
            out.append(0)
        i = j
    return bytes(out)


def encode_frame(msg_type: int, seq: int, payload: bytes = b"") -> bytes:
    """One frame, delimiters included."""
    payload = bytes(payload)
    if len(payload) > PAYLOAD_MAX:
        raise ValueError(f"frame payload: expected at most {PAYLOAD_MAX} bytes, got {len(payload)}")
    if not 0 <= msg_type <= 255 or not 0 <= seq <= 0xFFFF:
        raise ValueError(f"frame header: expected type 0..255 and seq 0..65535, got {msg_type}, {seq}")
    body = bytes((msg_type, seq & 0xFF, seq >> 8)) + payload
    body += zlib.crc32(body).to_bytes(4, "little")
    return b"\x00" + cobs_encode(body) + b"\x00"


class Decoder:
    """Streaming frame decoder: :meth:`feed` bytes, get complete good frames.

    Never raises on any input. Counters: ``good`` frames, ``bad`` frames (a stretch between two
    delimiters that is not valid COBS, too short or too long, or fails the CRC) and ``lost``
    frames (gaps in the sequence numbers of good frames, modulo 2**16).
    """

    def __init__(self):
        self._buf = bytearray()
        self._overflow = False
        self._last_seq: int | None = None
        self.good = self.bad = self.lost = 0

    def feed(self, data: bytes) -> list[Frame]:
        out: list[Frame] = []
        if not data:
            return out
        self._buf += data
        if b"\x00" not in data:
            if len(self._buf) > FRAME_MAX:
                self._overflow = True
                del self._buf[:]
            return out
        parts = self._buf.split(b"\x00")
        self._buf = bytearray(parts.pop())
        for chunk in parts:
            if self._overflow:
                self._overflow = False
                self.bad += 1
                continue
            if not chunk:
                continue
            frame = self._decode(chunk)
            if frame is not None:
                out.append(frame)
        if len(self._buf) > FRAME_MAX:
            self._overflow = True
            del self._buf[:]
        return out

    def _decode(self, chunk: bytes) -> Frame | None:
        body = cobs_decode(chunk) if len(chunk) <= FRAME_MAX else None
        if body is None or len(body) < 7 or len(body) > BODY_MAX or \
                zlib.crc32(body[:-4]) != int.from_bytes(body[-4:], "little"):
            self.bad += 1
            return None
        seq = body[1] | (body[2] << 8)
        if self._last_seq is not None:
            self.lost += (seq - self._last_seq - 1) & 0xFFFF
        self._last_seq = seq
        self.good += 1
        return Frame(body[0], seq, body[3:-4])


def samples_from_payloads(payloads: list[bytes]) -> np.ndarray:
    """Telemetry payloads -> structured array of :data:`SAMPLE_DTYPE` (vectorised)."""
    good = [p for p in payloads if len(p) == SAMPLE_DTYPE.itemsize]
    if not good:
        return np.empty(0, SAMPLE_DTYPE)
    return np.frombuffer(b"".join(good), dtype=SAMPLE_DTYPE).copy()


def pack_sample(sample: np.void | dict) -> bytes:
    """One telemetry payload from a record with the fields of :data:`SAMPLE_DTYPE`."""
    arr = np.zeros(1, SAMPLE_DTYPE)
    for name in SAMPLE_DTYPE.names:
        arr[name][0] = sample[name]
    return arr.tobytes()


# ---- payload builders and parsers ----------------------------------------------------------
def param_id(name_or_id: str | int) -> Param:
    if isinstance(name_or_id, str):
        if name_or_id not in PARAM_BY_NAME:
            raise KeyError(f"unknown pen parameter {name_or_id!r}; parameters: {', '.join(PARAM_BY_NAME)}")
        return PARAM_BY_NAME[name_or_id]
    return PARAMS[int(name_or_id)]


def set_param_payload(name_or_id: str | int, value: float) -> bytes:
    return struct.pack("<Bf", param_id(name_or_id).id, float(value))


def algorithm_id(name: str | int) -> int:
    if isinstance(name, str):
        if name not in ALGORITHMS:
            raise KeyError(f"unknown algorithm {name!r}; algorithms: {', '.join(ALGORITHMS)}")
        return ALGORITHMS.index(name)
    if not 0 <= int(name) < len(ALGORITHMS):
        raise KeyError(f"algorithm id {name} outside 0..{len(ALGORITHMS) - 1}")
    return int(name)


def parse_ack(payload: bytes) -> dict:
    if len(payload) != 8:
        raise ValueError(f"ACK payload: expected 8 bytes, got {len(payload)}")
    t, seq, st, value = struct.unpack("<BHBf", payload)
    return {"type": t, "seq": seq, "status": st, "status_text": ACK_STATUS.get(st, f"status {st}"), "value": value}


def parse_hello_ack(payload: bytes) -> dict:
    if len(payload) < 9:
        raise ValueError(f"HELLO_ACK payload: expected at least 9 bytes, got {len(payload)}")
    proto, ma, mi, pa, pv = payload[:5]
    rate = payload[5] | (payload[6] << 8)
    return {"protocol": proto, "firmware": f"{ma}.{mi}.{pa}", "params_version": pv, "sample_rate_hz": rate,
            "n_params": payload[7], "n_algorithms": payload[8], "name": payload[9:].decode("ascii", "replace")}


def parse_status(payload: bytes) -> dict:
    if len(payload) != STATUS_STRUCT.size:
        raise ValueError(f"STATUS payload: expected {STATUS_STRUCT.size} bytes, got {len(payload)}")
    algo, flags, fault, _, samples, sent, dropped, overruns, rx_bad, mse_db, cpu_us = STATUS_STRUCT.unpack(payload)
    return {"algorithm": ALGORITHMS[algo] if algo < len(ALGORITHMS) else str(algo), "streaming": bool(flags & 1),
            "motor_on": bool(flags & 2), "fault": FAULTS.get(fault, str(fault)), "fault_code": fault,
            "samples": samples, "frames_sent": sent, "frames_dropped": dropped, "overruns": overruns,
            "rx_bad_frames": rx_bad, "mse_db": mse_db, "cpu_us": cpu_us}


# ---- the pen's own limits, for checking a value before it is sent ------------------------------
#: Output data rates and ranges the ADXL345 supports (``Params::valid`` in tp_params.cpp).
ODR_CHOICES_HZ = (100, 200, 400, 800, 1600, 3200)
RANGE_CHOICES_G = (2, 4, 8, 16)


def check_param(name_or_id: str | int, value, current: dict | None = None) -> str | None:
    """Why the pen would refuse ``value`` for this parameter, in words; ``None`` when it accepts it.

    The rules of the firmware's ``Params::valid`` on the float32 the wire carries: a finite
    number inside the table's ``[lo, hi]`` (:data:`PARAMS`), a whole number for integer
    parameters, and for ``odr_hz`` / ``range_g`` one of the sensor's rates / ranges. With the
    pen's ``current`` parameters, also ``Controller::apply_param``'s rule that the sensor's
    output data rate is at least the control-loop rate.
    """
    p = param_id(name_or_id)
    try:
        v = np.float32(value)
    except (TypeError, ValueError):
        return f"{p.name}: expected a number, got {value!r}"
    if not np.isfinite(v):
        return f"{p.name}: expected a finite number, got {value!r}"
    lo, hi = np.float32(p.lo), np.float32(p.hi)
    if v < lo or v > hi:
        return f"{p.name} must be between {readable(p.lo):g} and {readable(p.hi):g} (the pen's limits), got {readable(value):g}"
    if p.integer and v != np.floor(v):
        return f"{p.name} must be a whole number, got {readable(value):g}"
    if p.name == "odr_hz" and float(v) not in ODR_CHOICES_HZ:
        return f"odr_hz must be one of {', '.join(map(str, ODR_CHOICES_HZ))} (the ADXL345's rates), got {readable(value):g}"
    if p.name == "range_g" and float(v) not in RANGE_CHOICES_G:
        return f"range_g must be one of {', '.join(map(str, RANGE_CHOICES_G))} (the ADXL345's ranges), got {readable(value):g}"
    if current is not None:
        if p.name == "odr_hz" and float(v) < float(current["sample_rate_hz"]):
            return (f"odr_hz must be at least sample_rate_hz ({readable(current['sample_rate_hz']):g} Hz): "
                    f"the sensor must sample at least as fast as the loop, got {readable(value):g}")
        if p.name == "sample_rate_hz" and float(v) > float(current["odr_hz"]):
            return (f"sample_rate_hz must be at most odr_hz ({readable(current['odr_hz']):g} Hz): "
                    f"the loop cannot run faster than the sensor samples, got {readable(value):g}")
    return None


def readable(value) -> float:
    """The shortest decimal that round-trips through float32 (what the pen stores), as a float:
    ``readable(np.float32(0.05)) == 0.05`` instead of 0.05000000074505806."""
    return float(str(np.float32(value)))
