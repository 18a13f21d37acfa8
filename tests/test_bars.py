"""Every number a check enforces comes from the lesson's ``grading.yaml`` and is stated in the question the
student reads: the text, the README and the tests cannot drift apart (``kerascourse.authoring.bars``)."""

import ast
import importlib
import inspect
import pkgutil
import re
import zipfile

import nbformat
import pytest
from imported import kerascourse_modules

import kerascourse.checks
from kerascourse import ROOT
from kerascourse.authoring import bars
from kerascourse.lessons import autograder_zip, lessons

LESSONS = lessons()
QUESTION_START = re.compile(r"^# BEGIN QUESTION\s*\nname:\s*(\S+)", re.MULTILINE)
QUESTION_HEADING = re.compile(r"^\*\*Question (\d+) ·", re.MULTILINE)
SENTINEL = "BAR"


def master(lesson):
    return nbformat.read(ROOT / "reference" / lesson / f"{lesson}.ipynb", as_version=4)


def master_questions(lesson):
    """``{question: {"text": [markdown], "tests": [code]}}`` of the master notebook, by question region."""
    regions, current = {}, None
    for cell in master(lesson).cells:
        if cell.cell_type == "raw":
            started = QUESTION_START.search(cell.source)
            if started:
                current = regions.setdefault(started.group(1), {"text": [], "tests": []})
            elif cell.source.strip() == "# END QUESTION":
                current = None
        elif current is not None and cell.cell_type == "markdown":
            current["text"].append(cell.source)
        elif current is not None and "def test_" in cell.source:
            current["tests"].append(cell.source)
    return regions


def student_text(lesson):
    """``{question: markdown}`` of the generated student notebook, by the "**Question N ·" headings."""
    notebook = nbformat.read(ROOT / "exercises" / lesson / f"{lesson}.ipynb", as_version=4)
    texts, current = {}, None
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        heading = QUESTION_HEADING.search(cell.source)
        if heading:
            current = f"q{heading.group(1)}"
        if current:
            texts[current] = texts.get(current, "") + "\n" + cell.source
    return texts


def placeholder(bar):
    return re.compile(r"\{\{\s*" + re.escape(bar.question) + r"\." + re.escape(bar.name) + r"\s*\}\}")


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_bar_is_stated_in_its_question_and_enforced_by_its_tests(lesson):
    regions, stated = master_questions(lesson), student_text(lesson)
    for bar in bars.load(lesson).values():
        where = f"{lesson} {bar.question}.{bar.name}"
        region = regions[bar.question]
        assert any(placeholder(bar).search(text) for text in region["text"]), f"{where} is not in the question's text"
        assert any(placeholder(bar).search(test) for test in region["tests"]), f"{where} is used by no test"
        assert bar.as_text() in stated[bar.question], f"{where}: the student notebook does not say {bar.as_text()}"


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_placeholder_is_a_bar_and_none_reaches_the_generated_files(lesson, tmp_path):
    bars.render_master(ROOT / "reference" / lesson / f"{lesson}.ipynb", tmp_path / "rendered.ipynb", bars.load(lesson))
    generated = [ROOT / "exercises" / lesson / f"{lesson}.ipynb", ROOT / "autograder" / lesson / f"{lesson}.ipynb"]
    texts = [path.read_text() for path in generated]
    with zipfile.ZipFile(autograder_zip(lesson)) as archive:
        texts += [archive.read(name).decode() for name in archive.namelist() if name.startswith("tests/")]
    assert not any(bars.PLACEHOLDER.search(text) for text in texts), f"{lesson}: run make assign"


def test_an_unknown_placeholder_is_named():
    with pytest.raises(KeyError, match=r"q9.nothing"):
        bars.render("at least {{ q9.nothing }}", {}, as_code=False)


