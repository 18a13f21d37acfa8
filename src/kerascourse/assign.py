"""Generate student and autograder material from each lesson's master notebook.

``reference/NN_slug/NN_slug.ipynb`` (otter-assign format) becomes
``exercises/NN_slug/`` (student notebook, public tests) and ``autograder/NN_slug/``
(solution notebook, ``otter_config.json``, autograder zip, sample submissions).
Output is deterministic, so regenerating a committed lesson changes nothing.
"""

import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import nbformat
import yaml

from kerascourse import ROOT, samples

LESSON_PATTERN = re.compile(r"^\d\d_[a-z0-9_]+$")
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
EXECUTABLE = {"run_autograder", "setup.sh"}
# What grading needs from the library; the maintainer tools (assign, samples, grading, cli) stay out.
RUNTIME_MODULES = (
    "__init__.py", "autoencoder_checks.py", "checks.py", "cnn_checks.py", "data.py", "hardware.py",
    "neuron_checks.py", "pretrained.py", "probes.py", "regularization_checks.py",
    "resources/imagenet_class_index.json", "rnn_checks.py", "tensor_checks.py", "training.py", "transfer_checks.py",
)


def lessons(root=ROOT):
    """Lesson names that have a master notebook under ``reference/``."""
    return sorted(
        path.name
        for path in (root / "reference").iterdir()
        if LESSON_PATTERN.match(path.name) and (path / f"{path.name}.ipynb").exists()
    )


def autograder_zip(lesson, root=ROOT):
    return root / "autograder" / lesson / f"{lesson}-autograder.zip"


def grading_config(lesson, root=ROOT):
    """``reference/<lesson>/grading.yaml``: ``probes`` (name -> probe kind) and ``hostile`` (bool)."""
    path = Path(root) / "reference" / lesson / "grading.yaml"
    return (yaml.safe_load(path.read_text()) or {}) if path.exists() else {}


def normalise_notebook(path):
    """Give every cell a stable id and drop outputs, so regeneration is byte-identical."""
    notebook = nbformat.read(path, as_version=4)
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index:03d}"
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(notebook, path)


def write_deterministic_zip(source_zip, target, extra_files):
    """Rewrite ``source_zip`` with sorted entries and fixed dates, adding ``extra_files`` (name -> path)."""
    with zipfile.ZipFile(source_zip) as original:
        entries = {name: original.read(name) for name in original.namelist() if not name.endswith("/")}
    entries.update({name: path.read_bytes() for name, path in extra_files.items()})
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as output:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.external_attr = (0o755 if name in EXECUTABLE else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            output.writestr(info, entries[name])


def package_files():
    """The library modules that notebooks and tests import, shipped as ``files/kerascourse/...``."""
    package = Path(__file__).resolve().parent
    paths = [package / name for name in RUNTIME_MODULES] + sorted((package / "builders").glob("*.py"))
    return {f"files/kerascourse/{path.relative_to(package)}": path for path in paths}


def assign(lesson, root=ROOT):
    """Run otter assign for one lesson and write its exercises and autograder folders."""
    master = root / "reference" / lesson / f"{lesson}.ipynb"
    with tempfile.TemporaryDirectory() as scratch:
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
        write_deterministic_zip(generated_zip, autograder_zip(lesson, root), package_files())
    for notebook in (exercises / f"{lesson}.ipynb", autograder / f"{lesson}.ipynb"):
        normalise_notebook(notebook)
    samples.write_samples(lesson, root)
    if grading_config(lesson, root).get("hostile"):
        from kerascourse import hostile

        hostile.write(lesson, root)


def main(argv=None):
    names = (argv if argv is not None else sys.argv[1:]) or lessons()
    for lesson in names:
        assign(lesson)
        print(f"assigned {lesson}")


if __name__ == "__main__":
    main()
