"""Reading a submitted file safely: validation, normalisation and a static tampering scan.

Nothing here runs or unpickles submitted content. A zip contributes its one notebook; any
``.OTTER_LOG`` inside it is only inspected as pickle opcodes, never loaded.
"""

import io
import json
import pickletools
import re
import tokenize
import zipfile
from dataclasses import dataclass, field

import nbformat

from kerascourse.course.hints import METADATA_KEY as HINT_KEY

MAX_BYTES = 20 * 1024 * 1024
# Cells that otter assign adds to student notebooks; the grader runs its own tests instead.
OTTER_CELL = re.compile(
    r"^(# Initialize Otter\s+import otter\s+grader = otter\.Notebook\([^)]*\)"
    r'|grader\.check\("\w+"\)|grader\.check_all\(\))$'
)
HINT_QUESTION = re.compile(r"^q\d{1,3}$")
# Names and strings that only code aiming at the grader itself uses.
SUSPECT_NAMES = {"otter", "test_case", "GradingResults", "TestFile", "__import__"}
SUSPECT_STRINGS = ("OTTER_LOG", "results.json", "grading_results", "/autograder", "otter", "hidden=True")
# Modules whose objects a genuine .OTTER_LOG pickle refers to.
OTTER_LOG_MODULES = ("otter.", "builtins", "copyreg", "datetime", "collections", "_codecs", "nbformat", "numpy")


class Invalid(Exception):
    """The file is not a gradable notebook; the message says why."""


@dataclass
class Submission:
    name: str
    notebook: nbformat.NotebookNode
    tampering: list = field(default_factory=list)
    hints: dict = field(default_factory=dict)  # question -> how many of its hints the saved outputs show


def read(path):
    """A validated ``Submission`` from an ``.ipynb`` or a ``.zip`` holding one; raises ``Invalid``."""
    raw = path.read_bytes()
    if not raw.strip():
        raise Invalid("the file is empty")
    if len(raw) > MAX_BYTES:
        raise Invalid(f"the file is {len(raw) / 1e6:.0f} MB; notebooks over {MAX_BYTES // 2**20} MB are not graded")
    tampering = []
    if path.suffix == ".zip":
        raw, tampering = _notebook_from_zip(raw)
    notebook = _parse(raw)
    hints = hints_shown(notebook)
    _normalise(notebook)
    tampering += scan_code(notebook)
    return Submission(name=path.name, notebook=notebook, tampering=tampering, hints=hints)


def _notebook_from_zip(raw):
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile:
        raise Invalid("the file ends in .zip but is not a zip archive") from None
    notebooks = [
        info for info in archive.infolist() if info.filename.endswith(".ipynb") and "__MACOSX" not in info.filename
    ]
    if len(notebooks) != 1:
        raise Invalid(f"the zip holds {len(notebooks)} notebooks; it must hold exactly one")
    if notebooks[0].file_size > MAX_BYTES:
        raise Invalid("the notebook inside the zip is too large")
    tampering = []
    for info in archive.infolist():
        if info.filename.endswith(".OTTER_LOG") and info.file_size <= MAX_BYTES:
            tampering += scan_pickle(archive.read(info))
    return archive.read(notebooks[0]), tampering


def _parse(raw):
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Invalid(f"the file is not UTF-8 text (byte {error.start} is invalid)") from None
    try:
        content = json.loads(text)
    except json.JSONDecodeError as error:
        raise Invalid(f"the file is not valid JSON ({error.msg} at line {error.lineno}); is it a notebook?") from None
    if not isinstance(content, dict) or "cells" not in content:
        raise Invalid("the file is JSON but not a Jupyter notebook (it has no cells)")
    try:
        return nbformat.reads(text, as_version=4)
    except Exception as error:  # noqa: BLE001 - nbformat raises many kinds
        raise Invalid(f"the notebook cannot be read: {error}") from None


def hints_shown(notebook):
    """``{question: number of distinct hints}`` that ``hint(...)`` outputs saved in the notebook record."""
    shown = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            entry = output.get("metadata", {}).get(HINT_KEY) if isinstance(output, dict) else None
            if not isinstance(entry, dict):
                continue
            question, number = entry.get("question"), entry.get("number")
            if isinstance(question, str) and HINT_QUESTION.match(question) and type(number) is int and 0 < number < 100:
                shown.setdefault(question, set()).add(number)
    return {question: len(numbers) for question, numbers in sorted(shown.items())}


def _normalise(notebook):
    """Run with the python3 kernel, without outputs, with otter's own cells emptied (cells keep their numbers)."""
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            if OTTER_CELL.match(cell.source.strip()):
                cell.source = ""


def scan_code(notebook):
    """What the notebook's code does to the grader, as reasons; empty for honest code."""
    reasons = []
    for index, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type != "code":
            continue
        for kind, text in _tokens(cell.source):
            if kind == tokenize.NAME and text in SUSPECT_NAMES:
                reasons.append(f"cell {index} uses {text!r}, which only code aimed at the grader needs")
            elif kind == tokenize.STRING and any(s in text for s in SUSPECT_STRINGS):
                reasons.append(f"cell {index} refers to grader files ({text[:40]})")
    return sorted(set(reasons))


def _tokens(source):
    lines = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    try:
        for token in tokenize.generate_tokens(io.StringIO(lines).readline):
            yield token.type, token.string
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return


def scan_pickle(data):
    """Reasons a pickle is not an otter log: imports from modules outside ``OTTER_LOG_MODULES``."""
    reasons = []
    strings = []
    try:
        for opcode, argument, _ in pickletools.genops(data):
            if opcode.name in ("SHORT_BINUNICODE", "BINUNICODE", "UNICODE"):
                strings.append(argument)
            if opcode.name == "GLOBAL":
                module = argument.split(" ")[0]
            elif opcode.name == "STACK_GLOBAL" and len(strings) >= 2:
                module = strings[-2]
            else:
                continue
            if not module.startswith(OTTER_LOG_MODULES):
                reasons.append(f"the zip's .OTTER_LOG pickle imports from {module!r}, which otter logs never do")
    except Exception:  # noqa: BLE001 - a malformed pickle is suspicious in itself
        reasons.append("the zip's .OTTER_LOG is not a well-formed pickle")
    return sorted(set(reasons))
