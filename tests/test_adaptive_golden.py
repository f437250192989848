"""The golden-vector contract of the firmware port."""

import json

import numpy as np

from tremorlab.adaptive import ALGORITHMS, golden

KEYS = {"algorithm", "params", "n_taps", "x", "d", "y", "e", "w_final"}


def test_golden_files_follow_the_contract(tmp_path):
    assert golden.main([str(tmp_path)]) == 0
    names = sorted(p.stem for p in tmp_path.glob("*.json"))
    assert names == sorted(ALGORITHMS)
    for name in names:
        rec = json.loads((tmp_path / f"{name}.json").read_text())
        want = KEYS | ({"secondary_path", "secondary_path_estimate"} if name.startswith("fx") else set())
        assert set(rec) == want, name
        assert rec["algorithm"] == name
        n = len(rec["x"])
        assert n == golden.N_SAMPLES and all(len(rec[k]) == n for k in ("d", "y", "e"))
        assert len(rec["w_final"]) == rec["n_taps"]
        for k in ("x", "d"):  # inputs exactly float32-representable
            a = np.array(rec[k])
            np.testing.assert_array_equal(a.astype(np.float32).astype(np.float64), a)
        # re-running the filter from the recorded params, sample by sample, reproduces the outputs
        kwargs = dict(rec["params"])
        f = ALGORITHMS[name](**kwargs)
        out = np.array([f.update(xi, di) for xi, di in zip(rec["x"], rec["d"])])
        np.testing.assert_array_equal(out[:, 0], rec["y"])
        np.testing.assert_array_equal(out[:, 1], rec["e"])
        np.testing.assert_array_equal(f.w_, rec["w_final"])
        # and the filter learned something (final error power well below the desired signal's)
        e, d = np.array(rec["e"]), np.array(rec["d"])
        assert np.mean(e[-500:] ** 2) < 0.05 * np.mean(d[-500:] ** 2)


def test_golden_is_deterministic():
    a, b = golden.case("rls"), golden.case("rls")
    assert a == b
