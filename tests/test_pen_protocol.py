"""The pen's wire protocol: known values, the byte vectors shared with the C++ codec, the
parameter table shared with the firmware, and a fuzzed decoder with exactly known counts."""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tremorlab.pen import protocol as P

ROOT = Path(__file__).resolve().parents[1]
VECTORS = ROOT / "firmware" / "tests" / "protocol_vectors.txt"


def test_crc_is_the_standard_crc32():
    assert zlib.crc32(b"123456789") == 0xCBF43926  # the catalogue check value the C++ test also uses


@pytest.mark.parametrize("raw, enc", [
    (b"\x00", b"\x01\x01"), (b"\x00\x00", b"\x01\x01\x01"), (b"\x11\x22\x00\x33", b"\x03\x11\x22\x02\x33"),
    (b"\x11\x22\x33\x44", b"\x05\x11\x22\x33\x44"), (b"\x11\x00\x00\x00", b"\x02\x11\x01\x01\x01"),
])
def test_cobs_examples_of_cheshire_and_baker(raw, enc):
    assert P.cobs_encode(raw) == enc
    assert P.cobs_decode(enc) == raw


def test_cobs_long_blocks_round_trip():
    raw = bytes(1 + i % 255 for i in range(300))
    enc = P.cobs_encode(raw)
    assert enc[0] == 0xFF and b"\x00" not in enc
    assert P.cobs_decode(enc) == raw


def test_vectors_shared_with_the_cpp_codec():
    lines = VECTORS.read_text().split("\n")
    rows = [ln.split() for ln in lines if ln.strip()]
    assert len(rows) >= 8
    for t, seq, payload, frame in rows:
        payload = b"" if payload == "-" else bytes.fromhex(payload)
        assert P.encode_frame(int(t, 16), int(seq), payload).hex() == frame
        dec = P.Decoder()
        frames = dec.feed(bytes.fromhex(frame))
        assert frames == [P.Frame(int(t, 16), int(seq), payload)] and dec.bad == 0


def test_sample_layout_matches_the_firmware_vector():
    row = next(ln.split() for ln in VECTORS.read_text().splitlines() if ln.startswith("90 "))
    s = P.samples_from_payloads([bytes.fromhex(row[2])])[0]
    assert (s["index"], s["t_us"], tuple(s["acc"]), s["duty"], s["algo"], s["cfg"]) == (123456, 0xABCDEF, (-12, 0, 256), 4000, 7, 2)
    assert s["x"] == np.float32(0.0125) and s["e"] == np.float32(-0.5) and s["y"] == np.float32(3e-3)
    assert s["flags"] == P.FLAG_STREAMING | P.FLAG_MOTOR_ON
    assert P.pack_sample(s) == bytes.fromhex(row[2])


def test_parameter_table_matches_the_firmware():
    src = (ROOT / "firmware" / "lib" / "tremorpen" / "tp_params.cpp").read_text()
    rows = re.findall(r'\{"(\w+)", ([-\d.e]+)f, ([-\d.e]+)f, ([-\d.e]+)f, (true|false), (true|false)\}', src)
    assert [r[0] for r in rows] == [p.name for p in P.PARAMS]
    for r, p in zip(rows, P.PARAMS):
        assert (float(r[1]), float(r[2]), float(r[3]), r[4] == "true") == pytest.approx((p.default, p.lo, p.hi, p.integer))
    version = re.search(r"constexpr uint16_t PARAMS_VERSION = (\d+);",
                        (ROOT / "firmware" / "lib" / "tremorpen" / "tp_params.h").read_text())
    assert version and int(version.group(1)) == P.PARAMS_VERSION
    hdr = (ROOT / "firmware" / "lib" / "tremorpen" / "tp_filters.h").read_text()
    assert re.findall(r"ALGO_(\w+) = \d+", hdr) == [a.upper() for a in P.ALGORITHMS]


def test_ack_and_status_parsers():
    ack = P.parse_ack(struct.pack("<BHBf", P.SET_PARAM, 7, 2, 0.8))
    assert ack["seq"] == 7 and ack["status_text"] == "value out of range" and ack["value"] == pytest.approx(0.8)
    with pytest.raises(ValueError, match="ACK payload: expected 8 bytes"):
        P.parse_ack(b"\x01")
    with pytest.raises(KeyError, match="unknown pen parameter 'mu'"):
        P.param_id("mu")


