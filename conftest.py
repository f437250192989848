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
