"""Hints on demand: written next to each question in the master, at least two per question, never the
answer, shown one at a time, recorded in the notebook's outputs, and reported by the batch grader."""

import csv
import json

import nbformat
import pytest
from nbclient import NotebookClient
from test_lessons import LESSONS, questions, solution_lines

from kerascourse import ROOT
from kerascourse.authoring import hints as authoring_hints
from kerascourse.course import material
from kerascourse.grader import report, submissions
from kerascourse.grader.results import QuestionResult, Record, Status, write_csv


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_question_has_two_or_more_hints_and_none_gives_the_answer(lesson):
    hints = material.hints(lesson)
    assert sorted(hints) == sorted(questions(lesson))
    assert all(len(entries) >= authoring_hints.MIN_HINTS for entries in hints.values()), hints
    text = "\n".join(entry for entries in hints.values() for entry in entries)
    assert "{{" not in text
    assert not [line for line in solution_lines(lesson) if line in text], "a hint shows a line of the solution"


@pytest.mark.parametrize("lesson", LESSONS)
def test_hints_show_only_when_asked(lesson):
    student = (ROOT / "exercises" / lesson / f"{lesson}.ipynb").read_text()
    assert authoring_hints.HEADER not in student
    for entries in material.hints(lesson).values():
        assert json.dumps(entries[0])[1:-1] not in student


def test_a_question_without_enough_hints_stops_assign(tmp_path):
    master = nbformat.read(ROOT / "reference" / "01_tensors" / "01_tensors.ipynb", as_version=4)
    first = next(i for i, c in enumerate(master.cells) if c.source.startswith(authoring_hints.HEADER))
    master.cells[first].source = f'{authoring_hints.HEADER}\n- "only one"\n'
    path = tmp_path / "01_tensors.ipynb"
    nbformat.write(master, path)
    with pytest.raises(ValueError, match="q1 need at least 2 hints"):
        authoring_hints.extract(path)


def test_hints_are_progressive_and_recorded_in_the_notebook(tmp_path):
    """``hint("q1")`` three times then once more, and ``hint("q1", 1)``, in a real kernel: hints 1, 2, 3,
    3 again and 1, each output carrying its question and number; the grader counts three hints for q1."""
    cells = ['from kerascourse.course import setup_notebook\nhint = setup_notebook.hints("03_dnn")'] + [
        'hint("q1")'
    ] * 4 + ['hint("q1", 1)', 'hint("q9")']
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells])
    resources = {"metadata": {"path": str(tmp_path)}}
    NotebookClient(notebook, kernel_name="python3", timeout=60, resources=resources).execute()
    hints = material.hints("03_dnn")["q1"]
    shown = [cell.outputs[0] for cell in notebook.cells[1:6]]
    assert [o.metadata["kerascourse_hint"] for o in shown] == [
        {"question": "q1", "number": n} for n in (1, 2, 3, 3, 1)
    ]
    assert all(hints[n - 1] in o.data["text/markdown"] for o, n in zip(shown, (1, 2, 3, 3, 1), strict=True))
    assert "last hint" in shown[2].data["text/markdown"] and "last hint" not in shown[1].data["text/markdown"]
    assert "'q9' has no hints" in notebook.cells[6].outputs[0].data["text/markdown"]
    assert "kerascourse_hint" not in notebook.cells[6].outputs[0].metadata

    path = tmp_path / "submitted.ipynb"
    nbformat.write(notebook, path)
    submission = submissions.read(path)
    assert submission.hints == {"q1": 3}
    assert all(cell.outputs == [] for cell in submission.notebook.cells)  # the grader still runs it clean


def test_forged_hint_records_are_ignored(tmp_path):
    cell = nbformat.v4.new_code_cell("x = 1")
    cell.outputs = [nbformat.v4.new_output("display_data", {"text/plain": "x"}, metadata={"kerascourse_hint": m})
                    for m in ({"question": "q1", "number": "1"}, {"question": "../q", "number": 1},
                              {"question": "q2", "number": 10**9}, "q3", {"question": "q4", "number": 2})]
    path = tmp_path / "forged.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), path)
    assert submissions.read(path).hints == {"q4": 1}


def test_the_csv_and_the_report_show_hints_used_per_question(tmp_path):
    def record(name, hints):
        questions = {q: QuestionResult(q, possible_points=2.0) for q in ("q1", "q2")}
        return Record(name, Status.GRADED, max_score=4.0, questions=questions, hints=hints)

    records = [record("ada.ipynb", {"q1": 2}), record("bob.ipynb", {}), record("cy.ipynb", {"q1": 1, "q2": 3})]
    write_csv(tmp_path / "grades.csv", records)
    rows = list(csv.DictReader(open(tmp_path / "grades.csv")))
    assert [(r["q1 hints"], r["q2 hints"]) for r in rows] == [("2", "0"), ("0", "0"), ("1", "3")]
    assert [r["score"] for r in rows] == ["0.0"] * 3  # hints never change the score
    report.write(tmp_path / "report.html", records, "03_dnn")
    page = (tmp_path / "report.html").read_text()
    q1_row = next(row for row in page.split("<tr>") if row.startswith("<td>q1</td>"))
    assert q1_row.endswith("<td>2</td><td>3</td></tr>")  # two submissions used 3 hints in all
    assert "<td>q1: 1, q2: 3</td>" in page
    assert "2 hint(s) used" in report.feedback_markdown(records[0])
