import os

import budget
import pytest
from corpus import FOLDERS, HOSTILE_SETTINGS, SETTINGS

from kerascourse import ROOT

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERASCOURSE_SIZE", "grading")


def pytest_terminal_summary(terminalreporter):
    lines = budget.table()
    if lines:
        terminalreporter.section("grading seconds per lesson (mean per notebook; total over its files)")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def graded(request, tmp_path_factory):
    """Each lesson's samples and hostile corpus graded once per run, through one pool of workers:
    {(lesson, kind): (out dir, {name: Record})}. Only the folders the run's tests read: those a test
    module names in ``GRADED``, all of them for a module that names none."""
    from kerascourse.grader import pool
    from kerascourse.grader.settings import Settings

    needed = set()
    for item in request.session.items:
        # A module may define a `graded` fixture of its own, which overrides this one.
        if "graded" in getattr(item, "fixturenames", ()) and not hasattr(item.module, "graded"):
            needed.update(getattr(item.module, "GRADED", FOLDERS))
    batches = [
        (Settings(lesson, **(HOSTILE_SETTINGS if kind == "hostile" else SETTINGS)), ROOT / "autograder" / lesson / kind,
         tmp_path_factory.mktemp(kind))
        for lesson, kind in reversed(FOLDERS)  # the longest notebooks first, so that the pool ends evenly
        if (lesson, kind) in needed
    ]
    graded_batches = pool.grade_folders(batches, progress=False)
    for (settings, folder, _), records in zip(batches, graded_batches, strict=True):
        budget.add_batch(settings.lesson, folder.name, records)
    return {
        (settings.lesson, folder.name): (out, {record.submission: record for record in records})
        for (settings, folder, out), records in zip(batches, graded_batches, strict=True)
    }
