"""Tests of tremorlab.vision.dataset: labels.csv validation, normalisation, the subject split."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from tremorlab.io import RecordingError
from tremorlab.synth import spirals as sp
from tremorlab.vision import dataset as ds


def _png(path, value):
    Image.fromarray(np.full((20, 24, 3), value, np.uint8)).save(path)


def _folder(tmp_path, rows):
    (tmp_path / "img").mkdir()
    for k in range(4):
        _png(tmp_path / "img" / f"{k}.png", 40 * k)
    (tmp_path / "img" / "copy.png").write_bytes((tmp_path / "img" / "1.png").read_bytes())
    (tmp_path / "img" / "broken.png").write_text("not an image")
    (tmp_path / "labels.csv").write_text("subject_id,image,grade,setting\n" + "\n".join(rows) + "\n")
    return tmp_path


def test_good_labels_load(tmp_path):
    f = _folder(tmp_path, ["S1,img/0.png,0,scan", "S1,img/1.png,3,scan", "S2,img/2.png,4,photo"])
    df = ds.read_labels(f)
    assert df.grade.tolist() == [0, 3, 4] and df.setting.tolist() == ["scan", "scan", "photo"]
    imgs = ds.load_images(df.path, size=16)
    assert imgs.shape == (3, 16, 16, 3) and imgs.dtype == np.uint8
    assert imgs[2].mean() == pytest.approx(80, abs=1)


def test_every_bad_row_is_reported_together(tmp_path):
    f = _folder(tmp_path, ["S1,img/0.png,0,scan",        # line 2 ok
                           "S1,img/1.png,7,scan",        # line 3 unknown grade
                           "S2,img/nope.png,1,scan",     # line 4 missing image
                           "S2,img/broken.png,1,scan",   # line 5 unreadable
                           "S3,img/0.png,2,scan",        # line 6 duplicate name
                           "S3,img/copy.png,2,photo",    # line 7 same bytes as line 3's image
                           ",img/2.png,x,fax",           # line 8 empty subject, bad grade, bad setting
                           "S4,img/3.png,2,photo"])      # line 9 ok
    with pytest.raises(ds.LabelFileError) as err:
        ds.read_labels(f)
    probs = {(p.line, p.field) for p in err.value.problems}
    assert probs == {(3, "grade"), (4, "image"), (5, "image"), (6, "image"), (7, "image"),
                     (8, "subject_id"), (8, "grade"), (8, "setting")}
    msg = str(err.value)
    assert "8 bad row(s)" in msg and "line 4" in msg and "nope.png" in msg and "line 3" in msg
    assert isinstance(err.value, RecordingError)


def test_missing_file_and_columns(tmp_path):
    with pytest.raises(RecordingError, match="labels.csv"):
        ds.read_labels(tmp_path)
    (tmp_path / "labels.csv").write_text("subject,image,grade\nS1,a.png,1\n")
    with pytest.raises(RecordingError, match="subject_id, setting"):
        ds.read_labels(tmp_path)


def test_imagenet_normalisation_by_hand():
    img = np.zeros((1, 2, 2, 3), np.uint8)
    img[0, 0, 0] = (255, 0, 128)
    x = ds.to_tensor(img).numpy()
    assert x.shape == (1, 3, 2, 2)
    np.testing.assert_allclose(x[0, :, 0, 0], [(1 - 0.485) / 0.229, (0 - 0.456) / 0.224, (128 / 255 - 0.406) / 0.225],
                               rtol=1e-6)
    np.testing.assert_array_equal(ds.from_tensor(ds.to_tensor(img)), img)


def test_split_is_subject_independent_and_6_2_2():
    df = sp.make_cohort(seed=2)
    parts = ds.split_6_2_2(df.subject_id, df.label, seed=0)
    subj = {k: set(df.subject_id.iloc[v]) for k, v in parts.items()}
    assert not (subj["train"] & subj["val"]) and not (subj["train"] & subj["test"]) and not (subj["val"] & subj["test"])
    assert sum(len(v) for v in parts.values()) == len(df)
    frac = np.array([len(subj[k]) for k in ("train", "val", "test")]) / df.subject_id.nunique()
    np.testing.assert_allclose(frac, [0.6, 0.2, 0.2], atol=0.03)
