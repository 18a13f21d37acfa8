"""What a student notebook's first cell runs after it has installed the course package where it was
missing: fetch the lesson's public tests where they are missing, say in one line what was installed or
fetched (or why not, and the fix), and hand the notebook its ``hint`` function. Where everything was
present (a clone of the course, a folder from ``kerascourse start``) it prints nothing."""

import os
import urllib.error
import urllib.request
from importlib import metadata
from pathlib import Path

import kerascourse
from kerascourse.course import material
from kerascourse.course.hints import Hints

GRADER_ENV = "KERASCOURSE_GRADER"  # set by the batch grader, which runs its own tests
TESTS_FOLDER = "tests"  # where otter's grader.check looks, beside the notebook


def prepare(lesson, version, package, tests_url, installed=False):
    """Fetch the missing public tests from ``tests_url`` and print one line on what was done."""
    if os.environ.get(GRADER_ENV):
        return
    notes = []
    if installed:
        otter = metadata.version("otter-grader")
        notes.append(f"installed kerascourse {kerascourse.__version__} and otter-grader {otter}")
    elif kerascourse.__version__ != version:
        notes.append(f"kerascourse {kerascourse.__version__} is installed but this notebook was built for {version}: "
                     f'run `pip install "{package}"` and restart the kernel')
    try:
        questions = material.questions(lesson)
    except LookupError as missing:
        notes.append(f"{missing}: install the course release this notebook was built for ({package})")
        questions = []
    absent = [q for q in questions if not (Path(TESTS_FOLDER) / f"{q}.py").exists()]
    if absent:
        notes.append(fetch_tests(lesson, tests_url, absent))
    if notes:
        print("; ".join(notes))


def fetch_tests(lesson, tests_url, questions):
    """Download ``<tests_url><question>.py`` into ``tests/``; a sentence saying what happened."""
    folder = Path(TESTS_FOLDER)
    folder.mkdir(exist_ok=True)
    for question in questions:
        url = f"{tests_url}{question}.py"
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                text = response.read().decode()
        except (urllib.error.URLError, OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "reason", error)
            return (f"could not fetch the public tests from {url} ({reason}): put the lesson's tests/ folder "
                    f"beside this notebook, or run `kerascourse start {lesson}`")
        (folder / f"{question}.py").write_text(text)
    return f"fetched {len(questions)} public tests from {tests_url}"


def hints(lesson):
    """The notebook's ``hint`` function: ``hint("q1")`` shows question 1's next hint."""
    return Hints(material.hints(lesson))
