"""The instructor's term: intake of LMS exports, late policies, overrides and the gradebook's CSVs."""

import csv
import json
import math
import zipfile
from datetime import timedelta

import pytest
import yaml

from kerascourse import cli
from kerascourse.grader.results import CaseResult, QuestionResult, Record, Status, gradescope_results
from kerascourse.term import config
from kerascourse.term.intake import intake

LESSON = "03_dnn"
NOTEBOOK = json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
ROSTER = [
    {"student_id": "s1", "name": "Ada Lovelace", "email": "ada@uni.edu", "lms_id": "101", "github": "ada-l"},
    {"student_id": "s2", "name": "Alan Turing", "email": "alan@uni.edu", "lms_id": "102", "github": "aturing"},
    {"student_id": "s3", "name": "Grace Hopper", "email": "grace@uni.edu", "lms_id": "103", "github": "ghopper",
     "extension_hours": "48"},
]
DEADLINE = "2026-10-01T23:00:00+00:00"


def write(path, text=NOTEBOOK):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def write_csv(path, rows):
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, sorted({key for row in rows for key in row}), restval="")
        writer.writeheader()
        writer.writerows(rows)
    return path


def read_csv(path):
    with open(path, newline="") as handle:
        return list(csv.reader(handle))


def by_status(rows, status):
    return {row["source"] if status == "skipped" else row["student_id"]: row
            for row in rows if row["status"] == status}


@pytest.fixture
def roster(tmp_path):
    return write_csv(tmp_path / "roster.csv", ROSTER)


def test_canvas_flat_files(tmp_path, roster):
    export = tmp_path / "export"
    write(export / f"lovelaceada_101_9001_{LESSON}.ipynb")
    write(export / f"turingalan_late_102_9002_{LESSON}-1.ipynb")
    write(export / "turingalan_late_102_9002_notes.txt", "notes")
    write(export / f"turingalan_late_102_9002_{LESSON}-checkpoint.ipynb")
    write(export / f"strangerx_999_9003_{LESSON}.ipynb")
    rows = intake(LESSON, export, tmp_path / "intake", roster, "canvas")
    submitted, missing, skipped = (by_status(rows, s) for s in ("submitted", "missing", "skipped"))
    assert set(submitted) == {"s1", "s2"} and set(missing) == {"s3"}
    assert submitted["s2"]["source"] == f"{LESSON}-1.ipynb"
    assert submitted["s1"]["reason"] == "time unknown" and submitted["s1"]["submitted_at"] == ""
    assert "roster" in skipped[f"strangerx_999_9003_{LESSON}.ipynb"]["reason"]
    assert "checkpoint" in skipped[f"{LESSON}-checkpoint.ipynb"]["reason"]
    assert "not a notebook" in skipped["notes.txt"]["reason"]
    assert sorted(p.name for p in (tmp_path / "intake").iterdir()) == ["intake.csv", "s1.ipynb", "s2.ipynb"]
    assert len(read_csv(tmp_path / "intake" / "intake.csv")) == 1 + len(rows)


@pytest.mark.parametrize("preset, folder", [
    ("moodle", "Ada Lovelace_55501_assignsubmission_file_"),
    ("github", f"{LESSON}-ada-l"),
])
def test_folder_presets_pick_the_notebook_inside(tmp_path, roster, preset, folder):
    export = tmp_path / "export"
    chosen = write(export / folder / "work" / f"{LESSON}.ipynb", NOTEBOOK.replace("[]", "[ ]"))
    write(export / folder / "work" / ".ipynb_checkpoints" / f"{LESSON}-checkpoint.ipynb")
    write(export / folder / "scratch.ipynb")
    write(export / "Nobody Known_55599_assignsubmission_file_" / f"{LESSON}.ipynb")
    manifest = write_csv(tmp_path / "times.csv", [{"student_id": "s1", "submitted_at": DEADLINE}])
    rows = intake(LESSON, export, tmp_path / "intake", roster, preset, manifest)
    submitted, skipped = by_status(rows, "submitted"), by_status(rows, "skipped")
    assert list(submitted) == ["s1"]
    assert submitted["s1"]["submitted_at"] == config.parse_time(DEADLINE).isoformat()
    assert (tmp_path / "intake" / "s1.ipynb").read_text() == chosen.read_text()
    assert {label.rsplit("/", 1)[-1] for label in skipped} == {
        f"{LESSON}-checkpoint.ipynb", "scratch.ipynb", "Nobody Known_55599_assignsubmission_file_"}


