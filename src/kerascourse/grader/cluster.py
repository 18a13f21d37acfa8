"""Grade folders of submissions on a Dask cluster, one task per submission, each graded on a worker as the
local pool grades it (``pool.grade_in_worker``: a fresh grading process with its watchdog, the sandbox,
the trusted judge).

A task carries its submission's name and bytes, so workers need not see the client's files. They need
this package installed, the course checkout at the same path as the client's with its datasets prepared
(``make data``), and non-daemonic processes (``DASK_DISTRIBUTED__WORKER__DAEMON=False``), since a
daemonic one may not start the grading process.

The client writes each record once, when its task completes, with the pool's functions, and resumes as
the pool does. A dead worker's tasks run again on another; a submission whose tries all kill their worker
ends ``crashed`` after ``allowed-failures`` + 1 tries (``LOCAL_CONFIG`` for ``--cluster local``; a remote
scheduler's own configuration otherwise), as does a task that raises. Only as many tasks as the workers
have threads are in flight, so no worker holds a queue that its death would charge to other submissions
(and an adaptive cluster does not grow: scale it).
"""

import multiprocessing
import os
import tempfile
import uuid
from collections import defaultdict, deque
from contextlib import contextmanager
from pathlib import Path

import dask
import distributed
from distributed.comm import get_address_host

from kerascourse.grader import pool
from kerascourse.grader.results import Record, Status

# A LocalCluster's workers may start grading processes, and a submission that kills its worker is given
# up after three tries.
LOCAL_CONFIG = {"distributed.worker.daemon": False, "distributed.scheduler.allowed-failures": 2}
DAEMON_ERROR = ("this Dask worker is a daemonic process, which may not start the grading process: "
                "start the workers with DASK_DISTRIBUTED__WORKER__DAEMON=False")


@contextmanager
def connect(scheduler=None, workers=None):
    """A client of the cluster at ``scheduler``, or of a LocalCluster of ``workers`` worker processes
    (default: cores) with one thread each."""
    if scheduler:
        with distributed.Client(scheduler) as client:
            client.wait_for_workers(1)
            yield client
        return
    with dask.config.set(LOCAL_CONFIG), distributed.LocalCluster(
        n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        yield client


def grade_folder(settings, submissions_dir, out, client, *, force=False, progress=True):
    """Grade every submission into ``out`` on ``client``'s cluster; the records of all of them."""
    return grade_folders([(settings, submissions_dir, out)], client, force=force, progress=progress)[0]


def grade_folders(batches, client, *, force=False, progress=True):
    """``pool.grade_folders`` on ``client``'s cluster: the same files in each ``out``, the same records."""
    jobs, total = pool.list_jobs(batches, notebook_threads(client), force)
    labels = pool.job_labels(jobs)
    waiting, running, completed = deque(jobs), {}, distributed.as_completed()
    with pool.progress_bar(jobs, total, progress) as bar:
        submit_more(client, waiting, running, completed)
        for future in completed:
            path, out = running.pop(future)
            record, log = outcome(future, path)
            with open(out / pool.LOG, "a") as handle:
                handle.write(log)
            pool.write_record(out, record)
            pool.report_progress(bar, labels[path], record, progress)
            submit_more(client, waiting, running, completed)
    return pool.write_batches(batches)


def submit_more(client, waiting, running, completed):
    """Submit waiting jobs while fewer tasks are running than the workers have threads (at least one),
    each task keyed by its file's name and unique to this run."""
    while waiting and len(running) < max(1, sum(client.nthreads().values())):
        path, settings, out = waiting.popleft()
        future = client.submit(grade_task, path.name, path.read_bytes(), settings,
                               key=("kerascourse-grade", path.name, uuid.uuid4().hex))
        running[future] = (path, out)
        completed.add(future)


def outcome(future, path):
    """The record of a finished task and what the frameworks printed there; a ``crashed`` record when
    every worker it ran on died, or when it raised."""
    try:
        record, log = future.result()
    except distributed.KilledWorker as killed:
        reason = f"the grading worker died on each of the {killed.allowed_failures + 1} tries"
        return Record(path.name, Status.CRASHED, reason), ""
    except Exception as error:  # any other failure of one task is that submission's row, and the batch goes on
        return Record(path.name, Status.CRASHED, f"its grading task failed: {type(error).__name__}: {error}"), ""
    return Record.from_dict(record), log


def grade_task(name, content, settings):
    """On a worker: grade the submission ``name`` (its bytes ``content``) as the local pool does; the
    record as a dict and what the frameworks printed."""
    if multiprocessing.current_process().daemon:
        raise RuntimeError(DAEMON_ERROR)
    with tempfile.TemporaryDirectory(prefix="kerascourse-task-") as folder:
        path, log = Path(folder) / name, Path(folder) / pool.LOG
        path.write_bytes(content)
        pool.start_worker_server(log)
        record = pool.grade_in_worker(path, settings, log)
        return record.to_dict(), log.read_text(errors="replace") if log.exists() else ""


def notebook_threads(client):
    """CPU threads per notebook, as the pool gives them: each host's cores shared among the tasks it runs
    at once (the fewest over the hosts)."""
    tasks = defaultdict(int)
    for address, threads in client.nthreads().items():
        tasks[get_address_host(address)] += threads
    cores = {get_address_host(address): count for address, count in client.run(os.cpu_count).items()}
    return min(max(1, cores[host] // count) for host, count in tasks.items())
