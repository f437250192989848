"""Chapter 0's closing table on constructed measurements whose verdicts are known by hand."""

import pytest

from tremorlab import verdicts
from tremorlab.studies import data_readers as S

GOOD = {"uci_rate_control_median_hz": 142.09, "uci_rate_pd_median_hz": 111.02, "uci_controls": 15, "uci_pd": 25,
        "pahaw_rate_median_hz": 132.6, "myo_repeated_row_fraction_mean": 0.893, "myo_updates_per_s_mean": 102.7,
        "myo_files": 4}


def rows(**change):
    return {r["quantity"]: r for r in S.comparisons(GOOD | change)}


def test_readme_checks_are_by_construction_nominal_rates_not_reproduced():
    r = rows()
    assert [r[q]["verdict"] for q in r] == ["by construction", "by construction", "by construction", "not reproduced",
                                           "by construction", "by construction", "not reproduced"]
    # a same-stamps row says why it is no reproduction, and gives the check
    why = r["UCI controls: time-stamp rate"]["why"]
    assert "same files" in why and "|142.1 - 142| = 0.09 Hz" in why and "15 controls" in why
    # the nominal rate is judged at 5 % of 200 Hz
    assert "10 Hz" in r["PaHaW: the source's nominal tablet rate against the time stamps"]["why"]


def test_a_reader_that_disagrees_with_the_readme_is_not_hidden():
    r = rows(uci_rate_pd_median_hz=114.0, myo_repeated_row_fraction_mean=0.95)
    assert r["UCI PD: time-stamp rate"]["verdict"] == "not reproduced"     # 3 Hz > 2 Hz
    assert "differently" in r["UCI PD: time-stamp rate"]["why"]
    assert r["Myo: share of repeated rows"]["verdict"] == "not reproduced"  # 0.95 beyond 0.895 +- 0.015
    assert r["UCI controls: time-stamp rate"]["verdict"] == "by construction"


@pytest.mark.parametrize("ours,word", [(113.0, "by construction"), (113.01, "not reproduced")])
def test_same_stamps_edge(ours, word):
    assert S.same_stamps(ours, 111, 2.0, "Hz", "x").word == word


def test_a_tablet_at_its_nominal_rate_would_reproduce():
    r = rows(pahaw_rate_median_hz=195.0, myo_updates_per_s_mean=189.0)
    assert r["PaHaW: the source's nominal tablet rate against the time stamps"]["verdict"] == "reproduced"
    assert r["Myo: the specified EMG stream rate against the updates in the files"]["verdict"] == "not reproduced"
    assert r["PaHaW: time-stamp rate"]["verdict"] == "not reproduced"   # now the README disagrees


def test_paper_numbers_name_their_source():
    assert all("README" in c.source for c in S.PAPER.values())
    assert set(verdicts.WORDS) >= {r["verdict"] for r in S.comparisons(GOOD)}