def test_gradescope_zip_gives_times(tmp_path, roster):
    metadata = {
        "submission_1": {":submitters:": [{":name:": "Grace Hopper", ":email:": "GRACE@uni.edu", ":sid:": ""}],
                         ":created_at:": "2026-10-02 01:30:00.123456789 +0000"},
        "submission_2": {":submitters:": [{":name:": "Eve", ":email:": "eve@x.org", ":sid:": "s9"}],
                         ":created_at:": "2026-10-01 10:00:00 +0000"},
        "submission_3": {":submitters:": [{":name:": "Ada", ":email:": "", ":sid:": "s1"},
                                          {":name:": "Alan", ":email:": "alan@uni.edu"}],
                         ":created_at:": "2026-10-01 10:00:00 +0000"},
    }
    export = tmp_path / "export.zip"
    with zipfile.ZipFile(export, "w") as archive:
        archive.writestr("assignment_1_export/submission_metadata.yml", yaml.safe_dump(metadata))
        archive.writestr(f"assignment_1_export/submission_1/{LESSON}.ipynb", NOTEBOOK)
        archive.writestr(f"assignment_1_export/submission_2/{LESSON}.ipynb", NOTEBOOK)
        archive.writestr(f"assignment_1_export/submission_3/{LESSON}.ipynb", NOTEBOOK)
    rows = intake(LESSON, export, tmp_path / "intake", roster, "gradescope")
    submitted, skipped = by_status(rows, "submitted"), by_status(rows, "skipped")
    assert list(submitted) == ["s1", "s2", "s3"] and list(skipped) == ["submission_2"]
    assert submitted["s1"]["submitted_at"] == submitted["s2"]["submitted_at"]  # a group submission
    assert config.parse_time(submitted["s3"]["submitted_at"]) == config.parse_time("2026-10-02T01:30:00.123456Z")


@pytest.mark.parametrize("policy", [
    {"kind": "zero"},
    {"kind": "per_hour", "percent": 10, "cap": 50},
    {"kind": "per_day", "percent": 10},
])
@pytest.mark.parametrize("late", [timedelta(minutes=10), timedelta(hours=2, minutes=30), timedelta(hours=30)])
def test_late_policies(policy, late):
    term = config.Term(LESSON, config.parse_time(DEADLINE), 15, config.Policy(**policy))
    deadline = config.parse_time(DEADLINE)
    hours = term.late_hours(deadline + late)
    fraction = term.policy.fraction(hours)
    if late <= timedelta(minutes=15):
        assert hours == 0 and fraction == 0
        return
    assert hours == late / timedelta(hours=1)
    if policy["kind"] == "zero":
        expected = 1
    else:
        started = math.ceil(hours if policy["kind"] == "per_hour" else hours / 24)
        expected = min(policy.get("cap", 100), policy["percent"] * started) / 100
    assert fraction == pytest.approx(expected)
    assert term.late_hours(deadline + late, extension_hours=late / timedelta(hours=1)) == 0
    assert term.late_hours(None) == 0


def record(name, q1, q2):
    cases = {"q1": [(q1, 2.0)], "q2": [(q2, 1.0), (True, 1.0)]}
    questions = {q: QuestionResult(q, [CaseResult(False, points, passed) for passed, points in c])
                 for q, c in cases.items()}
    result = Record(name, Status.GRADED, questions=questions)
    result.score = sum(q.score for q in questions.values())
    result.max_score = sum(q.possible for q in questions.values())
    return result


