"""Grade a folder of submissions: sandboxed, in parallel, resumable, with a report.

Per submission, in a fresh process forked from a server that has already imported TensorFlow:
1. read and validate the file (``submissions``), refusing tampering found by a static scan;
2. run the notebook in the sandbox and export the names the tests need (``execute``);
3. load the exports safely and run public and hidden tests here (``judge``), where no
   student code has run.
The parent writes each result as soon as it is ready, so an interrupted batch loses nothing.
"""

import csv
import functools
import json
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from tqdm import tqdm

from kerascourse import ROOT, report
from kerascourse.assign import autograder_zip, grading_config

STATUSES = ("graded", "timeout", "memory", "crashed", "invalid", "tampered")
SUFFIXES = (".ipynb", ".zip")
# What a grading worker imports: TensorFlow, Keras, TFDS and otter, about 10 s of a fresh interpreter's
# time. Workers fork from a server that imported them once (multiprocessing's forkserver).
WORKER_MODULES = [
    "kerascourse.data", "kerascourse.export", "kerascourse.judge", "kerascourse.sandbox", "kerascourse.submissions"
]


@dataclass
class Settings:
    lesson: str
    timeout: float = 600.0  # seconds for a whole notebook
    cell_timeout: float = 60.0  # seconds before a cell is interrupted
    memory_mb: float = 3000.0
    root: str = str(ROOT)
    threads: int = 0  # CPU threads per notebook and judge; 0: the cores shared among the parallel notebooks


def thread_env(threads):
    """Environment variables that hold TensorFlow and oneDNN to ``threads`` threads (none for 0)."""
    if not threads:
        return {}
    return {"TF_NUM_INTRAOP_THREADS": str(threads), "TF_NUM_INTEROP_THREADS": "1", "OMP_NUM_THREADS": str(threads)}


@dataclass
class Record:
    submission: str
    status: str
    reason: str = ""
    score: float = 0.0
    max_score: float = 0.0
    questions: dict = field(default_factory=dict)  # name -> QuestionResult.as_dict()
    seconds: float = 0.0  # running the notebook in the sandbox
    peak_mb: float = 0.0  # the sandboxed notebook's peak memory
    worker_seconds: float = 0.0  # the whole worker: reading, sandbox, export and tests
    worker_peak_mb: float = 0.0  # the worker's own peak memory (judge side)


def grade_submission(path, settings):
    """Grade one file in this process; the notebook itself runs in the sandbox."""
    from kerascourse import data, export, judge, sandbox, submissions

    path = Path(path)
    files = judge.test_files(autograder_zip(settings.lesson, Path(settings.root)))
    possible = {f.name: judge.total(case.points for case in f.test_cases) for f in files}
    blank = {name: {"score": 0.0, "possible": points, "cases": []} for name, points in possible.items()}
    record = Record(submission=path.name, status="graded", max_score=judge.total(possible.values()), questions=blank)
    try:
        submission = submissions.read(path)
    except submissions.Invalid as invalid:
        record.status, record.reason = "invalid", str(invalid)
        return record
    if submission.tampering:
        record.status, record.reason = "tampered", "; ".join(submission.tampering)
        return record
    with tempfile.TemporaryDirectory(prefix="kerascourse-") as work, tempfile.TemporaryDirectory() as private:
        work = Path(work)
        notebook = work / "submission.ipynb"
        notebook.write_text(json.dumps(submission.notebook))
        spec = {
            "notebook": str(notebook),
            "export_dir": str(work / "export"),
            "names": judge.needed_names(files),
            "probes": grading_config(settings.lesson, Path(settings.root)).get("probes", {}),
            "cell_timeout": settings.cell_timeout,
            "report": str(work / "report.json"),
        }
        (work / "spec.json").write_text(json.dumps(spec))
        (work / "home").mkdir()
        data_dir = data.data_dir()
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(work / "home"),
            "MPLBACKEND": "Agg",
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "KERASCOURSE_SIZE": "grading",
            "KERASCOURSE_DATA_DIR": str(data_dir),
            **thread_env(settings.threads),
        }
        outcome = sandbox.run(
            [sys.executable, "-m", "kerascourse.execute", str(work / "spec.json")],
            work,
            timeout=settings.timeout,
            memory_mb=settings.memory_mb,
            env=env,
            readable=[data_dir],
            log=Path(private) / "runner.log",
        )
        record.seconds, record.peak_mb = round(outcome.seconds, 1), round(outcome.peak_mb)
        if outcome.status == "memory":
            record.status, record.reason = "memory", f"the notebook used over {settings.memory_mb:g} MB and was stopped"
            return record
        if outcome.status == "timeout":
            record.status, record.reason = "timeout", f"the notebook ran over {settings.timeout:g} s and was stopped"
            return record
        links = planted_links(work)
        if links:
            record.status = "tampered"
            record.reason = f"the notebook planted links where the grader reads its answers: {', '.join(links)}"
            return record
        report = json.loads((work / "report.json").read_text()) if (work / "report.json").exists() else {}
        if not (work / "export" / export.MANIFEST).exists():
            record.status = "crashed"
            record.reason = report.get("died") or report.get("export_error") or _last_line(outcome.log_tail)
            return record
        results = judge.run_tests(files, export.load(work / "export"))
    record.questions = {result.name: result.as_dict() for result in results}
    record.score = judge.total(result.score for result in results)
    if report.get("interrupted"):
        record.status = "timeout"
        cells = ", ".join(report["interrupted"])
        record.reason = f"{cells} ran over {settings.cell_timeout:g} s and was stopped; the other cells were graded"
    elif report.get("died"):
        record.status, record.reason = "crashed", report["died"]
    return record


