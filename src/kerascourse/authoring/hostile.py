"""A corpus of broken and hostile submissions, made from a lesson's notebooks, with what each must get.

``make assign`` writes it to ``autograder/<lesson>/hostile/``. Broken files built on the reference
keep the points their honest work earns; hostile ones built on the stub must score 0.
"""

import ast
import io
import json
import pickle
import re
import shutil
import zipfile
from dataclasses import dataclass

import nbformat

from kerascourse import ROOT
from kerascourse.authoring.deterministic import ZIP_DATE
from kerascourse.course.hints import METADATA_KEY as HINT_KEY
from kerascourse.lessons import grading_config

HIDDEN_TEST_READER = """\
import os
found = []
for top in ["/", os.path.expanduser("~"), os.getcwd(), "/tmp", "/work"]:
    for folder, _, names in os.walk(top):
        if folder.count(os.sep) > 6 or folder.startswith(("/proc", "/sys", "/usr", "/dev")):
            continue
        found += [os.path.join(folder, n) for n in names if n.endswith((".py", ".zip")) and "q1" in n]
for path in found[:50]:
    print(path, open(path, "rb").read()[:2000])"""

FAKE_RESULTS = """\
import json, os
fake = {"score": 26, "tests": [{"name": q, "score": 9, "max_score": 9} for q in ["q1", "q2", "q3", "q4", "q5"]]}
for folder in [os.getcwd(), "..", "/tmp"]:
    with open(os.path.join(folder, "res" + "ults.json"), "w") as handle:
        json.dump(fake, handle)"""

PLANT_LINKS = """\
import os
for folder in [os.getcwd(), os.path.join("..", "export")]:
    for name in ["report.json", "manifest.json"]:
        os.symlink("/etc/hostname", os.path.join(folder, name))"""

# Fills the disk the way a notebook that saves a checkpoint every epoch would, and carries on.
FILL_DISK = """\
import itertools
try:
    for number in itertools.count():
        with open(f"checkpoint-{number}.bin", "wb") as handle:
            handle.write(bytes(2**26))
except OSError as error:
    print("stopped writing:", error)"""

# Replaces the grader's exporter in the notebook with one that hands the grader a model file of 1.5 MB
# that decompresses to over 1 GB, for every name the tests read.
EXPORT_BOMB = """\
import json, zipfile
from pathlib import Path
import kerascourse.grader.exporter as exporter

def bomb(namespace, names, probes, directory):
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(directory / "bomb.keras", "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("config.json", "{}")
        with archive.open("model.weights.h5", "w", force_zip64=True) as weights:
            for _ in range(17):
                weights.write(bytes(2**26))
    manifest = {name: {"kind": "model", "file": "bomb.keras"} for name in names}
    (directory / "manifest.json").write_text(json.dumps(manifest))

exporter.export = bomb"""

# Replaces the exporter with one whose model file is small but whose config builds a 10 GB layer: the
# grader's own process, loading it, must be stopped at its memory limit.
EXPORT_HUGE_LAYER = """\
import json, zipfile
from pathlib import Path
import keras
import kerascourse.grader.exporter as exporter

def huge(namespace, names, probes, directory):
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    keras.Sequential([keras.Input((16,)), keras.layers.Dense(4)]).save(directory / "small.keras")
    with zipfile.ZipFile(directory / "small.keras") as small:
        files = {name: small.read(name) for name in small.namelist()}
    config = files["config.json"].decode().replace("16]", "50000]").replace('"units": 4', '"units": 50000')
    with zipfile.ZipFile(directory / "huge.keras", "w") as archive:
        for name, content in files.items():
            archive.writestr(name, config if name == "config.json" else content)
    manifest = {name: {"kind": "model", "file": "huge.keras"} for name in names}
    (directory / "manifest.json").write_text(json.dumps(manifest))

exporter.export = huge"""

