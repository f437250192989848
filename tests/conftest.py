import pytest


@pytest.fixture(scope="module")
def torch_one_thread():
    """One torch thread: on a shared 2-core machine the thread pool's spinning costs more than it gives."""
    import torch

    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)
