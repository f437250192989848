import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent

# The sample data sits beside the repository in development and CI (the Makefile sets the same default).
if not os.environ.get("TREMORLAB_DATA") and (ROOT.parent / "shared" / "data").is_dir():
    os.environ["TREMORLAB_DATA"] = str(ROOT.parent / "shared" / "data")


@pytest.fixture(scope="module")
def torch_one_thread():
    """One torch thread: on a shared 2-core machine the thread pool's spinning costs more than it gives."""
    import torch

    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)


@pytest.fixture(scope="module")
def dask_local_client():
    """A 2-process Dask LocalCluster on 127.0.0.1 (one thread each) and a client not set as default."""
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                       host="127.0.0.1")
    client = distributed.Client(cluster, set_as_default=False)
    yield client
    client.close()
    cluster.close()


# ---- parallel runs (`make test` uses pytest-xdist with --dist loadscope) -----------------------------
# A scope is a test module or notebook (a notebook's cells run in order in one kernel; a module's fixtures,
# such as the book build, the firmware build or a Dask cluster, are made once) or a test class: each
# trained chapter's shifted-seed run is a class of its own, so the four can run on different workers.
# The longest scopes are queued first (measured on the developers' 2-core machine), so that no long
# one starts last.
LONGEST_FIRST = ("TestShiftedSeed01", "01-et-spiral-grading.ipynb", "TestShiftedSeed03", "03-phtnet.ipynb",
                 "TestShiftedSeed06", "04-dysgraphia.ipynb", "test_book.py", "06-tremor-benchmark.ipynb",
                 "test_sweep.py", "TestShiftedSeed05", "05-pd-semg-tablet.ipynb", "test_wheel.py")


def _scope(item) -> str:
    cls = getattr(item, "cls", None)
    return cls.__name__ if cls is not None else item.path.name


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    if not hasattr(config, "workerinput"):  # only on the workers of a parallel run
        return
    rank = {g: i for i, g in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda it: rank.get(_scope(it), len(rank)))  # stable: the rest keep their order
