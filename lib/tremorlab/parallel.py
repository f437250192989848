"""The executor of the chapters' independent loops: serial by default, Dask when a client is active.

A loop that is independent by construction (Monte Carlo runs, grid points, repetitions, folds,
cases) is written as ``parallel.pmap(task, items...)``, where every item carries everything its
task needs, its seed included.  With no Dask client in this process the tasks run one after the
other, in order, in this process (nbval, the quick presets).  With a client (``Client()`` in a
notebook, or ``tremorlab sweep`` / ``tremorlab run`` with ``TREMORLAB_DASK_SCHEDULER`` set),
they are spread over its workers and gathered in order.  Each task's result depends only on its
item, so serial and parallel give identical results (tested).

Inside a Dask worker (a task that itself calls ``pmap``), the loop runs serially: nested
submission from worker threads is how a small cluster deadlocks.
"""

from __future__ import annotations

import os
import sys
from typing import Callable, Iterable

SCHEDULER_ENV = "TREMORLAB_DASK_SCHEDULER"


def active_client():
    """The Dask client that ``pmap`` would use here, or ``None`` for serial execution.

    ``distributed`` is never imported by this check: if nothing imported it, no client exists;
    a chapter run with ``TREMORLAB_DASK_SCHEDULER`` set connects to that scheduler once.
    """
    if "distributed" not in sys.modules:
        address = os.environ.get(SCHEDULER_ENV)
        if not address:
            return None
        return connect(address)
    import distributed

    try:
        distributed.get_worker()
        return None  # inside a task: stay serial
    except ValueError:
        pass
    try:
        return distributed.default_client()
    except ValueError:
        address = os.environ.get(SCHEDULER_ENV)
        return connect(address) if address else None


def connect(address: str, timeout_s: float = 5.0):
    """A client of the scheduler at ``address``; a clear error within ``timeout_s`` if unreachable."""
    import distributed

    try:
        return distributed.Client(address, timeout=f"{timeout_s}s", set_as_default=True)
    except (OSError, TimeoutError) as exc:
        raise ConnectionError(f"cannot reach the Dask scheduler at {address} within {timeout_s:g} s "
                              f"({type(exc).__name__}: {exc}); is `dask scheduler` running there?") from None


def pmap(task: Callable, *iterables: Iterable, client=None) -> list:
    """``[task(*args) for args in zip(*iterables)]``, spread over Dask workers when a client is active."""
    items = list(zip(*iterables))
    c = client if client is not None else active_client()
    if c is None or len(items) <= 1:
        return [task(*args) for args in items]
    futures = c.map(task, *[list(col) for col in zip(*items)], pure=False)
    return c.gather(futures)
