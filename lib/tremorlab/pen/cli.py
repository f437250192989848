"""``tremorlab pen`` sub-commands (loaded by :mod:`tremorlab.cli`).

    tremorlab pen emulate [--tremor pd|et|physiological|shaking-table-constant|shaking-table-variable|real:SUBSET:SEGMENT]
                          [--seed N] [--amplitude-g A] [--sensor-fail-after S]
    tremorlab pen loop [--tremor ...] [--algorithms lms ... kalman] [--seconds 20] [--seconds-off 3] [--seed N]
    tremorlab pen ports
"""

from __future__ import annotations

import sys

from tremorlab.pen.tremor_sources import TREMOR_CHOICES


def _cmd_emulate(args) -> int:
    from tremorlab.pen import emulator

    extra = ("--sensor-fail-after", str(args.sensor_fail_after)) if args.sensor_fail_after is not None else ()
    try:
        emu = emulator.start_emulator(args.tremor, seed=args.seed, amplitude_g=args.amplitude_g, extra_args=extra)
    except (emulator.FirmwareBuildError, RuntimeError, ValueError) as exc:
        print(f"tremorlab pen emulate: {exc}", file=sys.stderr)
        return 1
    print(f"emulated pen ({args.tremor} tremor) on {emu.port}")
    print(f"connect with: PenClient({emu.port!r})  or choose it in the panel; Ctrl-C stops", flush=True)
    return emulator.wait_forever(emu)


def _cmd_loop(args) -> int:
    from tremorlab.pen import emulator
    from tremorlab.synth.tremor import TREMOR_KINDS

    try:
        samples, segments = emulator.emulated_session(args.algorithms, args.tremor, args.seconds_off, args.seconds,
                                                      seed=args.seed, amplitude_g=args.amplitude_g)
    except (emulator.FirmwareBuildError, RuntimeError, ValueError) as exc:
        print(f"tremorlab pen loop: {exc}", file=sys.stderr)
        return 1
    band = TREMOR_KINDS.get(args.tremor, (3.0, 12.0))
    rows = emulator.segment_stats(samples, segments, 1000.0, band)
    print(f"emulated pen, {args.tremor} tremor, virtual clock; last 2 s of each segment; "
          f"band {band[0]:g}-{band[1]:g} Hz")
    print(f"{'segment':12s} {'attenuation (dB)':>17s} {'MSE (dB re 1 g^2)':>18s} {'mean duty (%)':>14s}")
    for name, r in rows.items():
        print(f"{name:12s} {r['attenuation (dB)']:17.1f} {r['MSE (dB)']:18.1f} {r['mean duty (%)']:14.1f}")
    return 0


def _cmd_ports(args) -> int:
    from tremorlab.pen.client import list_ports

    ports = list_ports()
    if not ports:
        print("no serial ports found (is the pen plugged in? on Linux, is your user in the 'dialout' group?)")
    for p in ports:
        print(f"{p['device']}\t{'Teensy' if p['teensy'] else ''}\t{p['description']}")
    return 0


def _tremor_arg(loop: bool):
    def parse(value: str) -> str:
        import argparse

        from tremorlab.pen.emulator import check_tremor

        try:
            check_tremor(value)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        if loop and value == "none":
            raise argparse.ArgumentTypeError("pen loop needs a tremor source, not 'none'")
        return value
    return parse


def add_cli(subparsers) -> None:
    from tremorlab.pen import protocol as P

    p = subparsers.add_parser("pen", help="the smart pen: emulator and serial ports")
    sub = p.add_subparsers(dest="pen_command", required=True)
    e = sub.add_parser("emulate", help="run the pen firmware against simulated hardware on a pseudo-terminal")
    e.add_argument("--tremor", type=_tremor_arg(False), default="pd",
                   help=f"{', '.join(TREMOR_CHOICES)}, or real:tim_tremor|imu_wild:SEGMENT (a real patient's segment)")
    e.add_argument("--seed", type=int, default=0)
    e.add_argument("--amplitude-g", type=float, default=0.05, help="peak tremor acceleration, g")
    e.add_argument("--sensor-fail-after", type=float, default=None, help="fault injection: sensor stops after S s")
    e.set_defaults(func=_cmd_emulate)
    lp = sub.add_parser("loop", help="attenuation of each algorithm in the emulated loop (virtual clock, seconds)")
    lp.add_argument("--tremor", type=_tremor_arg(True), default="pd",
                    help="a phantom kind, or real:tim_tremor|imu_wild:SEGMENT (a real patient's segment)")
    lp.add_argument("--algorithms", nargs="+", choices=P.ALGORITHMS[1:], default=list(P.ALGORITHMS[1:]))
    lp.add_argument("--seconds", type=float, default=20.0, help="motor-on seconds per algorithm")
    lp.add_argument("--seconds-off", type=float, default=3.0, help="motor-off seconds first")
    lp.add_argument("--seed", type=int, default=0)
    lp.add_argument("--amplitude-g", type=float, default=0.05, help="peak tremor acceleration, g")
    lp.set_defaults(func=_cmd_loop)
    ports = sub.add_parser("ports", help="list serial ports that may be a pen")
    ports.set_defaults(func=_cmd_ports)
