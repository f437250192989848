"""Recording types and readers: real files load, bad files are refused with a precise message."""

import json
import os

import numpy as np
import pytest

import tremorlab as tl
from tremorlab.io import PenRecording, RecordingError, read_myo_emg, read_pads_bin, read_svc, read_uci_spiral

# ---- helpers that write small files -------------------------------------------------------------

UCI_GOOD = ["200;204;0;73;910;1000;0", "201;204;0;218;900;1007;0", "202;205;0;253;900;1014;0",
            "203;205;0;250;900;1021;1", "204;206;0;240;900;1028;1", "204;206;0;240;900;1035;1"]
SVC_GOOD_ROWS = ["4018 2567 414551 1 3514 672 80", "4019 2567 414558 1 3514 672 90",
                 "4020 2567 414566 0 3493 680 0", "4021 2568 414573 1 3493 680 116"]
MYO_HEADER = "time\t" + "\t".join(f"channel{i}" for i in range(1, 9)) + "\tclass"


def write(tmp_path, name, lines):
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n")
    return p


def svc(rows, count=None):
    return [str(len(rows) if count is None else count)] + rows


def myo_row(t, values, cls=0):
    return f"{t}\t" + "\t".join(f"{v * 1e-5:g}" for v in values) + f"\t{cls}"


# ---- good input ----------------------------------------------------------------------------------

def test_uci_reader_splits_tests_and_converts_time(tmp_path):
    recs = read_uci_spiral(write(tmp_path, "C_0099.txt", UCI_GOOD))
    assert sorted(recs) == [0, 1]
    r0 = recs[0]
    np.testing.assert_allclose(r0.t, [0.0, 0.007, 0.014])
    np.testing.assert_array_equal(r0.x, [200, 201, 202])
    assert r0.meta["group"] == "control" and r0.meta["test"] == "static_spiral"
    assert r0.pen_down.all()
    assert r0.sampling_rate_hz == pytest.approx(1000 / 7)


def test_uci_reader_real_files_have_the_documented_rates():
    root = tl.data.where("uci_spiral_tablet")
    ctrl = read_uci_spiral(root / "hw_dataset/control/C_0009.txt")
    pd_ = read_uci_spiral(root / "hw_dataset/parkinson/P_09100001.txt")
    assert sorted(ctrl) == [0, 1, 2]
    assert ctrl[0].sampling_rate_hz == pytest.approx(142.1, abs=0.5)
    assert pd_[0].sampling_rate_hz == pytest.approx(111.0, abs=0.5)


def test_uci_repair_keeps_every_sample_and_makes_time_increase(tmp_path):
    lines = UCI_GOOD[:3] + ["203;205;0;250;900;1005;0", "204;206;0;240;900;1012;0"]  # clock jumps back 9 ms
    with pytest.raises(RecordingError, match=r"line 4.*goes backwards"):
        read_uci_spiral(write(tmp_path, "P_1.txt", lines))
    rec = read_uci_spiral(write(tmp_path, "P_2.txt", lines), repair_time=True)[0]
    assert rec.n_samples == 5 and rec.meta["time_steps_repaired"] == 1
    np.testing.assert_allclose(np.diff(rec.t), 0.007)


def test_svc_reader_reads_columns_in_the_documented_order(tmp_path):
    rec = read_svc(write(tmp_path, "00026_w.cz.fnusa.6_1.svc", svc(SVC_GOOD_ROWS)))
    np.testing.assert_array_equal(rec.x, [2567, 2567, 2567, 2568])  # column 2
    np.testing.assert_array_equal(rec.y, [4018, 4019, 4020, 4021])  # column 1 (y first)
    np.testing.assert_array_equal(rec.pen_down, [True, True, False, True])
    np.testing.assert_allclose(rec.azimuth[:2], [351.4, 351.4])
    np.testing.assert_allclose(rec.altitude[0], 67.2)
    assert rec.subject == "00026" and rec.meta["task"] == 6 and rec.meta["repetition"] == 1


def test_myo_reader_collapses_repeated_rows(tmp_path):
    rows = [MYO_HEADER, myo_row(1, [1] * 8), myo_row(2, [1] * 8), myo_row(3, [1] * 8),
            myo_row(6, [2, 1, 1, 1, 1, 1, 1, 1], 1), myo_row(7, [2, 1, 1, 1, 1, 1, 1, 1], 1), myo_row(11, [-3] * 8, 1)]
    rec = read_myo_emg(write(tmp_path, "1_raw.txt", rows))
    assert rec.meta["rows_read"] == 6 and rec.meta["rows_kept"] == 3
    np.testing.assert_allclose(rec.t, [0.001, 0.006, 0.011])
    np.testing.assert_array_equal(rec.channels[:, 0], [1, 2, -3])
    np.testing.assert_array_equal(rec.labels, [0, 1, 1])