# ---- fuzzing ------------------------------------------------------------------------------------
def _make_stream(rng: np.random.Generator, n_frames: int, p_flip: float, p_trunc: float, p_drop: float,
                 p_garbage: float, seq0: int):
    """A byte stream of ``n_frames`` frames with known damage; returns (bytes, expected, good frames)."""
    out = bytearray()
    delivered, bad = [], 0
    seq = seq0
    for _ in range(n_frames):
        t = int(rng.choice([P.SAMPLE, P.ACK, P.STATUS, P.PARAM, P.LOG, P.HELLO_ACK]))
        payload = rng.integers(0, 256, int(rng.integers(0, P.PAYLOAD_MAX + 1)), dtype=np.uint8).tobytes()
        frame = bytearray(P.encode_frame(t, seq & 0xFFFF, payload))
        u = rng.random()
        if u < p_drop:
            pass                                           # lost on the way: nothing arrives
        elif u < p_drop + p_trunc:
            k = int(rng.integers(2, len(frame) - 1))       # the frame is cut; the next one starts
            out += frame[:k]
            bad += 1
        elif u < p_drop + p_trunc + p_flip:
            i = int(rng.integers(1, len(frame) - 1))       # a bit flips inside the frame
            bits = [b for b in range(8) if frame[i] ^ (1 << b)]
            frame[i] ^= 1 << int(rng.choice(bits))
            out += frame
            bad += 1
        else:
            out += frame
            delivered.append(P.Frame(t, seq & 0xFFFF, payload))
        seq += 1
        if rng.random() < p_garbage:                       # line noise between frames
            out += b"\x00" + rng.integers(1, 256, int(rng.integers(1, 40)), dtype=np.uint8).tobytes()
            bad += 1
    lost = 0
    if delivered:
        first = next(i for i in range(n_frames) if (seq0 + i) & 0xFFFF == delivered[0].seq)
        span = (delivered[-1].seq - delivered[0].seq) & 0xFFFF
        lost = span + 1 - len(delivered)
        assert first >= 0
    return bytes(out), {"good": len(delivered), "bad": bad, "lost": lost}, delivered


def _feed_in_chunks(dec: P.Decoder, data: bytes, rng: np.random.Generator) -> list:
    got, i = [], 0
    while i < len(data):
        k = int(rng.integers(1, 200))
        got += dec.feed(data[i:i + k])
        i += k
    got += dec.feed(b"\x00")  # end of the stream: close the last chunk
    return got


N_EXAMPLES, FRAMES_PER_EXAMPLE = 100, 1000  # 100 000 frames


@settings(max_examples=N_EXAMPLES, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), p_flip=st.floats(0, 0.2), p_trunc=st.floats(0, 0.2),
       p_drop=st.floats(0, 0.2), p_garbage=st.floats(0, 0.1), seq0=st.integers(0, 0xFFFF))
def test_fuzzed_decoder_counts_exactly(seed, p_flip, p_trunc, p_drop, p_garbage, seq0):
    rng = np.random.default_rng(seed)
    data, expected, delivered = _make_stream(rng, FRAMES_PER_EXAMPLE, p_flip, p_trunc, p_drop, p_garbage, seq0)
    dec = P.Decoder()
    got = _feed_in_chunks(dec, data, rng)
    assert got == delivered                     # every intact frame, in order, nothing invented
    assert {"good": dec.good, "bad": dec.bad, "lost": dec.lost} == expected


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.binary(max_size=600), st.lists(st.integers(1, 64), min_size=1, max_size=20))
def test_decoder_never_raises_and_resynchronises(noise, cuts):
    dec = P.Decoder()
    good = P.encode_frame(P.SAMPLE, 42, bytes(range(1, 33)))
    data = noise + good
    i = 0
    frames = []
    for c in cuts * 40:
        if i >= len(data):
            break
        frames += dec.feed(data[i:i + c])
        i += c
    frames += dec.feed(data[i:])
    assert frames[-1] == P.Frame(P.SAMPLE, 42, bytes(range(1, 33)))  # the next good frame is found


def test_oversized_chunk_is_one_bad_frame():
    dec = P.Decoder()
    frames = dec.feed(b"\x00" + b"\x01" * 500 + P.encode_frame(P.ACK, 1, b"12345678"))
    assert [f.seq for f in frames] == [1] and dec.bad == 1


def test_check_param_is_the_firmware_rule():
    """The panel's check and the firmware's Params::valid give the same answer (the firmware's
    answers come from the emulator in test_pen_client.py::test_the_pen_refuses_what_check_param_refuses)."""
    assert P.check_param("step_size", 0.05) is None
    assert "between" in P.check_param("step_size", -0.1)
    assert "between" in P.check_param("step_size_2", 5)
    assert P.check_param("step_size_2", 1.99) is None                    # the float32 of the limit itself
    assert "whole number" in P.check_param("n_taps", 2.5)
    assert "ADXL345" in P.check_param("odr_hz", 1000) and P.check_param("odr_hz", 800) is None
    assert "ADXL345" in P.check_param("range_g", 3)
    assert "finite" in P.check_param("max_duty", float("nan"))
    assert "number" in P.check_param("max_duty", "abc")
    assert P.readable(np.float32(0.05)) == 0.05 and repr(P.readable(np.float32(1e-6))) == "1e-06"
