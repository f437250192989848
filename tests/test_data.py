"""The dataset registry: lookup, verification, download with checksums, the generated data page."""

import hashlib
import http.server
import json
import shutil
import threading

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


@pytest.fixture
def http_server(tmp_path, monkeypatch):
    """A local HTTP server on 127.0.0.1 serving ``tmp_path / "www"``; yields (base_url, www, requested paths)."""
    www = tmp_path / "www"
    www.mkdir()
    requested = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(www), **kwargs)

        def do_GET(self):
            requested.append(self.path)
            super().do_GET()

        def log_message(self, *args):
            pass

    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", www, requested
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _served(monkeypatch, http_server, name):
    """Dataset ``name`` with its URLs pointing at copies of the sample files on the local server."""
    base, www, requested = http_server
    src, ds = data.where(name), data.get(name)
    for f in ds.files:
        (www / f["path"]).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src / f["path"], www / f["path"])
    files = tuple(dict(f, url=f"{base}/{f['path']}") for f in ds.files)
    monkeypatch.setattr(data, "get", lambda n: data.Dataset(**{**ds.__dict__, "files": files}))
    return files, www, requested


def test_download_over_http_checks_sha_fetches_only_what_is_missing(tmp_path, monkeypatch, http_server):
    """The real download code (pooch) against a local HTTP server."""
    files, www, requested = _served(monkeypatch, http_server, "uci_emg_gestures_myo")
    root = data.download("uci_emg_gestures_myo", dest=tmp_path / "dl")
    assert root == tmp_path / "dl" / "uci_emg_gestures_myo"
    for f in files:
        assert hashlib.sha256((root / f["path"]).read_bytes()).hexdigest() == f["sha256"]
    assert sorted(requested) == sorted(f"/{f['path']}" for f in files)
    # a second call fetches only the file that went missing, and replaces a corrupted one
    requested.clear()
    (root / files[0]["path"]).unlink()
    (root / files[1]["path"]).write_text("corrupted")
    data.download("uci_emg_gestures_myo", dest=tmp_path / "dl")
    assert sorted(requested) == sorted(f"/{f['path']}" for f in files[:2])
    assert hashlib.sha256((root / files[1]["path"]).read_bytes()).hexdigest() == files[1]["sha256"]


def test_download_of_a_corrupted_source_leaves_nothing_and_names_both_hashes(tmp_path, monkeypatch, http_server):
    files, www, requested = _served(monkeypatch, http_server, "uci_emg_gestures_myo")
    (www / files[0]["path"]).write_text("corrupted")
    with pytest.raises(data.DatasetError, match="expected") as info:
        data.download("uci_emg_gestures_myo", dest=tmp_path / "dl", retries=0)
    msg = str(info.value)
    assert files[0]["path"] in msg and files[0]["sha256"] in msg and "licence" in msg
    folder = (tmp_path / "dl" / "uci_emg_gestures_myo" / files[0]["path"]).parent
    assert list(folder.iterdir()) == []  # the bad file never appears under its name, no temporary file is left
    # a file the server does not have
    (www / files[0]["path"]).unlink()
    with pytest.raises(data.DatasetError, match="could not fetch"):
        data.download("uci_emg_gestures_myo", dest=tmp_path / "dl", retries=0)


def test_download_uses_a_verified_copy_on_the_search_path_in_place(tmp_path, monkeypatch, http_server):
    files, www, requested = _served(monkeypatch, http_server, "uci_emg_gestures_myo")
    store = tmp_path / "store" / "uci_emg_gestures_myo"
    shutil.copytree(www, store)
    monkeypatch.setenv("TREMORLAB_DATA", str(tmp_path / "store"))
    monkeypatch.setenv("TREMORLAB_CACHE", str(tmp_path / "cache"))
    assert data.download("uci_emg_gestures_myo") == store and requested == []
    # a copy that does not verify is not used: the cache gets a fetched one
    (store / files[0]["path"]).write_text("corrupted")
    assert data.download("uci_emg_gestures_myo") == tmp_path / "cache" / "uci_emg_gestures_myo"
    assert len(requested) == len(files)


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
