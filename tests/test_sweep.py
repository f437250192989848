"""Sweeps on Dask and the chapters' executor: same numbers serial and parallel, faults handled."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from test_run import write_notebook
from tremorlab import parallel, run, sweep

pytestmark = pytest.mark.timeout(300)


def toy_notebook(path: Path) -> Path:
    return write_notebook(
        path, 'preset = "quick"\nseed = 0\nscale = 1.0\nsleep_s = 0.0',
        "import time\nimport tremorlab as tl\ntime.sleep(sleep_s)\n"
        "tl.report.save_metrics('toy', preset, {'value': 2 * seed * scale, 'square': seed ** 2},\n"
        "    [tl.report.comparison('value', None, 2 * seed * scale, '1', 'not comparable', 'toy')])")


@pytest.fixture()
def toy(tmp_path):
    return toy_notebook(tmp_path / "toy.ipynb")


# ---- points --------------------------------------------------------------------------------------

def test_values_ranges_and_lists():
    assert sweep.parse_values("0..3") == ["0", "1", "2", "3"]
    assert sweep.parse_values("a, b,c") == ["a", "b", "c"]
    assert sweep.parse_values("0.5") == ["0.5"]
    with pytest.raises(sweep.SweepError, match="empty range"):
        sweep.parse_values("5..2")
    with pytest.raises(sweep.SweepError, match="empty value"):
        sweep.parse_values("1,,2")


def test_resources():
    assert sweep.parse_resources("GPU=1, MEM=8e9") == {"GPU": 1.0, "MEM": 8e9}
    assert sweep.parse_resources(None) is None
    with pytest.raises(sweep.SweepError, match="GPU=1"):
        sweep.parse_resources("GPU")


def test_points_are_the_product_checked_before_running(toy):
    pts = sweep.points(str(toy), "quick", [("seed", "0..2"), ("scale", "1,2")])
    assert len(pts) == 6 and pts[0] == {"seed": 0, "scale": 1.0} and pts[-1] == {"seed": 2, "scale": 2.0}
    assert sweep.point_name(pts[1]) == "seed-0_scale-2.0"
    with pytest.raises(run.ParameterError, match="unknown parameter 'epochs'"):
        sweep.points(str(toy), "quick", [("epochs", "1..3")])
    with pytest.raises(run.ParameterError, match="'seed'.*expected a int"):
        sweep.points(str(toy), "quick", [("seed", "a,b")])


def test_collect_gives_mean_sd_and_t_interval(tmp_path):
    for seed, value in [(0, 1.0), (1, 2.0), (2, 4.0)]:
        folder = tmp_path / f"seed-{seed}"
        folder.mkdir()
        (folder / "metrics.json").write_text(json.dumps({"chapter": "toy", "preset": "quick", "metrics": {"v": value},
                                                         "comparisons": []}))
        (folder / "provenance.json").write_text(json.dumps({"status": "ok"}))
    (tmp_path / "seed-9.partial-123").mkdir()  # a run that never finished: not a point
    table = sweep.collect(tmp_path)
    q = table["quantities"]["metrics.v"]
    assert table["points"] == ["seed-0", "seed-1", "seed-2"]
    assert q["mean"] == pytest.approx(7 / 3) and q["sd"] == pytest.approx(np.std([1, 2, 4], ddof=1))
    half = 4.302652729911275 * q["sd"] / np.sqrt(3)  # t(0.975, 2)
    assert q["ci95"] == pytest.approx([7 / 3 - half, 7 / 3 + half])


# ---- the executor: serial and Dask give the same numbers -----------------------------------------

@pytest.fixture(scope="module")
def local_client(dask_local_client):
    return dask_local_client


def test_pmap_is_serial_without_a_client_and_never_imports_dask():
    code = ("import sys; from tremorlab import parallel; assert parallel.pmap(pow, [2, 3], [3, 2]) == [8, 9]; "
            "assert parallel.active_client() is None; assert 'distributed' not in sys.modules; print('serial')")
    env = {k: v for k, v in os.environ.items() if k != parallel.SCHEDULER_ENV}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0 and out.stdout.strip() == "serial", out.stderr[-2000:]


def test_monte_carlo_runs_identical_serial_and_parallel(local_client):
    from tremorlab.adaptive import montecarlo
    from tremorlab.synth.tremor import tremor_phantom

    sig = np.stack([tremor_phantom("pd", duration_s=2.0, rate_hz=500.0, seed=s, n_axes=1).tremor[:, 0] for s in range(2)])
    serial = montecarlo.monte_carlo("nlms", {"step_size": 0.01, "regularization": 1e-10}, sig, n_runs=4, seed=3)
    with local_client.as_current():
        par = montecarlo.monte_carlo("nlms", {"step_size": 0.01, "regularization": 1e-10}, sig, n_runs=4, seed=3)
    assert np.array_equal(serial.e2, par.e2) and np.array_equal(serial.steady_per_signal_db, par.steady_per_signal_db)


def test_mlp_chunks_identical_serial_and_parallel(local_client):
    from tremorlab.learn.mlp import BatchedMLP, Topology

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = (X[:, 0] + 0.3 * rng.normal(size=40) > 0).astype(int)
    tr = rng.random((6, 40)) < 0.7
    top = Topology(((4, "tansig"),))
    serial = BatchedMLP(top, seed=5, max_epochs=30, chunk=2).fit(X, y, tr, ~tr)
    with local_client.as_current():
        par = BatchedMLP(top, seed=5, max_epochs=30, chunk=2).fit(X, y, tr, ~tr)
    for (a, b), (c, d) in zip(serial.params_, par.params_):
        assert np.array_equal(a, c) and np.array_equal(b, d)
    assert np.array_equal(serial.best_epoch_, par.best_epoch_)


def test_cases_and_genetic_search_identical_serial_and_parallel(local_client):
    from tremorlab.learn import protocols

    rng = np.random.default_rng(1)
    X = rng.normal(size=(30, 4))
    y = np.where(X[:, 0] > 0, "PD", "HC")
    tables = {t: (X, [f"f{i}" for i in range(4)]) for t in ("spiral", "l_small", "l_large")}
    kw = dict(ga={"pop_size": 4, "n_gen": 2, "n_repeats": 2, "upper": [2, 4, 4, 4, 3, 3, 3]}, n_repeats=3,
              positive="PD", max_epochs=20)
    serial = protocols.run_cases(tables, y, cases=[1, 4], **kw)
    with local_client.as_current():
        par = protocols.run_cases(tables, y, cases=[1, 4], **kw)
    for c in (1, 4):
        assert serial[c].summary() == par[c].summary()


# ---- sweeps through a real scheduler -------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def dask_processes(tmp_path):
    """``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1; all stopped afterwards."""
    pytest.importorskip("distributed")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                               "--port", str(port), "--no-dashboard"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)]
    _wait_for_port(port)
    for i in range(2):
        procs.append(subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
                                       "--no-nanny", "--name", f"w{i}", "--no-dashboard",
                                       "--local-directory", str(tmp_path / f"w{i}")],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    from distributed import Client

    with Client(address, timeout="20s") as c:
        c.wait_for_workers(2, timeout=60)
    yield address, procs
    for p in reversed(procs):
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()


def _wait_for_port(port: int, timeout: float = 30.0) -> None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"the scheduler did not open port {port} within {timeout} s")


def test_sweep_through_a_scheduler_then_skips_complete_points(toy, tmp_path, dask_processes):
    address, _ = dask_processes
    out = tmp_path / "sweep"
    lines = []
    table = sweep.sweep(str(toy), [("seed", "1..3")], out, scheduler=address, log=lines.append)
    assert table["points"] == ["seed-1", "seed-2", "seed-3"] and table["failed"] == []
    q = table["quantities"]["metrics.value"]
    assert q["values"] == {"seed-1": 2.0, "seed-2": 4.0, "seed-3": 6.0} and q["mean"] == 4.0 and q["sd"] == 2.0
    for name in table["points"]:
        prov = json.loads((out / name / "provenance.json").read_text())
        assert prov["status"] == "ok" and prov["parameters"]["seed"] == int(name.split("-")[1])
    assert json.loads((out / "sweep.json").read_text())["quantities"]["metrics.square"]["mean"] == pytest.approx(14 / 3)
    assert any("progress: 3 done" in line for line in lines)
    assert table["sweep"]["command"] == f"tremorlab sweep toy --preset quick -p seed 1..3 --scheduler {address}"
    assert table["sweep"]["ran"] == 3 and table["sweep"]["wall_s"] > 0
    again = []
    sweep.sweep(str(toy), [("seed", "1..4")], out, scheduler=address, log=again.append)
    assert "3 already complete, 1 to run" in again[0]


def test_unreachable_scheduler_is_a_clear_error_within_seconds(toy, tmp_path):
    pytest.importorskip("distributed")
    address = f"tcp://127.0.0.1:{_free_port()}"
    t0 = time.monotonic()
    with pytest.raises(ConnectionError, match=f"cannot reach the Dask scheduler at {address}"):
        sweep.sweep(str(toy), [("seed", "1..2")], tmp_path / "s", scheduler=address, log=lambda s: None)
    assert time.monotonic() - t0 < 20


def test_a_killed_worker_never_leaves_a_complete_looking_point(toy, tmp_path, dask_processes):
    address, procs = dask_processes
    out = tmp_path / "sweep"
    import threading

    def kill_a_worker_once_both_run():
        t0 = time.monotonic()
        while time.monotonic() - t0 < 60:
            if len(list(out.glob("*.partial-*"))) >= 2:
                procs[1].kill()
                return
            time.sleep(0.1)

    killer = threading.Thread(target=kill_a_worker_once_both_run)
    killer.start()
    table = sweep.sweep(str(toy), [("seed", "1..2"), ("sleep_s", "6")], out, scheduler=address, log=lambda s: None)
    killer.join()
    assert procs[1].poll() is not None, "the test did not kill the worker"
    finished = {p["point"] for p in table["failed"]} | set(table["points"])
    assert finished == {"seed-1_sleep_s-6.0", "seed-2_sleep_s-6.0"}  # each re-run elsewhere or reported
    for folder in out.iterdir():
        if folder.is_dir() and not folder.name.endswith((".failed",)) and ".partial-" not in folder.name:
            assert sweep.complete(folder), f"{folder} looks like a run folder but is not complete"


def _as_a_terminal_job():
    """In the child: SIGINT as a terminal's foreground job has it (Python then raises KeyboardInterrupt).

    A test runner started in the background (``cmd &``, some CI launchers) inherits SIGINT ignored,
    and Python keeps an inherited ignore: without this the Ctrl-C below would be ignored and the
    sweep would finish every point (exit 0), whatever the machine's speed.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_cancels_and_keeps_finished_points(toy, tmp_path):
    """Event-driven: Ctrl-C is sent when the first point's folder is complete, whatever that takes, and the
    sweep must then stop with 130 before the last point; nothing waits a fixed time."""
    pytest.importorskip("distributed")
    out = tmp_path / "sweep"
    cmd = [sys.executable, "-m", "tremorlab.cli", "sweep", str(toy), "-p", "seed", "1..3", "-p", "sleep_s", "4",
           "--workers", "1", "--out", str(out)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=_as_a_terminal_job)
    t0 = time.monotonic()
    while not sweep.complete(out / "seed-1_sleep_s-4.0") and proc.poll() is None and time.monotonic() - t0 < 240:
        time.sleep(0.1)
    assert sweep.complete(out / "seed-1_sleep_s-4.0"), "the first point never completed"
    assert not sweep.complete(out / "seed-3_sleep_s-4.0"), "the last point finished before Ctrl-C could be sent"
    os.killpg(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=240)
    assert proc.returncode == 130, stderr[-2000:]
    assert "interrupted" in stderr
    assert sweep.complete(out / "seed-1_sleep_s-4.0")
    assert not sweep.complete(out / "seed-3_sleep_s-4.0")
    assert "seed-1_sleep_s-4.0" in json.loads((out / "sweep.json").read_text())["points"]


