"""The training chapters re-executed on other float kernels than this CPU's native ones.

A reader's CPU picks other vectorised kernels than ours.  This run emulates an old one on this
machine (ATen's default capability, oneDNN capped at SSE4.1, numba's generic target: the
``portable`` variant of :data:`tremorlab.repro.VARIANTS`) and checks that each chapter's numbers
stay within the tolerances stored in ``notebooks/tolerances/<chapter>.toml`` of the committed
``notebooks/metrics/<chapter>.json``.
"""

import json
import subprocess
import sys

import pytest

from tremorlab import repro, run

pytestmark = [pytest.mark.portable, pytest.mark.slow]

#: The chapters that train or fit models whose numbers move with the kernels.
TRAINING = [c for c in ("01-et-spiral-grading", "03-phtnet", "05-pd-semg-tablet", "06-tremor-benchmark")
            if c in run.chapters()]


def _capability(env: dict) -> str:
    code = "import torch; print(torch.backends.cpu.get_cpu_capability())"
    out = subprocess.run([sys.executable, "-c", code], env={**__import__("os").environ, **env},
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_the_portable_variant_changes_the_kernels():
    """Otherwise the run below would compare the native kernels with themselves."""
    native = _capability({})
    portable = _capability(repro.VARIANTS["portable"])
    assert portable == "DEFAULT"
    if native == "DEFAULT":
        pytest.skip("this CPU's native ATen capability is already the default one")


@pytest.mark.parametrize("chapter", TRAINING)
def test_chapter_on_portable_kernels_stays_within_tolerance(chapter, tmp_path):
    reference = repro.reference_path(chapter)
    assert reference.is_file(), f"{chapter}: no committed reference {reference} (tremorlab book execute writes it)"
    with run._env(**repro.VARIANTS["portable"], **{repro.CHECK_ENV: "0"}):
        folder = run.run_chapter(chapter, out=tmp_path / chapter)
    prov = json.loads((folder / "provenance.json").read_text())
    assert prov["kernel_choice"]["ATEN_CPU_CAPABILITY"] == "default"
    repro.check_record(json.loads((folder / "metrics.json").read_text()))