# Replaces the exporter with one that plants a PyTorch state_dict saved with torch.save (a pickle that runs a
# command when loaded) where the grader reads answers, under every kind of export that holds arrays.
PLANT_PICKLE = """\
import json, os
from pathlib import Path
import torch
import kerascourse.grader.exporter as exporter

class RunsCommand:
    def __reduce__(self):
        return (os.system, ("touch /tmp/kerascourse-pwned",))

def planted(namespace, names, probes, directory):
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    torch.save({"fc1.weight": torch.zeros(2, 2), "fc1.hook": RunsCommand()}, directory / "state.pt")
    (directory / "state.json").write_text(json.dumps({"value": "a state_dict"}))
    kinds = [{"kind": "array", "file": "state.pt", "torch": True},
             {"kind": "torch", "file": "state.json", "arrays": "state.pt"},
             {"kind": "calls", "file": "state.json", "arrays": "state.pt"},
             {"kind": "model", "file": "state.pt"}]
    manifest = {name: kinds[number % len(kinds)] for number, name in enumerate(names)}
    (directory / "manifest.json").write_text(json.dumps(manifest))

exporter.export = planted"""

PATCH_GRADER = """\
import otter.test_files.abstract_test as abstract_test
abstract_test.TestFile.grade = property(lambda self: 1.0)
abstract_test.TestFile.score = property(lambda self: self.possible)
abstract_test.TestFile.passed_all = property(lambda self: True)"""

PATCH_GRADER_QUIETLY = """\
import importlib
module = importlib.import_module("ot" + "ter.test_files.abstract_test")
target = getattr(module, "Test" + "File")
setattr(target, "grade", property(lambda self: 1.0))
setattr(target, "score", property(lambda self: self.possible))"""


@dataclass(frozen=True)
class Case:
    filename: str
    status: str
    score: str  # "zero", "full" or "partial"
    why: str


CASES = [
    Case("syntax-error.ipynb", "graded", "partial", "a syntax error in q2's cell costs q2 only"),
    Case("cell-raises.ipynb", "graded", "full", "a cell that raises does not stop the others"),
    Case("infinite-loop.ipynb", "timeout", "full", "the looping cell is interrupted; the rest is graded"),
    Case("memory-bomb.ipynb", "memory", "zero", "stopped at the memory limit"),
    Case("sys-exit.ipynb", "graded", "full", "IPython turns sys.exit() into an error in that cell"),
    Case("os-exit.ipynb", "crashed", "zero", "os._exit ends the kernel before anything is exported"),
    Case("kill-kernel.ipynb", "crashed", "zero", "the kernel kills itself"),
    Case("huge-output.ipynb", "graded", "full", "50 MB of printed output is not kept"),
    Case("invalid-json.ipynb", "invalid", "zero", "not JSON"),
    Case("empty.ipynb", "invalid", "zero", "an empty file"),
    Case("python-renamed.ipynb", "invalid", "zero", "a .py file renamed .ipynb"),
    Case("not-utf8.ipynb", "invalid", "zero", "bytes that are not UTF-8"),
    Case("other-kernel-name.ipynb", "graded", "full", "saved with another kernel name"),
    Case("hints-used.ipynb", "graded", "full", "saved with three hints shown and two forged hint records: the "
                                               "three are reported, the forged ones ignored, the score untouched"),
    Case("question-deleted.ipynb", "graded", "partial", "q2's cells deleted"),
    Case("question-renamed.ipynb", "graded", "partial", "q5's answers stored under other names"),
    Case("attack-a-patch-otter.ipynb", "tampered", "zero", "monkeypatches otter's test classes"),
    Case("attack-a-patch-otter-quietly.ipynb", "graded", "zero", "the same, hidden from the scan: it has no effect"),
    Case("attack-b-read-hidden-tests.ipynb", "graded", "zero", "looks for test files; the sandbox has none"),
    Case("attack-c-write-results.ipynb", "graded", "zero", "writes results.json files nobody reads"),
    Case("attack-d-crafted-log.zip", "tampered", "zero", "a .OTTER_LOG pickle that would run a command"),
    Case("attack-e-planted-links.ipynb", "tampered", "zero", "links where the grader reads answers, to its own files"),
    Case("attack-f-export-bomb.ipynb", "tampered", "zero", "an exported model that decompresses to over 1 GB"),
    Case("attack-g-huge-layer.ipynb", "memory", "zero", "a model config whose loading takes 10 GB in the grader"),
    Case("attack-h-pickled-state-dict.ipynb", "graded", "zero", "a torch.save'd state_dict that would run a command, "
                                                                "planted under every name: never unpickled"),
    Case("disk-filler.ipynb", "disk", "full", "writes until the sandbox's disk is full; its answers still count"),
]


