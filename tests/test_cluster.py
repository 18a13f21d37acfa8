"""Grading on a Dask LocalCluster of two worker processes: the records and files the local pool writes,
and every submission graded and written exactly once when workers die."""

import csv
import os
import shutil
import signal
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import dask
import distributed
import pytest
from corpus import SETTINGS
from killing import KillOnStart

from kerascourse import ROOT
from kerascourse.grader import cluster, pool
from kerascourse.grader.results import Status
from kerascourse.grader.settings import Settings

LESSON = "12_deploy"  # the fewest sample notebooks
SAMPLES = ROOT / "autograder" / LESSON / "samples"
GRADED = [(LESSON, "samples")]  # what the session's pool grading must cover for these tests
CHEAPEST = ("stub.ipynb", "mistakes-3.ipynb")  # the lesson's two cheapest samples, the cheapest first
POISON = "kills-its-worker.ipynb"
BATCH = Settings(LESSON, **SETTINGS)


@pytest.fixture(scope="module")
def client():
    with cluster.connect(workers=2) as client:
        yield client


@pytest.fixture
def writes(monkeypatch):
    """How many times each submission's record was written."""
    counts, write = Counter(), pool.write_record

    def counted(out, record):
        counts[record.submission] += 1
        write(out, record)

    monkeypatch.setattr(pool, "write_record", counted)
    return counts


def few(folder, names, poison=None):
    folder.mkdir()
    for name in names:
        shutil.copy(SAMPLES / name, folder / name)
    if poison:
        shutil.copy(SAMPLES / "stub.ipynb", folder / poison)
    return folder


def rows(out):
    with open(out / "grades.csv") as handle:
        return list(csv.DictReader(handle))


def verdicts(records):
    """Status, score and score per question of each submission (a check's message may quote a measured
    time or size, which differs from run to run)."""
    return {r.submission: (r.status, r.score, {q: r.question(q).score for q in r.questions}) for r in records}


def expected_verdicts(graded, names):
    """The verdicts the local pool gave these samples."""
    _, expected = graded[LESSON, "samples"]
    return verdicts(expected[name] for name in names)


def test_a_cluster_grades_as_the_local_pool_does_and_writes_the_same_files(graded, client, tmp_path):
    pool_out, expected = graded[LESSON, "samples"]
    records = cluster.grade_folder(BATCH, SAMPLES, tmp_path, client, progress=False)
    assert verdicts(records) == verdicts(expected.values())
    assert (tmp_path / "grades.csv").read_text() == (pool_out / "grades.csv").read_text()
    for folder in ("results", "feedback"):
        assert sorted(os.listdir(tmp_path / folder)) == sorted(os.listdir(pool_out / folder))
    assert (tmp_path / "report.html").is_file() and (tmp_path / pool.LOG).is_file()
    again = cluster.grade_folder(BATCH, SAMPLES, tmp_path, client, progress=False)
    assert verdicts(again) == verdicts(records), "a rerun resumes from the results written"


def test_a_worker_killed_mid_batch_loses_no_submission_and_none_is_written_twice(graded, client, tmp_path, writes):
    out = tmp_path / "out"
    with ThreadPoolExecutor(max_workers=1) as thread:
        batch = thread.submit(cluster.grade_folder, BATCH, few(tmp_path / "few", CHEAPEST), out, client, progress=False)
        while not batch.done() and not any((out / "results").glob("*.json")):
            time.sleep(0.2)
        busy = [address for address, keys in client.processing().items() if keys]
        assert busy, "a task should still be running after the first result"
        os.kill(client.run(os.getpid, workers=busy[:1])[busy[0]], signal.SIGKILL)
        records = batch.result()
    assert verdicts(records) == expected_verdicts(graded, CHEAPEST)
    assert sorted(row["submission"] for row in rows(out)) == sorted(CHEAPEST)
    assert sorted(path.name for path in (out / "results").iterdir()) == sorted(f"{name}.json" for name in CHEAPEST)
    assert writes == dict.fromkeys(CHEAPEST, 1)


def test_a_submission_that_kills_every_worker_it_lands_on_ends_crashed_and_the_batch_goes_on(graded, client, tmp_path,
                                                                                           writes):
    client.register_plugin(KillOnStart(POISON))
    try:
        records = cluster.grade_folder(BATCH, few(tmp_path / "few", CHEAPEST, POISON), tmp_path / "out", client,
                                       progress=False)
    finally:
        client.unregister_worker_plugin(KillOnStart.name)
    by_name = {record.submission: record for record in records}
    tries = cluster.LOCAL_CONFIG["distributed.scheduler.allowed-failures"] + 1
    poisoned = by_name.pop(POISON)
    assert poisoned.status == Status.CRASHED
    assert poisoned.reason == f"the grading worker died on each of the {tries} tries"
    assert verdicts(by_name.values()) == expected_verdicts(graded, CHEAPEST)
    assert sorted(row["submission"] for row in rows(tmp_path / "out")) == sorted([*CHEAPEST, POISON])
    assert writes == dict.fromkeys([*CHEAPEST, POISON], 1)


def test_a_task_that_fails_gives_a_crashed_row_that_says_why(tmp_path):
    """Dask's default daemonic workers may not start the grading process: the task says how to start them."""
    with (
        dask.config.set({"distributed.worker.daemon": True}),  # Dask's default, which the module's client overrides
        distributed.LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None) as local,
        distributed.Client(local) as daemonic,
    ):
        [record] = cluster.grade_folder(BATCH, few(tmp_path / "few", CHEAPEST[:1]), tmp_path / "out", daemonic,
                                        progress=False)
    assert record.status == Status.CRASHED
    assert record.reason == f"its grading task failed: RuntimeError: {cluster.DAEMON_ERROR}"
    assert [row["status"] for row in rows(tmp_path / "out")] == [Status.CRASHED]
