"""Sample submissions generated from a lesson's solution notebook and its ``variants.yaml``.

``variants.yaml`` lists, per question, known mistakes (each must lose that question's points,
with feedback containing the given phrase) and valid alternatives (each must earn full marks).
A variant replaces answer cells (tagged ``answer-qN``) of the solution notebook.

Variants share notebooks so that grading the samples stays cheap: ``mistakes-K.ipynb`` holds
the K-th mistake of every question, ``alternatives-K.ipynb`` the K-th alternative, unless two
of them would replace the same answer cell, in which case the later one moves to the next
notebook. Each mistake is judged on its own question only, so they do not hide one another;
one that breaks the cells after it (so later questions could not show their own mistakes) is
marked ``alone`` and gets a notebook of its own. Every variants notebook ends after the last question it
carries: the cells that follow hold the reference's answers, whose verdict the reference pays for, so
an alternative is judged on the questions up to its last (``questions_up_to``).
"""

import shutil
from collections import Counter
from dataclasses import dataclass, field

import nbformat
import yaml

from kerascourse import ROOT

KINDS = ("mistake", "alternative")


@dataclass(frozen=True)
class Variant:
    kind: str
    name: str
    question: str
    answers: dict = field(default_factory=dict)
    feedback: str = ""
    alone: bool = False  # a mistake that breaks later cells gets a notebook of its own


def load_variants(lesson, root=ROOT):
    """The lesson's variants, mistakes first, as listed in ``reference/<lesson>/variants.yaml``."""
    spec = yaml.safe_load((root / "reference" / lesson / "variants.yaml").read_text())
    variants = []
    for kind in KINDS:
        for entry in spec.get(f"{kind}s", []):
            variants.append(Variant(kind=kind, **entry))
    return variants


def plan(variants):
    """``{filename: [variants]}``: which variants each sample notebook carries."""
    groups, alone = {}, {}
    for kind in KINDS:
        seen = Counter()
        for variant in (v for v in variants if v.kind == kind):
            if variant.alone:
                alone[f"{kind}-{variant.name}.ipynb"] = [variant]
                continue
            number = seen[variant.question] = seen[variant.question] + 1
            while any(set(variant.answers) & set(other.answers) for other in groups.get((kind, number), [])):
                number += 1
            groups.setdefault((kind, number), []).append(variant)
    shared = {f"{kind}s-{number}.ipynb": members for (kind, number), members in sorted(groups.items())}
    return shared | alone


def apply_answers(notebook, answers):
    """Replace the answer cells named in ``answers`` (question -> code) in place."""
    tagged = {
        tag.removeprefix("answer-"): cell
        for cell in notebook.cells
        for tag in cell.metadata.get("tags", [])
        if tag.startswith("answer-")
    }
    for question, source in answers.items():
        if question not in tagged:
            raise KeyError(f"no answer cell tagged answer-{question}")
        tagged[question].source = source.rstrip("\n")
    return notebook


def write_samples(lesson, root=ROOT):
    """Write ``autograder/<lesson>/samples/``: reference, stub, and the notebooks of ``plan``."""
    autograder = root / "autograder" / lesson
    out = autograder / "samples"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    shutil.copy(autograder / f"{lesson}.ipynb", out / "reference.ipynb")
    shutil.copy(root / "exercises" / lesson / f"{lesson}.ipynb", out / "stub.ipynb")
    for filename, members in plan(load_variants(lesson, root)).items():
        notebook = nbformat.read(autograder / f"{lesson}.ipynb", as_version=4)
        for variant in members:
            apply_answers(notebook, variant.answers)
        end_after_questions(notebook, carried(members))
        nbformat.write(notebook, out / filename)


def carried(members):
    """The questions whose answers the variants of a notebook replace or are judged on."""
    return {q for variant in members for q in (variant.question, *variant.answers)}


def questions_up_to(names, members):
    """Of the question ``names`` (``q1``, ``q2``, ...), those a variants notebook still asks: up to the last
    one it carries."""
    last = max(_number(q) for q in carried(members))
    return [name for name in names if _number(name) <= last]


def _number(question):
    return int(question.lstrip("q"))


def end_after_questions(notebook, questions):
    """Drop the cells after the last ``grader.check`` cell of ``questions``: the cells of later questions
    could not change the notebook's verdicts, and would only cost grading time."""
    checks = [
        index for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and cell.source.strip() in {f'grader.check("{q}")' for q in questions}
    ]
    if checks:
        notebook.cells = notebook.cells[: max(checks) + 1]
