"""The papermill runner: parameters checked before execution, run folders, failures never destroy a good run."""

import json
import subprocess
import sys

import nbformat
import pytest

from tremorlab import run
from tremorlab.report import MetricsError, comparison, load_metrics, validate


def write_notebook(path, parameters: str, body: str):
    """A two-cell chapter: a cell tagged ``parameters`` and a body (a test's toy chapter)."""
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(parameters)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(body)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def make_notebook(path, extra=""):
    return write_notebook(
        path, 'preset = "quick"\nn = 3\nscale = 0.5\nlabel = "a"\nfail = False',
        "import tremorlab as tl\n"
        "if fail:\n    raise RuntimeError('asked to fail')\n"
        "tl.report.save_metrics('toy', preset, {'n': n, 'scaled': n * scale, 'label': label},\n"
        "    [tl.report.comparison('n', 3, n, '1', tl.verdicts.within(n, 3, abs_tol=0), 'toy')])" + extra)


@pytest.fixture()
def toy(tmp_path):
    return make_notebook(tmp_path / "toy.ipynb")


def test_parameters_are_read_from_the_tagged_cell(toy):
    assert run.notebook_parameters(toy) == {"preset": "quick", "n": 3, "scale": 0.5, "label": "a", "fail": False}


def test_unknown_parameter_is_rejected_listing_the_valid_ones(toy):
    with pytest.raises(run.ParameterError) as info:
        run.resolve_parameters(toy, "quick", {"epochs": "3"})
    msg = str(info.value)
    assert "unknown parameter 'epochs'" in msg and "n (int, default 3)" in msg and "scale (float" in msg


@pytest.mark.parametrize("name,value", [("n", "three"), ("n", "2.5"), ("fail", "maybe"), ("scale", "[1]")])
def test_wrong_type_is_rejected(toy, name, value):
    with pytest.raises(run.ParameterError, match=f"'{name}'.*expected"):
        run.resolve_parameters(toy, "quick", {name: value})


def test_values_are_coerced_to_the_default_type(toy):
    p = run.resolve_parameters(toy, "quick", {"n": "5", "scale": "2", "fail": "false", "label": "b c"})
    assert p == {"n": 5, "scale": 2.0, "fail": False, "label": "b c", "preset": "quick"}


def test_unknown_preset_is_rejected(toy):
    with pytest.raises(run.ParameterError, match="unknown preset 'huge'"):
        run.resolve_parameters(toy, "huge", {})


def test_run_writes_notebook_metrics_and_provenance(toy, tmp_path):
    out = run.run_chapter(str(toy), parameters={"n": "4"}, out=tmp_path / "r1")
    assert (out / "toy.ipynb").is_file()
    m = load_metrics(out / "metrics.json")
    assert m["metrics"] == {"n": 4, "scaled": 2.0, "label": "a"} and m["preset"] == "quick"
    prov = json.loads((out / "provenance.json").read_text())
    assert prov["status"] == "ok" and prov["parameters"]["n"] == 4
    assert set(prov["git"]) == {"commit", "dirty"} and prov["wall_time_s"] > 0
    assert prov["packages"]["numpy"] and prov["tremorlab_version"]
    assert not list(tmp_path.glob("r1.partial-*"))


def test_failed_run_keeps_the_previous_good_run(toy, tmp_path):
    out = run.run_chapter(str(toy), parameters={"n": "7"}, out=tmp_path / "r")
    with pytest.raises(run.RunFailed, match="asked to fail") as info:
        run.run_chapter(str(toy), parameters={"n": "8", "fail": "True"}, out=tmp_path / "r")
    assert "previous run" in str(info.value)
    assert load_metrics(out / "metrics.json")["metrics"]["n"] == 7          # untouched
    failed = tmp_path / "r.failed"
    assert (failed / "FAILED").is_file() and (failed / "toy.ipynb").is_file()
    assert json.loads((failed / "provenance.json").read_text())["status"] == "failed"
    # a later good run replaces the old one
    run.run_chapter(str(toy), parameters={"n": "9"}, out=tmp_path / "r")
    assert load_metrics(tmp_path / "r" / "metrics.json")["metrics"]["n"] == 9


