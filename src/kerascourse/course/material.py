"""The lessons' student material, shipped inside the package as ``kerascourse.exercises`` (``make assign``
writes it under ``exercises/``): each lesson's student notebook, public tests and hints. Nothing here
needs a clone of the course."""

import json
from importlib import resources
from pathlib import Path

PACKAGE = "kerascourse.exercises"
HINTS_FILE = "hints.json"


def root():
    """The folder holding one sub-folder per lesson; None where the material is not installed (the
    autograder zip ships only ``course`` and ``checks``)."""
    try:
        return Path(str(resources.files(PACKAGE)))
    except (ModuleNotFoundError, OSError):  # OSError: a sandbox that cannot read it
        return None


def lessons():
    folder = root()
    if folder is None or not folder.is_dir():
        return []
    return sorted(path.name for path in folder.iterdir() if (path / f"{path.name}.ipynb").exists())


def folder(lesson):
    """The lesson's material; ``LookupError`` naming the lessons there are when it has none."""
    if lesson not in lessons():
        raise LookupError(f"there is no lesson {lesson!r}; the lessons are {', '.join(lessons()) or 'not installed'}")
    return root() / lesson


def test_files(lesson):
    return sorted((folder(lesson) / "tests").glob("q*.py"))


def questions(lesson):
    """The lesson's question names, in order (``q1``, ``q2``, ...)."""
    return sorted((path.stem for path in test_files(lesson)), key=lambda name: int(name[1:]))


def hints(lesson):
    """``{question: [hint, ...]}``; empty where the lesson's material is not installed."""
    try:
        path = folder(lesson) / HINTS_FILE
    except LookupError:
        return {}
    return json.loads(path.read_text()) if path.exists() else {}
