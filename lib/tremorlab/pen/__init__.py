"""The smart pen: wire protocol, pyserial client, firmware-in-the-loop emulator, recorder, panel.

* :mod:`tremorlab.pen.protocol` - frames (COBS + CRC-32 + sequence numbers), messages, parameters
* :mod:`tremorlab.pen.client` - :class:`PenClient` (pyserial, background reader, ring buffer)
* :mod:`tremorlab.pen.emulator` - build and start the firmware against the host HAL
* :mod:`tremorlab.pen.tremor_sources` - the names of the emulator's tremor sources (constants the CLI reads)
* :mod:`tremorlab.pen.recorder` - :class:`Recorder` and :func:`read_pen_recording`
* :mod:`tremorlab.pen.panel` - the ipywidgets session panel

Submodules load on first use (``import tremorlab.pen`` imports neither pyserial nor ipywidgets).
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__, submodules=["protocol", "client", "emulator", "recorder", "panel", "cli", "stability", "tremor_sources"],
    submod_attrs={"client": ["PenClient", "PenError", "PenDisconnected", "list_ports"],
                  "emulator": ["Emulator", "start_emulator", "build_firmware"],
                  "recorder": ["Recorder", "read_pen_recording"], "panel": ["PenPanel"]})
