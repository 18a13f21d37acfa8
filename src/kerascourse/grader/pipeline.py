"""Grade one submission, in named steps that each return a typed result or end the grading with a status:

1. ``read``: validate and normalise the file, refusing tampering found by a static scan;
2. ``execute``: run the notebook in the sandbox; its answers come back as one tar stream of data;
3. ``unpack``: take the stream apart on the trusted side, as hostile input, within limits;
4. ``load``: rebuild the answers from data (``loader``), within limits; a name that a cell which raised
   should have defined carries that cell's error (``cell_errors``);
5. ``judge``: run the public and hidden tests on them, in this process, where no student code ran.
"""

import json
import os
import shutil
import sys
import tarfile
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from kerascourse.course import data, setup_notebook
from kerascourse.grader import cell_errors, judge, loader, runner, sandbox, similarity, submissions
from kerascourse.grader.results import QuestionResult, Record, Status, total
from kerascourse.grader.settings import thread_env
from kerascourse.lessons import autograder_zip, grading_config


class Ended(Exception):
    """A step decided the submission's status; grading stops there."""

    def __init__(self, status, reason):
        super().__init__(reason)
        self.status, self.reason = status, reason


@dataclass
class Execution:
    peak_mb: float
    report: dict = field(default_factory=dict)  # the runner's report: errors, interrupted cells, timings


def read(path):
    try:
        submission = submissions.read(path)
    except submissions.Invalid as invalid:
        raise Ended(Status.INVALID, str(invalid)) from None
    if submission.tampering:
        raise Ended(Status.TAMPERED, "; ".join(submission.tampering))
    return submission


def execute(submission, names, probes, settings, work):
    """Run the notebook in the sandbox; its export stream lands in ``work / "export.tar"``."""
    notebook = work / "submission.ipynb"
    notebook.write_text(json.dumps(submission.notebook))
    scratch = sandbox.scratch(work)
    spec = {"notebook": str(notebook), "scratch": str(scratch), "names": names, "probes": probes,
            "cell_timeout": settings.cell_timeout}
    (work / "spec.json").write_text(json.dumps(spec))
    data_dir = data.data_dir()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(scratch / "work"),
        "TMPDIR": str(scratch / "work"),
        "MPLBACKEND": "Agg",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "KERASCOURSE_SIZE": "grading",
        "KERASCOURSE_DATA_DIR": str(data_dir),
        setup_notebook.GRADER_ENV: "1",  # the setup cell fetches no tests: the grader brings its own
        **thread_env(settings.threads),
    }
    try:
        outcome = sandbox.run(
            [sys.executable, "-m", "kerascourse.grader.runner", str(work / "spec.json")],
            work,
            timeout=settings.timeout,
            memory_mb=settings.memory_mb,
            disk_mb=settings.disk_mb,
            env=env,
            readable=[data_dir],
            stdout=work / "export.tar",
        )
    except sandbox.Unusable as unusable:
        raise Ended(Status.CRASHED, str(unusable)) from None
    if outcome.status == "memory":
        raise Ended(Status.MEMORY, f"the notebook used over {settings.memory_mb:g} MB and was stopped")
    if outcome.status == "timeout":
        raise Ended(Status.TIMEOUT, f"the notebook ran over {settings.timeout:g} s and was stopped")
    if outcome.status == "disk":
        raise Ended(Status.DISK, f"the notebook wrote over {2 * settings.disk_mb:g} MB and was stopped")
    return Execution(round(outcome.peak_mb), {"log_tail": outcome.log_tail})


def unpack(execution, work, limits):
    """Take the export stream apart into ``work / "export"``, as hostile input: plain files with plain
    names only, within ``limits``, copied without holding them in memory; the runner's report goes into
    ``execution.report``."""
    export = work / "export"
    export.mkdir()
    try:
        with tarfile.open(work / "export.tar", mode="r|") as tar:
            for count, member in enumerate(tar, start=1):
                name = _member_name(member, count, limits)
                source = tar.extractfile(member)
                if member.name == runner.REPORT:
                    if member.size > limits.json_mb * loader.MB:
                        raise Ended(Status.TAMPERED, f"the runner's report is {member.size / loader.MB:,.0f} MB")
                    execution.report.update(json.loads(source.read()))
                else:
                    with open(export / name, "wb") as target:
                        shutil.copyfileobj(source, target)
    except tarfile.TarError as error:
        if not execution.report.get("died"):
            execution.report.setdefault("export_error", f"the export stream is not readable ({error})")
    report = execution.report
    if report.get("links"):
        raise Ended(Status.TAMPERED, f"the notebook planted links where the grader reads its answers: "
                                     f"{', '.join(report['links'])}")
    if not (export / loader.MANIFEST).exists():
        reason = report.get("died") or report.get("export_error") or _last_line(report.get("log_tail", ""))
        raise Ended(Status.DISK if report.get("disk_full") else Status.CRASHED, reason)
    return export


