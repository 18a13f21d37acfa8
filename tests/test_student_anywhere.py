"""A student outside this repository, as on Colab: only the lesson's notebook in an empty folder, and a
fresh Python environment with Jupyter's kernel, TensorFlow and Keras but neither otter-grader nor
kerascourse. The course's home is a server on 127.0.0.1 that ``course.yaml`` points at; no other
network is used.

The fresh environment is a new virtual environment that sees this one's packages except otter-grader
and kerascourse (Colab's image likewise brings TensorFlow, Keras and Jupyter preinstalled), so the test
spends its minutes on what it proves, not on unpacking TensorFlow again. The rest is real: ``make
assign`` against that ``course.yaml``, a wheel built from the course, the notebook's setup cell
installing it over HTTP, the public tests fetched over HTTP, and the wheel's ``kerascourse start`` and
``kerascourse check`` run from an empty folder."""

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import nbformat
import pytest
from served import served
from test_lessons import files_under

from kerascourse import ROOT, __version__
from kerascourse.authoring import course_home

LESSON = "03_dnn"
HIDDEN = ("otter", "otter_grader", "kerascourse", "__editable__", "_kerascourse")
VERDICTS_CELL = """\
import json as _json
_results = grader.check_all()
_json.dump({name: {"score": test.score, "possible": test.possible,
                   "messages": [r.message for r in test.test_case_results if not r.passed]}
            for name, test in _results.results.items()}, open("verdicts.json", "w"))"""
RUN_NOTEBOOK = """\
import sys
import nbformat
from nbclient import NotebookClient
notebook = nbformat.read(sys.argv[1], as_version=4)
notebook.cells.append(nbformat.v4.new_code_cell(sys.argv[2]))
NotebookClient(notebook, kernel_name="python3", timeout=600, allow_errors=True,
               resources={"metadata": {"path": "."}}).execute()
nbformat.write(notebook, "executed.ipynb")"""


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """The course served from 127.0.0.1: its files after ``make assign`` against a ``course.yaml`` that
    points at the server, and the wheel built from them under ``dist/``."""
    home = tmp_path_factory.mktemp("course-home")
    for name in ("src", "reference", "exercises"):
        shutil.copytree(ROOT / name, home / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("setup.py", "setup.cfg", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, home)
    with served(home) as url:
        (home / course_home.COURSE_FILE).write_text(
            f'package: "kerascourse @ {url}/dist/kerascourse-{{version}}-py3-none-any.whl"\n'
            f'tests_url: "{url}/exercises/"\n'
            f'colab_url: "{url}/colab/"\n'
        )
        subprocess.run([sys.executable, "-m", "kerascourse.cli", "assign", "--root", str(home), LESSON],
                       check=True, capture_output=True)
        subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", str(home),
                        "-w", str(home / "dist")], check=True, capture_output=True, cwd=home)
        yield home, url


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """A new virtual environment whose ``python`` sees this environment's packages but not otter-grader
    or kerascourse, with its own ``python3`` kernel and its own home (TFDS's default data directory)."""
    root = tmp_path_factory.mktemp("fresh")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    preinstalled = root / "preinstalled"
    preinstalled.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if not entry.name.lower().startswith(HIDDEN) and entry.suffix != ".pth":
            (preinstalled / entry.name).symlink_to(entry)
    (site_packages(venv) / "preinstalled.pth").write_text(f"{preinstalled}\n")
    (root / "home").mkdir()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("KERASCOURSE_", "JUPYTER", "VIRTUAL_ENV", "PYTHON"))}
    env.update({"HOME": str(root / "home"), "PATH": f"{venv / 'bin'}:{env['PATH']}", "NO_PROXY": "127.0.0.1",
                "KERAS_BACKEND": "tensorflow"})
    python = str(venv / "bin" / "python")
    subprocess.run([python, "-m", "ipykernel", "install", "--sys-prefix"], check=True, capture_output=True, env=env)
    return venv, env


def site_packages(venv):
    (folder,) = (venv / "lib").glob("python3*/site-packages")
    return folder


def installed(venv):
    return sorted(path.name for path in site_packages(venv).iterdir())


