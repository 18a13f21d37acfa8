"""Sample submissions generated from a lesson's solution notebook and its ``variants.yaml``.

``variants.yaml`` lists, per question, known mistakes (each must lose that question's points,
with feedback containing the given phrase) and valid alternatives (each must earn full marks).
Each variant replaces the answer cells (tagged ``answer-qN``) of the solution notebook.
"""

import shutil
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

    @property
    def filename(self):
        return f"{self.kind}-{self.name}.ipynb"


def load_variants(lesson, root=ROOT):
    """The lesson's variants, mistakes first, as listed in ``reference/<lesson>/variants.yaml``."""
    spec = yaml.safe_load((root / "reference" / lesson / "variants.yaml").read_text())
    variants = []
    for kind in KINDS:
        for entry in spec.get(f"{kind}s", []):
            variants.append(Variant(kind=kind, **entry))
    return variants


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
    """Write ``autograder/<lesson>/samples/``: reference, stub, and one notebook per variant."""
    autograder = root / "autograder" / lesson
    out = autograder / "samples"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    shutil.copy(autograder / f"{lesson}.ipynb", out / "reference.ipynb")
    shutil.copy(root / "exercises" / lesson / f"{lesson}.ipynb", out / "stub.ipynb")
    for variant in load_variants(lesson, root):
        notebook = nbformat.read(autograder / f"{lesson}.ipynb", as_version=4)
        nbformat.write(apply_answers(notebook, variant.answers), out / variant.filename)


def judge(record, variant):
    """``ok`` when a graded sample (a ``batch.Record``) scored as it should, else what went wrong.

    ``variant`` is None for the reference (must score 100%) and the stub (must score 0).
    """
    if record.status != "graded":
        return f"{record.status}: {record.reason}"
    if variant is None:
        wanted = record.max_score if record.submission == "reference.ipynb" else 0.0
        return "ok" if record.score == wanted else f"expected {wanted:g} points"
    if variant.kind == "alternative":
        return "ok" if record.score == record.max_score else "a valid alternative lost points"
    question = record.questions.get(variant.question, {"score": 0.0, "possible": 0.0, "cases": []})
    if question["score"] >= question["possible"]:
        return f"the mistake kept all {question['possible']:g} points of {variant.question}"
    messages = " ".join(case["message"] for case in question["cases"])
    if variant.feedback not in messages:
        return f"the feedback on {variant.question} does not say {variant.feedback!r}"
    return "ok"
