"""Recording types and readers (see :mod:`tremorlab.io.types`, :mod:`tremorlab.io.readers`)."""

from tremorlab.io.readers import (ImageItem, list_kaggle_spirals, list_newhandpd_spirals, rate_report,
                                  read_image, read_myo_emg, read_pads_bin, read_pads_patient, read_svc,
                                  read_uci_spiral)
from tremorlab.io.types import EmgRecording, MotionRecording, PenRecording, RecordingError

__all__ = ["PenRecording", "MotionRecording", "EmgRecording", "RecordingError", "ImageItem", "read_uci_spiral",
           "read_svc", "read_myo_emg", "read_pads_bin", "read_pads_patient", "read_image",
           "list_kaggle_spirals", "list_newhandpd_spirals", "rate_report"]
