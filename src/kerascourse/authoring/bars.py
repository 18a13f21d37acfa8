"""The numbers a lesson's answers must reach, kept in one place: ``grading.yaml``'s ``bars``.

A master notebook names a bar as ``{{ q2.max_gap_ratio }}``, in a question's text and in the tests that
enforce it; ``make assign`` writes the number in before otter assign runs, and writes the lesson README's
table of bars. Checks take bars as keyword-only arguments and hold none of their own, so the text, the
README and the tests cannot drift apart.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from kerascourse import ROOT
from kerascourse.lessons import grading_config

PLACEHOLDER = re.compile(r"\{\{\s*(q\d+)\.(\w+)\s*\}\}")
README_START = "<!-- written by `make assign` from grading.yaml's minutes and bars; edit them there -->"
README_END = "<!-- end of what make assign writes -->"


@dataclass(frozen=True)
class Bar:
    question: str
    name: str
    value: object  # a number, or {"grading": number, "full": number} where the two sizes differ
    means: str

    def as_code(self):
        return repr(self.value)

    def as_text(self):
        if isinstance(self.value, dict):
            grading, full = (_number(self.value[size]) for size in ("grading", "full"))
            return f"{grading} at grading size, {full} at full size"
        return _number(self.value)


def _number(value):
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


def load(lesson, root=ROOT):
    """``{(question, name): Bar}`` from ``reference/<lesson>/grading.yaml``."""
    spec = grading_config(lesson, root).get("bars") or {}
    return {
        (question, name): Bar(question, name, entry["value"], entry["means"])
        for question, entries in spec.items()
        for name, entry in entries.items()
    }


def render(text, bars, as_code):
    """``text`` with every ``{{ qN.name }}`` replaced by its number, as Python or as prose."""

    def number(match):
        key = (match.group(1), match.group(2))
        if key not in bars:
            raise KeyError(f"{{{{ {key[0]}.{key[1]} }}}} is not a bar in grading.yaml")
        return bars[key].as_code() if as_code else bars[key].as_text()

    return PLACEHOLDER.sub(number, text)


def render_master(master, target, bars):
    """Write ``master`` to ``target`` with its bars written in: numbers in code, prose in text."""
    notebook = nbformat.read(master, as_version=4)
    for cell in notebook.cells:
        cell.source = render(cell.source, bars, as_code=cell.cell_type == "code")
    nbformat.write(notebook, target)


def minutes(lesson, root=ROOT):
    """``{question: minutes}``: how long a beginner takes over each question, from ``grading.yaml``."""
    return dict(grading_config(lesson, root).get("minutes") or {})


def readme_section(lesson, root=ROOT):
    """The README's tables of minutes per question and of bars."""
    times = minutes(lesson, root)
    lines = ["Minutes a beginner needs, reading included:", "", "| question | minutes |", "| --- | --- |"]
    lines += [f"| {question} | {count} |" for question, count in times.items()]
    lines += [f"| all | {sum(times.values())} |", ""]
    lines += ["Bars: the numbers answers must reach, stated in the questions.", ""]
    bars = load(lesson, root)
    if bars:
        lines += ["| question | bar | value | what it measures |", "| --- | --- | --- | --- |"]
        lines += [f"| {bar.question} | `{bar.name}` | {bar.as_text()} | {bar.means} |" for bar in bars.values()]
    else:
        lines.append("None: every check in this lesson is right or wrong, with no threshold.")
    return "\n".join(lines)


def write_readme(lesson, root=ROOT):
    """Rewrite what lies between the README's markers."""
    path = Path(root) / "reference" / lesson / "README.md"
    text = path.read_text()
    if README_START not in text:
        raise ValueError(f"{path} lacks the line {README_START!r} that the minutes and bars follow")
    head, rest = text.split(README_START, 1)
    tail = rest.split(README_END, 1)[1]
    path.write_text(f"{head}{README_START}\n{readme_section(lesson, root)}\n{README_END}{tail}")
