"""Where the course lives on the web, from ``course.yaml`` at the checkout's root: the pip requirement
the student notebooks install, the URL prefix their public tests are fetched from, and the prefix of
"Open in Colab" links. ``make assign`` writes each student notebook's setup cell and the README's Colab
links from it; nothing else holds a URL."""

import json
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml

import kerascourse
from kerascourse import ROOT

COURSE_FILE = "course.yaml"
SETUP_CELL = '''\
# Set up: on Colab or a fresh laptop this installs the course package and fetches this lesson's public
# tests; in a clone of the course, or a folder from `kerascourse start`, it only imports.
# (`make assign` writes this cell from the course's course.yaml.)
import importlib.util
import subprocess
import sys

COURSE_PACKAGE = {package}
TESTS_URL = {tests_url}
installed_now = importlib.util.find_spec("kerascourse") is None
if installed_now:
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "-q", COURSE_PACKAGE],
                         capture_output=True, text=True)
    if pip.returncode:
        why = (pip.stderr.strip().splitlines() or ["pip failed"])[-1]
        raise SystemExit(f"could not install the course package ({{why}}): check the internet connection, "
                         "or ask your instructor whether course.yaml's package is right")
    importlib.invalidate_caches()
from kerascourse.course import setup_notebook

setup_notebook.prepare({lesson}, {version}, COURSE_PACKAGE, TESTS_URL, installed=installed_now)
hint = setup_notebook.hints({lesson})  # hint("q1") shows question 1's next hint'''
SETUP_MARKER = SETUP_CELL.splitlines()[0]
SETUP_HEADING = "## Setup"  # every lesson's heading for its imports; the setup cells go right under it
OTTER_INIT = "# Initialize Otter"


@dataclass(frozen=True)
class CourseHome:
    package: str
    tests_url: str  # ends in "/": <tests_url><lesson>/tests/<question>.py
    colab_url: str | None = None

    def lesson_tests_url(self, lesson):
        return f"{self.tests_url}{lesson}/tests/"

    def colab_link(self, lesson):
        return f"{self.colab_url}{lesson}/{lesson}.ipynb" if self.colab_url else None


def load(root=ROOT, version=kerascourse.__version__):
    """The course's home from ``root/course.yaml``, with ``{version}`` written in."""
    path = Path(root) / COURSE_FILE
    spec = yaml.safe_load(path.read_text()) or {}
    missing = [key for key in ("package", "tests_url") if not spec.get(key)]
    if missing:
        raise ValueError(f"{path}: set {', '.join(missing)} (the README's \"Host your course\" says how)")
    values = {key: str(spec[key]).format(version=version) for key in ("package", "tests_url", "colab_url")
              if spec.get(key)}
    for key in ("tests_url", "colab_url"):
        if key in values and not values[key].endswith("/"):
            values[key] += "/"
    return CourseHome(**values)


def setup_cell(lesson, home, version=kerascourse.__version__):
    values = {"lesson": lesson, "version": version, "package": home.package, "tests_url": home.lesson_tests_url(lesson)}
    return SETUP_CELL.format(**{key: json.dumps(value) for key, value in values.items()})


def add_setup_cell(notebook_path, lesson, home):
    """Put the setup cell, then otter's init cell (which needs what the setup installs and fetches),
    under the lesson's "## Setup" heading, so that the notebook opens on its title."""
    notebook = nbformat.read(notebook_path, as_version=4)
    setup = nbformat.v4.new_code_cell(setup_cell(lesson, home))
    setup.metadata.update({"editable": False, "deletable": False})
    init = [cell for cell in notebook.cells if cell.source.startswith(OTTER_INIT)]
    rest = [cell for cell in notebook.cells if not cell.source.startswith(OTTER_INIT)]
    heading = next(i for i, cell in enumerate(rest) if cell.cell_type == "markdown"
                   and cell.source.startswith(SETUP_HEADING))
    notebook.cells = [*rest[:heading + 1], setup, *init, *rest[heading + 1:]]
    nbformat.write(notebook, notebook_path)


ROW = re.compile(r"^\| \[(\d\d_[a-z0-9_]+)\]\((reference/[^)]+)\) \|(.*)$")


def write_readme_links(home, root=ROOT):
    """Each lesson row of the README's table ends with its "Open in Colab" link (or none)."""
    readme = Path(root) / "README.md"
    lines = []
    for line in readme.read_text().splitlines():
        match = ROW.match(line)
        if match:
            lesson, cells = match.group(1), [cell.strip() for cell in match.group(3).strip(" |").split(" | ")]
            link = home.colab_link(lesson)
            opener = f"[Open in Colab]({link})" if link else ""
            line = f"| [{lesson}]({match.group(2)}) | {' | '.join(cells[:2])} | {opener} |"
        lines.append(line)
    readme.write_text("\n".join(lines) + "\n")