def test_pads_reader_blocks(tmp_path):
    obs = {"subject_id": "007", "endianness": "little", "data_type": "float", "bits": 32, "sampling_rate": 100}
    (tmp_path / "obs.json").write_text(json.dumps(obs))
    data = np.arange(132 * 976, dtype="<f4").reshape(132, 976)
    data.tofile(tmp_path / "007_ml.bin")
    blocks = read_pads_bin(tmp_path / "007_ml.bin", tmp_path / "obs.json")
    assert len(blocks) == 22
    np.testing.assert_array_equal(blocks[1].acc[:, 0], data[6])     # block 1 starts at row 6
    np.testing.assert_array_equal(blocks[1].gyro[:, 2], data[11])
    assert blocks[1].meta["wrist"] == "RightWrist" and blocks[2].meta["task"] == "RelaxedTask"
    assert blocks[0].t[1] == pytest.approx(0.01)


def test_resample_reports_original_rate_and_holds_pen_state():
    t = np.array([0.0, 0.01, 0.03, 0.04])
    rec = PenRecording(t, x=[0, 1, 3, 4], y=[0, 0, 0, 0], pen_down=[True, False, True, True])
    r = rec.resample(200.0)
    np.testing.assert_allclose(r.t, np.arange(9) * 0.005)
    np.testing.assert_allclose(r.x, np.arange(9) * 0.5)  # linear in t
    np.testing.assert_array_equal(r.pen_down, [1, 1, 0, 0, 0, 0, 1, 1, 1])
    assert r.meta["original_rate_hz"] == pytest.approx(1 / (0.04 / 3))


# ---- bad input: each case names the file, the field and the expectation --------------------------

BAD_CASES = [
    # (id, file name, lines, reader kwargs, expected message regex)
    ("uci-empty", "C_1.txt", [""], {}, r"C_1\.txt.*empty file"),
    ("uci-columns", "C_1.txt", ["200;204;0;73;910;1000"], {}, r"line 1.*expected 7 fields"),
    ("uci-nonnumeric", "C_1.txt", UCI_GOOD[:2] + ["20x;204;0;73;910;1014;0"], {}, r"line 3.*field 'X'.*a number.*'20x'"),
    ("uci-nan", "C_1.txt", UCI_GOOD[:2] + ["nan;204;0;73;910;1014;0"], {}, r"line 3.*'X'.*finite"),
    ("uci-inf", "C_1.txt", UCI_GOOD[:2] + ["200;inf;0;73;910;1014;0"], {}, r"line 3.*'Y'.*finite"),
    ("uci-float", "C_1.txt", UCI_GOOD[:2] + ["200.5;204;0;73;910;1014;0"], {}, r"line 3.*'X'.*integer"),
    ("uci-repeat", "C_1.txt", UCI_GOOD[:2] + ["200;204;0;73;910;1007;0"], {}, r"line 3.*'timestamp'.*repeats"),
    ("uci-backwards", "C_1.txt", UCI_GOOD[:2] + ["200;204;0;73;910;1001;0"], {}, r"line 3.*goes backwards"),
    ("uci-testid", "C_1.txt", UCI_GOOD[:2] + ["200;204;0;73;910;1014;5"], {}, r"line 3.*'TestID'.*0, 1 or 2"),
    ("uci-never-touches", "C_1.txt", [l.replace(";73;", ";0;").replace(";218;", ";0;").replace(";253;", ";0;")
                                      for l in UCI_GOOD[:3]], {}, r"'pen_down'.*never touches"),
    ("uci-single-sample", "C_1.txt", UCI_GOOD[:1], {}, r"'TestID'.*at least 2 samples"),
    ("uci-negative-pressure", "C_1.txt", UCI_GOOD[:2] + ["200;204;0;-3;910;1014;0"], {}, r"'pressure'.*>= 0"),
    ("svc-count-header", "a.svc", ["abc"] + SVC_GOOD_ROWS, {}, r"line 1.*'sample count'.*integer"),
    ("svc-count-mismatch", "a.svc", svc(SVC_GOOD_ROWS, count=9), {}, r"line 1.*'sample count'.*expected 4"),
    ("svc-columns", "a.svc", svc(SVC_GOOD_ROWS[:1] + ["4019 2567 414558 1 3514 672"]), {}, r"line 3.*7 fields"),
    ("svc-status", "a.svc", svc(SVC_GOOD_ROWS[:1] + ["4019 2567 414558 2 3514 672 90"]), {}, r"line 3.*'pen_status'.*0 \(in air\) or 1"),
    ("svc-nonnumeric", "a.svc", svc(SVC_GOOD_ROWS[:1] + ["4019 2567 4145x8 1 3514 672 90"]), {}, r"line 3.*'timestamp'.*a number"),
    ("svc-never-touches", "a.svc", svc([r.replace(" 1 ", " 0 ") for r in SVC_GOOD_ROWS]), {}, r"never touches"),
    ("svc-backwards", "a.svc", svc(SVC_GOOD_ROWS[:2] + ["4020 2567 414500 1 3493 680 116"]), {}, r"line 4.*goes backwards"),
    ("svc-empty", "a.svc", ["   "], {}, r"a\.svc.*empty file"),
    ("myo-header", "m.txt", ["t c1 c2", myo_row(1, [1] * 8)], {}, r"line 1.*header"),
    ("myo-columns", "m.txt", [MYO_HEADER, "1\t1e-05\t0"], {}, r"line 2.*10 fields"),
    ("myo-range", "m.txt", [MYO_HEADER, myo_row(1, [500] + [0] * 7)], {}, r"'channel1\.\.8'.*8-bit"),
    ("myo-range-edge", "m.txt", [MYO_HEADER, myo_row(1, [-128] * 8), myo_row(2, [128] + [0] * 7)], {}, r"8-bit"),
    ("myo-time-repeats", "m.txt", [MYO_HEADER, myo_row(1, [1] * 8), myo_row(1, [2] * 8)], {}, r"line 3.*repeats"),
]


