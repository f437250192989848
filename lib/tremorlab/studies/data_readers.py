"""Chapter 0: the readers against the shared data's READMEs and the sources' nominal figures.

Two kinds of number stand beside the readers' measurements, and they get different verdicts:

* **The README's own reading of the same files.**  The shared data's READMEs worked out the
  sampling rates and the share of repeated rows from these very time stamps (their author parsed
  every file).  Our readers parse the same bytes with the same definition (the rate is one over the
  mean step, pauses of 50 ms or more left out: :func:`tremorlab.io.types.nominal_rate_hz`, the
  definition the PaHaW README states).  Agreement is then guaranteed by the data unless one of the
  two parsers is wrong: it checks our reader against the README, it does not measure anything the
  README did not already measure.  That is no reproduction (nothing independent was measured) and
  no match we built either; no verdict word names a same-data consistency check, so the closest
  honest one is used: ``by construction`` (agreement follows from how both numbers are made, and is
  no test of a claim about the recordings), with the check's own numbers in the row.  Should the
  check fail, the row says ``not reproduced`` (our reader reads the stamps differently from the
  README), so that a broken reader cannot hide behind the word.
* **A source's nominal figure** (the PaHaW source's "200 Hz", the Myo's specified 200 Hz EMG
  stream): an independent claim about the device, judged with :func:`tremorlab.verdicts.within`.
"""

from __future__ import annotations

from tremorlab import report, verdicts
from tremorlab.studies import Cited

CHAPTER = "00-data"

_UCI = "shared data README uci_spiral_tablet/README.md, 'Sampling rate (worked out from the timestamps)'"
_PAHAW = "shared data README pahaw_bdalab_svc_sample/README.md, 'Sampling rate'"
_MYO = "shared data README uci_emg_gestures_myo/README.md, 'Sampling rate (worked out from the data)'"

#: the READMEs' numbers (each worked out by the README's author from the same files, unless noted)
PAPER = {
    "uci_rate_control_hz": Cited(142, f"{_UCI}: 'about 142 Hz' (mean step about 7.04 ms) for 14 of the 15 controls",
                                 "Hz"),
    "uci_rate_pd_hz": Cited(111, f"{_UCI}: 'about 111 Hz' (mean step about 9.007 ms) for all 25 PD files", "Hz"),
    "pahaw_rate_hz": Cited(132, f"{_PAHAW}: 'mean 7.59 ms over steps shorter than 50 ms, i.e. about 132 Hz'", "Hz"),
    "pahaw_nominal_hz": Cited(200, f"{_PAHAW}: 'The source says \"200 Hz\"' (BDALab's description of the tablet, "
                                   "an independent nominal figure)", "Hz"),
    "myo_repeated_fraction": Cited((0.89, 0.90), f"{_MYO}: 'about 89-90 % of rows repeat the previous 8-channel "
                                                 "vector exactly'", "fraction"),
    "myo_updates_per_s": Cited((92, 109), f"{_MYO}: 'New values arrive only about 92-109 times per second'", "1/s"),
    "myo_stream_hz": Cited(200, f"{_MYO}: 'The Myo's EMG stream is 200 Hz by specification' (the device's "
                                "specification, an independent nominal figure)", "Hz"),
}

#: tolerances of the same-stamps checks (README figures are rounded to whole Hz or to a range)
RATE_TOL_HZ = {"uci": 2.0, "pahaw": 3.0}
#: a nominal rate is judged at 5 % (a tablet or an armband that keeps its stated rate is well within it)
NOMINAL_REL_TOL = 0.05


def same_stamps(ours: float, readme: float, tol: float, unit: str, what: str) -> verdicts.Verdict:
    """The verdict of a consistency check of our reader against a README that read the same stamps.

    ``by construction`` when ``|ours - readme| <= tol`` (the reason says why that word), else the
    failed :func:`tremorlab.verdicts.within` verdict (``not reproduced``: our reader disagrees).
    """
    check = verdicts.within(ours, readme, abs_tol=tol, unit=unit, source="README")
    if check.word != verdicts.REPRODUCED:
        return verdicts.Verdict(check.word, f"our reader reads {what} differently from the README: {check.rule}")
    return verdicts.by_construction(
        f"the README's figure is its author's reading of these same files ({what}), so agreement checks our "
        "reader against the README and measures nothing independent (no verdict word names a same-data "
        "consistency check; this is the closest: agreement follows from how both numbers are made); "
        f"the check: {check.rule.replace('reproduced if', 'agrees if')}")


