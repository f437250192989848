"""The trained chapters re-executed under another seed on other float kernels: the stand-in for another CPU.

Training a network (or a genetic search, or a forest on resampled data) is chaotic: a change in the
float summation order (another CPU's vectorised kernels, another BLAS build, another thread count)
acts like another seed.  So the test of "the same findings on any CPU" is a larger perturbation than
any CPU makes: each chapter of :data:`tremorlab.repro.TRAINED` runs with its default seed plus
:data:`tremorlab.repro.SHIFTED_SEED_OFFSET` (every training seed, split and draw changes) on the
oldest kernels every x86-64 CPU has (ATen's default capability, oneDNN capped at SSE4.1, numba's
generic target: the ``portable`` variant of :data:`tremorlab.repro.VARIANTS`; chapter 1 keeps ATen's
own kernels, see :data:`tremorlab.repro.SHIFTED_VARIANT`).  Every quantity must
stay within the tolerance measured from the seed spread (``notebooks/tolerances/<chapter>.toml``)
and every verdict of the closing table must be the committed one.
"""

import json
import os
import subprocess
import sys

import pytest

from tremorlab import repro, run, sweep

pytestmark = [pytest.mark.portable, pytest.mark.slow]

TRAINED = [c for c in repro.TRAINED if c in run.chapters()]


def _capability(env: dict) -> str:
    code = "import torch; print(torch.backends.cpu.get_cpu_capability())"
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env},
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_the_portable_variant_changes_the_kernels():
    """Otherwise the kernels of the run below would be this CPU's own."""
    native = _capability({})
    portable = _capability(repro.VARIANTS["portable"])
    assert portable == "DEFAULT"
    if native == "DEFAULT":
        pytest.skip("this CPU's native ATen capability is already the default one")


def test_every_shifted_run_names_a_known_variant_that_changes_the_kernels():
    for chapter in TRAINED:
        assert repro.VARIANTS[repro.SHIFTED_VARIANT.get(chapter, "portable")], chapter
    assert set(repro.SHIFTED_VARIANT) <= set(repro.TRAINED)


def test_the_shifted_seed_is_not_a_measured_one():
    """The tolerances are measured on other seeds: the shifted run is a draw they were not fitted to."""
    assert repro.SHIFTED_SEED_OFFSET not in repro.MEASURE_SEED_OFFSETS
    assert 0 not in repro.MEASURE_SEED_OFFSETS
    for chapter in TRAINED:
        assert sweep.shifted_seed(chapter) == sweep.default_seed(chapter) + repro.SHIFTED_SEED_OFFSET


class _ShiftedSeed:
    """One trained chapter's shifted-seed run (a class per chapter, below: under ``make test``'s parallel
    workers each class is a unit of its own, so the chapters run side by side)."""

    chapter = ""

    def test_keeps_its_findings_under_a_shifted_seed_on_portable_kernels(self, tmp_path):
        chapter = self.chapter
        reference = repro.reference_path(chapter)
        assert reference.is_file(), f"{chapter}: no committed reference {reference} (tremorlab book record writes it)"
        seed = sweep.shifted_seed(chapter)
        kernels = repro.VARIANTS[repro.SHIFTED_VARIANT.get(chapter, "portable")]
        with run._env(**kernels, **{repro.CHECK_ENV: "0"}):
            folder = run.run_chapter(chapter, parameters={"seed": seed}, out=tmp_path / chapter)
        prov = json.loads((folder / "provenance.json").read_text())
        assert all(prov["kernel_choice"].get(k) == v for k, v in kernels.items()), prov["kernel_choice"]
        assert prov["parameters"]["seed"] == seed
        repro.check_record(json.loads((folder / "metrics.json").read_text()))


for _chapter in TRAINED:
    _name = f"TestShiftedSeed{_chapter[:2]}"
    globals()[_name] = type(_name, (_ShiftedSeed,), {"chapter": _chapter, "__doc__": f"{_chapter} under a shifted seed."})
del _chapter, _name
