"""The batch report's per-question analytics, from records the test makes."""

import re

import pytest

from kerascourse.grader import report
from kerascourse.grader.results import CaseResult, QuestionResult, Record, Status

POINTS = 2.0
FAILED = "CheckFailed: the output layer needs softmax"


def record(name, q1_passed, q2_passed, seconds, unattempted=()):
    def question(q, passed):
        return QuestionResult(q, [CaseResult(False, POINTS, passed, "" if passed else FAILED)])

    questions = {"q1": question("q1", q1_passed), "q2": question("q2", q2_passed)}
    score = sum(q.score for q in questions.values())
    return Record(name, Status.GRADED, score=score, max_score=2 * POINTS, questions=questions, seconds=seconds,
                  unattempted=list(unattempted))


RECORDS = [record("ada.ipynb", True, True, 10.0), record("bo b.ipynb", True, False, 20.0),
           record("cy.ipynb", False, False, 30.0, ["q2"]), record("dee.ipynb", True, False, 40.0)]


@pytest.fixture
def page(tmp_path):
    report.write(tmp_path / "report.html", RECORDS, "03_dnn")
    return (tmp_path / "report.html").read_text()


def cells(page, question):
    row = next(row for row in page.split("<tr>") if row.startswith(f"<td>{question}</td><td>"))
    return re.findall(r"<td>(.*?)</td>", row)


def percent(count):
    return f"{100 * count / len(RECORDS):.0f}%"


def test_each_question_shows_its_mean_and_the_shares_with_full_marks_nothing_not_attempted_and_its_check(page):
    for question in ("q1", "q2"):
        scores = [r.question(question).score for r in RECORDS]
        passed = sum(score == POINTS for score in scores)
        failed = len(RECORDS) - passed
        unattempted = sum(question in r.unattempted for r in RECORDS)
        assert cells(page, question) == [
            question, f"{POINTS:g}", f"{sum(scores) / len(scores):.2f}", percent(passed), percent(failed),
            percent(unattempted), FAILED, percent(failed), "0", "0",
        ]


def test_the_report_plots_run_times_and_links_every_submission_to_its_feedback(page):
    assert 'alt="time distribution"' in page
    assert page.count("<img") == len(RECORDS[0].questions) + 2
    assert '<a href="feedback/bo%20b.ipynb.md">bo b.ipynb</a>' in page
    assert all(f'href="feedback/{r.submission}.md"' in page for r in RECORDS if " " not in r.submission)
