"""The batch grader on every lesson's samples and hostile corpus: fair scores, clear statuses,
no hidden test text in anything a student sees, resumable runs, a report that renders."""

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from corpus import FOLDERS, SETTINGS
from failing import hidden_test_lines, raw_text_in

from kerascourse import ROOT
from kerascourse.authoring import samples
from kerascourse.authoring.verdicts import verdict
from kerascourse.grader import judge, pool
from kerascourse.grader.results import Status
from kerascourse.grader.settings import Settings, thread_env
from kerascourse.lessons import autograder_zip, lessons

LESSONS = lessons()
CORPUS = [
    (lesson, kind, path.name)
    for lesson, kind in FOLDERS
    for path in pool.submission_files(ROOT / "autograder" / lesson / kind)
]
HOSTILE_LESSON = next(lesson for lesson, kind in FOLDERS if kind == "hostile")


def test_parallel_notebooks_share_the_cores_instead_of_each_taking_all():
    assert thread_env(0) == {}
    assert thread_env(1) == {"TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1", "OMP_NUM_THREADS": "1"}


def test_a_workers_framework_messages_go_to_its_log_not_the_console(tmp_path, capfd):
    log, console = tmp_path / pool.LOG, os.dup(2)
    try:
        pool.send_stderr_to(log)
        os.write(2, b"WARNING:tensorflow:5 out of the last 9 calls triggered tf.function retracing\n")
    finally:
        os.dup2(console, 2)
        os.close(console)
    assert "retracing" in log.read_text()
    assert "retracing" not in capfd.readouterr().err


def test_grading_prints_a_line_per_file_and_leaves_the_frameworks_messages_in_the_log(tmp_path):
    folder, out = tmp_path / "submissions", tmp_path / "out"
    folder.mkdir()
    (folder / "ada.ipynb").write_bytes(b"")
    (folder / "notes.txt").write_text("")
    command = [Path(sys.executable).parent / "kerascourse", "grade", HOSTILE_LESSON, folder, out]
    run = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    skipped, told, result, summary = run.stdout.splitlines()
    assert str(out / pool.LOG) in told and skipped.startswith("skipped notes.txt: not a notebook")
    assert result.startswith(f"ada.ipynb: {Status.INVALID} 0/") and "the file is empty" in result
    assert summary == f"graded 1 submissions into {out}: 1 {Status.INVALID}"
    bar = [chunk for chunk in re.split(r"[\r\n]+", run.stderr) if chunk.strip()]
    assert bar and all("notebook" in chunk for chunk in bar), "only the progress bar: TensorFlow's lines go to the log"


def test_the_hostile_corpus_lives_with_one_lesson():
    assert [lesson for lesson, kind in FOLDERS if kind == "hostile"] == [HOSTILE_LESSON]


@pytest.mark.parametrize("lesson, kind, name", CORPUS, ids=["/".join(entry) for entry in CORPUS])
def test_each_submission_gets_its_due(graded, lesson, kind, name):
    record = graded[lesson, kind][1][name]
    assert verdict(lesson, kind, record) == "ok", json.dumps(record.to_dict(), indent=1)
    assert isinstance(record.status, Status) and (record.status == Status.GRADED or record.reason)


@pytest.mark.parametrize("lesson", LESSONS)
def test_the_stub_leaves_every_question_unattempted_and_the_reference_none(graded, lesson):
    out, records = graded[lesson, "samples"]
    assert records["stub.ipynb"].unattempted == list(records["stub.ipynb"].questions)
    assert records["reference.ipynb"].unattempted == []
    assert pool.read_record(out, "stub.ipynb").unattempted == records["stub.ipynb"].unattempted


@pytest.mark.parametrize("lesson", LESSONS)
def test_csv_has_one_row_per_file_with_question_columns(graded, lesson):
    for kind in [kind for name, kind in FOLDERS if name == lesson]:
        out, records = graded[lesson, kind]
        with open(out / "grades.csv") as handle:
            rows = list(csv.DictReader(handle))
        assert sorted(row["submission"] for row in rows) == sorted(records)
        questions = [test_file.name for test_file in judge.test_files(autograder_zip(lesson))]
        assert list(rows[0])[:4] == ["submission", "status", "score", "max_score"]
        assert all(q in rows[0] and f"{q} hints" in rows[0] for q in questions)
        for row in rows:
            record = records[row["submission"]]
            assert (row["status"], float(row["score"])) == (record.status, round(record.score, 4))
            assert [int(row[f"{q} hints"]) for q in questions] == [record.hints.get(q, 0) for q in questions]


@pytest.mark.parametrize("lesson", LESSONS)
def test_no_hidden_test_source_reaches_any_output(graded, lesson):
    with zipfile.ZipFile(autograder_zip(lesson)) as archive:
        test_text = "\n".join(archive.read(n).decode() for n in archive.namelist() if n.startswith("tests/"))
    markers = hidden_test_lines(test_text)
    assert markers, "the hidden tests should have distinctive lines"
    for kind in [kind for name, kind in FOLDERS if name == lesson]:
        out, _ = graded[lesson, kind]
        for path in out.rglob("*"):
            if path.is_file():
                text = path.read_text(errors="replace")
                leaked = [line for line in markers if line in text]
                assert not leaked, f"{path.relative_to(out)} shows hidden test source: {leaked[:2]}"


