"""The autograder zip as Gradescope runs it: bubblewrap lays out ``/autograder/{source,submission,results}``
for each submission and runs the zip's own ``run_autograder``, with this project's virtual environment
standing in for the one ``setup.sh`` builds, the library the zip ships in place of the checkout's, and
the rest of the checkout hidden, as it is on Gradescope."""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import budget
import nbformat
import pytest
from failing import hidden_test_lines

import kerascourse
from kerascourse import ROOT
from kerascourse.authoring import hostile
from kerascourse.course import data
from kerascourse.grader import gradescope, judge
from kerascourse.lessons import autograder_zip, grading_config, lessons

# The lesson that carries the hostile corpus: the cheapest, so its endless loops end soonest.
LESSON = next(lesson for lesson in lessons() if grading_config(lesson).get("hostile"))
CORPUS = ROOT / "autograder" / LESSON / "hostile"
ATTACKS = sorted(path.name for path in CORPUS.iterdir() if path.name.startswith("attack-"))
EARLY = "early-"  # the attack's cell right after the first cell, before any of the notebook's own checks
# A notebook that leaves a process behind to rewrite results.json after the grader wrote it, and that reads
# the hidden tests into a file outside its sandbox; run without bubblewrap, as an unprivileged user.
LEFT_BEHIND = """\
import json, os, time
top = "/auto" + "grader"  # spelled so that the grader's scan for its own paths does not find it
fake = json.dumps({"score": 99, "output": "", "tests": []})
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        for _ in range(60):
            try:
                open(os.path.join(top, "res" + "ults", "res" + "ults.json"), "w").write(fake)
            except OSError:
                pass
            time.sleep(0.25)
    os._exit(0)
try:
    leaked = open(os.path.join(top, "source", "te" + "sts", "q1.py")).read()
except OSError as error:
    leaked = type(error).__name__
open(LEAK_FILE, "w").write(leaked)"""


def run_autograder(tmp, filename, content, *, bubblewrap=True, memory_limit_mb=None):
    """Lay out /autograder for one submission, run the zip's run_autograder; (exit status, results.json)."""
    layout = lay_out(tmp, filename, content)
    binds = ["--bind", str(layout), "/autograder", *only_what_setup_leaves(layout / "source")]
    if not bubblewrap:  # a container that has no bubblewrap, where Python lives under root's private home
        binds += ["--ro-bind", "/dev/null", shutil.which("bwrap")] + python_made_reachable()
    if memory_limit_mb:
        (tmp / "limit").write_text(str(int(memory_limit_mb * 2**20)))
        binds += ["--ro-bind", str(tmp / "limit"), next(p for p in gradescope.CGROUP_LIMITS if Path(p).exists())]
    command = ["bwrap", "--dev-bind", "/", "/", *binds,
               "--", "/autograder/source/run_autograder"]
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
           "KERASCOURSE_DATA_DIR": str(data.data_dir())}
    run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
    results = layout / "results" / "results.json"
    assert results.exists(), run.stdout[-2000:] + run.stderr[-2000:]
    return run.returncode, json.loads(results.read_text()), run.stdout


def lay_out(tmp, filename, content):
    """``tmp/autograder`` as Gradescope lays it out: the zip in ``source``, the upload, no results yet."""
    layout = tmp / "autograder"
    for folder in ("submission", "results"):
        (layout / folder).mkdir(parents=True)
    with zipfile.ZipFile(autograder_zip(LESSON)) as archive:
        archive.extractall(layout / "source")
    (layout / "source" / "run_autograder").chmod(0o755)
    (layout / "submission" / filename).write_bytes(content)
    return layout


def only_what_setup_leaves(source):
    """The checkout hidden, as on Gradescope, except this virtual environment and the prepared datasets
    (standing in for the environment and ``/opt/kerascourse/datasets`` that setup.sh builds), with the
    library shipped in the zip where this environment imports ``kerascourse`` from: no file the zip
    lacks can be read."""
    kept = [Path(sys.prefix), data.data_dir()]
    library = Path(kerascourse.__file__).parent
    return ["--tmpfs", str(ROOT), *[arg for path in kept for arg in ("--ro-bind", str(path), str(path))],
            "--perms", "0755", "--dir", str(library.parent),
            "--ro-bind", str(source / "files" / "kerascourse"), str(library)]


def python_made_reachable():
    """What setup.sh's ``chmod o+x /root`` does on Gradescope: the first folder above this Python that
    others may not enter, made enterable (a fresh folder) with the Python bound back inside it."""
    folders = [*reversed(Path(sys.base_prefix).parents)]
    for number, folder in enumerate(folders):
        if not os.stat(folder).st_mode & 0o001:
            between = [arg for inner in folders[number + 1:] for arg in ("--perms", "0755", "--dir", str(inner))]
            return ["--tmpfs", str(folder), *between, "--ro-bind", sys.base_prefix, sys.base_prefix]
    return []


