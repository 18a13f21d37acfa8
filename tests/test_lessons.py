"""Every lesson: generated material in sync, no solutions in exercises/, and graders that grade fairly.

Grading runs each sample submission through ``otter run`` with the lesson's autograder zip: the
reference must score 100%, the stub 0, each known mistake must lose points on its question with
feedback that names it, and each valid alternative must score 100%.
"""

import re
import shutil
import zipfile

import nbformat
import pytest

from kerascourse import assign, cli, grading, samples

ROOT = assign.ROOT
LESSONS = assign.lessons()
SAMPLES = [
    (lesson, path.name)
    for lesson in LESSONS
    for path in sorted((ROOT / "autograder" / lesson / "samples").glob("*.ipynb"))
]
QUESTION = re.compile(r"^# BEGIN QUESTION\s*\nname:\s*(\S+)", re.MULTILINE)


def questions(lesson):
    master = nbformat.read(ROOT / "reference" / lesson / f"{lesson}.ipynb", as_version=4)
    return [m.group(1) for cell in master.cells if cell.cell_type == "raw" for m in QUESTION.finditer(cell.source)]


def files_under(folder):
    return {path.relative_to(folder): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_question_ships_three_mistakes_and_two_alternatives(lesson):
    variants = samples.load_variants(lesson)
    names = questions(lesson)
    assert len(names) >= 5
    for question in names:
        kinds = [v.kind for v in variants if v.question == question]
        assert kinds.count("mistake") >= 3, f"{question} needs at least three known mistakes"
        assert kinds.count("alternative") >= 2, f"{question} needs at least two valid alternatives"
    for variant in variants:
        assert variant.question in names and set(variant.answers) <= set(names)
        assert variant.kind == "alternative" or variant.feedback, f"{variant.name} must name its feedback"


@pytest.mark.parametrize("lesson", LESSONS)
def test_make_assign_reproduces_the_committed_files(lesson, tmp_path):
    shutil.copytree(ROOT / "reference", tmp_path / "reference")
    assign.assign(lesson, root=tmp_path)
    for folder in ("exercises", "autograder"):
        regenerated, committed = files_under(tmp_path / folder / lesson), files_under(ROOT / folder / lesson)
        assert sorted(regenerated) == sorted(committed), f"{folder}/{lesson}: run make assign"
        changed = [str(name) for name in regenerated if regenerated[name] != committed[name]]
        assert not changed, f"{folder}/{lesson} is out of date with its master, run make assign: {changed}"


def solution_lines(lesson):
    """Lines of the master's solutions that the prompt does not show."""
    master = nbformat.read(ROOT / "reference" / lesson / f"{lesson}.ipynb", as_version=4)
    hidden, shown = set(), set()
    for cell in master.cells:
        if cell.cell_type != "code" or not any(t.startswith("answer-") for t in cell.metadata.get("tags", [])):
            continue
        block = None
        for line in cell.source.splitlines():
            marker = line.strip()
            if marker.startswith("# BEGIN SOLUTION") or marker.endswith("# BEGIN PROMPT"):
                block = "solution" if "SOLUTION" in marker else "prompt"
            elif marker in ("# END SOLUTION",) or marker.endswith("# END PROMPT"):
                block = None
            elif marker.endswith("# SOLUTION"):
                hidden.add(marker.removesuffix("# SOLUTION").strip())
            elif block == "solution":
                hidden.add(marker)
            elif block == "prompt":
                shown.add(marker)
    return {line for line in hidden - shown if len(line) >= 12}


@pytest.mark.parametrize("lesson", LESSONS)
def test_exercises_hold_no_solution_and_no_hidden_test(lesson):
    student = nbformat.read(ROOT / "exercises" / lesson / f"{lesson}.ipynb", as_version=4)
    code = "\n".join(cell.source for cell in student.cells if cell.cell_type == "code")
    leaked = [line for line in solution_lines(lesson) if line in code]
    assert solution_lines(lesson), "the master notebook should have solutions"
    assert not leaked, f"solution code in the student notebook: {leaked}"
    assert "SOLUTION" not in code
    tests = list((ROOT / "exercises" / lesson / "tests").glob("*.py"))
    assert len(tests) == len(questions(lesson))
    for test in tests:
        assert "hidden=True" not in test.read_text(), f"{test.name} holds a hidden test"
    with zipfile.ZipFile(assign.autograder_zip(lesson)) as autograder:
        hidden = [name for name in autograder.namelist() if name.startswith("tests/")]
        assert any("hidden=True" in autograder.read(name).decode() for name in hidden)
        assert "files/kerascourse/checks.py" in autograder.namelist()


@pytest.fixture(scope="module")
def graded():
    """Every sample of every lesson graded once, in parallel: {(lesson, filename): Result}."""
    results = {}
    for lesson in LESSONS:
        folder = ROOT / "autograder" / lesson / "samples"
        notebooks = sorted(folder.glob("*.ipynb"))
        for result in grading.grade_all(notebooks, lesson):
            results[lesson, result.submission] = result
    return results


@pytest.mark.parametrize("lesson, sample", SAMPLES, ids=[f"{lesson}/{name}" for lesson, name in SAMPLES])
def test_sample_scores_as_it_should(graded, lesson, sample):
    expected = {variant.filename: variant for variant in samples.load_variants(lesson)}
    result = graded[lesson, sample]
    assert result.status == "graded", result.reason
    assert samples.judge(result, expected.get(sample)) == "ok", result.feedback


@pytest.mark.parametrize("lesson", LESSONS)
def test_reference_full_marks_and_stub_none(graded, lesson):
    reference, stub = graded[lesson, "reference.ipynb"], graded[lesson, "stub.ipynb"]
    assert reference.score == reference.max_score > 0
    assert stub.score == 0 and stub.max_score == reference.max_score
    assert set(reference.questions) == set(questions(lesson))


@pytest.mark.parametrize("lesson", LESSONS)
def test_grading_twice_gives_the_same_scores(graded, lesson):
    mistakes = [v.filename for v in samples.load_variants(lesson) if v.kind == "mistake"]
    again = grading.grade_all(
        [ROOT / "autograder" / lesson / "samples" / name for name in ("reference.ipynb", mistakes[-1])], lesson
    )
    for result in again:
        assert result.questions == graded[lesson, result.submission].questions


def test_a_grading_failure_gets_a_zero_and_a_reason(tmp_path):
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{ not json")
    result = grading.grade(broken, LESSONS[0])
    assert (result.status, result.score) == ("crashed", 0.0) and result.reason


@pytest.mark.parametrize("lesson", LESSONS[:1])
def test_check_exits_nonzero_unless_every_public_test_passes(lesson, capsys):
    assert cli.main(["check", lesson, str(ROOT / "autograder" / lesson / "samples" / "reference.ipynb")]) == 0
    assert cli.main(["check", lesson, str(ROOT / "exercises" / lesson / f"{lesson}.ipynb")]) == 1
    assert "public points" in capsys.readouterr().out
