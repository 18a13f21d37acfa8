"""Generate student and autograder material from each lesson's master notebook.

``reference/NN_slug/NN_slug.ipynb`` (otter-assign format) becomes
``exercises/NN_slug/`` (student notebook, public tests) and ``autograder/NN_slug/``
(solution notebook, ``otter_config.json``, autograder zip, sample submissions).
Output is deterministic, so regenerating a committed lesson changes nothing.
"""

import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from kerascourse import ROOT
from kerascourse.authoring import bars, course_home, hints, hostile, samples
from kerascourse.authoring.deterministic import normalise_notebook, write_deterministic_zip
from kerascourse.grader import gradescope
from kerascourse.lessons import GRADING_CONFIG, autograder_zip, grading_config, lessons

# The library shipped whole in the autograder zip: what notebooks and tests import, the grader that
# Gradescope runs, and the command that prepares the datasets; the authoring tools stay out.
SHIPPED_PACKAGES = ("course", "checks", "grader")
SHIPPED_MODULES = ("__init__.py", "lessons.py", "cli.py")
SHIPPED_SUFFIXES = (".py", ".json")


def package_files():
    """The library, shipped as ``files/kerascourse/...``."""
    package = Path(__file__).resolve().parents[1]
    paths = [package / name for name in SHIPPED_MODULES] + sorted(
        path
        for folder in SHIPPED_PACKAGES
        for path in (package / folder).rglob("*")
        if path.suffix in SHIPPED_SUFFIXES and "__pycache__" not in path.parts
    )
    return {f"files/kerascourse/{path.relative_to(package)}": path for path in paths}


def zip_changes(generated_zip, lesson, root):
    """What the autograder zip holds beyond otter's: the library, the lesson's ``grading.yaml``, and a
    ``run_autograder`` (with ``setup.sh``'s steps for it) that grade with the course's own grader instead
    of otter's ``run_otter.py``."""
    with zipfile.ZipFile(generated_zip) as archive:
        setup = archive.read("setup.sh").decode()
    changes = {name: path.read_bytes() for name, path in package_files().items()}
    return {
        **changes,
        GRADING_CONFIG: (root / "reference" / lesson / GRADING_CONFIG).read_bytes(),
        "run_autograder": gradescope.RUN_AUTOGRADER.encode(),
        "setup.sh": (setup + gradescope.SETUP).encode(),
        "run_otter.py": None,
    }


def assign(lesson, root=ROOT, home=None):
    """Write the lesson's bars in, take its hints out, run otter assign, and write its exercises (with the
    setup cell for the course's ``home`` and the hints) and autograder folders."""
    home = home or course_home.load(root)
    with tempfile.TemporaryDirectory() as scratch:
        # The master's config names ../requirements.txt, so the rendered copy keeps the same layout.
        master = Path(scratch) / lesson / f"{lesson}.ipynb"
        master.parent.mkdir()
        shutil.copy(root / "reference" / "requirements.txt", scratch)
        bars.render_master(root / "reference" / lesson / f"{lesson}.ipynb", master, bars.load(lesson, root))
        lesson_hints = hints.extract(master)
        dist = Path(scratch) / "dist"
        subprocess.run(
            [sys.executable, "-m", "otter", "assign", "--no-pdfs", str(master), str(dist)],
            check=True,
            capture_output=True,
            text=True,
        )
        exercises, autograder = root / "exercises" / lesson, root / "autograder" / lesson
        for target in (exercises, autograder):
            shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(dist / "student", exercises)
        autograder.mkdir(parents=True)
        shutil.copy(dist / "autograder" / f"{lesson}.ipynb", autograder)
        shutil.copy(dist / "autograder" / "otter_config.json", autograder)
        (generated_zip,) = (dist / "autograder").glob(f"{lesson}-autograder_*.zip")
        write_deterministic_zip(generated_zip, autograder_zip(lesson, root), zip_changes(generated_zip, lesson, root))
    hints.write(lesson_hints, exercises / hints.FILE)
    for notebook in (exercises / f"{lesson}.ipynb", autograder / f"{lesson}.ipynb"):
        course_home.add_setup_cell(notebook, lesson, home)
        normalise_notebook(notebook)
    samples.write_samples(lesson, root)
    bars.write_readme(lesson, root)
    if grading_config(lesson, root).get("hostile"):
        hostile.write(lesson, root)


def main(names=(), root=ROOT):
    root = Path(root)
    home = course_home.load(root)
    for lesson in names or lessons(root):
        assign(lesson, root, home)
        print(f"assigned {lesson}")
    course_home.write_readme_links(home, root)


if __name__ == "__main__":
    main(sys.argv[1:])