def run_notebook(venv, env, notebook, folder):
    """Execute ``notebook`` in ``folder`` with the fresh kernel, then ``grader.check_all()``; the setup
    cell's output and ``{question: {score, possible, messages}}``."""
    script = folder / "run_notebook.py"
    script.write_text(RUN_NOTEBOOK)
    subprocess.run([str(venv / "bin" / "python"), str(script), notebook.name, VERDICTS_CELL], cwd=folder,
                   env=env, check=True, capture_output=True, timeout=900)
    executed = nbformat.read(folder / "executed.ipynb", as_version=4)
    (setup,) = [cell for cell in executed.cells if cell.source.startswith(course_home.SETUP_MARKER)]
    setup_output = "".join(output.get("text", "") for output in setup.outputs)
    verdicts = json.loads((folder / "verdicts.json").read_text())
    (folder / "verdicts.json").unlink()
    return setup_output, verdicts


def check(kerascourse, notebook, env=None):
    """``kerascourse check``'s lines per question and its total, and its exit status."""
    run = subprocess.run([str(kerascourse), "check", LESSON, str(notebook)], capture_output=True, text=True,
                         env=env, timeout=900, cwd=Path(notebook).parent)
    lines = [line.strip() for line in run.stdout.splitlines()
             if re.match(r"\s*(q\d+ results:|q\d+ - \d+ result:|CheckFailed|\S+: \S+ / \S+ points)", line)]
    return run.returncode, lines


def test_a_notebook_alone_sets_itself_up_and_checks_itself(course, fresh, tmp_path):
    home, url = course
    venv, env = fresh
    before = installed(venv)
    stub, solved = home / "exercises" / LESSON / f"{LESSON}.ipynb", home / "autograder" / LESSON / f"{LESSON}.ipynb"

    folder = tmp_path / "student"
    folder.mkdir()
    shutil.copy(stub, folder)
    setup_output, verdicts = run_notebook(venv, env, folder / stub.name, folder)
    assert f"installed kerascourse {__version__} and otter-grader 7.0" in setup_output
    assert f"fetched 5 public tests from {url}/exercises/{LESSON}/tests/" in setup_output
    assert sorted(verdicts) == ["q1", "q2", "q3", "q4", "q5"]
    for question, verdict in verdicts.items():
        assert verdict["score"] == 0, f"the stub earns points on {question}"
        # otter's message: the test line that failed, then the check's one sentence, not a raw exception
        assert verdict["messages"], verdict
        assert all(m.splitlines()[-1].startswith("CheckFailed: ") for m in verdict["messages"]), verdict
    after_first = installed(venv)
    assert {"otter", "kerascourse"} <= {name.split("-")[0].split("_grader")[0] for name in after_first}
    assert set(after_first) - set(before), "the setup cell installed nothing"

    shutil.copy(solved, folder / stub.name)  # the same notebook, now with the reference answers
    setup_output, verdicts = run_notebook(venv, env, folder / stub.name, folder)
    assert setup_output == "", "a second run must only import"
    assert installed(venv) == after_first
    assert {q: (v["score"], v["messages"]) for q, v in verdicts.items()} == {
        q: (v["possible"], []) for q, v in verdicts.items()
    }
    prepared = list((Path(env["HOME"]) / "tensorflow_datasets").glob("mnist_subset/*/dataset_info.json"))
    assert prepared, "the grading-size data is prepared in TFDS's default data directory on first use"

    # The wheel's commands from an empty folder give the verdicts that the clone gives.
    started = tmp_path / "started"
    run = subprocess.run([str(venv / "bin" / "kerascourse"), "start", LESSON, str(started)], capture_output=True,
                         text=True, env=env, cwd=tmp_path, check=True)
    assert (started / f"{LESSON}.ipynb").exists() and len(list((started / "tests").glob("q*.py"))) == 5, run.stdout
    shutil.copy(started / f"{LESSON}.ipynb", started / "stub.ipynb")
    shutil.copy(solved, started / "solved.ipynb")
    clone, beside = Path(sys.executable).parent / "kerascourse", files_under(ROOT / "exercises" / LESSON)
    for name, source, expected_status in (("stub", ROOT / "exercises", 1), ("solved", ROOT / "autograder", 0)):
        wheel_status, wheel_lines = check(venv / "bin" / "kerascourse", started / f"{name}.ipynb", env)
        clone_status, clone_lines = check(clone, source / LESSON / f"{LESSON}.ipynb")
        assert (wheel_status, wheel_lines) == (clone_status, clone_lines)
        # exit status 1 unless every public test passes
        assert wheel_status == expected_status and wheel_lines[-1].startswith(f"{LESSON}: ")
    assert files_under(ROOT / "exercises" / LESSON) == beside, "check must not write beside the notebook"
