"""Grade folders of submissions: in parallel, resumably, one fresh worker process per submission.

Each worker is forked from a server that has already imported TensorFlow and runs ``pipeline`` on one
file. The worker is the trusted side, so it is held to limits of its own: a watchdog stops it when its
memory passes the notebook's limit or when it runs past the notebook's time plus the judge's, and the
submission gets a row that says so. The parent writes each result as soon as it is ready, so an
interrupted batch loses nothing.
"""

import ctypes
import functools
import json
import multiprocessing
import os
import resource
import signal
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, replace
from multiprocessing import forkserver
from pathlib import Path

import psutil
from tqdm import tqdm

from kerascourse.grader import report
from kerascourse.grader.results import Record, Status, gradescope_results, record_from_results, write_csv
from kerascourse.grader.settings import Settings, thread_env

SUFFIXES = (".ipynb", ".zip")
LOG = "grader.log"  # in each output folder: what TensorFlow and Keras print while the workers load and judge
# What a grading worker imports: TensorFlow, Keras, TFDS and otter, about 10 s of a fresh interpreter's
# time. Workers fork from a server that imported them once (multiprocessing's forkserver).
WORKER_MODULES = ["kerascourse.grader.pipeline"]
POLL_S = 0.1
PR_SET_PDEATHSIG = 1  # prctl(2)


def submission_files(folder):
    return sorted(path for path in Path(folder).iterdir() if path.is_file() and path.suffix in SUFFIXES)


def skipped_entries(folder):
    """``(name, why)`` for each entry of ``folder`` that is not graded, so that none is skipped silently."""
    graded = set(submission_files(folder))
    return [
        (path.name, "a folder: `kerascourse intake` takes the notebooks out of students' folders" if path.is_dir()
         else "not a notebook (.ipynb) or a zip holding one")
        for path in sorted(Path(folder).iterdir()) if path not in graded
    ]


@functools.cache
def worker_context():
    """Processes forked from a server that has imported ``WORKER_MODULES``, each used for one submission."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(WORKER_MODULES)
    return context


def start_worker_server(log):
    """Start the server that grading workers fork from (unless it runs), its standard error in ``log``:
    what TensorFlow prints while the server imports it goes there, not to the console."""
    worker_context()
    sys.stderr.flush()
    console = os.dup(sys.__stderr__.fileno())
    try:
        send_stderr_to(log)
        forkserver.ensure_running()
    finally:
        os.dup2(console, sys.__stderr__.fileno())
        os.close(console)


def grade_in_worker(path, settings, log, context=None):
    """Grade ``path`` in a fresh worker process held to the time and memory limits; a worker that dies,
    hangs or runs over still yields a record. What the frameworks print in the worker goes to ``log``.
    The worker comes from ``context`` (default: forked from the server of ``worker_context``)."""
    started = time.monotonic()
    deadline = settings.timeout + settings.judge_timeout
    with tempfile.TemporaryDirectory(prefix="kerascourse-job-") as job:
        job = Path(job)
        (job / "job.json").write_text(json.dumps({"path": str(path), "settings": asdict(settings), "log": str(log)}))
        worker = (context or worker_context()).Process(target=main, args=(str(job),))
        worker.start()
        over = _watch(worker, settings.memory_mb, deadline)
        if (job / "record.json").exists():
            record = Record.from_dict(json.loads((job / "record.json").read_text()))
        else:  # the worker was stopped or died: the record as it stood when its last step began
            step, record = "start", Record(path.name, Status.CRASHED)
            if (job / "step.json").exists():
                progress = json.loads((job / "step.json").read_text())
                step, record = progress["step"], Record.from_dict(progress["record"])
            record.status, record.reason = {
                "memory": (Status.MEMORY, f"grading its answers used over {settings.memory_mb:g} MB in the grader's "
                                          f"own process (step {step}) and was stopped"),
                "timeout": (Status.TIMEOUT, f"the grader stopped after {deadline:g} s, in step {step}"),
                None: (Status.CRASHED, f"the grading worker died in step {step}"),
            }[over]
    record.worker_seconds = round(time.monotonic() - started, 1)
    return record


def _watch(worker, memory_mb, deadline):
    """Wait for ``worker``; kill it and say why ("memory" or "timeout") when it passes a limit. Only the
    worker's own memory counts: the sandboxed notebook under it has a watchdog of its own."""
    started, watched = time.monotonic(), psutil.Process(worker.pid)
    while worker.is_alive():
        try:
            over_memory = watched.memory_info().rss > memory_mb * 2**20
        except psutil.NoSuchProcess:
            break
        over = "memory" if over_memory else "timeout" if time.monotonic() - started > deadline else None
        if over:
            worker.kill()
            worker.join()
            return over
        worker.join(POLL_S)
    worker.join()
    return None


def grade_folder(settings, submissions_dir, out, *, workers=None, force=False, progress=True):
    """Grade every submission into ``out``; returns the records of all submissions in the folder."""
    return grade_folders([(settings, submissions_dir, out)], workers=workers, force=force, progress=progress)[0]


