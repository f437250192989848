"""The smart pen: wire protocol, pyserial client, firmware-in-the-loop emulator, recorder, panel.

* :mod:`tremorlab.pen.protocol` - frames (COBS + CRC-32 + sequence numbers), messages, parameters
* :mod:`tremorlab.pen.client` - :class:`PenClient` (pyserial, background reader, ring buffer)
* :mod:`tremorlab.pen.emulator` - build and start the firmware against the host HAL
* :mod:`tremorlab.pen.recorder` - :class:`Recorder` and :func:`read_pen_recording`
* :mod:`tremorlab.pen.panel` - the ipywidgets session panel

Submodules load on first use (``import tremorlab.pen`` imports neither pyserial nor ipywidgets).
"""

from __future__ import annotations

import importlib

_LAZY = {
    "PenClient": "client", "PenError": "client", "PenDisconnected": "client", "list_ports": "client",
    "Emulator": "emulator", "start_emulator": "emulator", "build_firmware": "emulator",
    "Recorder": "recorder", "read_pen_recording": "recorder",
    "PenPanel": "panel",
}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(f"tremorlab.pen.{_LAZY[name]}"), name)
    if name in ("protocol", "client", "emulator", "recorder", "panel", "cli"):
        return importlib.import_module(f"tremorlab.pen.{name}")
    raise AttributeError(f"module 'tremorlab.pen' has no attribute {name!r}")


__all__ = sorted(_LAZY)
