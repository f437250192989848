"""Recording types and readers (see :mod:`tremorlab.io.types`, :mod:`tremorlab.io.readers`).

The smart pen's session files are read by the pen's own module (:func:`tremorlab.pen.recorder.read_pen_recording`),
beside the writer and the protocol they share: ``io`` sits below ``pen`` and does not import it.
"""

from tremorlab.io.readers import (ImageItem, list_kaggle_spirals, list_newhandpd_spirals, rate_report,
                                  read_image, read_myo_emg, read_pads_bin, read_pads_patient, read_svc,
                                  read_uci_spiral)
from tremorlab.io.severity import SeverityWindows, read_severity_dataset, read_severity_segment, rebuild_segment
from tremorlab.io.types import EmgRecording, MotionRecording, PenRecording, RecordingError

__all__ = ["PenRecording", "MotionRecording", "EmgRecording", "RecordingError", "ImageItem", "read_uci_spiral",
           "read_svc", "read_myo_emg", "read_pads_bin", "read_pads_patient", "read_image",
           "list_kaggle_spirals", "list_newhandpd_spirals", "rate_report", "SeverityWindows",
           "read_severity_dataset", "read_severity_segment", "rebuild_segment"]