class _RunsCommand:
    def __reduce__(self):
        import os

        return (os.system, ("touch /tmp/kerascourse-pwned",))


def _notebook_bytes(notebook):
    return (nbformat.writes(notebook) + "\n").encode()


def _with_cell(notebook, source, position=None):
    cells = list(notebook.cells)
    cells.insert(len(cells) if position is None else position, nbformat.v4.new_code_cell(source))
    notebook.cells = cells
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index:03d}"
    return notebook


def _with_hints(notebook):
    """The notebook as saved after ``hint("q1")`` twice and ``hint("q2")``, plus two outputs whose hint
    records are forged (a number that is not one, a question that is not one)."""
    records = [{"question": "q1", "number": 1}, {"question": "q1", "number": 2}, {"question": "q2", "number": 1},
               {"question": "q1", "number": "99"}, {"question": "../../q1", "number": 3}]
    _with_cell(notebook, 'hint("q1")\nhint("q1")\nhint("q2")')
    notebook.cells[-1].outputs = [
        nbformat.v4.new_output("display_data", {"text/markdown": "**Hint**"}, metadata={HINT_KEY: record})
        for record in records
    ]
    return notebook


def _answer(notebook, question):
    return next(c for c in notebook.cells if f"answer-{question}" in c.metadata.get("tags", []))


def _rename_assigned(cell):
    """Give every name the cell assigns at its top level another name (``x`` becomes ``x_mine``)."""
    tree = ast.parse(cell.source)
    names = {
        node.id
        for statement in tree.body if isinstance(statement, (ast.Assign, ast.AugAssign, ast.AnnAssign))
        for target in (statement.targets if isinstance(statement, ast.Assign) else [statement.target])
        for node in ast.walk(target) if isinstance(node, ast.Name)
    }
    for name in sorted(names):
        cell.source = re.sub(rf"\b{name}\b", f"{name}_mine", cell.source)