def comparisons(measured: dict) -> list[dict]:
    """The closing table of chapter 0 from the readers' measurements (the notebook's ``metrics``).

    ``measured`` holds ``uci_rate_control_median_hz``, ``uci_rate_pd_median_hz``, ``uci_controls``,
    ``uci_pd``, ``pahaw_rate_median_hz``, ``myo_repeated_row_fraction_mean``,
    ``myo_updates_per_s_mean`` and ``myo_files``.
    """
    P, m = PAPER, measured
    ctrl, pd_ = m["uci_rate_control_median_hz"], m["uci_rate_pd_median_hz"]
    pahaw, rep, upd = m["pahaw_rate_median_hz"], m["myo_repeated_row_fraction_mean"], m["myo_updates_per_s_mean"]
    (r_lo, r_hi), (u_lo, u_hi) = P["myo_repeated_fraction"].value, P["myo_updates_per_s"].value
    return [
        report.comparison("UCI controls: time-stamp rate", P["uci_rate_control_hz"].value, round(ctrl, 1), "Hz",
                          same_stamps(ctrl, P["uci_rate_control_hz"].value, RATE_TOL_HZ["uci"], "Hz",
                                      "the controls' time stamps"),
                          f"{P['uci_rate_control_hz'].source}; ours: median over the {m['uci_controls']} controls"),
        report.comparison("UCI PD: time-stamp rate", P["uci_rate_pd_hz"].value, round(pd_, 1), "Hz",
                          same_stamps(pd_, P["uci_rate_pd_hz"].value, RATE_TOL_HZ["uci"], "Hz",
                                      "the PD files' time stamps"),
                          f"{P['uci_rate_pd_hz'].source}; ours: median over the {m['uci_pd']} PD files"),
        report.comparison("PaHaW: time-stamp rate", P["pahaw_rate_hz"].value, round(pahaw, 1), "Hz",
                          same_stamps(pahaw, P["pahaw_rate_hz"].value, RATE_TOL_HZ["pahaw"], "Hz",
                                      "the .svc time stamps, with the README's definition of the rate"),
                          f"{P['pahaw_rate_hz'].source}; ours: median over the recordings"),
        report.comparison("PaHaW: the source's nominal tablet rate against the time stamps",
                          P["pahaw_nominal_hz"].value, round(pahaw, 1), "Hz",
                          verdicts.within(pahaw, P["pahaw_nominal_hz"].value, rel_tol=NOMINAL_REL_TOL, unit="Hz",
                                          source="nominal rate"),
                          f"{P['pahaw_nominal_hz'].source}; ours: the median time-stamp rate of the recordings. "
                          "The chapters use the time stamps, not the nominal rate"),
        report.comparison("Myo: share of repeated rows", f"{r_lo:.2f}-{r_hi:.2f}", round(rep, 3), "fraction",
                          same_stamps(rep, (r_lo + r_hi) / 2, (r_hi - r_lo) / 2 + 0.01, "",
                                      "the repeated rows of these files; the README's range widened by 0.01"),
                          f"{P['myo_repeated_fraction'].source}; ours: mean over the {m['myo_files']} files"),
        report.comparison("Myo: distinct updates per second", f"{u_lo}-{u_hi}", round(upd, 1), "1/s",
                          same_stamps(upd, (u_lo + u_hi) / 2, (u_hi - u_lo) / 2 + 2, "1/s",
                                      "the changing rows of these files; the README's range widened by 2/s"),
                          f"{P['myo_updates_per_s'].source}; ours: mean over the {m['myo_files']} files after "
                          "collapsing repeated rows"),
        report.comparison("Myo: the specified EMG stream rate against the updates in the files",
                          P["myo_stream_hz"].value, round(upd, 1), "Hz",
                          verdicts.within(upd, P["myo_stream_hz"].value, rel_tol=NOMINAL_REL_TOL, unit="Hz",
                                          source="nominal rate"),
                          f"{P['myo_stream_hz'].source}; ours: distinct 8-channel vectors per second, mean over the "
                          f"{m['myo_files']} files. The files carry about half the specified updates (the README "
                          "suspects dropped samples; two real samples that happen to be equal are also collapsed, "
                          "which can only lower our count)"),
    ]
