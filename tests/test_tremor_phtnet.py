"""PHTNet: causality of the forward path, streaming = windowed, training, bad input."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from tremorlab.tremor import phtnet as P  # noqa: E402


def _model(hidden=8, layers=2, window=60, seed=0):
    P.set_determinism(seed, threads=1)
    return P.PHTNet(P.PHTNetConfig(hidden_size=hidden, num_layers=layers, window=window)).eval()


def test_import_tremorlab_does_not_import_torch():
    code = "import sys, tremorlab, tremorlab.tremor, tremorlab.synth.tremor; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_paper_sizes_and_separate_paths():
    m = P.PHTNet()                       # paper: 4 x 400, separate forward / backward stacks
    assert m.config == P.PHTNetConfig(400, 4, 400, 100.0)
    assert m.forward_gru.num_layers == 4 and m.forward_gru.hidden_size == 400
    assert not m.forward_gru.bidirectional and not m.backward_gru.bidirectional
    # 2 stacks x (layer 1: 3*(400*1 + 400*400 + 2*400), layers 2-4: 3*(2*400*400 + 2*400)) + 2 heads
    per_stack = 3 * (400 + 400 * 400 + 800) + 3 * 3 * (2 * 400 * 400 + 800)
    assert m.n_parameters() == 2 * per_stack + 2 * 401


def test_forward_path_is_causal_and_backward_anticausal():
    m = _model()
    x = torch.rand(1, 60)
    y = x.clone()
    y[0, 40:] = torch.rand(20)          # change the future only
    with torch.no_grad():
        f1, b1 = m(x)
        f2, b2 = m(y)
    torch.testing.assert_close(f1[:, :40], f2[:, :40], rtol=0, atol=0)
    assert not torch.allclose(b1[:, :40], b2[:, :40])
    z = x.clone()
    z[0, :20] = torch.rand(20)          # change the past only
    with torch.no_grad():
        _, b3 = m(z)
    torch.testing.assert_close(b1[:, 20:], b3[:, 20:], rtol=0, atol=0)


def test_streaming_equals_windowed_forward_output():
    m = _model(hidden=16, layers=3, window=100)
    x = np.random.default_rng(1).uniform(0, 1, 100)
    yf, _ = P.predict(m, x)
    st = P.ForwardStreamer(m)
    ys = np.array([st.update(v) for v in x])
    np.testing.assert_allclose(ys, yf[0], rtol=0, atol=1e-5)
    # reset starts a new stream; run() is update() in a loop
    np.testing.assert_allclose(st.reset().run(x), yf[0], rtol=0, atol=1e-5)
    assert st.n_seen_ == 100


def test_training_learns_the_one_sample_ahead_target():
    """A tiny net learns to pass slow sinusoids through, advanced by one sample."""
    rng = np.random.default_rng(0)
    n, T = 192, 60
    t = np.arange(T + 1) / 100.0
    f = rng.uniform(0.5, 2.0, n)[:, None]
    ph = rng.uniform(0, np.pi, n)[:, None]
    s = 0.5 + 0.25 * np.sin(2 * np.pi * f * t + ph)
    x, y = s[:, :-1], s[:, 1:]
    m = _model(hidden=16, layers=1, window=T)
    before = np.mean((P.predict(m, x)[0] - y) ** 2)
    hist = P.train(m, x[:160], y[:160], x[160:], y[160:], epochs=25, batch_size=32, learning_rate=1e-2, seed=0)
    yf, yb = P.predict(m, x[160:])
    after_f = np.mean((yf[:, 10:] - y[160:, 10:]) ** 2)
    assert hist["val_loss"][-1] < hist["val_loss"][0]
    assert after_f < 0.1 * before and after_f < 2e-3
    assert np.mean((yb[:, :-10] - y[160:, :-10]) ** 2) < 2e-3


def test_training_is_deterministic():
    rng = np.random.default_rng(2)
    x = rng.uniform(0, 1, (16, 30))
    out = []
    for _ in range(2):
        m = _model(hidden=4, layers=1, window=30, seed=3)
        P.train(m, x, x, epochs=2, batch_size=8, learning_rate=1e-2, seed=3)
        out.append(P.predict(m, x)[0])
    np.testing.assert_array_equal(out[0], out[1])


def test_offline_sliding_keeps_first_samples_of_each_window():
    m = _model(hidden=4, layers=1, window=50)
    s = np.random.default_rng(4).uniform(0, 1, 175)
    out = P.offline_sliding(m, s, step=25)
    _, yb = P.predict(m, np.stack([s[a:a + 50] for a in (0, 25, 50, 75, 100, 125)]))
    np.testing.assert_allclose(out[25:50], yb[1, :25], atol=1e-6)
    np.testing.assert_allclose(out[125:175], yb[5, :50], atol=1e-6)
    # a length that the hops do not tile: the tail comes from a window flush with the end
    s2 = s[:163]
    out2 = P.offline_sliding(m, s2, step=25)
    _, yb2 = P.predict(m, np.stack([s2[100:150], s2[113:163]]))
    np.testing.assert_allclose(out2[100:125], yb2[0, :25], atol=1e-6)
    np.testing.assert_allclose(out2[125:], yb2[1, 12:], atol=1e-6)


def test_save_load_roundtrip(tmp_path):
    m = _model(hidden=4, layers=2, window=20)
    p = tmp_path / "sub" / "net.pt"
    P.save(m, p)
    m2 = P.load(p)
    x = np.random.default_rng(5).uniform(0, 1, (3, 20))
    np.testing.assert_array_equal(P.predict(m, x)[0], P.predict(m2, x)[0])
    assert m2.config == m.config


def test_bad_input_errors():
    m = _model(window=50)
    x = np.full(80, 0.5)
    x[7] = np.nan
    with pytest.raises(ValueError, match="sample 7 is nan"):
        P.predict(m, x)
    with pytest.raises(ValueError, match="trained at 100.0 Hz.*resample"):
        P.predict(m, np.zeros(80), rate_hz=128.0)
    with pytest.raises(ValueError, match="shorter than the 50 needed"):
        P.offline_sliding(m, np.zeros(30))
    with pytest.raises(ValueError, match="finite"):
        P.ForwardStreamer(m).update(float("inf"))
    with pytest.raises(ValueError, match="hidden_size"):
        P.PHTNetConfig(hidden_size=0)
    with pytest.raises(ValueError, match="differ in shape"):
        P.train(m, np.zeros((4, 50)), np.zeros((4, 49)))
