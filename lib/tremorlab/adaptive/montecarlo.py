"""Chapter 2's experiments: Monte Carlo learning curves, the step-size grid, fair tuning, shaking table.

Definitions used throughout (all curves start at 0 dB because every filter starts from zero
weights, so ``e(0) = d(0)``):

* **Run**: one realisation of the sensor noise ``v`` added to the disturbance of every signal,
  ``d = P * x + v``; the same realisations (common random numbers) are used for every algorithm.
* **Normalised MSE curve** of a run: ``NMSE(n) = MA_W(sum_p e_p(n)^2) / MA_W(sum_p d_p(n)^2)``
  (sum over the signals ``p``, ``MA_W`` the causal moving average over ``W`` samples), in dB.
  The Monte Carlo curve uses the sums over runs as well.
* **Steady-state MSE**: ``10 log10(sum e^2 / sum d^2)`` over the last ``tail`` fraction of the
  record (default 25 %).
* **Iterations to converge**: the first sample at which the run's smoothed curve comes within
  ``tol_db`` (1 dB) of that run's steady-state level.  (The stricter "stays within 1 dB from
  then on" is not usable here: a real tremor signal's amplitude waxes and wanes, so the
  smoothed curve of a converged filter still wanders by more than 1 dB; see the chapter.)

Every number comes with a 95 % percentile-bootstrap interval over the runs
(:func:`tremorlab.learn.metrics.bootstrap_ci`) and, for the steady state, the spread over signals.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tremorlab import parallel
from tremorlab.adaptive import anc, registry
from tremorlab.adaptive.base import LAMBDA_GRID, MU_GRID, Q_GRID, FilterDivergedError, StabilityError  # noqa: F401
from tremorlab.adaptive.fxlms import filtered_reference
from tremorlab.learn.metrics import bootstrap_ci
from tremorlab.synth.shaking_table import shaking_table

# The grids (MU_GRID: the paper's step sizes; LAMBDA_GRID, Q_GRID: RLS and Kalman in the fair comparison)
# live in tremorlab.adaptive.base, each filter's grid and parameters on its class (tremorlab.adaptive.registry).

#: The paper's chosen parameters (Tironi et al. 2025, "Comparative analysis"); LMS and NLMS take the
#: Fx-LMS / Fx-NLMS values; the Kalman filter's are not published (ours, see the chapter).
PAPER_PARAMS = registry.paper_params()


@dataclass
class Setup:
    """The simulated plant: paths, controller length, sensor noise."""

    primary_path: np.ndarray = field(default_factory=lambda: anc.PRIMARY_PATH.copy())
    secondary_path: np.ndarray = field(default_factory=lambda: anc.SECONDARY_PATH.copy())
    secondary_path_estimate: np.ndarray | None = None
    n_taps: int = anc.N_TAPS
    noise_std: float = 0.01

    @property
    def estimate(self) -> np.ndarray:
        return self.secondary_path if self.secondary_path_estimate is None else self.secondary_path_estimate


def moving_average(a: np.ndarray, window: int) -> np.ndarray:
    """Causal moving average along the last axis (shorter window at the start)."""
    c = np.cumsum(a, axis=-1)
    out = c.copy()
    out[..., window:] = c[..., window:] - c[..., :-window]
    counts = np.minimum(np.arange(1, a.shape[-1] + 1), window)
    return out / counts


def nmse_curve_db(e2: np.ndarray, d2: np.ndarray, window: int = 50) -> np.ndarray:
    """``10 log10(MA(e^2) / MA(d^2))`` along the last axis."""
    return 10 * np.log10(moving_average(e2, window) / moving_average(d2, window))


def steady_state_db(e2: np.ndarray, d2: np.ndarray, tail: float = 0.25) -> np.ndarray:
    k = int(round(e2.shape[-1] * (1 - tail)))
    return 10 * np.log10(e2[..., k:].sum(axis=-1) / d2[..., k:].sum(axis=-1))


def iterations_to_converge(curve_db: np.ndarray, steady_db: float, tol_db: float = 1.0) -> int:
    """First index at which ``curve_db`` is at or below ``steady_db + tol_db`` (its length if never)."""
    below = np.flatnonzero(curve_db <= steady_db + tol_db)
    return int(curve_db.size) if below.size == 0 else int(below[0])


def _ci(values: np.ndarray, seed: int = 0) -> tuple[float, float, float]:
    v = np.asarray(values, dtype=float)
    return bootstrap_ci(lambda a, b: float(np.mean(a)), v, v, n_boot=1000, seed=seed)


@dataclass
class MonteCarloResult:
    """Learning curves and summary numbers of one algorithm."""

    algorithm: str
    params: dict
    e2: np.ndarray          # (n_runs, n) sum over signals of e^2
    d2: np.ndarray          # (n_runs, n) sum over signals of d^2
    steady_per_signal_db: np.ndarray  # (n_signals,) pooled over runs
    window: int = 50
    tail: float = 0.25
    tol_db: float = 1.0

    @property
    def curve_db(self) -> np.ndarray:
        """The Monte Carlo normalised-MSE curve (pooled over runs), dB."""
        return nmse_curve_db(self.e2.sum(axis=0), self.d2.sum(axis=0), self.window)

    @property
    def run_steady_db(self) -> np.ndarray:
        return steady_state_db(self.e2, self.d2, self.tail)

    @property
    def run_iterations(self) -> np.ndarray:
        curves = nmse_curve_db(self.e2, self.d2, self.window)
        return np.array([iterations_to_converge(c, s, self.tol_db) for c, s in zip(curves, self.run_steady_db)])

    def summary(self, seed: int = 0) -> dict:
        ss, ss_lo, ss_hi = _ci(self.run_steady_db, seed)
        it, it_lo, it_hi = _ci(self.run_iterations, seed)
        q1, med, q3 = np.percentile(self.steady_per_signal_db, [25, 50, 75])
        return {"algorithm": self.algorithm, "steady_db": ss, "steady_db_ci": [ss_lo, ss_hi],
                "steady_db_run_sd": float(np.std(self.run_steady_db, ddof=1)) if self.e2.shape[0] > 1 else 0.0,
                "steady_db_signal_median": float(med), "steady_db_signal_iqr": [float(q1), float(q3)],
                "iterations": it, "iterations_ci": [it_lo, it_hi],
                "iterations_median": float(np.median(self.run_iterations))}


def monte_carlo(algorithm: str, params: dict, signals: np.ndarray, n_runs: int = 30, seed: int = 0,
                setup: Setup | None = None, window: int = 50, tail: float = 0.25) -> MonteCarloResult:
    """Run ``algorithm`` on every signal (rows of ``signals``) for ``n_runs`` noise realisations.

    Errors of the filters (:class:`StabilityError`, :class:`FilterDivergedError`) propagate.
    """
    setup = setup or Setup()
    X = np.atleast_2d(np.asarray(signals, dtype=float))
    n_sig, n = X.shape
    D0 = np.stack([np.convolve(x, setup.primary_path)[:n] for x in X])
    XF = np.stack([filtered_reference(x, setup.estimate) for x in X])
    k = int(round(n * (1 - tail)))
    # runs are independent (run r's noise comes from the seed [seed, r]): one executor task each
    runs = parallel.pmap(_one_run, [algorithm] * n_runs, [params] * n_runs, [X] * n_runs, [D0] * n_runs,
                         [XF] * n_runs, [setup] * n_runs, [seed] * n_runs, range(n_runs), [k] * n_runs)
    e2 = np.stack([r[0] for r in runs])
    d2 = np.stack([r[1] for r in runs])
    num = np.sum([r[2] for r in runs], axis=0)
    den = np.sum([r[3] for r in runs], axis=0)
    return MonteCarloResult(algorithm, dict(params), e2, d2, 10 * np.log10(num / den), window, tail)


def _one_run(algorithm, params, X, D0, XF, setup: Setup, seed: int, r: int, k: int):
    """Monte Carlo run ``r``: summed e^2 and d^2 over the signals, and each signal's tail sums."""
    n_sig, n = X.shape
    V = setup.noise_std * np.random.default_rng([seed, r]).standard_normal((n_sig, n))
    e2, d2 = np.zeros(n), np.zeros(n)
    num, den = np.zeros(n_sig), np.zeros(n_sig)
    for p in range(n_sig):
        d = D0[p] + V[p]
        e = anc.simulate(algorithm, X[p], d, params, setup.n_taps, setup.secondary_path,
                         setup.secondary_path_estimate, filtered=XF[p])
        e2 += e * e
        d2 += d * d
        num[p] = np.sum(e[k:] ** 2)
        den[p] = np.sum(d[k:] ** 2)
    return e2, d2, num, den