def build(lesson, root=ROOT):
    """``{filename: bytes}`` of the corpus for ``lesson``; which questions it breaks and where its extra
    cells go come from the lesson's ``grading.yaml`` (``hostile:``)."""
    autograder = root / "autograder" / lesson
    facts = grading_config(lesson, root)["hostile"]
    broken_question, renamed_question, position = (
        facts["broken_question"], facts["renamed_question"], facts["cell_position"]
    )

    def reference():
        return nbformat.read(autograder / f"{lesson}.ipynb", as_version=4)

    def stub():
        return nbformat.read(root / "exercises" / lesson / f"{lesson}.ipynb", as_version=4)

    files = {}
    broken = reference()
    _answer(broken, broken_question).source += "\nprint(("  # an unclosed parenthesis: the whole cell fails to parse
    files["syntax-error.ipynb"] = _notebook_bytes(broken)
    files["cell-raises.ipynb"] = _notebook_bytes(_with_cell(reference(), "raise RuntimeError('oops')", position))
    files["infinite-loop.ipynb"] = _notebook_bytes(_with_cell(reference(), "while True:\n    pass"))
    files["memory-bomb.ipynb"] = _notebook_bytes(
        _with_cell(stub(), "blocks = []\nwhile True:\n    blocks.append(bytearray(b'x' * 2**27))", position)
    )
    files["sys-exit.ipynb"] = _notebook_bytes(_with_cell(reference(), "import sys\nsys.exit()", position))
    files["os-exit.ipynb"] = _notebook_bytes(_with_cell(reference(), "import os\nos._exit(0)", position))
    files["kill-kernel.ipynb"] = _notebook_bytes(
        _with_cell(reference(), "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", position)
    )
    files["huge-output.ipynb"] = _notebook_bytes(
        _with_cell(reference(), "for _ in range(50):\n    print('x' * 2**20)")
    )
    files["hints-used.ipynb"] = _notebook_bytes(_with_hints(reference()))
    files["invalid-json.ipynb"] = _notebook_bytes(stub())[:200]
    files["empty.ipynb"] = b""
    files["python-renamed.ipynb"] = b"import keras\nmlp = keras.Sequential()\nprint(mlp)\n"
    files["not-utf8.ipynb"] = b'{"cells": [], "metadata": {"name": "\xff\xfe\xfa"}}'
    other = reference()
    other.metadata["kernelspec"] = {"name": "conda-env-course-py", "display_name": "Course", "language": "python"}
    files["other-kernel-name.ipynb"] = _notebook_bytes(other)
    deleted = reference()
    deleted.cells = [c for c in deleted.cells if f"answer-{broken_question}" not in c.metadata.get("tags", [])]
    files["question-deleted.ipynb"] = _notebook_bytes(deleted)
    renamed = reference()
    _rename_assigned(_answer(renamed, renamed_question))
    files["question-renamed.ipynb"] = _notebook_bytes(renamed)
    files.update(attacks(lesson, root))
    files["disk-filler.ipynb"] = _notebook_bytes(_with_cell(reference(), FILL_DISK))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr(zipfile.ZipInfo(f"{lesson}.ipynb", ZIP_DATE), _notebook_bytes(stub()))
        bundle.writestr(zipfile.ZipInfo(".OTTER_LOG", ZIP_DATE), pickle.dumps(_RunsCommand(), protocol=4))
    files["attack-d-crafted-log.zip"] = archive.getvalue()
    assert sorted(files) == sorted(case.filename for case in CASES)
    return files


# The attacks made of one extra cell: the notebook it goes into, and the cell.
ATTACK_CELLS = {
    "attack-a-patch-otter.ipynb": ("stub", PATCH_GRADER),
    "attack-a-patch-otter-quietly.ipynb": ("stub", PATCH_GRADER_QUIETLY),
    "attack-b-read-hidden-tests.ipynb": ("stub", HIDDEN_TEST_READER),
    "attack-c-write-results.ipynb": ("stub", FAKE_RESULTS),
    "attack-e-planted-links.ipynb": ("reference", PLANT_LINKS),
    "attack-f-export-bomb.ipynb": ("stub", EXPORT_BOMB),
    "attack-g-huge-layer.ipynb": ("stub", EXPORT_HUGE_LAYER),
    "attack-h-pickled-state-dict.ipynb": ("stub", PLANT_PICKLE),
}


def attacks(lesson, root=ROOT, position=None):
    """``{filename: bytes}`` of the one-cell attacks, the cell at ``position`` (default: the end; 1: right
    after the first cell, before any of the notebook's own checks run)."""
    notebooks = {
        "reference": root / "autograder" / lesson / f"{lesson}.ipynb",
        "stub": root / "exercises" / lesson / f"{lesson}.ipynb",
    }
    return {
        filename: _notebook_bytes(_with_cell(nbformat.read(notebooks[base], as_version=4), cell, position))
        for filename, (base, cell) in ATTACK_CELLS.items()
    }


def write(lesson, root=ROOT):
    out = root / "autograder" / lesson / "hostile"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    for filename, content in build(lesson, root).items():
        (out / filename).write_bytes(content)
    (out / "expected.json").write_text(
        json.dumps({c.filename: {"status": c.status, "score": c.score, "why": c.why} for c in CASES}, indent=1) + "\n"
    )


def expectations(lesson, root=ROOT):
    return json.loads((root / "autograder" / lesson / "hostile" / "expected.json").read_text())