def write_results(out, result):
    write(out / "results" / f"{result.submission}.json",
          json.dumps(gradescope_results(result, lambda question: f"{question.score} points")))
    write(out / "feedback" / f"{result.submission}.md", f"# {result.submission}\n")


def test_gradebook_with_late_work_overrides_and_canvas(tmp_path, roster):
    export = tmp_path / "export"
    for lms in ("101", "102"):
        write(export / f"student_{lms}_1_{LESSON}.ipynb")
    deadline = config.parse_time(DEADLINE)
    late = deadline + timedelta(hours=3, minutes=20)
    write_csv(tmp_path / "times.csv", [{"student_id": "s1", "submitted_at": late.isoformat()},
                                       {"student_id": "s2", "submitted_at": deadline.isoformat()}])
    intake(LESSON, export, tmp_path / "intake", roster, "canvas", tmp_path / "times.csv")
    write_csv(tmp_path / "overrides.csv", [
        {"student_id": "s1", "question": "q1", "points": "1.5", "comment": "partial credit", "who": "TA Kim"},
        {"student_id": "s2", "question": "q2", "delta": "5", "comment": "regrade request", "who": "Prof"},
        {"student_id": "s2", "question": "q9", "points": "1", "comment": "typo", "who": "Prof"},
    ])
    (tmp_path / "term.yaml").write_text(yaml.safe_dump({
        "deadline": DEADLINE, "grace_minutes": 15, "policy": {"kind": "per_hour", "percent": 10, "cap": 50},
        "roster": "roster.csv", "preset": "canvas", "intake": "intake", "overrides": "overrides.csv",
        "canvas_assignment": "DNN (4242)"}))
    out, book = tmp_path / "out", tmp_path / "book"
    write_results(out, record("s1.ipynb", False, False))
    write_results(out, record("s2.ipynb", True, False))
    argv = ["gradebook", LESSON, str(out), str(book), "--term", str(tmp_path / "term.yaml")]
    assert cli.main(argv) == 0
    first = read_csv(book / "grades.csv")

    # A regrade rewrites the results; the overrides still apply on top of the new scores.
    write_results(out, record("s1.ipynb", True, True))
    assert cli.main(argv) == 0
    header, *rows = read_csv(book / "grades.csv")
    grades = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert header[:4] == ["student_id", "name", "status", "raw"] and header[4:6] == ["q1", "q2"]
    assert first[1] != rows[0] and first[2] == rows[1]

    hours = (late - deadline) / timedelta(hours=1)
    s1, s2, s3 = grades["s1"], grades["s2"], grades["s3"]
    regraded = record("s1.ipynb", True, True)
    assert float(s1["raw"]) == regraded.score and float(s1["q1"]) == 1.5
    assert float(s1["q2"]) == regraded.questions["q2"].score
    after_overrides = 1.5 + regraded.questions["q2"].score
    assert float(s1["late_hours"]) == pytest.approx(hours, abs=1e-4)
    assert float(s1["penalty"]) == pytest.approx(after_overrides * min(50, 10 * math.ceil(hours)) / 100)
    assert float(s1["final"]) == pytest.approx(after_overrides - float(s1["penalty"]))
    on_time = record("s2.ipynb", True, False)
    assert float(s2["q2"]) == on_time.questions["q2"].possible  # a delta stays within the question's points
    assert float(s2["penalty"]) == 0 and float(s2["final"]) == on_time.max_score
    assert s3["status"] == "missing" and float(s3["final"]) == 0

    feedback = (book / "feedback" / "s1.md").read_text()
    assert feedback.startswith("# s1.ipynb\n") and "## Overrides" in feedback
    assert "partial credit" in feedback and "TA Kim" in feedback
    assert (out / "feedback" / "s1.ipynb.md").read_text() == "# s1.ipynb\n"

    canvas = read_csv(book / "canvas.csv")
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "DNN (4242)"]
    assert canvas[1] == ["Points Possible", "", "", "", "", str(regraded.max_score)]
    assert [row[:3] for row in canvas[2:]] == [[s["name"], s["lms_id"], s["student_id"]] for s in ROSTER]
    assert [float(row[5]) for row in canvas[2:]] == [float(grades[s["student_id"]]["final"]) for s in ROSTER]
    assert [row[5] for row in canvas[2:]] == [grades[s["student_id"]]["final"] for s in ROSTER]
    assert "q9" in s2["reason"]  # an override of an unknown question is reported, not applied

    (out / "results" / "s2.ipynb.json").unlink()
    assert cli.main(argv) == 0
    ungraded = read_csv(book / "grades.csv")[2]
    assert ungraded[header.index("status")] == "ungraded" and float(ungraded[header.index("final")]) == 0


