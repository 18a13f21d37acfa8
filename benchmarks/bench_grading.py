"""Batch grading against a sequential loop of ``otter run``, and the same batch on a Dask LocalCluster
(``kerascourse grade --cluster local``) against the local pool, on the same 20 submissions, in one run.

    python benchmarks/bench_grading.py --out bench-out/grading.json [--count 20] [--workers 2]

Reports seconds per submission for each, the speed-up, the time the batch grader spends beyond
running the notebook itself, peak memory per worker (sandboxed notebook and judge), and the Dask path's
seconds per submission over the pool's (starting and stopping the cluster included, and each alone).
"""

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from kerascourse import ROOT
from kerascourse.grader import cluster, otter_run, pool
from kerascourse.grader.results import Status
from kerascourse.grader.settings import Settings

LESSON = "03_dnn"


def submissions(count, folder):
    """The first ``count`` sample submissions of the lesson, copied into ``folder``."""
    samples = sorted((ROOT / "autograder" / LESSON / "samples").glob("*.ipynb"))[:count]
    for path in samples:
        shutil.copy(path, folder / path.name)
    return sorted(folder.iterdir())


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "bench-out" / "grading.json")
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "submissions"
        folder.mkdir()
        files = submissions(args.count, folder)
        start = time.monotonic()
        for path in files:
            otter_run.otter_run(path, LESSON)
        otter_seconds = time.monotonic() - start
        start = time.monotonic()
        records = pool.grade_folder(Settings(LESSON), folder, Path(scratch) / "out", workers=args.workers)
        batch_seconds = time.monotonic() - start
        start = time.monotonic()
        with cluster.connect(workers=args.workers) as client:
            started = time.monotonic()
            dask_records = cluster.grade_folder(Settings(LESSON), folder, Path(scratch) / "dask-out", client)
            graded = time.monotonic()
        dask_seconds = time.monotonic() - start
    overhead = [r.worker_seconds - r.seconds for r in records]
    figures = {
        "submissions": len(files),
        "cpu_count": os.cpu_count(),
        "workers": args.workers,
        "otter_run_sequential_s_per_submission": round(otter_seconds / len(files), 2),
        "batch_s_per_submission": round(batch_seconds / len(files), 2),
        "speedup": round(otter_seconds / batch_seconds, 2),
        "notebook_execution_s_median": round(statistics.median(r.seconds for r in records), 2),
        "grader_overhead_s_median": round(statistics.median(overhead), 2),
        "sandboxed_notebook_peak_mb_max": max(r.peak_mb for r in records),
        "judge_worker_peak_mb_max": max(r.worker_peak_mb for r in records),
        "statuses": {str(s): n for s in Status if (n := sum(r.status == s for r in records))},
        "dask_local_cluster_s_per_submission": round(dask_seconds / len(files), 2),
        "dask_over_pool": round(dask_seconds / batch_seconds, 2),
        "dask_local_cluster_start_s": round(started - start, 2),
        "dask_local_cluster_stop_s": round(start + dask_seconds - graded, 2),
        "dask_same_scores": [(r.status, r.score) for r in dask_records] == [(r.status, r.score) for r in records],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=1))
    for key, value in figures.items():
        print(f"{key:42s} {value}")


if __name__ == "__main__":
    main()