def test_bars_read_as_prose_and_as_python():
    size_bar = bars.Bar("q2", "min_accuracy", {"grading": 0.8, "full": 0.9}, "")
    assert bars.render("at least {{ q2.min_accuracy }}", {("q2", "min_accuracy"): size_bar}, as_code=False) == (
        "at least 0.8 at grading size, 0.9 at full size"
    )
    assert bars.render("minimum={{ q2.min_accuracy }}", {("q2", "min_accuracy"): size_bar}, as_code=True) == (
        "minimum={'grading': 0.8, 'full': 0.9}"
    )
    count = bars.Bar("q1", "min_params", 200000, "")
    assert bars.render("{{q1.min_params}}", {("q1", "min_params"): count}, as_code=False) == "200,000"
    assert bars.render("{{q1.min_params}}", {("q1", "min_params"): count}, as_code=True) == "200000"


def check_functions():
    """Every public function of every checks module, by module."""
    package = kerascourse.checks
    names = [f"{package.__name__}.{module.name}" for module in pkgutil.iter_modules(package.__path__)]
    modules = [package] + [importlib.import_module(name) for name in names]
    return {
        (module.__name__, name): function
        for module in modules
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if not name.startswith("_") and function.__module__ == module.__name__
    }


def keyword_only(function):
    return [p for p in inspect.signature(function).parameters.values() if p.kind is inspect.Parameter.KEYWORD_ONLY]


def test_checks_hold_no_bar_of_their_own():
    """A bar is a keyword-only argument without a default: the test that calls the check must pass it."""
    defaults = [
        f"{module}.{name}({parameter.name}=...)"
        for (module, name), function in check_functions().items()
        for parameter in keyword_only(function)
        if parameter.default is not inspect.Parameter.empty
    ]
    assert not defaults, f"checks that keep a bar of their own: {defaults}"
    assert sum(bool(keyword_only(function)) for function in check_functions().values()) >= 15


def bar_violations(source):
    """What in a test's source (placeholders written as BAR) sets a number that is not a bar."""
    tree = ast.parse(source)
    modules = kerascourse_modules(tree)
    found = []
    for node in ast.walk(tree):
        called = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        if called and isinstance(node.func.value, ast.Name):
            module = modules.get(node.func.value.id)
            checks_module = module and module.__name__.startswith("kerascourse.checks")
            function = getattr(module, node.func.attr, None) if checks_module else None
            if not inspect.isfunction(function):
                continue
            wanted = {parameter.name for parameter in keyword_only(function)}
            given = {keyword.arg: keyword.value for keyword in node.keywords if keyword.arg in wanted}
            found += [f"{node.func.attr} lacks {name}" for name in sorted(wanted - set(given))]
            found += [
                f"{node.func.attr}({name}=...) is not a bar"
                for name, value in given.items()
                if not (isinstance(value, ast.Name) and value.id == SENTINEL)
            ]
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            numbers = [n.value for n in operands if isinstance(n, ast.Constant) and type(n.value) in (int, float)]
            found += [f"a comparison with {n}" for n in numbers if n not in (0, 1) and abs(n) >= 1e-3]
    return found


@pytest.mark.parametrize("lesson", LESSONS)
def test_tests_take_every_number_they_enforce_from_the_bars(lesson):
    sources = [test for region in master_questions(lesson).values() for test in region["tests"]]
    found = [v for source in sources for v in bar_violations(bars.PLACEHOLDER.sub(SENTINEL, source))]
    assert not found, f"{lesson}: {found}"


def test_a_number_written_into_a_test_is_found():
    source = (
        "def test_q(m, h):\n    from kerascourse.checks import regularization as rc\n"
        "    rc.require_smaller_gap(m, m, (1, 2), (1, 2), 'm', 'b', max_ratio=0.9)\n"
        "    rc.require_dropout(m, 'm', low=BAR)\n    if h < 0.85:\n        pass\n"
    )
    assert bar_violations(source) == [
        "require_smaller_gap(max_ratio=...) is not a bar", "require_dropout lacks high", "a comparison with 0.85"
    ]


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_question_has_its_minutes_for_a_beginner(lesson):
    minutes = bars.minutes(lesson)
    assert sorted(minutes) == sorted(master_questions(lesson)), f"{lesson}: grading.yaml's minutes name each question"
    assert all(isinstance(m, int) and 5 <= m <= 60 for m in minutes.values())
    assert f"| all | {sum(minutes.values())} |" in (ROOT / "reference" / lesson / "README.md").read_text()