def evaluate(algorithm: str, params: dict, signals: np.ndarray, seed: int = 0, setup: Setup | None = None,
             window: int = 50, tail: float = 0.25) -> dict:
    """One-run evaluation for the grid: steady-state dB and iterations, or the failure."""
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # a slowly diverging setting is caught below
            res = monte_carlo(algorithm, params, signals, n_runs=1, seed=seed, setup=setup, window=window, tail=tail)
            ss = float(res.run_steady_db[0])
    except StabilityError:
        return {"status": "outside bound", "steady_db": np.nan, "iterations": np.nan}
    except FilterDivergedError:
        return {"status": "diverged", "steady_db": np.nan, "iterations": np.nan}
    if not np.isfinite(ss) or ss > 0:  # worse than no control: counted as diverged
        return {"status": "diverged", "steady_db": np.nan, "iterations": np.nan}
    return {"status": "ok", "steady_db": ss, "iterations": int(res.run_iterations[0])}


def grid_search(algorithm: str, grid: list[dict], signals: np.ndarray, seed: int = 0, setup: Setup | None = None,
                **kw):
    """Evaluate every parameter set of ``grid``; a DataFrame with one row per set."""
    import pandas as pd

    m = len(grid)
    # grid points are independent: one executor task each
    results = parallel.pmap(_evaluate_kw, [algorithm] * m, grid, [signals] * m, [seed] * m, [setup] * m, [kw] * m)
    return pd.DataFrame([{**params, **res} for params, res in zip(grid, results)])


