"""The dataset registry: lookup, verification, download with checksums, the generated data page."""

import hashlib
import json
import shutil

import pytest

import tremorlab as tl
from tremorlab import data


def test_registry_names_every_sample_folder_with_licence_citation_and_checksums():
    reg = data.registry()
    assert set(reg) == {"uci_spiral_tablet", "kaggle_spiral_drawings", "newhandpd_spiral_samples",
                        "pahaw_bdalab_svc_sample", "uci_emg_gestures_myo", "pads_smartwatch",
                        "tremor_severity_imu", "drotar_dysgraphia_svc"}
    for ds in reg.values():
        assert ds.licence and ds.citation and ds.homepage.startswith("http") and ds.caveats
        assert all(len(f["sha256"]) == 64 and f["url"].startswith("https://") for f in ds.files)


def test_where_and_verify_on_the_sample_data():
    root = data.where("pads_smartwatch")
    assert (root / "preprocessed/movement/002_ml.bin").is_file()
    assert data.verify("pads_smartwatch")["files"] == 9


def _fake_dataset(tmp_path, monkeypatch):
    """A copy of the PADS sample under a temporary search path."""
    src = data.where("pads_smartwatch")
    dst = tmp_path / "store" / "pads_smartwatch"
    shutil.copytree(src, dst)
    monkeypatch.setenv("TREMORLAB_DATA", str(tmp_path / "store"))
    monkeypatch.setenv("TREMORLAB_CACHE", str(tmp_path / "cache"))
    return dst


def test_checksum_mismatch_names_dataset_file_and_licence(tmp_path, monkeypatch):
    dst = _fake_dataset(tmp_path, monkeypatch)
    (dst / "patients/patient_001.json").write_text("{}")
    with pytest.raises(data.DatasetError) as info:
        data.verify("pads_smartwatch")
    msg = str(info.value)
    assert "pads_smartwatch" in msg and "patients/patient_001.json" in msg and "licence" in msg


def test_missing_dataset_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("TREMORLAB_DATA", str(tmp_path))
    monkeypatch.setenv("TREMORLAB_CACHE", str(tmp_path / "cache"))
    with pytest.raises(data.DatasetError) as info:
        data.where("uci_emg_gestures_myo")
    msg = str(info.value)
    assert "uci_emg_gestures_myo" in msg and "CC BY 4.0" in msg and "tremorlab data download" in msg
    assert "TREMORLAB_DATA" in msg


def test_unregistered_file_is_refused():
    with pytest.raises(data.DatasetError, match="not a registered file"):
        data.path("pads_smartwatch", "secret.txt")


def test_download_from_file_urls_checks_sha_and_is_atomic(tmp_path, monkeypatch):
    """The real download code, fed file:// URLs pointing at the sample copy."""
    src = data.where("uci_emg_gestures_myo")
    ds = data.get("uci_emg_gestures_myo")
    files = tuple(dict(f, url=(src / f["path"]).as_uri()) for f in ds.files)
    monkeypatch.setattr(data, "get", lambda name: data.Dataset(**{**ds.__dict__, "files": files}))
    root = data.download("uci_emg_gestures_myo", dest=tmp_path)
    for f in files:
        assert hashlib.sha256((root / f["path"]).read_bytes()).hexdigest() == f["sha256"]
    # a corrupted source: the bad file never appears under its name, no temporary file is left
    bad = tmp_path / "bad.txt"
    bad.write_text("corrupted")
    files2 = (dict(files[0], url=bad.as_uri()),)
    monkeypatch.setattr(data, "get", lambda name: data.Dataset(**{**ds.__dict__, "files": files2}))
    with pytest.raises(data.DatasetError, match="expected"):
        data.download("uci_emg_gestures_myo", dest=tmp_path / "second")
    folder = tmp_path / "second" / "uci_emg_gestures_myo" / files2[0]["path"].split("/")[0]
    assert list(folder.iterdir()) == []


def test_checksums_are_stable_and_differ_between_datasets():
    a = data.checksums(["pads_smartwatch", "uci_spiral_tablet"])
    assert a == data.checksums(["pads_smartwatch", "uci_spiral_tablet"])
    assert a["pads_smartwatch"] != a["uci_spiral_tablet"]


def test_data_page_is_generated_from_the_registry():
    from tremorlab.run import ROOT

    assert (ROOT / "book" / "data.md").read_text().rstrip("\n") == data.page().rstrip("\n"), \
        "book/data.md is stale: run `tremorlab data page > book/data.md`"


def test_cli_data_list_verify_where(capsys):
    from tremorlab.cli import main

    assert main(["data", "where", "pads_smartwatch"]) == 0
    assert capsys.readouterr().out.strip().endswith("pads_smartwatch")
    assert main(["data", "verify", "pads_smartwatch"]) == 0
    assert main(["data", "list"]) == 0
    assert "licence" in capsys.readouterr().out
    assert main(["data", "where", "no_such_set"]) == 1