def test_paired_difference_across_points():
    table = {"points": ["a", "b", "c"], "quantities": {
        "x": {"values": {"a": 1.0, "b": 2.0, "c": 3.0}}, "y": {"values": {"a": 0.5, "b": 1.0, "c": 2.5}}}}
    d = sweep.paired_difference(table, "x", "y")
    assert d["values"] == {"a": 0.5, "b": 1.0, "c": 0.5} and d["mean"] == pytest.approx(2 / 3)
    half = 4.302652729911275 * d["sd"] / np.sqrt(3)
    assert d["ci95"] == pytest.approx([2 / 3 - half, 2 / 3 + half])
    with pytest.raises(ValueError, match="at least 2 points"):
        sweep.paired_difference({"points": ["a"], "quantities": {"x": {"values": {"a": 1}}, "y": {"values": {"a": 2}}}},
                                "x", "y")


def test_tremor_estimators_identical_serial_and_parallel(local_client):
    from tremorlab.tremor import benchmark as B

    from types import SimpleNamespace

    rng = np.random.default_rng(4)  # three segments of two consecutive 2.56-s windows at 50 Hz
    t = np.arange(256) / 50.0
    sig = {s: np.stack([np.sin(2 * np.pi * (4 + s) * t + a) + 0.1 * rng.standard_normal(256) for a in range(3)], 1)
           for s in range(3)}
    segment, position = np.repeat(np.arange(3), 2), np.tile(np.arange(2), 3)
    ds = SimpleNamespace(rate_hz=50.0, segment=segment, position=position, n_windows=6, segments=np.arange(3),
                         x=np.stack([sig[s][128 * p:128 * (p + 1)] for s, p in zip(segment, position)]),
                         segment_signal=lambda s: sig[s])
    serial = B.streaming_tremor(ds, "BMFLC")
    with local_client.as_current():
        par = B.streaming_tremor(ds, "BMFLC")
    assert np.array_equal(serial, par) and np.isfinite(serial).all()


