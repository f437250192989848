"""Readers against the peer a user would otherwise pick (pandas), on the same file, in one run."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import tremorlab as tl

UCI_FILE = "hw_dataset/parkinson/P_27110003.txt"   # the largest file of the sample (22,794 rows)


@pytest.fixture(scope="module")
def uci_path():
    return tl.data.path("uci_spiral_tablet", UCI_FILE)


def _pandas_uci(path):
    df = pd.read_csv(path, sep=";", header=None, names=tl.io.readers.UCI_COLUMNS)
    out = {}
    for tid, seg in df.groupby("TestID"):
        t = (seg.Timestamp.to_numpy() - seg.Timestamp.iloc[0]) / 1000.0
        out[tid] = (t, seg.X.to_numpy(float), seg.Y.to_numpy(float), seg.Pressure.to_numpy(float))
    return out


@pytest.mark.benchmark(group="uci-reader")
def test_uci_reader_tremorlab(benchmark, uci_path):
    recs = benchmark(tl.io.read_uci_spiral, uci_path, repair_time=True)
    ref = _pandas_uci(uci_path)
    for tid, rec in recs.items():  # same samples as the pandas peer
        np.testing.assert_array_equal(rec.x, ref[tid][1])


@pytest.mark.benchmark(group="uci-reader")
def test_uci_reader_pandas(benchmark, uci_path):
    benchmark(_pandas_uci, uci_path)


@pytest.mark.benchmark(group="import")
def test_import_time(benchmark):
    """Wall time of a fresh interpreter importing tremorlab (target: under 1 s) beside a bare interpreter."""
    benchmark.pedantic(subprocess.run, args=([sys.executable, "-c", "import tremorlab, tremorlab.io, tremorlab.data"],),
                       kwargs={"check": True}, rounds=3, iterations=1)


@pytest.mark.benchmark(group="import")
def test_import_time_bare_python(benchmark):
    benchmark.pedantic(subprocess.run, args=([sys.executable, "-c", "pass"],), kwargs={"check": True}, rounds=3, iterations=1)