@pytest.mark.parametrize("lesson", LESSONS)
def test_no_feedback_shows_a_frameworks_raw_error_text(graded, lesson):
    for kind in [kind for name, kind in FOLDERS if name == lesson]:
        for name, record in graded[lesson, kind][1].items():
            for question in record.questions.values():
                for message in question.messages():
                    assert not raw_text_in(message), f"{kind}/{name} {question.name}: {message}"


def test_hostile_code_never_ran_outside_and_nothing_was_unpickled(graded):
    assert not Path("/tmp/kerascourse-pwned").exists()


@pytest.mark.parametrize("lesson", LESSONS)
def test_results_are_gradescope_json_and_feedback_exists(graded, lesson):
    out, records = graded[lesson, "samples"]
    result = json.loads((out / "results" / "reference.ipynb.json").read_text())
    assert result["score"] == pytest.approx(records["reference.ipynb"].max_score)
    assert {t["name"] for t in result["tests"]} >= {"q1", "q2", "q3", "q4", "q5"}
    assert all({"name", "score", "max_score", "output", "visibility"} <= set(t) for t in result["tests"])
    mistake = next(v for v in samples.load_variants(lesson) if v.kind == "mistake")
    filename = next(name for name, members in samples.plan(samples.load_variants(lesson)).items() if mistake in members)
    feedback = (out / "feedback" / f"{filename}.md").read_text()
    assert mistake.feedback in feedback and f"## {mistake.question}" in feedback


@pytest.mark.parametrize("lesson", LESSONS)
def test_a_rerun_resumes_without_grading_again(graded, lesson):
    out, records = graded[lesson, "samples"]
    before = {p.name: p.stat().st_mtime_ns for p in (out / "results").iterdir()}
    again = pool.grade_folder(Settings(lesson, **SETTINGS), ROOT / "autograder" / lesson / "samples", out,
                              progress=False)
    assert {p.name: p.stat().st_mtime_ns for p in (out / "results").iterdir()} == before
    assert [r.score for r in again] == [records[r.submission].score for r in again]


def test_force_grades_again_with_identical_results(graded, tmp_path):
    """On the lesson that also carries the hostile corpus: regrading is a property of the grader, and
    its notebooks are the cheapest to run twice."""
    out, records = graded[HOSTILE_LESSON, "samples"]
    chosen = tmp_path / "chosen"
    chosen.mkdir()
    for name in ("reference.ipynb", "mistakes-1.ipynb"):
        shutil.copy(ROOT / "autograder" / HOSTILE_LESSON / "samples" / name, chosen / name)
    regraded = pool.grade_folder(Settings(HOSTILE_LESSON, **SETTINGS), chosen, tmp_path / "out", force=True,
                                 progress=False)
    assert [record.submission for record in regraded] == ["mistakes-1.ipynb", "reference.ipynb"]
    for record in regraded:
        assert record.questions == records[record.submission].questions


def test_report_renders_in_a_real_browser(graded, tmp_path):
    out, records = graded[HOSTILE_LESSON, "hostile"]
    html = (out / "report.html").read_text()
    questions = {name for record in records.values() for name in record.questions}
    assert html.count("<img") == len(questions) + 2, "one histogram per question, the total and the run time"
    assert "tampered" in html and "Most common failing checks" in html and "Per question" in html
    assert all(record.submission in html for record in records.values())
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "install Debian's chromium (make does this) to render the report"
    screenshot = tmp_path / "report.png"
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={screenshot}",
         "--window-size=1280,2000", (out / "report.html").as_uri()],
        check=True, capture_output=True, timeout=120,
    )
    from PIL import Image

    image = Image.open(screenshot).convert("RGB")
    assert image.size == (1280, 2000)
    colours = image.getcolors(maxcolors=1_000_000)
    blue = sum(count for count, (r, g, b) in colours if b > 140 and r < 90)
    assert len(colours) > 50 and blue > 2_000, "the histograms should render as blue bars"


def test_hints_a_notebook_shows_are_reported_and_never_scored(graded):
    out, records = graded[HOSTILE_LESSON, "hostile"]
    record = records["hints-used.ipynb"]
    assert record.hints == {"q1": 2, "q2": 1}, "the forged hint records must be ignored"
    assert record.status == Status.GRADED and record.score == record.max_score
    with open(out / "grades.csv") as handle:
        row = next(row for row in csv.DictReader(handle) if row["submission"] == record.submission)
    assert (row["q1 hints"], row["q2 hints"], row["q3 hints"]) == ("2", "1", "0")
    assert "<td>q1: 2, q2: 1</td>" in (out / "report.html").read_text()
    assert "2 hint(s) used" in (out / "feedback" / f"{record.submission}.md").read_text()
