"""Reader of the Drotár & Dobeš children's set: layout from the values, the untidy label sheet, the real cases."""

import shutil
from pathlib import Path

import numpy as np
import pytest

from tremorlab.io import RecordingError
from tremorlab.io import dysgraphia as dg
from tremorlab.io.text import parse_table
from tremorlab.synth.handwriting import write_text, writer_profile

DATA = Path(__file__).resolve().parents[1]


def _real():
    from tremorlab import data

    try:
        return Path(data.where("drotar_dysgraphia_svc"))
    except Exception:
        pytest.skip("drotar_dysgraphia_svc not available")


def _phantom(group="TD", seed=0, duration_s=20.0):
    prof = writer_profile(f"{group}{seed}", group, 3, np.random.default_rng(seed))
    return write_text(prof, duration_s=duration_s, rate_hz=125.0, seed=seed)


def _sheet(path, rows, header=("ID", "diag", "sex", "hand", "age", None, None)):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Hárok1"
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    wb.save(path)
    return path


# ---------------------------------------------------------------- layout


def test_layout_is_read_from_the_values_for_any_column_order(tmp_path):
    rec = _phantom()
    p = tmp_path / "user00001" / "session00001" / "u00001s00001_hw00001.svc"
    dg.write_session_svc(p, rec)
    body = p.read_text().split("\n", 1)[1]
    arr = parse_table(str(p), body, dg._ROLES, None, 2, True)
    assert dg.detect_svc_layout(arr, str(p)) == dg._ROLES
    perm = [1, 0, 6, 2, 4, 3, 5]                      # y x pressure t azimuth pen altitude
    roles = tuple(dg._ROLES[j] for j in perm)
    assert dg.detect_svc_layout(arr[:, perm], "perm") == roles


def test_round_trip_of_a_written_session(tmp_path):
    rec = _phantom()
    p = tmp_path / "u00002s00001_hw00001.svc"
    dg.write_session_svc(p, rec)
    back = dg.read_session_svc(p)
    assert back.subject == "00002" and back.xy_unit == "mm"
    np.testing.assert_allclose(back.x, rec.x, atol=0.5 / dg.COUNTS_PER_MM + 1e-12)
    np.testing.assert_allclose(back.t, rec.t - rec.t[0], atol=1e-3)
    np.testing.assert_array_equal(back.pen_down, rec.pen_down)


def test_layout_detection_names_what_it_cannot_find():
    arr = np.zeros((10, 7))
    with pytest.raises(RecordingError, match="timestamp"):
        dg.detect_svc_layout(arr, "flat.svc")
    with pytest.raises(RecordingError, match="7 columns"):
        dg.detect_svc_layout(np.zeros((10, 6)), "six.svc")


def test_pahaw_sentence_is_detected_as_y_first():
    """Independent answer: the BDALab documentation gives PaHaW's order as y x t ..."""
    from tremorlab import data

    try:
        folder = Path(data.where("pahaw_bdalab_svc_sample"))
    except Exception:
        pytest.skip("pahaw sample not available")
    f = sorted(folder.glob("*/*.9_1.svc"))[0]
    body = f.read_text().split("\n", 1)[1]
    arr = parse_table(str(f), body, dg._ROLES, None, 2, True)
    assert dg.detect_svc_layout(arr, str(f))[:3] == ("y", "x", "timestamp")


# ---------------------------------------------------------------- bad session files


def test_empty_session_is_a_sample_count_error(tmp_path):
    p = tmp_path / "u00135s00001_hw00001.svc"
    p.write_text("0\n")
    with pytest.raises(RecordingError) as e:
        dg.read_session_svc(p)
    assert e.value.field == "sample count" and e.value.got == 0 and str(p) in str(e.value)


def test_missing_and_binary_files_are_named(tmp_path):
    with pytest.raises(RecordingError, match="no such file"):
        dg.read_session_svc(tmp_path / "u00001s00001_hw00001.svc")
    (tmp_path / "bin.svc").write_bytes(b"12\n\xff\xfe\x00")
    with pytest.raises(RecordingError, match="UTF-8"):
        dg.read_session_svc(tmp_path / "bin.svc")


def test_count_mismatch_and_bad_field_name_line(tmp_path):
    rec = _phantom()
    p = tmp_path / "u00003s00001_hw00001.svc"
    dg.write_session_svc(p, rec)
    lines = p.read_text().splitlines()
    (tmp_path / "a.svc").write_text("\n".join([str(int(lines[0]) + 5)] + lines[1:]) + "\n")
    with pytest.raises(RecordingError, match="sample count"):
        dg.read_session_svc(tmp_path / "a.svc")
    bad = lines[:]
    bad[10] = bad[10].replace(bad[10].split()[0], "12x", 1)
    (tmp_path / "b.svc").write_text("\n".join(bad) + "\n")
    with pytest.raises(RecordingError, match="line 11"):
        dg.read_session_svc(tmp_path / "b.svc")


def test_time_going_backwards_is_repaired_or_named(tmp_path):
    rec = _phantom()
    p = tmp_path / "u00032s00001_hw00001.svc"
    dg.write_session_svc(p, rec)
    lines = p.read_text().splitlines()
    f = lines[500].split()
    f[2] = str(int(f[2]) - 60)                        # one stamp 60 ms back, as in child 32
    lines[500] = " ".join(f)
    p.write_text("\n".join(lines) + "\n")
    r = dg.read_session_svc(p)
    assert r.meta["time_steps_repaired"] >= 1 and (np.diff(r.t) > 0).all()
    with pytest.raises(RecordingError, match="line 501.*backwards"):
        dg.read_session_svc(p, repair_time=False)


