"""Pen benchmarks: frame decoding throughput and sensor-to-buffer latency.

* decoding: :class:`tremorlab.pen.protocol.Decoder` (COBS + CRC-32 + sequence counting +
  vectorised sample unpacking) beside pyserial's own ``serial.threaded.Packetizer`` splitting
  the same byte stream on the same delimiter (framing only, no checks): the peer a user would
  otherwise start from. Target: at least 20 000 frames/s (a 1 kHz stream then costs < 5 % of a core).
* latency: the emulator (the firmware on the host HAL) streaming at 1 kHz to PenClient, from
  the emulated sensor instant to the client's ring buffer; beside it, the bare pseudo-terminal
  (frames due every 1 ms from a thread, read with pyserial), timed the same way: from the
  instant each frame is due, so a writer the host scheduler holds back counts in both. 10 s
  each. Target: p99 under 20 ms. The peer's p99 is this machine's floor. On a virtual machine
  whose CPUs its host steals (``steal`` in ``/proc/stat``, recorded with each run), stalls of
  tens of milliseconds set the tail of both; above 2 % steal a missed target is reported as
  a skip with the figures, not as a failure of the code.
"""

from __future__ import annotations

import os
import threading
import time

import numpy as np
import pytest

from tremorlab.pen import protocol as P

N_FRAMES = 20_000


def _stream(n=N_FRAMES) -> bytes:
    rng = np.random.default_rng(0)
    s = np.zeros(n, P.SAMPLE_DTYPE)
    s["index"] = np.arange(n)
    s["t_us"] = 1000 * np.arange(n)
    s["acc"] = rng.integers(-512, 512, (n, 3))
    s["e"] = rng.standard_normal(n)
    raw = s.tobytes()
    return b"".join(P.encode_frame(P.SAMPLE, i & 0xFFFF, raw[32 * i:32 * i + 32]) for i in range(n))


DATA = _stream()


def _ours():
    dec = P.Decoder()
    payloads = []
    for i in range(0, len(DATA), 4096):
        payloads += [f.payload for f in dec.feed(DATA[i:i + 4096]) if f.type == P.SAMPLE]
    s = P.samples_from_payloads(payloads)
    assert s.size == N_FRAMES and dec.lost == 0
    return s.size


def _packetizer():
    from serial.threaded import Packetizer

    class Collect(Packetizer):
        TERMINATOR = b"\x00"

        def __init__(self):
            super().__init__()
            self.n = 0

        def handle_packet(self, packet):
            self.n += 1

    p = Collect()
    for i in range(0, len(DATA), 4096):
        p.data_received(DATA[i:i + 4096])
    return p.n


@pytest.mark.benchmark(group="pen-decode")
def test_decode_ours(benchmark):
    n = benchmark(_ours)
    rate = n / benchmark.stats.stats.mean
    benchmark.extra_info["frames_per_s"] = round(rate)
    assert rate >= 20_000, f"{rate:.0f} frames/s"


@pytest.mark.benchmark(group="pen-decode")
def test_decode_peer_pyserial_packetizer(benchmark):
    n = benchmark(_packetizer)
    benchmark.extra_info["frames_per_s"] = round(n / benchmark.stats.stats.mean)


def _emulator_latency(seconds=10.0):
    from tremorlab.pen.client import PenClient
    from tremorlab.pen.emulator import start_emulator

    with start_emulator("pd") as emu, PenClient(emu.port, clock_zero_ns=emu.clock_zero_ns) as pen:
        pen.stream(True)
        time.sleep(seconds)
        s, recv = pen.samples(with_recv=True)
        lost = pen.decoder.lost
    lat = pen.latencies_ms(s[100:], recv[100:])
    return lat, lost


def _pty_latency(seconds=10.0):
    import serial

    master, slave = os.openpty()
    import tty

    tty.setraw(slave)
    ser = serial.Serial(os.ttyname(slave), timeout=0.05)
    sent = []
    stop = threading.Event()

    def writer():
        i, t_next = 0, time.monotonic_ns()
        while not stop.is_set():
            t_next += 1_000_000
            time.sleep(max(0.0, (t_next - time.monotonic_ns()) * 1e-9))
            sent.append(t_next)  # due instant, as the emulator's sample times are
            os.write(master, P.encode_frame(P.SAMPLE, i & 0xFFFF, bytes(32)))
            i += 1

    th = threading.Thread(target=writer, daemon=True)
    th.start()
    dec, got = P.Decoder(), []
    t_end = time.monotonic() + seconds
    while time.monotonic() < t_end:
        data = ser.read(max(1, ser.in_waiting))
        now = time.monotonic_ns()
        got += [now] * len(dec.feed(data))
    stop.set()
    th.join()
    ser.close()
    os.close(master)
    n = min(len(got), len(sent))
    return (np.array(got[:n]) - np.array(sent[:n])) / 1e6


def _cpu_jiffies() -> tuple[int, int]:
    """(steal, total) CPU time of the machine so far, from /proc/stat (Linux; zeros elsewhere)."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:9]]
    except (OSError, ValueError):
        return 0, 0
    return v[7], sum(v)


def _timed(benchmark, fn):
    """Run ``fn`` once under the benchmark; also return the share of CPU time the host stole (%)."""
    s0, t0 = _cpu_jiffies()
    out = benchmark.pedantic(fn, rounds=1, iterations=1)
    s1, t1 = _cpu_jiffies()
    steal = 100.0 * (s1 - s0) / (t1 - t0) if t1 > t0 else 0.0
    benchmark.extra_info["host_steal_pct"] = round(steal, 2)
    return out, steal


STEAL_LIMIT_PCT = 2.0  # above this the host, not the code, sets the latency tail


@pytest.mark.benchmark(group="pen-latency")
def test_latency_emulator_to_client(benchmark):
    (lat, lost), steal = _timed(benchmark, _emulator_latency)
    p50, p99 = np.percentile(lat, [50, 99])
    benchmark.extra_info.update({"p50_ms": round(float(p50), 3), "p99_ms": round(float(p99), 3), "lost": int(lost)})
    assert lost == 0, f"{lost} frames lost"
    if p99 >= 20.0 and steal > STEAL_LIMIT_PCT:
        pytest.skip(f"p99 {p99:.2f} ms, but the host stole {steal:.1f} % of the CPU time during the run: "
                    "the 20 ms target cannot be judged on this machine now")
    assert p99 < 20.0, f"p99 {p99:.2f} ms (host steal {steal:.1f} %)"


@pytest.mark.benchmark(group="pen-latency")
def test_latency_peer_bare_pty(benchmark):
    lat, _ = _timed(benchmark, _pty_latency)
    p50, p99 = np.percentile(lat, [50, 99])
    benchmark.extra_info.update({"p50_ms": round(float(p50), 3), "p99_ms": round(float(p99), 3)})
