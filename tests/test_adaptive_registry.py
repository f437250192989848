"""The filters' registry (tremorlab.adaptive.registry) agrees with the firmware's table and feeds every user."""

import re

import pytest

from tremorlab.adaptive import ALGORITHMS, anc, registry
from tremorlab.adaptive import montecarlo as mc
from tremorlab.adaptive.base import FILTERED_X, PLAIN, AdaptiveFilter
from tremorlab.paths import ROOT
from tremorlab.pen import protocol as P

FIRMWARE = ROOT / "firmware" / "lib" / "tremorpen"


def firmware_algorithms() -> dict[str, int]:
    """``tp::Algorithm`` of tp_filters.h: lower-case name -> id."""
    hdr = (FIRMWARE / "tp_filters.h").read_text()
    body = re.search(r"enum Algorithm : uint8_t \{(.*?)\};", hdr, re.S)
    assert body, "tp_filters.h: enum Algorithm not found"
    return {n.lower(): int(i) for n, i in re.findall(r"ALGO_(\w+) = (\d+)", body.group(1))}


def firmware_filtered_x() -> set[str]:
    hdr = (FIRMWARE / "tp_filters.h").read_text()
    m = re.search(r"inline bool is_filtered_x\(uint8_t a\) \{ return (.*?); \}", hdr)
    assert m, "tp_filters.h: is_filtered_x not found"
    return {n.lower() for n in re.findall(r"ALGO_(\w+)", m.group(1))}


def test_ids_and_names_match_the_firmware():
    fw = firmware_algorithms()
    assert fw.pop("off") == 0
    assert {n: c.firmware_id for n, c in registry.REGISTRY.items()} == fw
    names = re.search(r"names\[ALGO_COUNT\] = \{(.*?)\};", (FIRMWARE / "tp_filters.cpp").read_text())
    assert names and tuple(re.findall(r'"(\w+)"', names.group(1))) == registry.firmware_table() == P.ALGORITHMS


def test_arrangements_match_the_firmware():
    assert set(registry.names(FILTERED_X)) == firmware_filtered_x()
    assert set(registry.names(PLAIN)) == set(registry.REGISTRY) - firmware_filtered_x()


def test_every_user_reads_the_registry():
    assert list(ALGORITHMS) == list(registry.REGISTRY) == list(anc.ALGORITHMS) == list(mc.PAPER_PARAMS)
    assert anc.FILTERED_X == ("fxlms", "fxnlms", "fxlms_nlms") and anc.PLAIN == ("lms", "nlms", "rls", "kalman")
    assert registry.display_names()["fxlms_nlms"] == "Fx-LMS/NLMS"
    for name, cls in registry.REGISTRY.items():
        assert cls.algorithm == name and issubclass(cls, AdaptiveFilter)
        f = anc.make_filter(name, mc.PAPER_PARAMS[name])
        assert type(f) is cls and f.n_taps == anc.N_TAPS
        assert {k: f.get_params()[k] for k in mc.PAPER_PARAMS[name]} == mc.PAPER_PARAMS[name]
        for params in mc.default_grid(name)[:3]:
            registry.make(name, params, 2, anc.SECONDARY_PATH)  # every grid point is a valid constructor call


def test_grids_are_the_papers():
    assert len(mc.MU_GRID) == 37 and mc.MU_GRID[0] == 1e-4 and mc.MU_GRID[-1] == 1.0
    assert mc.default_grid("fxlms") == [{"step_size": m} for m in mc.MU_GRID]
    assert len(mc.default_grid("fxlms_nlms")) == len(mc.MU_GRID) ** 2  # mu2 < 2 everywhere on the grid
    assert [p["forgetting_factor"] for p in mc.default_grid("rls")] == list(mc.LAMBDA_GRID)
    assert mc.default_grid("kalman", measurement_noise=0.5)[0]["measurement_noise"] == 0.5


def test_paper_params_are_copies():
    p = registry.paper_params()
    p["rls"]["forgetting_factor"] = 0.5
    assert registry.REGISTRY["rls"].paper_params["forgetting_factor"] == 0.999


def test_unknown_names_are_refused():
    with pytest.raises(ValueError, match="unknown algorithm 'bogus'; expected one of"):
        registry.get("bogus")
    with pytest.raises(ValueError, match="unknown arrangement"):
        registry.names("crossed")


def test_a_bad_declaration_is_refused():
    class Twin(registry.REGISTRY["lms"]):
        algorithm, display_name, firmware_id = "twin", "Twin", 9

    with pytest.raises(TypeError, match="without gaps"):
        registry._check([*registry.REGISTRY.values(), Twin])
    Twin.algorithm, Twin.firmware_id = "lms", 8
    with pytest.raises(TypeError, match="missing or taken"):
        registry._check([*registry.REGISTRY.values(), Twin])