# ---------------------------------------------------------------- label sheet


def test_untidy_sheet_is_read(tmp_path):
    p = _sheet(tmp_path / "labels.xlsx", [
        ("00006", "DYSGR", "F", " R", 15),
        ("00007", "0", "M ", " R", "10"),
        (189, 0, "M ", "L", 15),
        (None, None, None, None, None),
    ])
    lab = dg.read_label_sheet(p)
    assert list(lab.index) == ["00006", "00007", "00189"]
    assert lab["label"].tolist() == [1, 0, 0]
    assert lab["sex"].tolist() == ["F", "M", "M"] and lab["hand"].tolist() == ["R", "R", "L"]
    assert lab["age"].tolist() == [15, 10, 15]


@pytest.mark.parametrize("row, field, row_no", [
    (("00006", "DYSLEX", "F", "R", 10), "diag", 2),
    (("00006", "DYSGR", "X", "R", 10), "sex", 2),
    (("00006", "DYSGR", "F", "both", 10), "hand", 2),
    (("00006", "DYSGR", "F", "R", "ten"), "age", 2),
    (("00006", "DYSGR", None, "R", 10), "sex", 2),
    (("abc", "DYSGR", "F", "R", 10), "ID", 2),
])
def test_bad_cells_name_row_and_column(tmp_path, row, field, row_no):
    p = _sheet(tmp_path / "labels.xlsx", [row])
    with pytest.raises(RecordingError) as e:
        dg.read_label_sheet(p)
    assert e.value.field == field and f"row {row_no}" in str(e.value) and "labels.xlsx" in str(e.value)


def test_duplicate_child_and_missing_column(tmp_path):
    p = _sheet(tmp_path / "dup.xlsx", [("00006", "DYSGR", "F", "R", 10), ("6", 0, "F", "R", 10)])
    with pytest.raises(RecordingError, match="also on row 2"):
        dg.read_label_sheet(p)
    p = _sheet(tmp_path / "nocol.xlsx", [("00006", "DYSGR", "F", 10)], header=("ID", "diag", "sex", "age"))
    with pytest.raises(RecordingError, match="missing \\['hand'\\]"):
        dg.read_label_sheet(p)
    (tmp_path / "not.xlsx").write_text("not a workbook")
    with pytest.raises(RecordingError, match="xlsx workbook"):
        dg.read_label_sheet(tmp_path / "not.xlsx")


# ---------------------------------------------------------------- cohort


def _folder(tmp, children, extra_listed=(), empty_first=()):
    rows = []
    for cid, group, seed in children:
        d = tmp / f"user{cid}" / "session00001"
        k = 1
        if cid in empty_first:
            d.mkdir(parents=True, exist_ok=True)
            (d / f"u{cid}s00001_hw00001.svc").write_text("0\n")
            k = 2
        dg.write_session_svc(d / f"u{cid}s00001_hw0000{k}.svc", _phantom(group, seed))
        rows.append((cid, "DYSGR" if group == "D" else 0, "M ", " R", 10))
    rows += [(c, "0", "F", "L", 9) for c in extra_listed]
    _sheet(tmp / "labels.xlsx", rows)
    return tmp


def test_cohort_reports_missing_children_and_empty_files(tmp_path):
    f = _folder(tmp_path, [("00001", "TD", 1), ("00002", "D", 2), ("00135", "D", 3)],
                extra_listed=("00011", "00014"), empty_first=("00135",))
    coh = dg.load_cohort(f)
    assert [c.child for c in coh.children] == ["00001", "00002", "00135"]
    assert coh.y.tolist() == [0, 1, 1]
    assert coh.listed_without_files == ["00011", "00014"]
    assert "u00135s00001_hw00001.svc" in coh.skipped_files
    rep = coh.report()
    assert "2 listed in the label sheet without a session file" in rep and "empty file" in rep


def test_real_cohort_as_the_readme_describes_it():
    coh = dg.load_cohort(_real())
    assert len(coh.children) == 90 and int(coh.y.sum()) == 43
    assert len(coh.listed_without_files) == 30
    assert coh.skipped_files == {"u00135s00001_hw00001.svc": "empty file (sample count 0)"}
    by = {c.child: c for c in coh.children}
    assert by["00032"].recording.meta["time_steps_repaired"] == 1
    assert all(c.recording.meta["layout"][:3] == ("x", "y", "timestamp") for c in coh.children)
    assert by["00135"].recording.n_samples == 26568
    assert {c.sex for c in coh.children} == {"M", "F"} and {c.hand for c in coh.children} == {"R", "L"}


def test_missing_folder_and_ambiguous_sheet(tmp_path):
    with pytest.raises(RecordingError, match="no such folder"):
        dg.load_cohort(tmp_path / "nope")
    f = _folder(tmp_path, [("00001", "TD", 1)])
    shutil.copy(f / "labels.xlsx", f / "second.xlsx")
    with pytest.raises(RecordingError, match="exactly one .xlsx"):
        dg.load_cohort(f)
