"""What grading one submission produces, as typed data, and the files written from it at the edge:
Gradescope's results JSON (which also carries the record, for resuming) and the class's CSV."""

import csv
import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum


class Status(StrEnum):
    GRADED = "graded"
    TIMEOUT = "timeout"  # the notebook ran over its time, or a cell over the cell limit
    MEMORY = "memory"  # the notebook, or grading its answers, went over the memory limit
    DISK = "disk"  # the notebook wrote more than the sandbox holds
    CRASHED = "crashed"  # the kernel or the grading worker died
    INVALID = "invalid"  # not a readable notebook
    TAMPERED = "tampered"  # code or files aimed at the grader


def total(points):
    """A sum of points, rounded so that cases worth 4/3 point each add up to exactly 4."""
    return round(sum(points), 6)


@dataclass
class CaseResult:
    hidden: bool
    points: float
    passed: bool
    message: str = ""


@dataclass
class QuestionResult:
    name: str
    cases: list[CaseResult] = field(default_factory=list)
    possible_points: float | None = None  # for a question whose cases never ran

    @property
    def score(self):
        return total(case.points for case in self.cases if case.passed)

    @property
    def possible(self):
        return self.possible_points if self.possible_points is not None else total(c.points for c in self.cases)

    def messages(self):
        """The messages of the failed cases, in order."""
        return [case.message for case in self.cases if not case.passed]

    @classmethod
    def from_dict(cls, data):
        return cls(data["name"], [CaseResult(**case) for case in data["cases"]], data.get("possible_points"))


@dataclass
class Record:
    submission: str
    status: Status
    reason: str = ""
    score: float = 0.0
    max_score: float = 0.0
    questions: dict[str, QuestionResult] = field(default_factory=dict)
    seconds: float = 0.0  # running the notebook in the sandbox
    peak_mb: float = 0.0  # the sandboxed notebook's peak memory
    worker_seconds: float = 0.0  # the whole worker: reading, sandbox, loading and tests
    worker_peak_mb: float = 0.0  # the worker's own peak memory (the trusted side)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step, for the profile
    hints: dict[str, int] = field(default_factory=dict)  # question -> hints the submitted notebook shows
    unattempted: list[str] = field(default_factory=list)  # questions whose answers hold only the starter code

    def question(self, name):
        """The result of question ``name``; an empty one worth nothing when it was not graded."""
        return self.questions.get(name) or QuestionResult(name, possible_points=0.0)

    def to_dict(self):
        return {**asdict(self), "status": self.status.value}

    @classmethod
    def from_dict(cls, data):
        questions = {name: QuestionResult.from_dict(q) for name, q in data["questions"].items()}
        return cls(**{**data, "status": Status(data["status"]), "questions": questions})


def gradescope_results(record, feedback):
    """Gradescope's results format; per question only what a student may see (``feedback(question)``)."""
    tests = [
        {
            "name": name,
            "score": question.score,
            "max_score": question.possible,
            "output": feedback(question),
            "visibility": "visible",
        }
        for name, question in record.questions.items()
    ]
    output = f"Status: {record.status}." + (f" {record.reason}" if record.reason else "")
    return {"score": record.score, "output": output, "tests": tests, "extra_data": {"record": record.to_dict()}}


def record_from_results(text):
    """The record that ``gradescope_results`` carried."""
    return Record.from_dict(json.loads(text)["extra_data"]["record"])


def write_csv(path, records):
    """One row per submission: its scores per question, then the hints it used per question."""
    questions = sorted({name for record in records for name in record.questions})
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["submission", "status", "score", "max_score", *questions,
                         *(f"{q} hints" for q in questions), "reason"])
        for record in records:
            scores = [round(float(record.question(q).score), 4) for q in questions]
            hints = [record.hints.get(q, 0) for q in questions]
            writer.writerow([record.submission, record.status, round(float(record.score), 4), record.max_score,
                             *scores, *hints, record.reason])
