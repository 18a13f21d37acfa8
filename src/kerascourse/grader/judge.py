"""The trusted side of grading: run a lesson's tests on exported answers, in a process that never ran
student code.

Test files come straight from the autograder zip in memory; they are never written where student code
runs. Messages keep the check's sentence and never the test's source; an exception that is not a
check's verdict is explained without a framework's class names (``answers.explain``).
"""

import inspect
import zipfile
from pathlib import Path

from otter.test_files.exception_test import ExceptionTestFile

from kerascourse.checks.answers import CheckFailed, explain
from kerascourse.grader.results import CaseResult, QuestionResult, total


def test_files(autograder):
    """The lesson's test files (public and hidden), by question, read from the autograder zip or from the
    folder it was unzipped into."""
    if Path(autograder).is_dir():
        paths = sorted((Path(autograder) / "tests").glob("*.py"))
        texts = {f"tests/{path.name}": path.read_text() for path in paths}
    else:
        with zipfile.ZipFile(autograder) as archive:
            names = [n for n in archive.namelist() if n.startswith("tests/") and n.endswith(".py")]
            texts = {name: archive.read(name).decode() for name in sorted(names)}
    return [ExceptionTestFile.from_string(text, path=name) for name, text in texts.items()]


def possible_points(files):
    """``{question: points}`` that the test files are worth."""
    return {test_file.name: total(case.points for case in test_file.test_cases) for test_file in files}


def needed_names(files):
    """Every name a test reads from the notebook."""
    return sorted(
        {
            parameter
            for test_file in files
            for case in test_file.test_cases
            for parameter in inspect.signature(case.body.test_func).parameters
            if parameter != "env"
        }
    )


def run_tests(files, env):
    """A ``QuestionResult`` per test file, each case run against ``env``."""
    results = []
    for test_file in files:
        question = QuestionResult(name=test_file.name)
        for case in test_file.test_cases:
            try:
                case.body.call_func(env)
                passed, message = True, ""
            except CheckFailed as failure:
                passed, message = False, f"{type(failure).__name__}: {str(failure).strip()}"
            except Exception as error:  # noqa: BLE001 - any failure of a test costs its points
                passed, message = False, f"the answer could not be checked: {explain(error)}"
            question.cases.append(CaseResult(case.hidden, float(case.points), passed, message))
        results.append(question)
    return results
