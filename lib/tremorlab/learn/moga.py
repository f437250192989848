"""Multi-objective genetic search of an MLP topology (pymoo NSGA-II).

Loconsole et al. (2019), section "Feature selection and classification", choose the network
with a multi-objective genetic algorithm over

* the number of hidden layers, an integer in 1..3,
* the neurons of each layer: 1..256 for the first, 0..255 for the others,
* the transfer function of each layer: logsig, tansig, purelin or satlins.

The genome here is exactly that: ``[n_layers, n1, n2, n3, a1, a2, a3]`` (integers; ``a`` are
indices into :data:`tremorlab.learn.mlp.ACTIVATIONS`; a layer beyond ``n_layers`` or with 0
neurons is absent).  The search is pymoo's NSGA-II with integer sampling, simulated binary
crossover and polynomial mutation, both rounded back to integers.

The paper does not say which objectives the GA optimises.  We minimise two:

1. **error**: 1 - mean accuracy of the topology over ``n_repeats`` repetitions (different
   initial weights and train/validation/test permutations; the same repetitions for every
   individual, i.e. common random numbers, so individuals are compared on equal terms), and
2. **size**: the number of weights and biases of the network (parsimony, which also keeps the
   250-repetition evaluation affordable).

The topology reported is the member of the final Pareto front with the lowest error (ties:
the smaller network).  Genomes that decode to the same topology are evaluated once (cache).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from tremorlab import parallel

from tremorlab.learn.mlp import ACTIVATIONS, Topology

__all__ = ["GENOME_LOWER", "GENOME_UPPER", "decode", "MogaResult", "search_topology"]

#: Bounds of the genome ``[n_layers, n1, n2, n3, a1, a2, a3]`` (inclusive), the paper's ranges.
GENOME_LOWER = np.array([1, 1, 0, 0, 0, 0, 0])
GENOME_UPPER = np.array([3, 256, 255, 255, len(ACTIVATIONS) - 1, len(ACTIVATIONS) - 1, len(ACTIVATIONS) - 1])


def decode(genome) -> Topology:
    """Topology of a genome ``[n_layers, n1, n2, n3, a1, a2, a3]``."""
    g = np.asarray(np.round(genome), dtype=int)
    if g.shape != (7,) or (g < GENOME_LOWER).any() or (g > GENOME_UPPER).any():
        raise ValueError(f"genome must be 7 integers within {GENOME_LOWER.tolist()}..{GENOME_UPPER.tolist()}, "
                         f"got {np.asarray(genome).tolist()}")
    return Topology.from_genome(g[0], g[1:4], g[4:7])


@dataclass
class MogaResult:
    """Outcome of :func:`search_topology`.

    Attributes
    ----------
    best : Topology -- lowest error on the final Pareto front (ties: fewer parameters)
    best_error : float
    pareto : list of (Topology, error, n_params), sorted by error
    history : list of dict per generation (min error, number of distinct topologies so far)
    n_evaluations : int -- distinct topologies trained (cache misses)
    n_requests : int -- fitness requests (including cache hits)
    """

    best: Topology
    best_error: float
    pareto: list
    history: list = field(default_factory=list)
    n_evaluations: int = 0
    n_requests: int = 0


def search_topology(X, y, fitness: Callable[[Topology], float], pop_size: int = 20, n_gen: int = 10, seed: int = 0,
                    upper=None) -> MogaResult:
    """NSGA-II search of the topology minimising (error, size).

    Parameters
    ----------
    X, y : the cases and labels the fitness is measured on
    fitness : callable
        ``fitness(topology) -> error in [0, 1]``; the paper's is ``1 - mean accuracy`` of the
        repeated evaluation, :func:`tremorlab.learn.repeated.error_fitness`.
    pop_size, n_gen : population size and number of generations
    seed : seeds pymoo
    upper : array of 7, optional
        Tighter upper bounds of the genome (e.g. smaller layers for a quick run); default the
        paper's :data:`GENOME_UPPER`.
    """
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.core.problem import Problem
    from pymoo.operators.crossover.sbx import SBX
    from pymoo.operators.mutation.pm import PM
    from pymoo.operators.repair.rounding import RoundingRepair
    from pymoo.operators.sampling.rnd import IntegerRandomSampling
    from pymoo.optimize import minimize

    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    n_classes = max(len(np.unique(y)), 2)
    hi = GENOME_UPPER if upper is None else np.minimum(np.asarray(upper, dtype=int), GENOME_UPPER)
    if (hi < GENOME_LOWER).any():
        raise ValueError(f"upper bounds {np.asarray(upper).tolist()} below the lower bounds {GENOME_LOWER.tolist()}")
    cache: dict[Topology, float] = {}
    counter = {"requests": 0}

    def objectives(g) -> tuple[float, float]:
        top = decode(g)
        counter["requests"] += 1
        if top not in cache:
            cache[top] = float(fitness(top))
        return cache[top], float(top.n_params(X.shape[1], n_classes))

    class _TopologyProblem(Problem):
        def __init__(self):
            super().__init__(n_var=7, n_obj=2, xl=GENOME_LOWER.astype(float), xu=hi.astype(float), vtype=int)

        def _evaluate(self, G, out, *args, **kwargs):
            # the population's new topologies are scored independently: one executor task each
            new = list(dict.fromkeys(t for t in map(decode, G) if t not in cache))
            cache.update(zip(new, map(float, parallel.pmap(fitness, new))))
            out["F"] = np.array([objectives(g) for g in G])

    history: list[dict] = []

    def callback(algorithm):
        F = algorithm.pop.get("F")
        history.append({"generation": int(algorithm.n_gen), "min_error": float(F[:, 0].min()),
                        "distinct_topologies": len(cache)})

    algorithm = NSGA2(pop_size=pop_size, sampling=IntegerRandomSampling(),
                      crossover=SBX(prob=0.9, eta=3.0, vtype=float, repair=RoundingRepair()),
                      mutation=PM(prob=1.0, eta=3.0, vtype=float, repair=RoundingRepair()),
                      eliminate_duplicates=True)
    res = minimize(_TopologyProblem(), algorithm, ("n_gen", n_gen), seed=seed, callback=callback, verbose=False)
    G = np.atleast_2d(res.X)
    F = np.atleast_2d(res.F)
    pareto = sorted({decode(g): (float(f[0]), int(f[1])) for g, f in zip(G, F)}.items(),
                    key=lambda kv: (kv[1][0], kv[1][1]))
    pareto = [(top, err, npar) for top, (err, npar) in pareto]
    best, best_err, _ = pareto[0]
    return MogaResult(best=best, best_error=best_err, pareto=pareto, history=history,
                      n_evaluations=len(cache), n_requests=counter["requests"])
