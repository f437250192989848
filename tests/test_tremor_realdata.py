"""Real signals for chapter 3 (UCI hold-still / spiral pen traces, PADS blocks)."""

from __future__ import annotations

import numpy as np
import pytest

from tremorlab.tremor import realdata as rd


def test_uci_hold_still_at_100_hz_with_duplicates_flagged():
    pdx = rd.uci_pen_signals("parkinson", test_id=2)
    ctl = rd.uci_pen_signals("control", test_id=2)
    assert len(pdx) == 23 and len(ctl) == 7          # TestID 2 missing in 2 PD and 8 control files
    for d in pdx + ctl:
        assert d["xy"].ndim == 2 and d["xy"].shape[1] == 2 and d["xy"].shape[0] >= 400
        assert np.all(np.isfinite(d["xy"]))
    # controls C_0010-C_0015 repeat C_0009's hold-still segment sample for sample
    dup = {d["subject"]: d["duplicate_of"] for d in ctl}
    assert dup["C_0009"] is None and all(dup[f"C_00{k}"] == "C_0009" for k in range(10, 16))
    np.testing.assert_array_equal(ctl[0]["xy"], ctl[3]["xy"])
    assert sum(d["duplicate_of"] is not None for d in pdx) == 1


def test_pads_blocks_and_scaling():
    b = rd.pads_blocks("002", "gyro")
    assert len(b) == 22 and b[0]["signal"].shape == (976, 3) and b[0]["rate_hz"] == 100.0
    x = rd.scale_unit(b[0]["signal"][:, 0])
    assert x.min() == 0.0 and x.max() == 1.0
    with pytest.raises(ValueError, match="constant"):
        rd.scale_unit(np.ones(5))
    with pytest.raises(ValueError, match="sensor"):
        rd.pads_blocks("002", "mag")