def test_interrupted_run_does_not_destroy_a_previous_one(toy, tmp_path):
    """Kill the runner while the notebook executes: the earlier run folder is intact."""
    import time

    out = run.run_chapter(str(toy), out=tmp_path / "r")
    slow = make_notebook(tmp_path / "slow.ipynb", extra="\nimport time\ntime.sleep(60)")
    code = (f"from tremorlab import run; "
            f"run.run_chapter({str(slow)!r}, parameters={{'n': '5'}}, out={str(tmp_path / 'r')!r})")
    proc = subprocess.Popen([sys.executable, "-c", code])
    try:
        deadline = time.monotonic() + 60
        while not list(tmp_path.glob("r.partial-*/metrics.json")) and time.monotonic() < deadline:
            # the slow notebook writes its metrics, then sleeps: the run is mid-execution
            assert proc.poll() is None, "the runner ended before it could be interrupted"
            time.sleep(0.1)
        assert list(tmp_path.glob("r.partial-*/metrics.json")), "the slow run never got under way"
        proc.kill()
    finally:
        proc.wait()
    assert proc.returncode != 0
    assert load_metrics(out / "metrics.json")["metrics"]["n"] == 3
    assert not (tmp_path / "r.failed").exists()


def test_chapter_without_metrics_fails(tmp_path):
    nb = nbformat.v4.new_notebook()
    p = nbformat.v4.new_code_cell('preset = "quick"')
    p.metadata["tags"] = ["parameters"]
    nb.cells = [p, nbformat.v4.new_code_cell("x = 1")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "nometrics.ipynb")
    with pytest.raises(run.RunFailed, match="metrics.json"):
        run.run_chapter(str(tmp_path / "nometrics.ipynb"), out=tmp_path / "o")


def test_metrics_contract():
    with pytest.raises(MetricsError, match="verdict must be one of"):
        comparison("accuracy", 88.4, 80.0, "%", "close enough", "x")
    with pytest.raises(MetricsError, match="must say why"):
        comparison("accuracy", 88.4, 80.0, "%", "not comparable", " ")
    with pytest.raises(MetricsError, match="lacks 'comparisons'"):
        validate({"chapter": "x", "preset": "quick", "metrics": {}})


def test_every_chapter_has_one_parameters_cell_and_valid_presets():
    for chapter in run.chapters():
        nb = run.resolve_chapter(chapter)
        defaults = run.notebook_parameters(nb)
        assert defaults.get("preset") == "quick", f"{chapter}: parameters must include preset = 'quick'"
        for name in run.presets(chapter, defaults):
            run.resolve_parameters(nb, name, {})


def test_cli_rejects_a_wrong_parameter_before_running(capsys):
    from tremorlab.cli import main

    assert main(["run", "00-data", "-p", "no_such_parameter", "1", "--out", "/nonexistent/x"]) == 2
    err = capsys.readouterr().err
    assert "unknown parameter 'no_such_parameter'" in err and "subjects_per_group" in err


@pytest.mark.slow
def test_tremorlab_run_00_data(tmp_path):
    """`tremorlab run 00-data --out DIR` end to end, through the installed command."""
    out = tmp_path / "x"
    exe = str(__import__("pathlib").Path(sys.executable).parent / "tremorlab")
    r = subprocess.run([exe, "run", "00-data", "--out", str(out), "-q", "-p", "subjects_per_group", "1"],
                       capture_output=True, text=True, cwd=run.ROOT)
    assert r.returncode == 0, r.stderr[-3000:]
    m = load_metrics(out / "metrics.json")
    # the readers agree with the READMEs that read the same stamps: every such check is "by construction"
    assert m["chapter"] == "00-data" and [c["verdict"] for c in m["comparisons"]].count("by construction") == 5
    prov = json.loads((out / "provenance.json").read_text())
    assert set(prov["datasets"]) >= {"uci_spiral_tablet", "pahaw_bdalab_svc_sample", "uci_emg_gestures_myo"}
    assert prov["parameters"]["subjects_per_group"] == 1


def test_book_cache_key_covers_notebook_parameters_library_and_data(toy, monkeypatch):
    from tremorlab import data

    key = run.cache_key(toy)
    assert run.cache_key(toy) == key
    nb = nbformat.read(toy, as_version=4)
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="executed")]   # outputs do not count
    nbformat.write(nb, toy)
    assert run.cache_key(toy) == key
    nb.cells[0].source = nb.cells[0].source.replace("n = 3", "n = 4")          # parameters do
    nbformat.write(nb, toy)
    key2 = run.cache_key(toy)
    assert key2 != key
    monkeypatch.setattr(run.bookcache, "library_digest", lambda: "other library")        # library code does
    assert run.cache_key(toy) != key2
    monkeypatch.undo()
    monkeypatch.setattr(data, "where", lambda name: (_ for _ in ()).throw(data.DatasetError(name)))
    assert run.cache_key(toy) != key2                                          # data does