def planted_links(work):
    """Symbolic links in what the grader reads back; following one could expose the grader's files."""
    candidates = [work / "report.json", work / "export", *(work / "export").rglob("*")]
    return sorted(str(path.relative_to(work)) for path in candidates if path.is_symlink())


def _last_line(text):
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "the notebook runner stopped without output"


# --- the batch ---------------------------------------------------------------------------


def submission_files(folder):
    return sorted(path for path in Path(folder).iterdir() if path.is_file() and path.suffix in SUFFIXES)


@functools.cache
def worker_context():
    """Processes forked from a server that has imported ``WORKER_MODULES``, each used for one submission."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(WORKER_MODULES)
    return context


def grade_in_worker(path, settings, timeout):
    """Grade ``path`` in a fresh worker process; a worker that dies or hangs still yields a record."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kerascourse-job-") as job:
        job = Path(job)
        (job / "job.json").write_text(json.dumps({"path": str(path), "settings": asdict(settings)}))
        worker = worker_context().Process(target=main, args=(str(job),))
        worker.start()
        worker.join(timeout)
        if worker.is_alive():
            worker.kill()
            worker.join()
            return Record(submission=path.name, status="timeout", reason="the grader itself timed out")
        result = job / "record.json"
        if not result.exists():
            return Record(submission=path.name, status="crashed", reason="the grading worker died")
        record = Record(**json.loads(result.read_text()))
    record.worker_seconds = round(time.monotonic() - started, 1)
    return record


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
    with ThreadPoolExecutor(max_workers=workers) as pool, tqdm(
        total=total, initial=total - len(jobs), unit="notebook", disable=not progress
    ) as bar:
        futures = {
            pool.submit(grade_in_worker, path, settings, settings.timeout + 300): out for path, settings, out in jobs
        }
        for future in as_completed(futures):
            write_record(futures[future], future.result())
            bar.update()
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
    _atomic_write(out / "results" / f"{record.submission}.json", json.dumps(gradescope_results(record), indent=1))


def read_record(out, submission):
    return Record(**json.loads((out / "results" / f"{submission}.json").read_text())["extra_data"]["record"])


def gradescope_results(record):
    """Gradescope's results format; per question only what a student may see."""
    tests = [
        {
            "name": name,
            "score": question["score"],
            "max_score": question["possible"],
            "output": report.question_feedback(question),
            "visibility": "visible",
        }
        for name, question in record.questions.items()
    ]
    output = f"Status: {record.status}." + (f" {record.reason}" if record.reason else "")
    return {"score": record.score, "output": output, "tests": tests, "extra_data": {"record": asdict(record)}}


def write_csv(path, records):
    questions = sorted({name for record in records for name in record.questions})
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["submission", "status", "score", "max_score", *questions, "reason"])
        for record in records:
            scores = [round(float(record.questions.get(q, {}).get("score", 0.0)), 4) for q in questions]
            writer.writerow([record.submission, record.status, round(float(record.score), 4), record.max_score, *scores,
                             record.reason])


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


def main(job):
    job = Path(job)
    spec = json.loads((job / "job.json").read_text())
    settings = Settings(**spec["settings"])
    hold_threads(settings.threads)
    record = grade_submission(spec["path"], settings)
    record.worker_peak_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    (job / "record.json").write_text(json.dumps(asdict(record)))