def _evaluate_kw(algorithm, params, signals, seed, setup, kw):
    return evaluate(algorithm, params, signals, seed, setup, **kw)


def default_grid(algorithm: str, mu_grid=MU_GRID, regularization: float = 1e-10,
                 measurement_noise: float = 1e-2) -> list[dict]:
    """The parameter grid of each algorithm (mu1 x mu2 for the combined one; each class's ``search_grid``)."""
    return registry.search_grid(algorithm, mu_grid=mu_grid, regularization=regularization,
                                measurement_noise=measurement_noise)


def best_row(table, param_cols: list[str]) -> dict:
    """The lowest steady-state row of a grid table (ties: fewer iterations)."""
    ok = table[table["status"] == "ok"]
    if ok.empty:
        return {}
    row = ok.sort_values(["steady_db", "iterations"]).iloc[0]
    return {c: row[c] for c in param_cols} | {"steady_db": float(row["steady_db"]), "iterations": int(row["iterations"])}


def tuned_to_level(table, param_cols: list[str], level_db: float, slack_db: float = 0.5) -> dict:
    """Fastest-converging row whose steady state is at or below ``level_db + slack_db``."""
    ok = table[(table["status"] == "ok") & (table["steady_db"] <= level_db + slack_db)]
    if ok.empty:
        return {}
    row = ok.sort_values(["iterations", "steady_db"]).iloc[0]
    return {c: row[c] for c in param_cols} | {"steady_db": float(row["steady_db"]), "iterations": int(row["iterations"])}


# -- shaking table --------------------------------------------------------------------------

def shaking_table_experiment(mode: str, params: dict, algorithm: str = "kalman", n_trials: int = 31,
                             n_samples: int = 2000, seed: int = 0, setup: Setup | None = None,
                             noise_std_g: float = 0.004, window: int = 20, tail: float = 0.25,
                             **table_kw) -> MonteCarloResult:
    """The pen on the simulated orbital table: one trial per seed, the filter in the ANC loop.

    The reference is the accelerometer's x axis (noise and quantisation included); the
    disturbance at the tip is the true table acceleration through the primary path plus
    sensor noise of ``noise_std_g``.  Returns the curves as a :class:`MonteCarloResult` whose
    runs are the trials.
    """
    setup = setup or Setup(noise_std=noise_std_g)
    e2 = np.zeros((n_trials, n_samples))
    d2 = np.zeros((n_trials, n_samples))
    k = int(round(n_samples * (1 - tail)))
    per = np.zeros(n_trials)
    for i in range(n_trials):
        tr = shaking_table(mode, n_samples=n_samples, seed=seed * 1000 + i, noise_std_g=noise_std_g, **table_kw)
        x = tr.acc[:, 0]
        rng = np.random.default_rng([seed, i, 7])
        d = np.convolve(tr.acc_true[:, 0], setup.primary_path)[:n_samples] + noise_std_g * rng.standard_normal(n_samples)
        e = anc.simulate(algorithm, x, d, params, setup.n_taps, setup.secondary_path, setup.secondary_path_estimate)
        e2[i], d2[i] = e * e, d * d
        per[i] = 10 * np.log10(np.sum(e[k:] ** 2) / np.sum(d[k:] ** 2))
    return MonteCarloResult(algorithm, dict(params), e2, d2, per, window, tail)