def submissions():
    """{name: (filename uploaded, bytes)}: the reference, the stub, and every attack at its place in the
    corpus and again right after the first cell."""
    folder = ROOT / "autograder" / LESSON / "samples"
    named = {name: (f"{LESSON}.ipynb", (folder / f"{name}.ipynb").read_bytes()) for name in ("reference", "stub")}
    named |= {name: (name, (CORPUS / name).read_bytes()) for name in ATTACKS}
    early = hostile.attacks(LESSON, position=1)
    named |= {EARLY + name: (name, content) for name, content in early.items()}
    return named


SUBMISSIONS = submissions()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """{name: (exit status, results.json)}, two submissions at a time (one container each)."""
    started = time.monotonic()

    def grade(item):
        name, (filename, content) = item
        return name, run_autograder(tmp_path_factory.mktemp("gradescope"), filename, content)[:2]

    with ThreadPoolExecutor(max_workers=2) as threads:
        results = dict(threads.map(grade, SUBMISSIONS.items()))
    budget.add_zip_run(LESSON, time.monotonic() - started)
    return results


def test_every_attack_is_also_tried_before_the_notebooks_own_checks():
    assert ATTACKS and all(EARLY + name in SUBMISSIONS for name in ATTACKS if name.endswith(".ipynb"))
    early = nbformat.reads(SUBMISSIONS[EARLY + ATTACKS[0]][1].decode(), as_version=4)
    assert early.cells[1].source == hostile.ATTACK_CELLS[ATTACKS[0]][1]


@pytest.mark.parametrize("name", list(SUBMISSIONS))
def test_results_json_scores_what_the_work_earns_and_shows_no_hidden_test(graded, name):
    status, results = graded[name]
    possible = sum(test["max_score"] for test in results["tests"])
    assert status == 0 and possible > 0 and results["tests"], results
    expected = possible if name == "reference" else 0
    assert results["score"] == pytest.approx(expected) == sum(test["score"] for test in results["tests"]), results
    with zipfile.ZipFile(autograder_zip(LESSON)) as archive:
        test_text = "\n".join(archive.read(n).decode() for n in archive.namelist() if n.startswith("tests/"))
    shown = json.dumps(results)
    assert not [line for line in hidden_test_lines(test_text) if line in shown]


def test_without_bubblewrap_the_notebook_runs_as_a_user_who_can_reach_neither_the_tests_nor_the_results(tmp_path):
    stub = nbformat.read(ROOT / "exercises" / LESSON / f"{LESSON}.ipynb", as_version=4)
    leak_file = Path(tempfile.mkdtemp(prefix="kerascourse-leak-"))
    leak_file.chmod(0o777)
    cell = f"LEAK_FILE = {str(leak_file / 'leaked')!r}\n{LEFT_BEHIND}"
    stub.cells.insert(1, nbformat.v4.new_code_cell(cell))
    try:
        status, results, _ = run_autograder(tmp_path, f"{LESSON}.ipynb", nbformat.writes(stub).encode(),
                                        bubblewrap=False)
        time.sleep(2)  # the left-behind process would have rewritten results.json by now
        results = json.loads((tmp_path / "autograder" / "results" / "results.json").read_text())
        leaked = (leak_file / "leaked").read_text()
    finally:
        shutil.rmtree(leak_file)
    assert status == 0 and results["score"] == 0 and results["tests"], results
    assert leaked == "PermissionError"


def test_without_bubblewrap_the_reference_still_earns_full_marks(tmp_path):
    reference = (ROOT / "autograder" / LESSON / "samples" / "reference.ipynb").read_bytes()
    status, results, _ = run_autograder(tmp_path, f"{LESSON}.ipynb", reference, bubblewrap=False)
    possible = sum(test["max_score"] for test in results["tests"])
    assert status == 0 and possible > 0 and results["score"] == pytest.approx(possible), results


def test_a_container_with_too_little_memory_fails_with_a_message_not_a_silent_zero(tmp_path):
    reference = (ROOT / "autograder" / LESSON / "samples" / "reference.ipynb").read_bytes()
    status, results, printed = run_autograder(tmp_path, f"{LESSON}.ipynb", reference, memory_limit_mb=768)
    assert status == 1 and results["tests"] == []
    assert "768 MB" in results["output"] and "Autograder Settings" in results["output"]
    assert results["output"] in printed


