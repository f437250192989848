"""Recording types and readers (see :mod:`tremorlab.io.types`, :mod:`tremorlab.io.readers`)."""

from tremorlab.io.readers import (ImageItem, list_kaggle_spirals, list_newhandpd_spirals, rate_report,
                                  read_image, read_myo_emg, read_pads_bin, read_pads_patient, read_svc,
                                  read_uci_spiral)
from tremorlab.io.severity import SeverityWindows, read_severity_dataset, read_severity_segment, rebuild_segment
from tremorlab.io.types import EmgRecording, MotionRecording, PenRecording, RecordingError

__all__ = ["PenRecording", "MotionRecording", "EmgRecording", "RecordingError", "ImageItem", "read_uci_spiral",
           "read_svc", "read_myo_emg", "read_pads_bin", "read_pads_patient", "read_image",
           "list_kaggle_spirals", "list_newhandpd_spirals", "rate_report", "SeverityWindows",
           "read_severity_dataset", "read_severity_segment", "rebuild_segment", "read_pen_recording"]


def __getattr__(name):
    # The smart pen's session files are read by the recorder's own reader (tremorlab.pen.recorder),
    # exposed here with the other readers without importing the pen package up front.
    if name == "read_pen_recording":
        from tremorlab.pen.recorder import read_pen_recording

        return read_pen_recording
    raise AttributeError(f"module 'tremorlab.io' has no attribute {name!r}")
