"""Grade one notebook with a lesson's autograder zip through ``otter run`` (no Docker needed)."""

import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from kerascourse.assign import ROOT, autograder_zip

TIMEOUT_S = 600


@dataclass
class Result:
    submission: str
    status: str  # graded, timeout or crashed
    score: float = 0.0
    max_score: float = 0.0
    questions: dict = field(default_factory=dict)  # question -> (score, max_score)
    feedback: dict = field(default_factory=dict)  # question -> text a student may see
    reason: str = ""

    @property
    def percent(self):
        return 100.0 * self.score / self.max_score if self.max_score else 0.0


def parse_results(submission, results):
    """A ``Result`` from otter's Gradescope-format ``results.json`` contents."""
    result = Result(submission=str(submission), status="graded")
    for test in results["tests"]:
        if test.get("max_score") is None:  # otter's "Public Tests" summary row
            continue
        name = test["name"]
        result.questions[name] = (float(test["score"]), float(test["max_score"]))
        result.feedback[name] = test.get("output", "")
    result.score = sum(score for score, _ in result.questions.values())
    result.max_score = sum(most for _, most in result.questions.values())
    return result


def grade(notebook, lesson, root=ROOT, timeout=TIMEOUT_S):
    """Grade ``notebook`` against ``lesson``'s autograder; failures give a zero score and a reason."""
    notebook = Path(notebook)
    with tempfile.TemporaryDirectory() as out:
        autograder = str(autograder_zip(lesson, root))
        command = [sys.executable, "-m", "otter", "run", "-a", autograder, "-o", out, str(notebook)]
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "KERASCOURSE_SIZE": "grading"}
        try:
            run = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
        except subprocess.TimeoutExpired:
            return Result(submission=notebook.name, status="timeout", reason=f"grading took over {timeout} s")
        results = Path(out) / "results.json"
        if run.returncode != 0 or not results.exists():
            last_line = (run.stderr.strip().splitlines() or ["no output"])[-1]
            return Result(submission=notebook.name, status="crashed", reason=last_line)
        return parse_results(notebook.name, json.loads(results.read_text()))


def _grade_one(args):
    return grade(*args)


def grade_all(notebooks, lesson, root=ROOT, workers=None):
    """Grade several notebooks in parallel processes (otter changes directory, so no threads)."""
    workers = workers or os.cpu_count() or 1
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_grade_one, [(notebook, lesson, root) for notebook in notebooks]))