def test_override_needs_points_or_delta(tmp_path):
    from kerascourse.term.gradebook import read_overrides

    path = write_csv(tmp_path / "o.csv", [{"student_id": "s1", "question": "q1", "points": "1", "delta": "1"}])
    with pytest.raises(ValueError, match="points or delta"):
        read_overrides(path)


def test_intake_command_prints_each_skipped_thing(tmp_path, roster, capsys):
    export = tmp_path / "export"
    write(export / f"lovelaceada_101_9001_{LESSON}.ipynb")
    write(export / "readme.txt", "hello")
    argv = ["intake", LESSON, str(export), str(tmp_path / "intake"), "--roster", str(roster), "--preset", "canvas"]
    assert cli.main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("skipped readme.txt:")
    assert lines[-1].endswith("1 submitted, 2 missing, 1 skipped")
    assert cli.main([*argv[:-1], "gradescope"]) == 2  # a Canvas folder is no Gradescope export
    (tmp_path / "term.yaml").write_text(yaml.safe_dump({"deadline": DEADLINE, "roster": roster.name,
                                                        "preset": "canvas"}))
    capsys.readouterr()
    assert cli.main([*argv[:4], "--term", str(tmp_path / "term.yaml")]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == lines[-1]
    assert cli.main(argv[:4]) == 2


def test_a_courses_own_naming_matches_files_and_folders_by_a_pattern(tmp_path, roster, capsys):
    export = tmp_path / "export"
    write(export / f"s1_{LESSON}.ipynb")
    write(export / "S2" / "work" / f"{LESSON}.ipynb")
    write(export / f"s9_{LESSON}.ipynb")
    term = {"deadline": DEADLINE, "roster": roster.name, "preset": "pattern", "pattern": r"^(?P<key>s\d+)(_|$)"}
    (tmp_path / "term.yaml").write_text(yaml.safe_dump(term))
    argv = ["intake", LESSON, str(export), str(tmp_path / "intake"), "--term", str(tmp_path / "term.yaml")]
    assert cli.main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"skipped s9_{LESSON}.ipynb: matches no roster student_id",
                     f"intake into {tmp_path / 'intake'}: 2 submitted, 1 missing, 1 skipped"]
    assert sorted(path.name for path in (tmp_path / "intake").iterdir()) == ["intake.csv", "s1.ipynb", "s2.ipynb"]
    emails = tmp_path / "emails"
    write(emails / f"ada@uni.edu_{LESSON}.ipynb")
    write(emails / "Alan@Uni.edu" / f"{LESSON}.ipynb")
    rows = intake(LESSON, emails, tmp_path / "by-email", roster, "pattern",
                  naming=config.Naming(r"^(?P<key>[\w.]+@[\w.]+?)(_|$)", "email"))
    assert sorted(by_status(rows, "submitted")) == ["s1", "s2"] and list(by_status(rows, "missing")) == ["s3"]
    for wrong, message in [(r"^s\d+", "group named key"), (r"(?P<key>", "not a regular expression")]:
        with pytest.raises(ValueError, match=message):
            intake(LESSON, export, tmp_path / "wrong", roster, "pattern", naming=config.Naming(wrong))
    with pytest.raises(ValueError, match="no column 'phone'"):
        intake(LESSON, export, tmp_path / "wrong", roster, "pattern", naming=config.Naming(r"(?P<key>\d+)", "phone"))
    assert cli.main([*argv[:4], "--roster", str(roster), "--preset", "pattern"]) == 2  # no pattern given
