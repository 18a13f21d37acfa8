"""Where a lesson's files live in a course checkout, for the authoring tools, the grader's command and
the tests: the master under ``reference/``, the student material under ``exercises/``, the autograder
material under ``autograder/``."""

import re
from pathlib import Path

import yaml

from kerascourse import ROOT

LESSON_PATTERN = re.compile(r"^\d\d_[a-z0-9_]+$")
GRADING_CONFIG = "grading.yaml"


def lessons(root=ROOT):
    """Lesson names that have a master notebook under ``reference/``."""
    return sorted(
        path.name
        for path in (Path(root) / "reference").iterdir()
        if LESSON_PATTERN.match(path.name) and (path / f"{path.name}.ipynb").exists()
    )


def autograder_zip(lesson, root=ROOT):
    return Path(root) / "autograder" / lesson / f"{lesson}-autograder.zip"


def grading_config(lesson, root=ROOT, source=None):
    """``reference/<lesson>/grading.yaml``, or the copy in an unzipped autograder ``source``: ``probes``
    (name -> the checks module whose ``PROBE_CALLS`` list the calls) and ``hostile`` (bool)."""
    path = Path(source) / GRADING_CONFIG if source else Path(root) / "reference" / lesson / GRADING_CONFIG
    return (yaml.safe_load(path.read_text()) or {}) if path.exists() else {}