def test_book_cache_key_covers_presets(toy, tmp_path, monkeypatch):
    monkeypatch.setattr(run.params, "PRESETS_DIR", tmp_path / "presets")
    key = run.cache_key(toy)
    (tmp_path / "presets").mkdir()
    (tmp_path / "presets" / "toy.toml").write_text("[paper]\nn = 30\n")
    assert run.cache_key(toy) != key
    assert run.presets("toy", run.notebook_parameters(toy))["paper"] == {"n": 30}


def test_book_cache_key_covers_recorded_runs(toy, tmp_path, monkeypatch):
    monkeypatch.setattr(run.bookcache, "RECORDED_DIR", tmp_path / "recorded")
    key = run.cache_key(toy)
    (tmp_path / "recorded" / "toy-paper").mkdir(parents=True)
    (tmp_path / "recorded" / "other-paper").mkdir(parents=True)
    (tmp_path / "recorded" / "other-paper" / "metrics.json").write_text("{}")   # another chapter's: no
    assert run.cache_key(toy) == key
    (tmp_path / "recorded" / "toy-paper" / "metrics.json").write_text("{}")     # its own: yes
    key2 = run.cache_key(toy)
    assert key2 != key
    (tmp_path / "recorded" / "toy-paper" / "metrics.json").write_text('{"a": 1}')
    assert run.cache_key(toy) != key2


def test_documented_run_commands_are_valid():
    """Every `tremorlab run ...` example in the README and the book names real chapters, presets and parameters."""
    import re
    import shlex

    docs = [run.ROOT / "README.md", *sorted((run.ROOT / "book").glob("*.md"))]
    found = 0
    for doc in docs:
        for line in doc.read_text().splitlines():
            m = re.search(r"tremorlab run (.*?)(?:#|`|$)", line)
            if not m:
                continue
            words = shlex.split(m.group(1))
            chapter, preset, params = words[0], "quick", {}
            i = 1
            while i < len(words):
                if words[i] == "--preset":
                    preset, i = words[i + 1], i + 2
                elif words[i] in ("-p", "--param"):
                    params[words[i + 1]], i = words[i + 2], i + 3
                else:
                    i += 2 if words[i] == "--out" else 1
            if chapter in ("CHAPTER", "NN"):
                continue
            run.resolve_parameters(run.resolve_chapter(chapter), preset, params)
            found += 1
    assert found >= 5


def _digest(*paths) -> dict:
    import hashlib

    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


@pytest.mark.slow
def test_book_execute_leaves_the_checkout_as_it_found_it(tmp_path, monkeypatch):
    """`make book` (tremorlab book execute) writes its executed chapters into the build folder: the committed
    notebooks and the references the tests compare against are not touched; the book's source is laid out
    from the executed copies."""
    monkeypatch.setattr(run.bookcache, "BUILD", tmp_path / "build")
    monkeypatch.setattr(run.bookcache, "EXECUTED", tmp_path / "build" / "executed")
    monkeypatch.setattr(run.bookcache, "BOOK_SOURCE", tmp_path / "build" / "book-source")
    mine = (run.ROOT / "notebooks" / "00-data.ipynb", run.ROOT / "notebooks" / "metrics" / "00-data.json")
    before = _digest(*mine)
    ran = run.execute_book(only=["00"], log=lambda s: None)
    assert ran == ["notebooks/00-data.ipynb"]
    assert _digest(*mine) == before
    executed = tmp_path / "build" / "executed" / "notebooks" / "00-data.ipynb"
    nb = nbformat.read(executed, as_version=4)
    assert any(c.get("outputs") for c in nb.cells if c.cell_type == "code")
    assert run.execute_book(only=["00"], log=lambda s: None) == []            # cached now
    source = run.assemble_source(log=lambda s: None)
    assert (source / "notebooks" / "00-data.ipynb").read_bytes() == executed.read_bytes()
    committed = run.ROOT / "notebooks" / "02-smart-pen-filters.ipynb"   # not executed here: the committed copy
    assert (source / "notebooks" / committed.name).read_bytes() == committed.read_bytes()
    assert (source / "_toc.yml").is_file() and (source / "book" / "_ext").is_dir()
    assert _digest(*mine) == before
