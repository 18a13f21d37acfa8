"""Every lesson: generated material in sync, no solutions in exercises/, a working autograder zip."""

import ast
import json
import re
import shutil
import time
import zipfile

import budget
import nbformat
import pytest
from imported import kerascourse_modules

from kerascourse import ROOT
from kerascourse.authoring import assign, course_home, samples
from kerascourse.grader import otter_run
from kerascourse.lessons import autograder_zip, lessons

LESSONS = lessons()
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


def library_calls_missing(source):
    """``module.name`` references in a test's source to kerascourse modules that lack ``name``."""
    tree = ast.parse(source)
    modules = kerascourse_modules(tree)
    return [
        f"{node.value.id}.{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules
        and not hasattr(modules[node.value.id], node.attr)
    ]


@pytest.mark.parametrize("lesson", LESSONS)
def test_tests_call_only_what_the_library_has(lesson):
    """A test calling a check the library no longer has would fail every notebook, the reference too."""
    with zipfile.ZipFile(ROOT / "autograder" / lesson / f"{lesson}-autograder.zip") as archive:
        names = [n for n in archive.namelist() if n.startswith("tests/") and n.endswith(".py")]
        missing = [call for n in names for call in library_calls_missing(archive.read(n).decode())]
    assert names and not missing, f"{lesson}'s tests call what kerascourse lacks: {missing}"


def test_missing_library_calls_are_found():
    source = (
        "def test_q(x):\n    from kerascourse import checks\n    from kerascourse.checks import cnn as cnn_checks\n"
        "    checks.require_model(x, 'x')\n    checks.gone(x)\n    cnn_checks.require_conv_stack(x, 'x')\n"
        "    cnn_checks.gone(x)"
    )
    assert library_calls_missing(source) == ["checks.gone", "cnn_checks.gone"]


@pytest.mark.parametrize("lesson", LESSONS)
def test_make_assign_reproduces_the_committed_files(lesson, tmp_path):
    shutil.copytree(ROOT / "reference", tmp_path / "reference")
    shutil.copy(ROOT / course_home.COURSE_FILE, tmp_path)
    assign.assign(lesson, root=tmp_path)
    for folder in ("exercises", "autograder"):
        regenerated, committed = files_under(tmp_path / folder / lesson), files_under(ROOT / folder / lesson)
        assert sorted(regenerated) == sorted(committed), f"{folder}/{lesson}: run make assign"
        changed = [str(name) for name in regenerated if regenerated[name] != committed[name]]
        assert not changed, f"{folder}/{lesson} is out of date with its master, run make assign: {changed}"
    readme = f"reference/{lesson}/README.md"
    regenerated_readme = (tmp_path / readme).read_text()
    assert regenerated_readme == (ROOT / readme).read_text(), f"{readme}'s minutes and bars: run make assign"


def solution_lines(lesson):
    """Lines of the master's solutions that neither the prompts nor the given code cells show."""
    master = nbformat.read(ROOT / "reference" / lesson / f"{lesson}.ipynb", as_version=4)
    hidden, shown = set(), set()
    for cell in master.cells:
        if cell.cell_type != "code":
            continue
        if not any(t.startswith("answer-") for t in cell.metadata.get("tags", [])):
            shown.update(line.strip() for line in cell.source.splitlines())
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
    with zipfile.ZipFile(autograder_zip(lesson)) as autograder:
        hidden = [name for name in autograder.namelist() if name.startswith("tests/")]
        assert any("hidden=True" in autograder.read(name).decode() for name in hidden)


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_zip_holds_the_tests_the_batch_grader_judges_with_and_the_library_whole(lesson):
    """What makes one lesson's zip differ from another's: its tests (which test_batch grades the reference,
    stub and every variant with, read from this very zip), its grading.yaml and its otter configuration.
    The library it ships is byte for byte the package's, the grader that Gradescope runs included, and
    nothing of the authoring tools. With the zip run end to end below for one lesson, and as Gradescope
    runs it in test_gradescope for another, each lesson's zip is proven without running its reference and
    stub a second time."""
    with zipfile.ZipFile(autograder_zip(lesson)) as archive:
        names = set(archive.namelist())
        shipped = {name: archive.read(name) for name in names if name.startswith("files/kerascourse/")}
        config = json.loads(archive.read("otter_config.json"))
    expected = assign.package_files()
    assert sorted(shipped) == sorted(expected) and all(shipped[n] == path.read_bytes() for n, path in expected.items())
    assert any("/grader/" in name for name in shipped) and not any("/authoring/" in name for name in shipped)
    assert {"run_autograder", "setup.sh", "otter_config.json", "grading.yaml"} <= names
    assert {f"tests/{q}.py" for q in questions(lesson)} <= names and config["lang"] == "python"


# The zip run end to end: the first PyTorch lesson, whose checks read live tensors, loaders and modules in
# the student's kernel, where the batch grader reads them as exported data
ZIP_RUN_LESSON = "09_torch_basics"


def test_gradescope_autograder_zip_gives_reference_full_marks_and_stub_none():
    """The zip run by ``otter run``, as Gradescope runs it, end to end on one lesson (the batch grader grades
    every lesson's reference and stub with the same tests in test_batch)."""
    lesson = ZIP_RUN_LESSON
    folder = ROOT / "autograder" / lesson / "samples"
    started = time.monotonic()
    reference = otter_run.otter_run(folder / "reference.ipynb", lesson)
    stub = otter_run.otter_run(folder / "stub.ipynb", lesson)
    budget.add_zip_run(lesson, time.monotonic() - started)
    assert set(reference) == set(questions(lesson)) == set(stub)
    assert all(score == pytest.approx(most) and most > 0 for score, most in reference.values())
    assert all(score == 0 for score, _ in stub.values())


# The cheapest lesson whose answers are models: its tutorial-written alternatives run through the zip
TUTORIAL_FORMS_LESSON = "02_neurons"
TUTORIAL_FORMS = ("-subclassed-models", "-tensorflow-activations")


def test_subclassed_models_and_tensorflow_activations_earn_full_marks_through_the_gradescope_zip():
    """In the student's own kernel (otter run, as on Gradescope) the checks read a subclassed model and a
    TensorFlow-function activation as the batch grader does (test_batch grades them in every lesson). Each
    alternatives notebook ends after its last question, so the questions up to it must earn full marks."""
    lesson = TUTORIAL_FORMS_LESSON
    plan = samples.plan(samples.load_variants(lesson))
    notebooks = sorted(name for name, members in plan.items()
                       if any(member.name.endswith(TUTORIAL_FORMS) for member in members))
    assert len(notebooks) >= 2, plan
    started = time.monotonic()
    for name in notebooks:
        scores = otter_run.otter_run(ROOT / "autograder" / lesson / "samples" / name, lesson)
        asked = samples.questions_up_to(list(scores), plan[name])
        assert asked and all(scores[q][0] == pytest.approx(scores[q][1]) for q in asked), (name, scores)
    budget.add_zip_run(lesson, time.monotonic() - started)


def test_the_readme_links_each_lesson_to_colab_from_course_yaml(tmp_path):
    shutil.copy(ROOT / "README.md", tmp_path)
    home = course_home.load(ROOT)
    course_home.write_readme_links(home, tmp_path)
    assert (tmp_path / "README.md").read_text() == (ROOT / "README.md").read_text(), "run make assign"
    for lesson in LESSONS:
        assert f"({home.colab_link(lesson)})" in (ROOT / "README.md").read_text()
        assert home.colab_link(lesson).endswith(f"/exercises/{lesson}/{lesson}.ipynb")