def test_setup_sh_puts_the_library_and_the_datasets_where_grading_then_finds_them(tmp_path):
    """setup.sh's course steps (``gradescope.SETUP``) run as on Gradescope, with apt-get and mamba stood in
    for: over a writable overlay of this environment (the copy must land in its site-packages) and a
    fresh /opt, /root and checkout; then the reference is graded from what they left alone."""
    reference = (ROOT / "autograder" / LESSON / "samples" / "reference.ipynb").read_bytes()
    layout, env, shims = lay_out(tmp_path, f"{LESSON}.ipynb", reference), Path(sys.prefix), tmp_path / "shims"
    for folder in ("upper", "work", "shims"):
        (tmp_path / folder).mkdir()
    (shims / "apt-get").write_text(f'#!/bin/sh\necho "$@" >> {shims / "apt.log"}\n')
    (shims / "mamba").write_text('#!/bin/sh\n# mamba run -n otter-env COMMAND...\nshift 3\nexec "$@"\n')
    for shim in ("apt-get", "mamba"):
        (shims / shim).chmod(0o755)
    reachable = python_made_reachable()  # /root private again, as Gradescope's is, for setup.sh to open
    if reachable[1:2] != ["/root"]:
        reachable = ["--tmpfs", "/root", *reachable]
    private_root = ["--perms", "0700", *reachable]
    container = ["bwrap", "--dev-bind", "/", "/", "--bind", str(layout), "/autograder", "--tmpfs", "/opt",
                 "--bind", str(data.data_dir()), "/opt/kerascourse/datasets", *private_root,
                 "--tmpfs", str(ROOT), "--bind", str(env), str(env),
                 "--", "bash", "-euc", f"cd /autograder/source\n{gradescope.SETUP}\n"
                 "stat -c %A /root > /autograder/results/root-mode\nexec /autograder/source/run_autograder"]
    overlay = f"lowerdir={env},upperdir={tmp_path / 'upper'},workdir={tmp_path / 'work'}"
    script = 'mount -t overlay overlay -o "$1" "$2" && shift 2 && exec "$@"'
    run = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "-", overlay, env,
                          *container], env={**os.environ, "PATH": f"{shims}:{env / 'bin'}:{os.environ['PATH']}"},
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    results = json.loads((layout / "results" / "results.json").read_text())
    possible = sum(test["max_score"] for test in results["tests"])
    assert possible > 0 and results["score"] == pytest.approx(possible), results
    assert (shims / "apt.log").read_text().split() == ["install", "-y", "bubblewrap", "espeak-ng"]
    site = Path(sysconfig.get_paths()["purelib"]).relative_to(env)
    copied = tmp_path / "upper" / site / "kerascourse"
    assert sorted(p.name for p in copied.iterdir() if p.is_dir() and p.name != "__pycache__") == sorted(
        p.name for p in (layout / "source" / "files" / "kerascourse").iterdir() if p.is_dir())
    assert (layout / "results" / "root-mode").read_text().strip().endswith("x")  # others may enter /root


def test_the_memory_left_to_the_notebook_is_the_containers_less_the_graders(tmp_path):
    limit = tmp_path / "memory.max"
    limit.write_text("max\n")
    assert gradescope.memory_limit_mb([limit]) is None
    limit.write_text(str(8 * 2**30))
    assert gradescope.memory(gradescope.memory_limit_mb([limit])) == gradescope.memory(None)
    limit.write_text(str(int((gradescope.GRADER_MB + gradescope.MIN_NOTEBOOK_MB) * 2**20)))
    assert gradescope.memory(gradescope.memory_limit_mb([limit])) == gradescope.MIN_NOTEBOOK_MB


def test_an_upload_without_one_notebook_gets_a_message(tmp_path):
    (tmp_path / "notes.txt").write_text("no notebook here")
    with pytest.raises(gradescope.Refused, match=f"Upload one notebook, {LESSON}.ipynb"):
        gradescope.find(tmp_path, LESSON)
    for name in ("draft.ipynb", f"{LESSON}.ipynb"):
        (tmp_path / name).write_text("{}")
    assert gradescope.find(tmp_path, LESSON) == tmp_path / f"{LESSON}.ipynb"


def test_the_zip_runs_the_courses_grader_and_reads_its_tests_from_where_gradescope_unzips_them(tmp_path):
    with zipfile.ZipFile(autograder_zip(LESSON)) as archive:
        archive.extractall(tmp_path)
        assert archive.read("run_autograder").decode() == gradescope.RUN_AUTOGRADER
        assert archive.read("setup.sh").decode().endswith(gradescope.SETUP)
        assert "run_otter.py" not in archive.namelist()
    from_folder = [(f.name, f.possible) for f in judge.test_files(tmp_path)]
    assert from_folder == [(f.name, f.possible) for f in judge.test_files(autograder_zip(LESSON))]
    assert grading_config(LESSON, source=tmp_path) == grading_config(LESSON)