def grade_folders(batches, *, workers=None, force=False, progress=True):
    """Grade several ``(settings, submissions folder, out)`` batches through one pool of workers, so that
    no core waits for the last notebook of one folder before the next folder starts; returns each
    batch's records."""
    workers = workers or os.cpu_count() or 1
    # Parallel notebooks that each start a thread per core oversubscribe the CPU and can run several
    # times slower than their share; each gets its share of the cores instead.
    threads = max(1, (os.cpu_count() or 1) // workers)
    jobs, total = list_jobs(batches, threads, force)
    labels = job_labels(jobs)
    if jobs:
        start_worker_server(jobs[0][2] / LOG)
    with ThreadPoolExecutor(max_workers=workers) as pool, progress_bar(jobs, total, progress) as bar:
        futures = {pool.submit(grade_in_worker, path, settings, out / LOG): (path, out) for path, settings, out in jobs}
        for future in as_completed(futures):
            (path, out), record = futures[future], future.result()
            write_record(out, record)
            report_progress(bar, labels[path], record, progress)
    return write_batches(batches)


def list_jobs(batches, threads, force):
    """``(path, settings, out)`` for each submission still to grade (each one with ``force``), its
    settings given ``threads`` per notebook unless they say; and how many submissions there are in all."""
    jobs, total = [], 0
    for settings, submissions_dir, out in batches:
        out = Path(out)
        for folder in ("results", "feedback"):
            (out / folder).mkdir(parents=True, exist_ok=True)
        settings = replace(settings, threads=settings.threads or threads)
        files = submission_files(submissions_dir)
        total += len(files)
        jobs += [
            (path, settings, out) for path in files if force or not (out / "results" / f"{path.name}.json").exists()
        ]
    return jobs, total


def progress_bar(jobs, total, progress):
    """The batch's progress bar, after saying where the workers' framework messages go."""
    if progress and jobs:
        folders = sorted({str(out) for _, _, out in jobs})
        where = f"{folders[0]}/{LOG}"
        if len(folders) > 1:
            where = f"{LOG} in each folder under {os.path.commonpath(folders)}"
        print(f"TensorFlow's and Keras's own messages go to {where}")
    return tqdm(total=total, initial=total - len(jobs), unit="notebook", disable=not progress)


def job_labels(jobs):
    """{path: how the console names it}: the file's name, under its folders when jobs come from several."""
    folders = {path.parent for path, _, _ in jobs}
    top = Path(os.path.commonpath(folders)) if len(folders) > 1 else None
    return {path: str(path.relative_to(top)) if top else path.name for path, _, _ in jobs}


def report_progress(bar, label, record, progress):
    """Advance the bar and print one line for ``record``: the file, its status and score, and why."""
    if progress:
        reason = f" ({record.reason.splitlines()[0][:200]})" if record.reason else ""
        bar.write(f"{label}: {record.status} {record.score:g}/{record.max_score:g}{reason}")
    bar.update()


def write_batches(batches):
    """Each batch's grades.csv and report.html, from the results of every submission in its folder;
    returns each batch's records."""
    results = []
    for settings, submissions_dir, out in batches:
        records = [read_record(Path(out), path.name) for path in submission_files(submissions_dir)]
        write_csv(Path(out) / "grades.csv", records)
        report.write(Path(out) / "report.html", records, settings.lesson)
        results.append(records)
    return results


def write_record(out, record):
    """The Gradescope results and the student feedback of one submission, written atomically."""
    _atomic_write(out / "feedback" / f"{record.submission}.md", report.feedback_markdown(record))
    results = gradescope_results(record, report.question_feedback)
    _atomic_write(out / "results" / f"{record.submission}.json", json.dumps(results, indent=1))


def read_record(out, submission):
    return record_from_results((out / "results" / f"{submission}.json").read_text())


def _atomic_write(path, text):
    temporary = path.with_suffix(path.suffix + ".part")
    temporary.write_text(text)
    temporary.replace(path)


def hold_threads(threads):
    """Keep this process's TensorFlow to ``threads`` threads (0: no limit); call before TensorFlow runs."""
    if threads:
        import tensorflow as tf

        os.environ.update(thread_env(threads))
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(1)


def send_stderr_to(log):
    """Append to ``log`` everything this process writes to standard error from now on: Python's warnings
    and TensorFlow's Python and C++ logs alike."""
    with open(log, "a") as file:
        os.dup2(file.fileno(), sys.__stderr__.fileno())


def die_with_parent():
    """Be killed when the process that started this worker dies (a killed Dask worker, a killed command),
    so that no grading runs on unwatched; the sandbox under it dies with it."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def main(job):
    from kerascourse.grader.pipeline import grade_submission

    die_with_parent()
    job = Path(job)
    spec = json.loads((job / "job.json").read_text())
    send_stderr_to(spec["log"])  # the console shows progress and results only
    settings = Settings(**spec["settings"])
    hold_threads(settings.threads)
    def on_step(step, record):
        (job / "step.json").write_text(json.dumps({"step": step, "record": record.to_dict()}))

    record = grade_submission(spec["path"], settings, on_step=on_step)
    record.worker_peak_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    (job / "record.json").write_text(json.dumps(record.to_dict()))