def _member_name(member, count, limits):
    """The plain name of the runner's report or of an exported file; anything else ends the grading."""
    if count > limits.archive_members:
        raise Ended(Status.TAMPERED, f"the export holds over {limits.archive_members} files")
    folder, _, name = member.name.rpartition("/")
    plain = member.isreg() and name not in ("", ".", "..")
    if not plain or ((folder, name) != ("", runner.REPORT) and folder != runner.EXPORT_DIR):
        raise Ended(Status.TAMPERED, f"the export holds {member.name!r}, which the grader never writes")
    if member.size > limits.file_mb * loader.MB:
        raise Ended(Status.TAMPERED, f"the exported {name} is {member.size / loader.MB:,.0f} MB; "
                                     f"the limit is {limits.file_mb:g} MB")
    return name


def load(export, limits):
    try:
        answers = loader.load(export, limits)
    except loader.TooLarge as too_large:
        raise Ended(Status.TAMPERED, f"the exported answers are over the grader's limits: {too_large}") from None
    if answers.refused:
        reasons = "; ".join(f"{why} (for {', '.join(names)})" for why, names in answers.refused.items())
        raise Ended(Status.TAMPERED, f"the exported answers are over the grader's limits: {reasons}")
    return answers.env


def final_status(report, settings):
    """The status and reason of a notebook whose answers were judged, from the runner's report."""
    if report.get("interrupted"):
        cells = ", ".join(
            f"cell {entry['cell']} ran for {entry['seconds'] or settings.cell_timeout:.0f} s"
            for entry in report["interrupted"]
        )
        return Status.TIMEOUT, (
            f"{cells}: stopped at the cell limit of {settings.cell_timeout:g} s; the other cells were graded"
        )
    if report.get("died"):
        return Status.CRASHED, report["died"]
    if report.get("disk_full"):
        return Status.DISK, (
            f"the notebook filled the {settings.disk_mb:g} MB it may write, so its writes failed after that; "
            "the answers it had were graded"
        )
    return Status.GRADED, ""


def material(settings):
    """The lesson's test files and the probe calls its tests make: from the lesson's autograder zip and
    ``grading.yaml`` in the checkout, or from the unzipped autograder ``settings.source``."""
    root = Path(settings.root)
    autograder = settings.source or autograder_zip(settings.lesson, root)
    config = grading_config(settings.lesson, root, source=settings.source or None)
    return judge.test_files(autograder), config.get("probes", {})


def unattempted(notebook, settings):
    """The questions the notebook left as the lesson's stub has them; none known without the stub."""
    stub = similarity.default_stub(settings.lesson, settings.root)
    if settings.source or not stub.is_file():
        return []
    return similarity.unattempted(notebook, nbformat.read(stub, as_version=4))


@contextmanager
def timed(timings, step):
    started = time.monotonic()
    try:
        yield
    finally:
        timings[step] = round(time.monotonic() - started, 2)


def grade_submission(path, settings, limits=loader.LIMITS, on_step=lambda step, record: None):
    """Grade one file in this process (the notebook itself runs in the sandbox); ``on_step(name, record)``
    is told each step as it starts, with the record so far."""
    path = Path(path)
    files, probes = material(settings)
    possible = judge.possible_points(files)
    record = Record(
        submission=path.name,
        status=Status.GRADED,
        max_score=total(possible.values()),
        questions={name: QuestionResult(name, possible_points=points) for name, points in possible.items()},
    )
    timings = record.timings
    try:
        on_step("read", record)
        with timed(timings, "read"):
            submission = read(path)
        record.hints = submission.hints
        record.unattempted = unattempted(submission.notebook, settings)
        with tempfile.TemporaryDirectory(prefix="kerascourse-") as work:
            work = Path(work)
            on_step("execute", record)
            try:
                with timed(timings, "sandbox"):
                    execution = execute(submission, judge.needed_names(files), probes, settings, work)
            finally:
                record.seconds = timings["sandbox"]
            record.peak_mb = execution.peak_mb
            on_step("load", record)
            with timed(timings, "load"):
                export = unpack(execution, work, limits)
                timings.update({f"notebook_{k}": v for k, v in execution.report.get("timings", {}).items()})
                env = cell_errors.explain_missing(
                    load(export, limits), submission.notebook.cells, execution.report.get("errors", [])
                )
            on_step("judge", record)
            with timed(timings, "judge"):
                results = judge.run_tests(files, env)
        record.questions = {result.name: result for result in results}
        record.score = total(result.score for result in results)
        record.status, record.reason = final_status(execution.report, settings)
    except Ended as ended:
        record.status, record.reason = ended.status, ended.reason
    return record


def _last_line(text):
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "the notebook runner stopped without output"