@pytest.mark.parametrize("case", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_input_is_refused_with_a_precise_message(tmp_path, case):
    ident, name, lines, kwargs, pattern = case
    path = write(tmp_path, name, lines)
    reader = {"uci": read_uci_spiral, "svc": read_svc, "myo": read_myo_emg}[ident.split("-")[0]]
    with pytest.raises(RecordingError) as info:
        reader(path, **kwargs)
    msg = str(info.value)
    assert str(path) in msg, msg
    assert __import__("re").search(pattern, msg), msg


def test_missing_file_is_named(tmp_path):
    with pytest.raises(RecordingError, match=r"nope\.svc.*an existing file"):
        read_svc(tmp_path / "nope.svc")


def test_undecodable_text_is_refused(tmp_path):
    p = tmp_path / "C_1.txt"
    p.write_bytes(b"200;204;0;73;910;1000;0\n\xff\xfe;1\n")
    with pytest.raises(RecordingError, match=r"UTF-8"):
        read_uci_spiral(p)


def test_pads_wrong_size_and_wrong_endianness(tmp_path):
    obs = {"subject_id": "1", "endianness": "big", "data_type": "float", "bits": 32, "sampling_rate": 100}
    (tmp_path / "o.json").write_text(json.dumps(obs))
    np.zeros(10, "<f4").tofile(tmp_path / "b.bin")
    with pytest.raises(RecordingError, match=r"o\.json.*'endianness'.*'little'"):
        read_pads_bin(tmp_path / "b.bin", tmp_path / "o.json")
    obs["endianness"] = "little"
    (tmp_path / "o.json").write_text(json.dumps(obs))
    with pytest.raises(RecordingError, match=r"b\.bin.*515328 bytes"):
        read_pads_bin(tmp_path / "b.bin", tmp_path / "o.json")
    (tmp_path / "o.json").write_text("{not json")
    with pytest.raises(RecordingError, match=r"o\.json.*valid JSON"):
        read_pads_bin(tmp_path / "b.bin", tmp_path / "o.json")


def test_unreadable_image_is_named(tmp_path):
    p = tmp_path / "x.png"
    p.write_bytes(b"not an image")
    with pytest.raises(RecordingError, match=r"x\.png.*readable PNG/JPEG"):
        tl.io.read_image(p)


def test_types_reject_bad_arrays():
    with pytest.raises(RecordingError, match=r"'x'.*3 values"):
        PenRecording([0, 1, 2], x=[0, 1], y=[0, 1, 2])
    with pytest.raises(RecordingError, match=r"'xy_unit'.*one of"):
        PenRecording([0, 1], x=[0, 1], y=[0, 1], xy_unit="furlong")
    with pytest.raises(RecordingError, match=r"'acc'.*shape \(2, 3\)"):
        tl.io.MotionRecording([0, 1], acc=np.zeros((2, 2)))
    with pytest.raises(RecordingError, match=r"'acc_unit'"):
        tl.io.MotionRecording([0, 1], acc=np.zeros((2, 3)), acc_unit="furlong/s^2")
    with pytest.raises(RecordingError, match=r"'channels'.*finite"):
        tl.io.EmgRecording([0, 1], channels=[[0.0, np.nan], [0, 0]])
    with pytest.raises(RecordingError, match=r"'pen_down'.*0/1"):
        PenRecording([0, 1], x=[0, 1], y=[0, 1], pen_down=[0, 7])


def test_every_real_file_loads():
    """All registered real recordings load through their readers (with the documented repairs)."""
    n = 0
    for f in tl.data.files("uci_spiral_tablet", "hw_dataset/*/*.txt"):
        n += len(read_uci_spiral(f, repair_time=True))
    for f in tl.data.files("pahaw_bdalab_svc_sample", "*/*.svc"):
        read_svc(f, repair_time=True)
        n += 1
    for f in tl.data.files("uci_emg_gestures_myo", "*/*.txt"):
        assert 0.85 < 1 - (r := read_myo_emg(f)).meta["rows_kept"] / r.meta["rows_read"] < 0.95
        n += 1
    assert n == 110 + 129 + 4
