"""A seed sweep of chapter 5's paper preset on a SLURM cluster (dask-jobqueue).

    pip install dask-jobqueue          # not a dependency of tremorlab
    python book/examples/slurm_sweep.py

Each SLURM job runs one Dask worker process with one thread; the sweep's run folders are written
where every job can see them (a shared filesystem), here runs/ch5-paper-seeds.
"""

from dask_jobqueue import SLURMCluster

from tremorlab import sweep

cluster = SLURMCluster(queue="normal", cores=1, processes=1, memory="8GB", walltime="04:00:00",
                       job_extra_directives=["--cpus-per-task=1"])
cluster.scale(jobs=10)                     # ten workers, one per seed
try:
    table = sweep.sweep("05", [("seed", "0..9")], "runs/ch5-paper-seeds", preset="paper",
                        scheduler=cluster.scheduler_address)
    print("\n".join(sweep.summary_lines(table)))
finally:
    cluster.close()