def test_phtnet_grid_identical_serial_and_parallel(local_client):
    from tremorlab.synth.tremor_atlas import pseudo_action_windows, tremor_atlas
    from tremorlab.tremor import phtnet as P

    atlas = tremor_atlas(n_patients=2, n_pd=1, tasks=("rest-1",), seed=0)
    recs = [atlas["signals"][i, :, 0] for i in range(atlas["signals"].shape[0])]
    windows = {w: (pseudo_action_windows(recs, 8, window=int(w * 100), run_in=0, seed=1),
                   pseudo_action_windows(recs, 4, window=int(w * 100), run_in=0, seed=2)) for w in (0.5, 1.0)}
    kw = dict(hidden_size=4, epochs=1, batch_size=4, learning_rate=1e-3, seed=3, rate_hz=100.0, threads=1)
    serial = P.grid_search(windows, [1, 2], **kw)
    with local_client.as_current():
        par = P.grid_search(windows, [1, 2], **kw)
    assert serial == par and [(r["layers"], r["window (s)"]) for r in serial] == [(1, 0.5), (1, 1.0), (2, 0.5), (2, 1.0)]


def test_spiral_sheets_identical_serial_and_parallel(local_client):
    from tremorlab.synth import spirals as sp

    rows = sp.make_cohort(seed=0).iloc[:6]
    serial, t1 = sp.render_cohort(rows, size=64, chunk=2)
    with local_client.as_current():
        par, t2 = sp.render_cohort(rows, size=64, chunk=2)
    assert np.array_equal(serial, par) and t1.equals(t2) and serial.shape == (6, 64, 64, 3)
